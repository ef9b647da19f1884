package synthesis

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type labelled struct {
	ID       string  `json:"id"`
	Topic    string  `json:"topic"`
	Text     string  `json:"text_vi"`
	DupGroup *string `json:"dup_group"`
}

// realPetitions reads the labelled real petitions (a copy of shared/realdata; see
// TestRealDataCopyIsCurrent).
func realPetitions(t testing.TB) []labelled {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "voter_petitions.jsonl"))
	require.NoError(t, err)
	var out []labelled
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var p labelled
		require.NoError(t, json.Unmarshal(sc.Bytes(), &p))
		out = append(out, p)
	}
	require.NoError(t, sc.Err())
	return out
}

// The real petitions carry dup_group labels (the same matter raised in several provinces or
// national syntheses). Grouping them must keep each labelled group together and never join two
// matters. The figures are printed; the floor is what the default options reach on this data
// minus a margin, so a change that makes grouping worse fails here.
func TestRealPetitionsPrecisionRecall(t *testing.T) {
	rows := realPetitions(t)
	require.Len(t, rows, 39)
	docs := make([]Doc, len(rows))
	labels := make([]string, len(rows))
	for i, r := range rows {
		docs[i] = Doc{ID: r.ID, Text: r.Text, Topic: r.Topic}
		if r.DupGroup != nil {
			labels[i] = *r.DupGroup
		}
	}
	groups := New(docs, Defaults).Cluster()
	groupOf := make([]string, len(rows))
	seen := 0
	for gi, g := range groups {
		for _, m := range g.Members {
			require.Empty(t, groupOf[m.Index], "petition %s is in two groups", rows[m.Index].ID)
			groupOf[m.Index] = string(rune('A' + gi))
			seen++
		}
	}
	require.Equal(t, len(rows), seen, "every petition is in exactly one group")
	m := Pairwise(groupOf, labels)
	t.Logf("pairwise precision %.3f, recall %.3f (%d predicted pairs, %d true pairs, %d correct; %d groups)",
		m.Precision, m.Recall, m.Predicted, m.Truth, m.Correct, len(groups))
	require.GreaterOrEqual(t, m.Precision, 0.95)
	require.GreaterOrEqual(t, m.Recall, 0.9)
}

// The threshold sits inside a band where the real data groups perfectly; the measurement at
// its neighbours shows how wide the band is (both printed, neither asserted beyond sanity).
func TestThresholdBand(t *testing.T) {
	rows := realPetitions(t)
	docs := make([]Doc, len(rows))
	labels := make([]string, len(rows))
	for i, r := range rows {
		docs[i] = Doc{ID: r.ID, Text: r.Text, Topic: r.Topic}
		if r.DupGroup != nil {
			labels[i] = *r.DupGroup
		}
	}
	prevRecall := 2.0
	for _, th := range []float64{0.30, 0.33, 0.345, 0.36, 0.375, 0.39, 0.42} {
		opt := Defaults
		opt.Threshold = th
		groupOf := make([]string, len(rows))
		for gi, g := range New(docs, opt).Cluster() {
			for _, m := range g.Members {
				groupOf[m.Index] = string(rune('A' + gi))
			}
		}
		m := Pairwise(groupOf, labels)
		t.Logf("threshold %.3f: precision %.3f recall %.3f", th, m.Precision, m.Recall)
		require.LessOrEqual(t, m.Recall, prevRecall, "a higher threshold never links more pairs")
		prevRecall = m.Recall
	}
}

func TestSimilarityIsVietnameseAware(t *testing.T) {
	m := New([]Doc{
		{Text: "Cử tri đề nghị không cho rút BHXH một lần", Topic: "social insurance"},
		{Text: "cu tri de nghi khong cho rut bao hiem xa hoi mot lan", Topic: "Social insurance"},
		{Text: "Cử tri phản ánh giá phân bón tăng cao", Topic: "agriculture"},
	}, Defaults)
	same := m.Similarity(0, 1)
	require.InDelta(t, 1.0, same.Text, 1e-9, "diacritics and the abbreviation do not matter")
	require.InDelta(t, 1.0, same.Topic, 1e-9)
	require.Less(t, m.Similarity(0, 2).Score, Defaults.Threshold)
	// "phân" folds to "phan", the syllable of "phản ánh": folding costs that term.
	require.Equal(t, []string{"bon", "gia", "tang"}, Terms("Cử tri phản ánh giá phân bón tăng cao"))
}

func TestPairwise(t *testing.T) {
	m := Pairwise([]string{"a", "a", "b", "b"}, []string{"x", "x", "x", ""})
	require.Equal(t, Measure{Precision: 0.5, Recall: 1.0 / 3, Predicted: 2, Truth: 3, Correct: 1}, m)
}

func TestClusterEdgeCases(t *testing.T) {
	require.Empty(t, New(nil, Defaults).Cluster())
	g := New([]Doc{{ID: "a", Text: ""}, {ID: "b", Text: "Cử tri"}}, Defaults).Cluster()
	require.Len(t, g, 2, "empty and framing-only texts match nothing")
	require.Equal(t, 1.0, g[0].Score)
}

// The copy used by the tests is the shared real data file, byte for byte, when the shared
// folder is next to the repository.
func TestRealDataCopyIsCurrent(t *testing.T) {
	shared, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "realdata", "voter_petitions.jsonl"))
	if os.IsNotExist(err) {
		t.Skip("shared/realdata is not next to this checkout")
	}
	require.NoError(t, err)
	local, err := os.ReadFile(filepath.Join("testdata", "voter_petitions.jsonl"))
	require.NoError(t, err)
	require.Equal(t, string(shared), string(local))
}
