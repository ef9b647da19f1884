package deadline

import "time"

// Counting primitives over day numbers. Each is O(1): the calendar keeps,
// per covered day, the running count of working days (rank) and the list of
// working days in order (workdays), so "the n-th working day after a" is an
// index lookup rather than a walk.

// dayAt converts a covered day number back to its Date and end instant.
func (c *Calendar) dayAt(x int) (Date, time.Time) {
	i := x - c.from
	return c.dates[i], time.Unix(c.ends[i], 0).In(loc)
}

func (c *Calendar) coverageErr(d int) error {
	return &CoverageError{Date: fromDays(d), From: fromDays(c.from), To: fromDays(c.to)}
}

// rankOf is the number of working days in [from, d]; d may be from−1 so that
// counting can start on the day before coverage begins (that day is never
// inspected: the event day is not counted).
func (c *Calendar) rankOf(d int) (int, error) {
	switch {
	case len(c.rank) == 0:
		return 0, c.coverageErr(d)
	case d < c.from-1:
		return 0, c.coverageErr(d + 1)
	case d > c.to:
		return 0, c.coverageErr(c.to + 1)
	}
	return int(c.rank[d-c.from+1]), nil
}

// nthWorkingAfter is the n-th (n ≥ 1) working day strictly after a.
func (c *Calendar) nthWorkingAfter(a, n int) (int, error) {
	r, err := c.rankOf(a)
	if err != nil {
		return 0, err
	}
	k := r + n - 1
	if k >= len(c.workdays) {
		return 0, c.coverageErr(c.to + 1)
	}
	return c.from + int(c.workdays[k]), nil
}

// nthWorkingBefore is the n-th (n ≥ 1) working day strictly before x.
func (c *Calendar) nthWorkingBefore(x, n int) (int, error) {
	r, err := c.rankOf(x - 1)
	if err != nil {
		return 0, err
	}
	k := r - n
	if k < 0 {
		return 0, c.coverageErr(c.from - 1)
	}
	return c.from + int(c.workdays[k]), nil
}

// workingCount is the number of working days in (a, b], a ≤ b.
func (c *Calendar) workingCount(a, b int) (int, error) {
	ra, err := c.rankOf(a)
	if err != nil {
		return 0, err
	}
	rb, err := c.rankOf(b)
	if err != nil {
		return 0, err
	}
	return rb - ra, nil
}

// rollForward is d if d is a working day, else the next working day.
func (c *Calendar) rollForward(d int) (int, error) {
	if !c.inRange(d) {
		return 0, c.coverageErr(d)
	}
	k := int(c.rank[d-c.from])
	if k >= len(c.workdays) {
		return 0, c.coverageErr(c.to + 1)
	}
	return c.from + int(c.workdays[k]), nil
}

// rollBackward is d if d is a working day, else the previous working day.
func (c *Calendar) rollBackward(d int) (int, error) {
	if !c.inRange(d) {
		return 0, c.coverageErr(d)
	}
	k := int(c.rank[d-c.from+1]) - 1
	if k < 0 {
		return 0, c.coverageErr(c.from - 1)
	}
	return c.from + int(c.workdays[k]), nil
}
