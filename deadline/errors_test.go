package deadline

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvalidInput(t *testing.T) {
	c := fixture2026(t)
	ok := Request{Start: d("2026-03-02"), Days: 30, Unit: CalendarDays}
	iv := func(a, b string) Interval { return Interval{From: d(a), To: d(b)} }
	cases := map[string]struct {
		field string
		edit  func(r *Request)
	}{
		"negative days":       {"days", func(r *Request) { r.Days = -1 }},
		"too many days":       {"days", func(r *Request) { r.Days = MaxDays + 1 }},
		"empty unit":          {"unit", func(r *Request) { r.Unit = "" }},
		"unknown unit":        {"unit", func(r *Request) { r.Unit = "hours" }},
		"unknown direction":   {"direction", func(r *Request) { r.Direction = "sideways" }},
		"zero start":          {"start", func(r *Request) { r.Start = Date{} }},
		"impossible start":    {"start", func(r *Request) { r.Start = Date{2026, 2, 30} }},
		"zero extension":      {"extension_days[0]", func(r *Request) { r.ExtensionDays = []int{0} }},
		"negative extension":  {"extension_days[1]", func(r *Request) { r.ExtensionDays = []int{30, -5} }},
		"term too long":       {"extension_days", func(r *Request) { r.Days = 3000; r.ExtensionDays = []int{700} }},
		"inverted suspension": {"suspensions[0]", func(r *Request) { r.Suspensions = []Interval{iv("2026-03-20", "2026-03-12")} }},
		"suspension before start": {"suspensions[0]", func(r *Request) {
			r.Suspensions = []Interval{iv("2026-03-01", "2026-03-12")}
		}},
		"overlapping suspensions": {"suspensions[1]", func(r *Request) {
			r.Suspensions = []Interval{iv("2026-03-05", "2026-03-12"), iv("2026-03-10", "2026-03-20")}
		}},
		"unordered suspensions": {"suspensions[1]", func(r *Request) {
			r.Suspensions = []Interval{iv("2026-03-15", "2026-03-16"), iv("2026-03-05", "2026-03-06")}
		}},
		"suspension after the period ended": {"suspensions[0].from", func(r *Request) {
			r.Suspensions = []Interval{iv("2026-04-02", "2026-04-10")} // due 2026-04-01
		}},
		"inverted tolling": {"tolling[0]", func(r *Request) { r.Tolling = []Interval{iv("2026-03-20", "2026-03-12")} }},
		"overlapping tolling": {"tolling[1]", func(r *Request) {
			r.Tolling = []Interval{iv("2026-03-05", "2026-03-12"), iv("2026-03-12", "2026-03-20")}
		}},
		"backward with extension":  {"direction", func(r *Request) { r.Direction = Backward; r.ExtensionDays = []int{5} }},
		"backward with suspension": {"direction", func(r *Request) { r.Direction = Backward; r.Suspensions = []Interval{iv("2026-03-02", "2026-03-03")} }},
		"backward with tolling":    {"direction", func(r *Request) { r.Direction = Backward; r.Tolling = []Interval{iv("2026-02-02", "2026-02-03")} }},
	}
	for name, tc := range cases {
		r := ok
		tc.edit(&r)
		_, err := Compute(c, r)
		require.ErrorIs(t, err, ErrInvalidInput, name)
		var ie *InputError
		require.True(t, errors.As(err, &ie), name)
		assert.Equal(t, tc.field, ie.Field, name)
	}
	_, err := Compute(nil, ok)
	assert.ErrorIs(t, err, ErrInvalidInput, "nil calendar")

	// Boundary cases that are valid.
	for name, r := range map[string]Request{
		"zero days":                {Start: d("2026-02-14"), Days: 0, Unit: CalendarDays},
		"suspension on start day":  {Start: d("2026-03-02"), Days: 30, Unit: CalendarDays, Suspensions: []Interval{iv("2026-03-02", "2026-03-05")}},
		"suspension on due day":    {Start: d("2026-03-02"), Days: 30, Unit: CalendarDays, Suspensions: []Interval{iv("2026-04-01", "2026-04-05")}},
		"back-to-back suspensions": {Start: d("2026-03-02"), Days: 30, Unit: CalendarDays, Suspensions: []Interval{iv("2026-03-05", "2026-03-10"), iv("2026-03-10", "2026-03-12")}},
	} {
		_, err := Compute(c, r)
		assert.NoError(t, err, name)
	}
}

func TestSuspensionEdges(t *testing.T) {
	c := fixture2026(t)
	iv := func(a, b string) Interval { return Interval{From: d(a), To: d(b)} }
	base := Request{Start: d("2026-03-02"), Days: 30, Unit: CalendarDays}
	run := func(s ...Interval) Date {
		r := base
		r.Suspensions = s
		r.Proof = true
		res, err := Compute(c, r)
		require.NoError(t, err)
		return res.DueOn
	}
	// Suspended on the last day: 0 days remain, due on the resume day.
	assert.Equal(t, d("2026-04-06"), run(iv("2026-04-01", "2026-04-06")))
	// Two suspensions exclude (5, 8] and (10, 15] March: 3 + 5 days later than 1 Apr.
	assert.Equal(t, d("2026-04-09"), run(iv("2026-03-05", "2026-03-08"), iv("2026-03-10", "2026-03-15")))
	// A zero-length suspension changes nothing.
	assert.Equal(t, d("2026-04-01"), run(iv("2026-03-10", "2026-03-10")))

	// Working days: 5 WD from Mon 2 Mar; suspended Wed 4 Mar (2 used) to Fri 13 Mar; 3 left: 16, 17, 18 Mar.
	r := Request{Start: d("2026-03-02"), Days: 5, Unit: WorkingDays, Suspensions: []Interval{iv("2026-03-04", "2026-03-13")}, Proof: true}
	res, err := Compute(c, r)
	require.NoError(t, err)
	assert.Equal(t, d("2026-03-18"), res.DueOn)

	// Raw end on a Saturday (rolled to Monday): a suspension decided on that
	// Monday still catches the running period.
	r = Request{Start: d("2026-06-26"), Days: 15, Unit: CalendarDays, Suspensions: []Interval{iv("2026-07-13", "2026-07-20")}, Proof: true}
	res, err = Compute(c, r)
	require.NoError(t, err)
	assert.Equal(t, d("2026-07-20"), res.DueOn)
	r.Suspensions = []Interval{iv("2026-07-14", "2026-07-20")}
	_, err = Compute(c, r)
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestOutOfCoverage(t *testing.T) {
	vn := VietnamCalendar() // 2025-01-01 .. 2027-12-31
	cover := func(r Request) error {
		_, err := Compute(vn, r)
		return err
	}
	// Calendar days only need the end: a 2024 start is fine.
	res, err := Compute(vn, Request{Start: d("2024-12-15"), Days: 30, Unit: CalendarDays})
	require.NoError(t, err)
	assert.Equal(t, d("2025-01-14"), res.DueOn)
	// Tolling in the uncovered past does not need the calendar either.
	_, err = Compute(vn, Request{Start: d("2024-10-01"), Days: 90, Unit: CalendarDays,
		Tolling: []Interval{{d("2024-10-10"), d("2024-10-20")}}, Proof: true})
	require.NoError(t, err)
	// The day before coverage can be a start for working days: it is not inspected.
	res, err = Compute(vn, Request{Start: d("2024-12-31"), Days: 2, Unit: WorkingDays})
	require.NoError(t, err)
	assert.Equal(t, d("2025-01-03"), res.DueOn)

	for name, r := range map[string]Request{
		"working days across an uncovered year":           {Start: d("2024-12-20"), Days: 5, Unit: WorkingDays},
		"working days running past coverage":              {Start: d("2027-12-28"), Days: 10, Unit: WorkingDays},
		"calendar days ending past coverage":              {Start: d("2027-12-20"), Days: 30, Unit: CalendarDays},
		"calendar days ending before coverage":            {Start: d("2024-01-01"), Days: 30, Unit: CalendarDays},
		"calendar days ending on the first uncovered day": {Start: d("2027-12-02"), Days: 30, Unit: CalendarDays},
		"backward calendar landing before":                {Start: d("2025-01-05"), Days: 10, Unit: CalendarDays, Direction: Backward},
		"backward working days before coverage":           {Start: d("2025-01-06"), Days: 5, Unit: WorkingDays, Direction: Backward},
		"backward from beyond coverage":                   {Start: d("2028-03-01"), Days: 5, Unit: WorkingDays, Direction: Backward},
		"suspension resuming beyond coverage":             {Start: d("2027-12-01"), Days: 10, Unit: WorkingDays, Suspensions: []Interval{{d("2027-12-03"), d("2028-01-10")}}},
	} {
		err := cover(r)
		require.ErrorIs(t, err, ErrOutOfCoverage, name)
		var ce *CoverageError
		require.True(t, errors.As(err, &ce), name)
		assert.Equal(t, d("2025-01-01"), ce.From)
		assert.Equal(t, d("2027-12-31"), ce.To)
	}
	// The raw end is covered but the roll-forward would leave coverage.
	short, err := NewCalendar(nil, d("2026-01-01"), d("2026-02-14"))
	require.NoError(t, err)
	_, err = Compute(short, Request{Start: d("2026-02-04"), Days: 10, Unit: CalendarDays}) // Sat 14 Feb
	assert.ErrorIs(t, err, ErrOutOfCoverage)

	// X itself need not be covered for a backward count: only the days before it.
	res, err = Compute(vn, Request{Start: d("2028-01-01"), Days: 1, Unit: WorkingDays, Direction: Backward})
	require.NoError(t, err)
	assert.Equal(t, d("2027-12-31"), res.DueOn)
}

func TestRuleErrors(t *testing.T) {
	c, rules := fixture2026(t), DefaultRules()
	_, _, err := ComputeRule(c, rules, "D99", Normal, d("2026-03-02"), Options{})
	assert.ErrorIs(t, err, ErrUnknownRule)
	_, err = rules.Find("D99", d("2026-03-02"))
	assert.ErrorIs(t, err, ErrUnknownRule)

	// D12 (dialogue notice) exists only from 2026-07-01.
	_, _, err = ComputeRule(c, rules, "D12", Normal, d("2026-06-30"), Options{})
	assert.ErrorIs(t, err, ErrNotInForce)
	assert.ErrorIs(t, err, ErrUnknownRule)
	res, _, err := ComputeRule(c, rules, "D12", Normal, d("2026-07-13"), Options{})
	require.NoError(t, err)
	assert.Equal(t, d("2026-07-08"), res.DueOn)
	res, _, err = ComputeRule(c, rules, "D12", Normal, d("2026-07-10"), Options{})
	require.NoError(t, err)
	assert.Equal(t, d("2026-07-03"), res.DueOn, "Sun 5 Jul rolls back to Fri 3 Jul")

	// D03 around the switch.
	for start, want := range map[string]string{
		"2026-06-29": "2026-07-09", // 10 CD
		"2026-06-30": "2026-07-10", // 10 CD
		"2026-07-01": "2026-07-10", // 7 WD
		"2026-07-02": "2026-07-13", // 7 WD
	} {
		res, rule, err := ComputeRule(c, rules, "D03", Normal, d(start), Options{})
		require.NoError(t, err, start)
		assert.Equal(t, d(want), res.DueOn, start)
		assert.Equal(t, d(start).Before(d("2026-07-01")), rule.Unit == CalendarDays, start)
	}

	// Variants.
	_, _, err = ComputeRule(c, rules, "D04", EspeciallyComplex, d("2026-03-02"), Options{})
	assert.ErrorIs(t, err, ErrInvalidInput, "LKN has no 'especially complex'")
	_, _, err = ComputeRule(c, rules, "D02", Normal, d("2026-03-02"), Options{})
	assert.ErrorIs(t, err, ErrInvalidInput, "D02 needs a level")
	_, _, err = ComputeRule(c, rules, "D36", Normal, d("2026-03-02"), Options{})
	assert.ErrorIs(t, err, ErrInvalidInput, "informational")
	_, _, err = ComputeRule(c, rules, "D20", Complex, d("2026-03-02"), Options{})
	assert.ErrorIs(t, err, ErrInvalidInput, "D20 varies by 'extended', not by complexity")
	res, _, err = ComputeRule(c, rules, "D05", RemoteComplex, d("2026-02-10"), Options{})
	require.NoError(t, err, "a single-duration rule applies to every kind of case")
	assert.Equal(t, d("2026-02-13"), res.DueOn)
	res, _, err = ComputeRule(c, rules, "D04", "", d("2026-01-26"), Options{})
	require.NoError(t, err, "empty variant means normal")
	assert.Equal(t, d("2026-02-25"), res.DueOn)

	// Guards.
	iv := func(a, b string) Interval { return Interval{From: d(a), To: d(b)} }
	guarded := map[string]struct {
		id    string
		v     Variant
		start string
		o     Options
	}{
		"extension on a normal denunciation":     {"D24", Normal, "2026-01-26", Options{ExtensionDays: []int{30}}},
		"two extensions when complex":            {"D24", Complex, "2026-01-26", Options{ExtensionDays: []int{30, 30}}},
		"three when especially complex":          {"D24", EspeciallyComplex, "2026-01-26", Options{ExtensionDays: []int{30, 30, 30}}},
		"extension longer than 30":               {"D24", Complex, "2026-01-26", Options{ExtensionDays: []int{31}}},
		"extension on a complaint":               {"D04", Complex, "2026-01-26", Options{ExtensionDays: []int{10}}},
		"complaint suspension before 2026-07-01": {"D04", Normal, "2026-06-01", Options{Suspensions: []Interval{iv("2026-06-10", "2026-06-20")}}},
		"suspension on acceptance":               {"D03", Normal, "2026-03-02", Options{Suspensions: []Interval{iv("2026-03-03", "2026-03-05")}}},
		"tolling on a settlement":                {"D04", Normal, "2026-03-02", Options{Tolling: []Interval{iv("2026-03-03", "2026-03-05")}}},
	}
	for name, g := range guarded {
		_, _, err := ComputeRule(c, rules, g.id, g.v, d(g.start), g.o)
		assert.ErrorIs(t, err, ErrGuard, name)
	}
	// A complaint accepted before the reform and suspended after it: allowed (§2.6 transition).
	res, _, err = ComputeRule(c, rules, "D04", Normal, d("2026-06-20"), Options{Suspensions: []Interval{iv("2026-07-06", "2026-07-20")}})
	require.NoError(t, err)
	assert.Equal(t, d("2026-08-03"), res.DueOn) // 16 used, 14 left from 20 Jul
	_, _, err = ComputeRule(c, nil, "D04", Normal, d("2026-06-20"), Options{})
	assert.ErrorIs(t, err, ErrInvalidInput)
}
