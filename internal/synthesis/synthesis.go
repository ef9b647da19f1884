// Package synthesis groups voters' petitions that raise the same matter (domain.md §7.1 step
// 3): delegations word the same concern differently, so the comparison works on folded
// Vietnamese (no diacritics, đ→d), expands the abbreviations petitions use (BHXH, BHYT, …),
// drops the words every petition uses to frame its request (cử tri, đề nghị, phản ánh, …),
// weighs the remaining syllables by how rare they are in the session, and adds the topic the
// delegation gave. It is pure: the same petitions always give the same groups.
package synthesis

import (
	"math"
	"sort"
	"strings"

	"github.com/dannguyen/dannguyen/internal/textnorm"
)

// Doc is one petition to compare.
type Doc struct {
	ID    string
	Text  string
	Topic string
}

// Options tune the grouping. Threshold and TopicWeight were chosen on the labelled real
// petitions in shared/realdata (see synthesis_test.go, which measures precision and recall).
type Options struct {
	// Threshold is the lowest score that links two petitions into one group.
	Threshold float64
	// TopicWeight is the weight of the topic similarity next to the text similarity (1).
	TopicWeight float64
}

// Defaults are the options the service uses.
var Defaults = Options{Threshold: 0.36, TopicWeight: 0.3}

// Pair is the similarity of two petitions, each part in [0, 1].
type Pair struct {
	Text  float64 `json:"text"`
	Topic float64 `json:"topic"`
	Score float64 `json:"score"`
}

// Member is one petition of a group; Score is its strongest link to another member (0 for a
// petition alone in its group).
type Member struct {
	Index int
	Score float64
}

// Group is petitions about one matter. Score is the weakest link that holds the group
// together (1 for a single petition), so a low score flags a group to look at.
type Group struct {
	Members []Member
	Score   float64
	// Representative is the index of the member most similar to the others: its text stands
	// for the group until an officer writes a title.
	Representative int
}

// Model holds the prepared petitions of one session. Terms are interned: each petition keeps
// the sorted ids of its terms, so comparing two is a merge of two short integer lists.
type Model struct {
	docs     []Doc
	terms    [][]int // sorted term ids per petition
	topics   []map[string]bool
	idf      []float64 // by term id
	postings [][]int   // petitions per term id, ascending
	weight   []float64
	floor    float64
	opt      Options
}

// New prepares docs for comparison. Term rarity is measured within docs, so the same words
// weigh less in a session where every delegation raises them.
func New(docs []Doc, opt Options) *Model {
	m := &Model{docs: docs, opt: opt}
	ids := map[string]int{}
	for i, d := range docs {
		set := termSet(d.Text)
		list := make([]int, 0, len(set))
		for k := range set {
			id, ok := ids[k]
			if !ok {
				id = len(ids)
				ids[k] = id
				m.postings = append(m.postings, nil)
			}
			list = append(list, id)
			m.postings[id] = append(m.postings[id], i)
		}
		sort.Ints(list)
		m.terms = append(m.terms, list)
		m.topics = append(m.topics, topicSet(d.Topic))
	}
	n := float64(len(docs))
	m.idf = make([]float64, len(ids))
	for id, p := range m.postings {
		m.idf[id] = math.Log((n + 1) / float64(len(p)))
	}
	total := 0.0
	for _, t := range m.terms {
		w := 0.0
		for _, id := range t {
			w += m.idf[id]
		}
		m.weight = append(m.weight, w)
		total += w
	}
	if len(docs) > 0 {
		// A petition of two words would otherwise be "contained" in every long one about the
		// same field; half the average weight is the smallest denominator.
		m.floor = total / n / 2
	}
	return m
}

// Similarity compares petitions i and j. The text part is the weighted share of the shorter
// petition's terms that the other one also has: a short local petition and a long national
// synthesis that contains it are the same matter.
func (m *Model) Similarity(i, j int) Pair {
	a, b := m.terms[i], m.terms[j]
	shared := 0.0
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x] < b[y]:
			x++
		case a[x] > b[y]:
			y++
		default:
			shared += m.idf[a[x]]
			x++
			y++
		}
	}
	return m.pair(i, j, shared)
}

// pair scores two petitions from the weight of the terms they share.
func (m *Model) pair(i, j int, shared float64) Pair {
	den := max(min(m.weight[i], m.weight[j]), m.floor)
	var p Pair
	if den > 0 {
		p.Text = min(1, shared/den)
	}
	p.Topic = jaccard(m.topics[i], m.topics[j])
	p.Score = (p.Text + m.opt.TopicWeight*p.Topic) / (1 + m.opt.TopicWeight)
	return p
}

// Cluster puts every petition in exactly one group: two petitions are linked when their score
// reaches the threshold, and a group is a connected set of links (a national synthesis that
// names three local petitions joins them even when their own wording differs). Groups come
// largest first, then in the order of their first petition.
func (m *Model) Cluster() []Group {
	n := len(m.docs)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	best := make([]float64, n)
	type link struct {
		i, j  int
		score float64
	}
	var links []link
	m.eachPair(func(i, j int, p Pair) {
		if p.Score < m.opt.Threshold {
			return
		}
		links = append(links, link{i, j, p.Score})
		best[i], best[j] = max(best[i], p.Score), max(best[j], p.Score)
	})
	// Strongest links first, so each group's score is the weakest link of its maximum
	// spanning tree: the one the group cannot do without.
	sort.Slice(links, func(x, y int) bool {
		if links[x].score != links[y].score {
			return links[x].score > links[y].score
		}
		if links[x].i != links[y].i {
			return links[x].i < links[y].i
		}
		return links[x].j < links[y].j
	})
	weakest := map[int]float64{}
	for _, l := range links {
		a, b := find(l.i), find(l.j)
		if a == b {
			continue
		}
		w := l.score
		for _, r := range []int{a, b} {
			if v, ok := weakest[r]; ok {
				w = min(w, v)
			}
		}
		if a > b {
			a, b = b, a
		}
		parent[b] = a
		delete(weakest, b)
		weakest[a] = w
	}
	// The member with the strongest links to the others stands for the group.
	strength := make([]float64, n)
	for _, l := range links {
		strength[l.i] += l.score
		strength[l.j] += l.score
	}
	byRoot := map[int]*Group{}
	var order []int
	for i := 0; i < n; i++ {
		r := find(i)
		g, ok := byRoot[r]
		if !ok {
			g = &Group{Score: 1}
			if w, ok := weakest[r]; ok {
				g.Score = w
			}
			byRoot[r] = g
			order = append(order, r)
		}
		g.Members = append(g.Members, Member{Index: i, Score: best[i]})
	}
	out := make([]Group, 0, len(order))
	for _, r := range order {
		g := byRoot[r]
		g.Representative = representative(g.Members, strength)
		out = append(out, *g)
	}
	sort.SliceStable(out, func(x, y int) bool { return len(out[x].Members) > len(out[y].Members) })
	return out
}

// eachPair scores every pair of petitions that share a term, by walking the inverted index
// (the weight of shared terms adds up per pair), so a session of a few thousand petitions is
// far below the n² comparisons. Pairs that share no term score on the topic alone, which only
// matters when the topic weight alone reaches the threshold.
func (m *Model) eachPair(fn func(i, j int, p Pair)) {
	n := len(m.docs)
	acc := make([]float64, n)
	var touched []int
	topicOnly := m.opt.TopicWeight/(1+m.opt.TopicWeight) >= m.opt.Threshold
	for i := 0; i < n; i++ {
		touched = touched[:0]
		for _, t := range m.terms[i] {
			for _, j := range m.postings[t] {
				if j <= i {
					continue
				}
				if acc[j] == 0 {
					touched = append(touched, j)
				}
				acc[j] += m.idf[t]
			}
		}
		if topicOnly {
			for j := i + 1; j < n; j++ {
				if acc[j] == 0 {
					touched = append(touched, j)
					acc[j] = -1 // shares no term
				}
			}
		}
		sort.Ints(touched)
		for _, j := range touched {
			fn(i, j, m.pair(i, j, max(acc[j], 0)))
			acc[j] = 0
		}
	}
}

func representative(members []Member, strength []float64) int {
	best := members[0].Index
	for _, mb := range members[1:] {
		if strength[mb.Index] > strength[best] {
			best = mb.Index
		}
	}
	return best
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// Terms returns the comparison terms of a text, for explaining a score.
func Terms(text string) []string {
	t := termSet(text)
	out := make([]string, 0, len(t))
	for k := range t {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func termSet(text string) map[string]bool {
	out := map[string]bool{}
	for _, w := range words(text) {
		if !stopWords[w] {
			out[w] = true
		}
	}
	return out
}

func topicSet(topic string) map[string]bool {
	out := map[string]bool{}
	for _, w := range words(topic) {
		if !topicStop[w] {
			out[w] = true
		}
	}
	return out
}

// words folds the text and splits it into syllables, expanding abbreviations.
func words(text string) []string {
	f := textnorm.Fold(text)
	var out []string
	for _, w := range strings.FieldsFunc(f, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		if exp, ok := abbreviations[w]; ok {
			out = append(out, strings.Fields(exp)...)
			continue
		}
		out = append(out, w)
	}
	return out
}
