package deadline

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDayInfo(t *testing.T) {
	c := VietnamCalendar()
	cases := []struct {
		day     string
		working bool
		reason  string
	}{
		{"2026-02-13", true, "working day"},
		{"2026-02-14", false, "Saturday"},
		{"2026-02-15", false, "Sunday"},
		{"2026-02-16", false, "Tết Nguyên đán"},
		{"2026-04-26", false, "Sunday; Giỗ Tổ Hùng Vương"},
		{"2026-04-27", false, "Nghỉ bù Giỗ Tổ Hùng Vương"},
		{"2025-04-26", true, "working Saturday (swap)"},
		{"2025-05-02", false, "Nghỉ hoán đổi (làm bù thứ Bảy 26/4/2025)"},
		{"2024-12-31", true, "working day (outside calendar coverage)"},
	}
	for _, tc := range cases {
		w, why := c.DayInfo(d(tc.day))
		assert.Equal(t, tc.working, w, tc.day)
		assert.Equal(t, tc.reason, why, tc.day)
		assert.Equal(t, tc.working, c.IsWorkingDay(d(tc.day)), tc.day)
	}
	assert.True(t, c.Covers(d("2025-01-01")))
	assert.True(t, c.Covers(d("2027-12-31")))
	assert.False(t, c.Covers(d("2028-01-01")))
	assert.False(t, c.Covers(d("2024-12-31")))
	assert.Equal(t, d("2025-01-01"), c.CoverFrom())
	assert.Equal(t, d("2027-12-31"), c.CoverTo())
}

func TestVietnamData(t *testing.T) {
	c := VietnamCalendar()
	hs := c.Holidays()
	require.NotEmpty(t, hs)
	for i, h := range hs {
		assert.NotEmpty(t, h.Basis, h.Date.String())
		if i > 0 {
			assert.True(t, hs[i-1].Date.Before(h.Date), "sorted and unique")
		}
		if h.Date.Y == 2027 && (h.Kind != KindHoliday || h.Name == nameTet || h.Name == nameHungKings) {
			assert.True(t, h.Provisional, "2027 %s %s must be provisional", h.Date, h.Name)
		}
	}
	// Working-day counts per year are a cheap tripwire for data-entry slips.
	count := func(y int) int {
		n := 0
		for x := (Date{y, time.January, 1}); x.Y == y; x = x.AddDays(1) {
			if c.IsWorkingDay(x) {
				n++
			}
		}
		return n
	}
	// 2025: 261 weekdays − 11 weekdays off (1 Jan, 27–31 Jan, 7 Apr, 30 Apr, 1–2 May, 1–2 Sep) + Sat 26 Apr worked.
	assert.Equal(t, 261-12+1, count(2025))
	// 2026: 261 weekdays − 11 (1 Jan, 16–20 Feb, 27 Apr, 30 Apr, 1 May, 1–2 Sep).
	assert.Equal(t, 261-11, count(2026))
	// 2027: 261 weekdays − 11 (1 Jan, 5, 8–11 Feb, 16 Apr, 30 Apr, 3 May, 2–3 Sep).
	assert.Equal(t, 261-11, count(2027))
}

func TestCalendarIsImmutable(t *testing.T) {
	c := VietnamCalendar()
	hs := c.Holidays()
	hs[0].Name = "mutated"
	assert.NotEqual(t, "mutated", c.Holidays()[0].Name)

	extra := Holiday{Date: d("2026-03-03"), Name: "test", Kind: KindHoliday}
	c2 := c.With(extra)
	assert.True(t, c.IsWorkingDay(extra.Date), "With must not change the receiver")
	assert.False(t, c2.IsWorkingDay(extra.Date))
	c3 := c2.Without(extra.Date)
	assert.True(t, c3.IsWorkingDay(extra.Date))
	assert.Equal(t, len(c.Holidays()), len(c3.Holidays()))

	// Replacing an entry: 26 Apr 2025 stops being a working Saturday.
	c4 := c.With(Holiday{Date: d("2025-04-26"), Name: "x", Kind: KindHoliday})
	assert.False(t, c4.IsWorkingDay(d("2025-04-26")))
	assert.Equal(t, len(c.Holidays()), len(c4.Holidays()))
}

func TestNewCalendarValidation(t *testing.T) {
	from, to := d("2026-01-01"), d("2026-12-31")
	bad := map[string][]Holiday{
		"duplicate":                {{Date: d("2026-02-16"), Name: "a", Kind: KindHoliday}, {Date: d("2026-02-16"), Name: "b", Kind: KindHoliday}},
		"swap_work on a weekday":   {{Date: d("2026-02-16"), Name: "a", Kind: KindSwapWork}},
		"compensatory on a Sunday": {{Date: d("2026-02-15"), Name: "a", Kind: KindCompensatory}},
		"swap_off on a Saturday":   {{Date: d("2026-02-14"), Name: "a", Kind: KindSwapOff}},
		"unknown kind":             {{Date: d("2026-02-16"), Name: "a", Kind: "party"}},
		"empty name":               {{Date: d("2026-02-16"), Kind: KindHoliday}},
		"invalid date":             {{Date: Date{2026, 2, 30}, Name: "a", Kind: KindHoliday}},
	}
	for name, hs := range bad {
		_, err := NewCalendar(hs, from, to)
		assert.ErrorIs(t, err, ErrInvalidInput, name)
	}
	_, err := NewCalendar(nil, to, from)
	assert.ErrorIs(t, err, ErrInvalidInput, "inverted coverage")
	_, err = NewCalendar(nil, Date{}, to)
	assert.ErrorIs(t, err, ErrInvalidInput, "zero coverage start")
	_, err = NewCalendar(nil, d("1900-01-01"), d("2100-01-01"))
	assert.ErrorIs(t, err, ErrInvalidInput, "absurd coverage")

	_, err = VietnamCalendar().Edit([]Holiday{{Date: d("2026-03-02"), Name: "x", Kind: KindSwapWork}}, nil)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Panics(t, func() { VietnamCalendar().With(Holiday{Date: d("2026-03-02"), Name: "x", Kind: "bogus"}) })
}

func TestCalendarConcurrentUse(t *testing.T) {
	c := VietnamCalendar()
	done := make(chan Date)
	for i := 0; i < 8; i++ {
		go func() {
			r, err := Compute(c, Request{Start: d("2026-02-12"), Days: 10, Unit: WorkingDays, Proof: true})
			if err != nil {
				panic(err)
			}
			done <- r.DueOn
		}()
	}
	for i := 0; i < 8; i++ {
		assert.Equal(t, d("2026-03-05"), <-done)
	}
}

func TestZeroValueCalendarIsSafe(t *testing.T) {
	var c Calendar
	assert.False(t, c.IsWorkingDay(d("2026-03-02")) && c.Covers(d("2026-03-02")))
	assert.False(t, c.Covers(d("1970-01-01")))
	w, _ := c.DayInfo(d("1970-01-01"))
	assert.True(t, w, "a Thursday, by weekday only")
	_, err := Compute(&c, Request{Start: d("1970-01-01"), Days: 1, Unit: WorkingDays})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = c.nthWorkingAfter(0, 1)
	assert.ErrorIs(t, err, ErrOutOfCoverage)
	_, err = c.rollForward(0)
	assert.ErrorIs(t, err, ErrOutOfCoverage)
}
