package deadline

import (
	"fmt"
	"time"
)

// Unit is how a period is counted (domain §2.1).
type Unit string

const (
	CalendarDays Unit = "calendar_days" // "ngày": every day counts; the end rolls to a working day
	WorkingDays  Unit = "working_days"  // "ngày làm việc": only working days count
)

// Direction distinguishes "within N days after X" from "no later than N days
// before X" (domain §2.2).
type Direction string

const (
	Forward  Direction = "forward"
	Backward Direction = "backward"
)

// MaxDays bounds a period, extensions included. No statutory period in scope
// is longer than a few months; ten years leaves room for tolled limitation
// periods while keeping proofs and property tests bounded.
const MaxDays = 3650

// Request is one period to compute.
type Request struct {
	// Start is the event day (receipt, acceptance, issuance). It is not counted
	// (BLDS art 147). For a backward period it is the reference day X, e.g. the
	// session opening, which is not counted either.
	Start Date `json:"start"`
	// Days is the base duration, 0..MaxDays.
	Days int  `json:"days"`
	Unit Unit `json:"unit"`
	// Direction defaults to Forward when empty.
	Direction Direction `json:"direction,omitempty"`
	// ExtensionDays are added to the original term, and the end is rolled
	// forward once, at the very end (domain §2.3; never leg by leg).
	ExtensionDays []int `json:"extension_days,omitempty"`
	// Suspensions of handling, in chronological order, not overlapping. From is
	// the suspension decision date and counts as a day used; To is the
	// continuation decision date and, like any event day, is not counted. So
	// days_used = counted days in (Start, From] and the remaining days run from
	// To (domain §2.3, T19). A suspension must start while the period is still
	// running.
	Suspensions []Interval `json:"suspensions,omitempty"`
	// Tolling intervals (limitation periods, LKN art 9): the days inside them,
	// both ends included, that fall inside the running period are not counted.
	// Chronological and not overlapping.
	Tolling []Interval `json:"tolling,omitempty"`
	// Proof asks for the day-by-day explanation; leave it false on hot paths.
	Proof bool `json:"proof,omitempty"`
}

// Result is the computed end of a period.
type Result struct {
	DueOn Date      `json:"due_on"`
	DueAt time.Time `json:"due_at"` // DueOn.EndAt(): the first instant at which the period has ended
	Proof *Proof    `json:"proof,omitempty"`
}

// OverdueAt reports whether, at instant now, the period has run out
// (domain §2.5: now_local > end of the due day).
func (r Result) OverdueAt(now time.Time) bool { return !now.Before(r.DueAt) }

// OverdueOn reports whether the period has run out by legal day d: any day
// after the due day.
func (r Result) OverdueOn(d Date) bool { return d.After(r.DueOn) }

// Compute returns the last day of the period described by r.
//
// Errors: ErrInvalidInput (wrapped in *InputError naming the field) for a
// malformed request; ErrOutOfCoverage (as *CoverageError) when the answer
// depends on a day whose working status c does not know.
func Compute(c *Calendar, r Request) (Result, error) {
	if c == nil || len(c.dates) == 0 {
		return Result{}, invalid("calendar", "is nil or was not built with NewCalendar")
	}
	total, err := r.validate()
	if err != nil {
		return Result{}, err
	}
	due, err := c.due(&r, total)
	if err != nil {
		return Result{}, fmt.Errorf("computing %d %s %s from %s: %w", r.Days, r.Unit, r.direction(), r.Start, err)
	}
	dueOn, dueAt := c.dayAt(due) // every successful due day is covered
	res := Result{DueOn: dueOn, DueAt: dueAt}
	if r.Proof {
		p, err := c.explain(&r, total, due)
		if err != nil {
			return Result{}, err
		}
		res.Proof = p
	}
	return res, nil
}

func (r *Request) direction() Direction {
	if r.Direction == "" {
		return Forward
	}
	return r.Direction
}

// validate returns the whole term (base plus extensions).
func (r *Request) validate() (int, error) {
	if !r.Start.Valid() {
		return 0, invalid("start", "%s is not a calendar date", r.Start)
	}
	if r.Days < 0 || r.Days > MaxDays {
		return 0, invalid("days", "%d is outside 0..%d", r.Days, MaxDays)
	}
	if r.Unit != CalendarDays && r.Unit != WorkingDays {
		return 0, invalid("unit", "unknown unit %q (want %q or %q)", r.Unit, CalendarDays, WorkingDays)
	}
	dir := r.direction()
	if dir != Forward && dir != Backward {
		return 0, invalid("direction", "unknown direction %q (want %q or %q)", r.Direction, Forward, Backward)
	}
	if dir == Backward && (len(r.ExtensionDays) > 0 || len(r.Suspensions) > 0 || len(r.Tolling) > 0) {
		// "No later than N days before X" has no running period to extend,
		// suspend or toll; accepting them would silently mean something.
		return 0, invalid("direction", "a backward period cannot have extensions, suspensions or tolling")
	}
	total := r.Days
	for i, e := range r.ExtensionDays {
		if e <= 0 || e > MaxDays {
			return 0, invalid(fmt.Sprintf("extension_days[%d]", i), "%d is outside 1..%d", e, MaxDays)
		}
		total += e
		if total > MaxDays {
			return 0, invalid("extension_days", "the whole term exceeds %d days", MaxDays)
		}
	}
	prev := r.Start
	for i, s := range r.Suspensions {
		f := fmt.Sprintf("suspensions[%d]", i)
		if !s.From.Valid() || !s.To.Valid() {
			return 0, invalid(f, "from %s / to %s must both be calendar dates", s.From, s.To)
		}
		if s.To.Before(s.From) {
			return 0, invalid(f, "inverted: to %s is before from %s", s.To, s.From)
		}
		if s.From.Before(prev) {
			if i == 0 {
				return 0, invalid(f, "from %s is before start %s", s.From, r.Start)
			}
			return 0, invalid(f, "from %s overlaps or precedes the previous suspension ending %s", s.From, prev)
		}
		prev = s.To
	}
	for i, t := range r.Tolling {
		f := fmt.Sprintf("tolling[%d]", i)
		if !t.From.Valid() || !t.To.Valid() {
			return 0, invalid(f, "from %s / to %s must both be calendar dates", t.From, t.To)
		}
		if t.To.Before(t.From) {
			return 0, invalid(f, "inverted: to %s is before from %s", t.To, t.From)
		}
		if i > 0 && !t.From.After(r.Tolling[i-1].To) {
			return 0, invalid(f, "from %s overlaps or precedes the previous interval ending %s", t.From, r.Tolling[i-1].To)
		}
	}
	return total, nil
}

// due is the arithmetic core; it allocates nothing on success.
func (c *Calendar) due(r *Request, total int) (int, error) {
	s := r.Start.days()
	if r.direction() == Backward {
		if r.Unit == CalendarDays {
			// BLDS is silent on backward periods; rolling back keeps the act
			// lawful whichever reading a court takes (domain §2.2 [VERIFY]).
			return c.rollBackward(s - total)
		}
		if total == 0 {
			return c.rollBackward(s)
		}
		return c.nthWorkingBefore(s, total)
	}

	a, rem := s, total
	for i, sp := range r.Suspensions {
		from := sp.From.days()
		end, err := c.advance(r.Unit, a, rem, r.Tolling)
		if err != nil {
			return 0, err
		}
		if from > end {
			// Past the raw end only the roll-forward days remain; a suspension
			// decided on one of them still catches a running period.
			rolled, err := c.rollForward(end)
			if err != nil {
				return 0, err
			}
			if from > rolled {
				return 0, invalid(fmt.Sprintf("suspensions[%d].from", i),
					"%s is after the period ended on %s; a suspension cannot revive an expired period", sp.From, fromDays(rolled))
			}
		}
		used, err := c.counted(r.Unit, a, from, r.Tolling)
		if err != nil {
			return 0, err
		}
		rem = max(0, rem-used)
		a = sp.To.days()
	}
	end, err := c.advance(r.Unit, a, rem, r.Tolling)
	if err != nil {
		return 0, err
	}
	return c.rollForward(end)
}

// baseAdvance is the n-th counted day after a, ignoring tolling.
func (c *Calendar) baseAdvance(u Unit, a, n int) (int, error) {
	if n == 0 {
		return a, nil
	}
	if u == CalendarDays {
		return a + n, nil
	}
	return c.nthWorkingAfter(a, n)
}

// baseCount is the number of counted days in (a, b], ignoring tolling.
func (c *Calendar) baseCount(u Unit, a, b int) (int, error) {
	if b <= a {
		return 0, nil
	}
	if u == CalendarDays {
		return b - a, nil
	}
	return c.workingCount(a, b)
}

// advance is the n-th counted, untolled day after a (a itself when n == 0).
// Intervals are visited in order and only while they can still matter, so a
// tolling interval far in the future never forces a lookup outside coverage.
func (c *Calendar) advance(u Unit, a, n int, tolls []Interval) (int, error) {
	if n == 0 {
		return a, nil
	}
	pos, need := a, n
	for _, t := range tolls {
		f, to := t.From.days(), t.To.days()
		if to <= pos {
			continue
		}
		lo := max(f, pos+1)
		cand, err := c.baseAdvance(u, pos, need)
		if err != nil {
			return 0, err
		}
		if cand < lo {
			return cand, nil
		}
		k, err := c.baseCount(u, pos, lo-1)
		if err != nil {
			return 0, err
		}
		need -= k // stays ≥ 1: the need-th counted day lies at or after lo
		pos = to
	}
	return c.baseAdvance(u, pos, need)
}

// counted is the number of counted, untolled days in (a, b].
func (c *Calendar) counted(u Unit, a, b int, tolls []Interval) (int, error) {
	n, err := c.baseCount(u, a, b)
	if err != nil {
		return 0, err
	}
	for _, t := range tolls {
		lo, hi := max(t.From.days(), a+1), min(t.To.days(), b)
		if lo > hi {
			continue
		}
		k, err := c.baseCount(u, lo-1, hi)
		if err != nil {
			return 0, err
		}
		n -= k
	}
	return n, nil
}
