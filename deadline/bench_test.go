package deadline

import (
	"math/rand/v2"
	"testing"
)

// benchRequests mixes units and directions over the covered years; none
// asks for a proof, so this is the hot path workflows and reports hit.
func benchRequests(n int) []Request {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]Request, n)
	for i := range out {
		r := Request{Start: d("2025-01-01").AddDays(rng.IntN(800)), Unit: CalendarDays, Days: 1 + rng.IntN(90)}
		switch i % 4 {
		case 1:
			r.Unit, r.Days = WorkingDays, 1+rng.IntN(30)
		case 2:
			r.Unit, r.Days, r.Direction = WorkingDays, 1+rng.IntN(20), Backward
			r.Start = r.Start.AddDays(60)
		case 3:
			r.Direction = Backward
			r.Start = r.Start.AddDays(60)
			r.Days = 1 + rng.IntN(15)
		}
		out[i] = r
	}
	return out
}

func BenchmarkComputeNoProof(b *testing.B) {
	c := VietnamCalendar()
	reqs := benchRequests(4096)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Compute(c, reqs[i&4095]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkMillionDueDates(b *testing.B) {
	const perIter = 1_000_000
	c := VietnamCalendar()
	reqs := benchRequests(4096)
	b.ReportAllocs()
	iters, sink := 0, 0
	for b.Loop() {
		for i := 0; i < perIter; i++ {
			res, err := Compute(c, reqs[i&4095])
			if err != nil {
				b.Fatal(err)
			}
			sink += res.DueOn.D
		}
		iters++
	}
	if sink == 0 {
		b.Fatal("no work done")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(iters*perIter), "ns/due")
}

func BenchmarkComputeWithProof(b *testing.B) {
	c := VietnamCalendar()
	r := Request{Start: d("2026-02-12"), Days: 10, Unit: WorkingDays, Proof: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(c, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkComputeRule(b *testing.B) {
	c, s := VietnamCalendar(), DefaultRules()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ComputeRule(c, s, "D24", Complex, d("2026-01-26"), Options{ExtensionDays: []int{30}}); err != nil {
			b.Fatal(err)
		}
	}
}
