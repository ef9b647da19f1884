package deadline

import (
	"errors"
	"testing"
)

// FuzzCompute drives Compute with arbitrary numbers around the Vietnam
// calendar's coverage. It must never panic, must fail only with the package's
// sentinel errors, and every date it returns must be a covered working day
// that the day-by-day proof and the oracle agree on.
func FuzzCompute(f *testing.F) {
	c := VietnamCalendar()
	base := d("2025-01-01")
	//     start  days unit dir  ext  suspFrom suspLen tollFrom tollLen proof
	f.Add(390, 30, uint8(0), uint8(0), 0, -1, 0, -1, 0, false)    // T03-like
	f.Add(407, 10, uint8(1), uint8(0), 0, -1, 0, -1, 0, true)     // T26-like
	f.Add(425, 30, uint8(0), uint8(0), 0, 10, 27, -1, 0, true)    // T19-like
	f.Add(334, 90, uint8(0), uint8(0), 0, -1, 0, 35, 9, true)     // T09-like
	f.Add(655, 20, uint8(1), uint8(1), 0, -1, 0, -1, 0, true)     // backward WD
	f.Add(390, 30, uint8(0), uint8(0), 60, -1, 0, -1, 0, true)    // extensions
	f.Add(-400, 3650, uint8(1), uint8(0), 0, -1, 0, -1, 0, false) // far outside
	f.Add(1094, 0, uint8(0), uint8(1), 0, -1, 0, -1, 0, true)     // last covered day
	f.Add(10, -5, uint8(7), uint8(9), -3, 5, -2, 3, -1, true)     // garbage
	f.Add(100, 5, uint8(1), uint8(0), 0, 500, 3, 2, 700, true)    // suspension after end
	f.Fuzz(func(t *testing.T, startOff, days int, unit, dir uint8, ext, suspFrom, suspLen, tollFrom, tollLen int, proof bool) {
		// Keep dates inside the representable range; anything else is fair game.
		startOff = startOff % 20000
		r := Request{Start: base.AddDays(startOff), Days: days, Proof: proof}
		switch unit % 3 {
		case 0:
			r.Unit = CalendarDays
		case 1:
			r.Unit = WorkingDays
		default:
			r.Unit = Unit("fortnights")
		}
		switch dir % 3 {
		case 0:
			r.Direction = Forward
		case 1:
			r.Direction = Backward
		default:
			r.Direction = ""
		}
		if ext != 0 {
			r.ExtensionDays = []int{ext % 10000}
		}
		if suspFrom >= 0 {
			from := r.Start.AddDays(suspFrom % 5000)
			r.Suspensions = []Interval{{From: from, To: from.AddDays(suspLen % 5000)}}
		}
		if tollFrom >= 0 {
			from := r.Start.AddDays(tollFrom % 5000)
			r.Tolling = []Interval{{From: from, To: from.AddDays(tollLen % 5000)}}
		}

		res, err := Compute(c, r)
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) && !errors.Is(err, ErrOutOfCoverage) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if !c.Covers(res.DueOn) || !c.IsWorkingDay(res.DueOn) {
			t.Fatalf("%+v → %s, not a covered working day", r, res.DueOn)
		}
		if res.DueAt != res.DueOn.EndAt() {
			t.Fatalf("DueAt %v is not the end of %s", res.DueAt, res.DueOn)
		}
		if r.Direction == Backward && res.DueOn.After(r.Start) || r.Direction != Backward && res.DueOn.Before(r.Start) {
			t.Fatalf("%+v → %s is on the wrong side of the start", r, res.DueOn)
		}
		if proof && (res.Proof == nil || res.Proof.Due != res.DueOn) {
			t.Fatalf("proof missing or disagrees: %+v", r)
		}
		if want := oracle(c, r); want != res.DueOn {
			t.Fatalf("%+v → %s, oracle says %s", r, res.DueOn, want)
		}
	})
}
