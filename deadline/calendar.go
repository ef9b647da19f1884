package deadline

import (
	"fmt"
	"slices"
	"time"
)

// DayKind says why a calendar entry changes the Monday–Friday pattern.
type DayKind string

const (
	KindHoliday      DayKind = "holiday"      // public holiday (BLLĐ art 112)
	KindCompensatory DayKind = "compensatory" // day off because a holiday fell on a weekend (BLLĐ art 111(3))
	KindSwapOff      DayKind = "swap_off"     // weekday off, worked on a weekend day instead (annual notice)
	KindSwapWork     DayKind = "swap_work"    // Saturday or Sunday that becomes a working day (annual notice)
)

// Holiday is one dated exception to the Monday–Friday working week.
type Holiday struct {
	Date        Date    `json:"date"`
	Name        string  `json:"name"`
	Kind        DayKind `json:"kind"`
	Provisional bool    `json:"provisional,omitempty"` // not yet confirmed by an official notice
	Basis       string  `json:"basis,omitempty"`       // the legal source or notice
}

func (h Holiday) validate(field string) error {
	if !h.Date.Valid() {
		return invalid(field+".date", "%s is not a calendar date", h.Date)
	}
	if h.Name == "" {
		return invalid(field+".name", "must not be empty")
	}
	weekend := isWeekend(h.Date.Weekday())
	switch h.Kind {
	case KindHoliday:
	case KindCompensatory, KindSwapOff:
		// A day off granted on a day that is already off is a data-entry error,
		// and silently accepting it would hide the missing real day off.
		if weekend {
			return invalid(field+".kind", "%s on %s, which is a %s", h.Kind, h.Date, h.Date.Weekday())
		}
	case KindSwapWork:
		if !weekend {
			return invalid(field+".kind", "swap_work on %s, which is a %s, not a weekend day", h.Date, h.Date.Weekday())
		}
	default:
		return invalid(field+".kind", "unknown kind %q", h.Kind)
	}
	return nil
}

func isWeekend(w time.Weekday) bool { return w == time.Saturday || w == time.Sunday }

func (h Holiday) working() bool { return h.Kind == KindSwapWork }

// maxCoverageDays bounds the per-day tables (a century is ample).
const maxCoverageDays = 366 * 100

// Calendar classifies days as working or not. It is immutable after
// construction, so one value can be shared by any number of goroutines and
// recorded as a snapshot: a later edit produces a new Calendar.
//
// Coverage is the range of days whose holidays are known. Counting never looks
// at a day outside it; it fails with ErrOutOfCoverage instead.
type Calendar struct {
	from, to  int // coverage, in days since the epoch, inclusive
	entries   []Holiday
	entryAt   []int32 // per covered day: index into entries, or -1
	rank      []int32 // rank[i] = working days among covered days [0, i)
	workdays  []int32 // covered-day offsets of working days, ascending
	uncovered map[int]int32
	// Per covered day, the Date and the Unix second at which it ends. Every
	// due date lies in coverage, so the hot path converts by table lookup.
	dates []Date
	ends  []int64
}

// NewCalendar builds a calendar from its exceptions and the range of days for
// which the exceptions are known. Entries outside the coverage are kept (and
// reported by Holidays and DayInfo) but counting still refuses those days.
func NewCalendar(entries []Holiday, coverFrom, coverTo Date) (*Calendar, error) {
	if !coverFrom.Valid() {
		return nil, invalid("cover_from", "%s is not a calendar date", coverFrom)
	}
	if !coverTo.Valid() {
		return nil, invalid("cover_to", "%s is not a calendar date", coverTo)
	}
	if coverTo.Before(coverFrom) {
		return nil, invalid("cover_to", "%s is before cover_from %s", coverTo, coverFrom)
	}
	if coverTo.Sub(coverFrom) >= maxCoverageDays {
		return nil, invalid("cover_to", "coverage longer than %d days", maxCoverageDays)
	}
	sorted := slices.Clone(entries)
	for i, h := range sorted {
		if err := h.validate(fmt.Sprintf("holidays[%d]", i)); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(sorted, func(a, b Holiday) int { return a.Date.days() - b.Date.days() })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Date == sorted[i-1].Date {
			return nil, invalid("holidays", "two entries for %s (%q and %q)", sorted[i].Date, sorted[i-1].Name, sorted[i].Name)
		}
	}
	return build(sorted, coverFrom.days(), coverTo.days()), nil
}

// build assumes entries are valid, sorted and unique.
func build(entries []Holiday, from, to int) *Calendar {
	n := to - from + 1
	c := &Calendar{
		from:     from,
		to:       to,
		entries:  entries,
		entryAt:  make([]int32, n),
		rank:     make([]int32, n+1),
		workdays: make([]int32, 0, n*5/7+8),
		dates:    make([]Date, n),
		ends:     make([]int64, n),
	}
	for i := range c.entryAt {
		c.entryAt[i] = -1
	}
	for i, h := range entries {
		d := h.Date.days()
		if d < from || d > to {
			if c.uncovered == nil {
				c.uncovered = make(map[int]int32)
			}
			c.uncovered[d] = int32(i)
			continue
		}
		c.entryAt[d-from] = int32(i)
	}
	for i := 0; i < n; i++ {
		c.dates[i] = fromDays(from + i)
		c.ends[i] = c.dates[i].EndAt().Unix()
		w := c.classify(from + i)
		c.rank[i+1] = c.rank[i]
		if w {
			c.rank[i+1]++
			c.workdays = append(c.workdays, int32(i))
		}
	}
	return c
}

// inRange is false for every day of a zero-value Calendar, which therefore
// behaves as one with no coverage instead of panicking.
func (c *Calendar) inRange(d int) bool {
	return len(c.dates) > 0 && d >= c.from && d <= c.to
}

func (c *Calendar) entry(d int) (Holiday, bool) {
	if c.inRange(d) {
		if i := c.entryAt[d-c.from]; i >= 0 {
			return c.entries[i], true
		}
		return Holiday{}, false
	}
	if i, ok := c.uncovered[d]; ok {
		return c.entries[i], true
	}
	return Holiday{}, false
}

func (c *Calendar) classify(d int) bool {
	if h, ok := c.entry(d); ok {
		return h.working()
	}
	return !isWeekend(weekdayOf(d))
}

// Covers reports whether d's working status is known.
func (c *Calendar) Covers(d Date) bool {
	x := d.days()
	return d.Valid() && c.inRange(x)
}

// CoverFrom and CoverTo are the first and last covered days.
func (c *Calendar) CoverFrom() Date { return fromDays(c.from) }
func (c *Calendar) CoverTo() Date   { return fromDays(c.to) }

// IsWorkingDay answers from the data for covered days. Outside coverage it
// answers from the weekday and any entry it happens to have, which is a best
// guess; Compute never relies on it there.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if !d.Valid() {
		return false
	}
	return c.working(d.days())
}

func (c *Calendar) working(d int) bool {
	if c.inRange(d) {
		return c.rank[d-c.from+1] != c.rank[d-c.from]
	}
	return c.classify(d)
}

// DayInfo explains a day's status in words fit for a proof: "Saturday",
// "Sunday", the holiday name, "working Saturday (swap)", "working day".
func (c *Calendar) DayInfo(d Date) (working bool, reason string) {
	if !d.Valid() {
		return false, "not a calendar date"
	}
	x := d.days()
	working, reason = c.info(x)
	if x < c.from || x > c.to {
		reason += " (outside calendar coverage)"
	}
	return working, reason
}

func (c *Calendar) info(x int) (bool, string) {
	wd := weekdayOf(x)
	h, ok := c.entry(x)
	if ok && h.Provisional {
		h.Name += " (provisional)"
	}
	switch {
	case ok && h.working():
		return true, "working " + wd.String() + " (swap)"
	case ok && isWeekend(wd):
		return false, wd.String() + "; " + h.Name
	case ok:
		return false, h.Name
	case isWeekend(wd):
		return false, wd.String()
	}
	return true, "working day"
}

// Holidays returns a copy of the entries in date order.
func (c *Calendar) Holidays() []Holiday { return slices.Clone(c.entries) }

// Provisional returns the not-yet-confirmed entries in [from, to], so a
// caller can flag a due date that may move when the official notice lands.
func (c *Calendar) Provisional(from, to Date) []Holiday {
	var out []Holiday
	for _, h := range c.entries {
		if h.Provisional && !h.Date.Before(from) && !h.Date.After(to) {
			out = append(out, h)
		}
	}
	return out
}

// With returns a copy of c in which h replaces any entry on h.Date. It is for
// tests and "what-if" recomputation with trusted data and panics if h is
// invalid; use Edit for untrusted input.
func (c *Calendar) With(h Holiday) *Calendar {
	nc, err := c.Edit([]Holiday{h}, nil)
	if err != nil {
		panic(err)
	}
	return nc
}

// Without returns a copy of c with no entry on d.
func (c *Calendar) Without(d Date) *Calendar {
	nc, err := c.Edit(nil, []Date{d})
	if err != nil {
		panic(err)
	}
	return nc
}

// Edit returns a copy of c with the entries on the remove dates dropped and
// then the add entries put in, each replacing any entry on its date. The
// coverage is unchanged.
func (c *Calendar) Edit(add []Holiday, remove []Date) (*Calendar, error) {
	for i, h := range add {
		if err := h.validate(fmt.Sprintf("add[%d]", i)); err != nil {
			return nil, err
		}
	}
	drop := make(map[Date]bool, len(add)+len(remove))
	for i, h := range add {
		if drop[h.Date] {
			return nil, invalid(fmt.Sprintf("add[%d]", i), "two entries for %s", h.Date)
		}
		drop[h.Date] = true
	}
	for _, d := range remove {
		drop[d] = true
	}
	next := make([]Holiday, 0, len(c.entries)+len(add))
	for _, h := range c.entries {
		if !drop[h.Date] {
			next = append(next, h)
		}
	}
	next = append(next, add...)
	slices.SortStableFunc(next, func(a, b Holiday) int { return a.Date.days() - b.Date.days() })
	return build(next, c.from, c.to), nil
}
