package synthesis

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// BenchmarkCluster2500 groups a session of 2,500 petitions (the usual size, stats.md §3) made
// from the real texts with words dropped at random, and reports petitions per second.
func BenchmarkCluster2500(b *testing.B) {
	rows := realPetitions(b)
	rng := rand.New(rand.NewSource(1))
	docs := make([]Doc, 2500)
	for i := range docs {
		r := rows[rng.Intn(len(rows))]
		words := strings.Fields(r.Text)
		kept := words[:0:0]
		for _, w := range words {
			if rng.Float64() > 0.2 {
				kept = append(kept, w)
			}
		}
		docs[i] = Doc{ID: fmt.Sprint(i), Text: strings.Join(kept, " "), Topic: r.Topic}
	}
	b.ResetTimer()
	groups := 0
	for i := 0; i < b.N; i++ {
		groups = len(New(docs, Defaults).Cluster())
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "petitions/s")
	b.ReportMetric(float64(groups), "groups")
}
