package synthesis

// Measure compares a grouping with labels, pair by pair: every pair of petitions put in one
// group is a prediction, every pair sharing a label is a truth (an unlabelled petition is its
// own matter).
type Measure struct {
	Precision float64 `json:"precision"` // correct predicted pairs / predicted pairs (1 when none predicted)
	Recall    float64 `json:"recall"`    // correct predicted pairs / true pairs (1 when there are none)
	Predicted int     `json:"predicted_pairs"`
	Truth     int     `json:"true_pairs"`
	Correct   int     `json:"correct_pairs"`
}

// Pairwise measures groupOf (a group key per petition) against labelOf ("" = no label).
func Pairwise(groupOf, labelOf []string) Measure {
	var m Measure
	for i := range groupOf {
		for j := i + 1; j < len(groupOf); j++ {
			same := groupOf[i] == groupOf[j]
			isTrue := labelOf[i] != "" && labelOf[i] == labelOf[j]
			if same {
				m.Predicted++
			}
			if isTrue {
				m.Truth++
			}
			if same && isTrue {
				m.Correct++
			}
		}
	}
	m.Precision, m.Recall = 1, 1
	if m.Predicted > 0 {
		m.Precision = float64(m.Correct) / float64(m.Predicted)
	}
	if m.Truth > 0 {
		m.Recall = float64(m.Correct) / float64(m.Truth)
	}
	return m
}
