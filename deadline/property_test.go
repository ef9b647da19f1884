package deadline

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// Properties checked here over thousands of seeded random requests on the
// Vietnam calendar 2025–2027:
//   - a due date (calendar or working days, forward or backward) is always a
//     covered working day, and equals a literal day-by-day oracle;
//   - adding a holiday never moves a forward due date earlier (nor a backward
//     one later); removing one never moves a forward due date later;
//   - N working days forward from a working day, then N back, is the start;
//   - the proof path returns the same date as the arithmetic path.

// oracle is the slowest, most literal reading of domain §2.2–2.3: walk day
// by day. It shares no code with Compute or with the proof walker.
func oracle(c *Calendar, r Request) Date {
	total := r.Days
	for _, e := range r.ExtensionDays {
		total += e
	}
	if r.Direction == Backward {
		x := r.Start
		if r.Unit == CalendarDays {
			x = x.AddDays(-total)
		} else {
			for n := total; n > 0; {
				x = x.AddDays(-1)
				if c.IsWorkingDay(x) {
					n--
				}
			}
		}
		for !c.IsWorkingDay(x) {
			x = x.AddDays(-1)
		}
		return x
	}
	counts := func(x Date) bool {
		for _, t := range r.Tolling {
			if !x.Before(t.From) && !x.After(t.To) {
				return false
			}
		}
		return r.Unit == CalendarDays || c.IsWorkingDay(x)
	}
	a, rem := r.Start, total
	for _, s := range r.Suspensions {
		used := 0
		for x := a.AddDays(1); !x.After(s.From); x = x.AddDays(1) {
			if counts(x) {
				used++
			}
		}
		rem = max(0, rem-used)
		a = s.To
	}
	x := a
	for rem > 0 {
		x = x.AddDays(1)
		if counts(x) {
			rem--
		}
	}
	for !c.IsWorkingDay(x) {
		x = x.AddDays(1)
	}
	return x
}

// lastDay is where a proof's steps end: the due day, except for a zero-day
// period on a working day, which has no steps and ends on its start.
func lastDay(p *Proof, start Date) Date {
	if len(p.Steps) == 0 {
		return start
	}
	s := p.Steps[len(p.Steps)-1]
	if !s.Through.IsZero() {
		return s.Through
	}
	return s.Date
}

// randomRequest draws a valid request whose dates lie inside the Vietnam
// calendar's coverage (the result may still run past it).
func randomRequest(rng *rand.Rand) Request {
	start := d("2025-01-01").AddDays(rng.IntN(900))
	r := Request{Start: start, Unit: CalendarDays, Direction: Forward}
	if rng.IntN(2) == 0 {
		r.Unit = WorkingDays
		r.Days = rng.IntN(120)
	} else {
		r.Days = rng.IntN(200)
	}
	if rng.IntN(5) == 0 {
		r.Direction = Backward
		r.Start = start.AddDays(200)
		return r
	}
	if rng.IntN(4) == 0 {
		for n := rng.IntN(3); n >= 0; n-- {
			r.ExtensionDays = append(r.ExtensionDays, 1+rng.IntN(30))
		}
	}
	if rng.IntN(3) == 0 {
		from := start
		for n := rng.IntN(3); n >= 0; n-- {
			from = from.AddDays(rng.IntN(r.Days/4 + 1))
			to := from.AddDays(rng.IntN(40))
			r.Suspensions = append(r.Suspensions, Interval{from, to})
			from = to
		}
	}
	if rng.IntN(3) == 0 {
		from := start.AddDays(-20)
		for n := rng.IntN(3); n >= 0; n-- {
			from = from.AddDays(1 + rng.IntN(60))
			to := from.AddDays(rng.IntN(15))
			r.Tolling = append(r.Tolling, Interval{from, to})
			from = to
		}
	}
	return r
}

func TestPropertyAgainstOracle(t *testing.T) {
	c := VietnamCalendar()
	rng := rand.New(rand.NewPCG(2026, 7))
	ok := 0
	for i := 0; i < 20000; i++ {
		r := randomRequest(rng)
		res, err := Compute(c, r)
		if err != nil {
			// Valid requests may only fail for coverage, or for a suspension
			// drawn after the period's end.
			var ie *InputError
			if errors.As(err, &ie) {
				require.Contains(t, ie.Field, "suspensions", "%+v", r)
				continue
			}
			require.ErrorIs(t, err, ErrOutOfCoverage, "%+v", r)
			continue
		}
		ok++
		require.True(t, c.Covers(res.DueOn), "%+v", r)
		require.True(t, c.IsWorkingDay(res.DueOn), "due on a non-working day: %+v → %s", r, res.DueOn)
		require.Equal(t, oracle(c, r), res.DueOn, "%+v", r)
		if r.Direction == Backward {
			require.False(t, res.DueOn.After(r.Start))
		} else {
			require.False(t, res.DueOn.Before(r.Start))
		}
		if i%4 == 0 {
			r.Proof = true
			withProof, err := Compute(c, r)
			require.NoError(t, err)
			require.Equal(t, res.DueOn, withProof.DueOn)
			require.Equal(t, res.DueOn, lastDay(withProof.Proof, r.Start), "%+v", r)
		}
	}
	require.Greater(t, ok, 15000, "the generator must mostly produce computable requests")
}

func TestPropertyHolidayMonotonic(t *testing.T) {
	c := VietnamCalendar()
	rng := rand.New(rand.NewPCG(2026, 8))
	var removable []Date
	for _, h := range c.Holidays() {
		if h.Kind != KindSwapWork {
			removable = append(removable, h.Date)
		}
	}
	for i := 0; i < 3000; i++ {
		r := randomRequest(rng)
		base, err := Compute(c, r)
		if err != nil {
			continue
		}
		// A new holiday somewhere around the period.
		day := r.Start.AddDays(rng.IntN(2*r.Days+30) - 10)
		if !c.Covers(day) || isWeekend(day.Weekday()) {
			continue
		}
		more := c.With(Holiday{Date: day, Name: "thêm", Kind: KindHoliday})
		got, err := Compute(more, r)
		if err == nil {
			require.True(t, more.IsWorkingDay(got.DueOn))
			if r.Direction == Backward {
				require.False(t, got.DueOn.After(base.DueOn), "adding %s moved a backward date later: %+v", day, r)
			} else {
				require.False(t, got.DueOn.Before(base.DueOn), "adding %s moved %s earlier to %s: %+v", day, base.DueOn, got.DueOn, r)
			}
		} else if !errors.Is(err, ErrOutOfCoverage) {
			require.ErrorIs(t, err, ErrInvalidInput) // a suspension may now fall outside a shorter period only backward; never forward
			require.Equal(t, Backward, r.Direction, "%v", err)
		}

		less := c.Without(removable[rng.IntN(len(removable))])
		got, err = Compute(less, r)
		if err == nil {
			require.True(t, less.IsWorkingDay(got.DueOn))
			if r.Direction == Backward {
				require.False(t, got.DueOn.Before(base.DueOn), "removing a holiday moved a backward date earlier: %+v", r)
			} else {
				require.False(t, got.DueOn.After(base.DueOn), "removing a holiday moved a date later: %+v", r)
			}
		}
	}
}

func TestPropertyWorkingDayRoundTrip(t *testing.T) {
	c := VietnamCalendar()
	rng := rand.New(rand.NewPCG(2026, 9))
	for i := 0; i < 5000; i++ {
		s := d("2025-01-01").AddDays(rng.IntN(1000))
		if !c.IsWorkingDay(s) {
			continue
		}
		n := rng.IntN(150)
		fwd, err := Compute(c, Request{Start: s, Days: n, Unit: WorkingDays})
		if errors.Is(err, ErrOutOfCoverage) {
			continue
		}
		require.NoError(t, err)
		back, err := Compute(c, Request{Start: fwd.DueOn, Days: n, Unit: WorkingDays, Direction: Backward})
		require.NoError(t, err)
		require.Equal(t, s, back.DueOn, "%d WD from %s → %s → back", n, s, fwd.DueOn)
	}
}

// Every day of coverage agrees between the fast table and the entry data.
func TestPropertyTablesMatchEntries(t *testing.T) {
	c := VietnamCalendar()
	entries := c.Holidays()
	for x := c.CoverFrom(); !x.After(c.CoverTo()); x = x.AddDays(1) {
		want := !isWeekend(x.Weekday())
		if i := slices.IndexFunc(entries, func(h Holiday) bool { return h.Date == x }); i >= 0 {
			want = entries[i].Kind == KindSwapWork
		}
		require.Equal(t, want, c.IsWorkingDay(x), "%s", x)
	}
}
