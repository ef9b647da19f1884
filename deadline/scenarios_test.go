package deadline

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every computable scenario of domain.md §11, through ComputeRule with the
// rule and variant a workflow would use.
func TestScenarios(t *testing.T) {
	cal := fixture2026(t)
	rules := DefaultRules()
	iv := func(a, b string) Interval { return Interval{From: d(a), To: d(b)} }

	tests := []struct {
		name    string
		rule    string
		variant Variant
		start   string
		opts    Options
		want    string
	}{
		{"T01 L1 settlement, normal; Tết does not extend a CD period", "D04", Normal, "2026-01-26", Options{}, "2026-02-25"},
		{"T02 L1 settlement, complex", "D04", Complex, "2026-01-26", Options{}, "2026-03-12"},
		{"T03 L1 settlement ends Sun 15 Feb in Tết, rolls to Mon 23 Feb", "D04", Normal, "2026-01-16", Options{}, "2026-02-23"},
		{"T04 L1 remote, +45 = Thu 19 Feb (Tết)", "D04", Remote, "2026-01-05", Options{}, "2026-02-23"},
		{"T05 L2 normal", "D07", Normal, "2026-03-02", Options{}, "2026-04-16"},
		{"T05 L2 complex, +60 = Fri 1 May", "D07", Complex, "2026-03-02", Options{}, "2026-05-04"},
		{"T06 L2 remote", "D07", Remote, "2026-03-02", Options{}, "2026-05-04"},
		{"T06 L2 remote and complex", "D07", RemoteComplex, "2026-03-02", Options{}, "2026-05-11"},
		{"T07 acceptance, old rule 10 CD, Fri 20 Feb (Tết)", "D03", Normal, "2026-02-10", Options{}, "2026-02-23"},
		{"T08 acceptance, new rule 7 WD", "D03", Normal, "2026-07-01", Options{}, "2026-07-10"},
		{"T08 acceptance, 30 Jun still 10 CD", "D03", Normal, "2026-06-30", Options{}, "2026-07-10"},
		{"T09 limitation, raw Sun 1 Mar", "D01", Normal, "2025-12-01", Options{}, "2026-03-02"},
		{"T09 limitation with 10 tolled days", "D01", Normal, "2025-12-01",
			Options{Tolling: []Interval{iv("2026-01-05", "2026-01-14")}}, "2026-03-11"},
		{"T10 L2 window from receipt of the L1 decision", "D06", Normal, "2026-01-30", Options{}, "2026-03-02"},
		{"T11 send L1 decision, 3 WD", "D05", Normal, "2026-02-10", Options{}, "2026-02-13"},
		{"T11 send L1 decision, skips Tết", "D05", Normal, "2026-02-12", Options{}, "2026-02-24"},
		{"T12 finality period ends", "D09", Normal, "2026-02-10", Options{}, "2026-03-12"},
		{"T13 L2 window from expiry of the L1 period", "D06", Normal, "2026-02-25", Options{}, "2026-03-27"},
		{"T14 bar after termination notice", "D11", Normal, "2026-03-10", Options{}, "2026-04-09"},
		{"T15 disciplinary L1 limitation", "D02", L1, "2026-02-05", Options{}, "2026-02-23"},
		{"T16 denunciation initial processing", "D20", Normal, "2026-02-11", Options{}, "2026-02-27"},
		{"T16 initial processing, extended", "D20", Extended, "2026-02-11", Options{}, "2026-03-04"},
		{"T17 forward outside competence", "D21", Normal, "2026-02-11", Options{}, "2026-02-25"},
		{"T18 denunciation settlement, normal", "D24", Normal, "2026-01-26", Options{}, "2026-02-25"},
		{"T18 one extension of 30", "D24", Complex, "2026-01-26", Options{ExtensionDays: []int{30}}, "2026-03-27"},
		{"T18 two extensions of 30, Sun 26 Apr + comp. 27 Apr", "D24", EspeciallyComplex, "2026-01-26",
			Options{ExtensionDays: []int{30, 30}}, "2026-04-28"},
		{"T19 suspension: 10 used, 20 left from resume", "D24", Normal, "2026-03-02",
			Options{Suspensions: []Interval{iv("2026-03-12", "2026-04-08")}}, "2026-04-28"},
		{"T20 notify acceptance, skips 30/4, 1/5, weekend", "D23", Normal, "2026-04-29", Options{}, "2026-05-08"},
		{"T21 conclusion notice", "D26", Normal, "2026-03-27", Options{}, "2026-04-03"},
		{"T21 handling of the conclusion", "D27a", Normal, "2026-03-27", Options{}, "2026-04-07"},
		{"T22 re-denunciation review", "D28", Normal, "2026-02-05", Options{}, "2026-02-25"},
		{"T23 superior's report request", "D29a", Normal, "2026-03-02", Options{}, "2026-03-09"},
		{"T24 press result report, Sun 22 Feb", "D22", Normal, "2026-02-02", Options{}, "2026-02-23"},
		{"T25 notify citizen after reception", "D30", Normal, "2026-02-09", Options{}, "2026-03-02"},
		{"T26 letter processing", "D33", Normal, "2026-02-12", Options{}, "2026-03-05"},
		{"T27 agency reports to the NA body", "D31", Normal, "2026-04-24", Options{}, "2026-05-08"},
		{"T27 office informs the citizen", "D32", Normal, "2026-05-08", Options{}, "2026-05-15"},
		{"T28 before 3 Sep is declared off", "D33", Normal, "2026-08-31", Options{}, "2026-09-16"},
		{"T29 post-session synthesis, Sat 11 Jul", "D41b", Normal, "2026-06-26", Options{}, "2026-07-13"},
		{"T30 voters' petition answer", "D42", Normal, "2026-07-20", Options{}, "2026-09-18"},
		{"T31 results report, 20 WD back", "D43", Normal, "2026-10-20", Options{}, "2026-09-22"},
		{"T31 pre-session synthesis, 15 CD back", "D41a", Normal, "2026-10-20", Options{}, "2026-10-05"},
		{"T32 earliest publication", "D44a", Normal, "2026-09-18", Options{}, "2026-10-09"},
		{"T33 voter-meeting plan", "D40", Normal, "2026-05-12", Options{}, "2026-04-29"},
		{"T34 reception schedule notice", "D34a", Normal, "2026-03-16", Options{}, "2026-03-02"},
		{"T34 absence report", "D34b", Normal, "2026-03-16", Options{}, "2026-03-09"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, proof := range []bool{false, true} {
				opts := tc.opts
				opts.Proof = proof
				res, rule, err := ComputeRule(cal, rules, tc.rule, tc.variant, d(tc.start), opts)
				require.NoError(t, err)
				assert.Equal(t, d(tc.want), res.DueOn, "proof=%v", proof)
				assert.Equal(t, tc.rule, rule.ID)
				assert.Equal(t, res.DueOn.EndAt(), res.DueAt)
				if proof {
					require.NotNil(t, res.Proof)
					assert.Equal(t, tc.rule, res.Proof.RuleID)
					assert.Equal(t, rule.LegalBasis, res.Proof.LegalBasis)
					assert.Equal(t, res.DueOn, res.Proof.Due)
				} else {
					assert.Nil(t, res.Proof)
				}
			}
		})
	}
}

// The Vietnam data must agree with the spec's fixture on every day of 2026.
func TestVietnamCalendarMatchesFixture2026(t *testing.T) {
	fx, vn := fixture2026(t), VietnamCalendar()
	for x := d("2026-01-01"); !x.After(d("2026-12-31")); x = x.AddDays(1) {
		require.Equal(t, fx.IsWorkingDay(x), vn.IsWorkingDay(x), "%s", x)
	}
}

func TestT08EffectiveDating(t *testing.T) {
	rules := DefaultRules()
	old, err := rules.Find("D03", d("2026-06-30"))
	require.NoError(t, err)
	assert.Equal(t, CalendarDays, old.Unit)
	assert.Equal(t, 10, old.Durations[Normal])
	nw, err := rules.Find("D03", d("2026-07-01"))
	require.NoError(t, err)
	assert.Equal(t, WorkingDays, nw.Unit)
	assert.Equal(t, 7, nw.Durations[Normal])
	assert.True(t, nw.Verify)
}

func TestT12Finality(t *testing.T) {
	res, _, err := ComputeRule(fixture2026(t), DefaultRules(), "D09", Normal, d("2026-02-10"), Options{})
	require.NoError(t, err)
	assert.Equal(t, d("2026-03-12"), res.DueOn, "the 30-day period ends on 12 Mar")
	assert.Equal(t, d("2026-03-13"), res.DueOn.AddDays(1), "final from the next day")
	assert.False(t, res.OverdueOn(d("2026-03-12")))
	assert.True(t, res.OverdueOn(d("2026-03-13")))
}

func TestT13Overdue(t *testing.T) {
	cal, rules := fixture2026(t), DefaultRules()
	settle, _, err := ComputeRule(cal, rules, "D04", Normal, d("2026-01-26"), Options{})
	require.NoError(t, err)
	require.Equal(t, d("2026-02-25"), settle.DueOn)
	assert.False(t, settle.OverdueOn(d("2026-02-25")))
	assert.True(t, settle.OverdueOn(d("2026-02-26")))
	// 23:59:59 on the due day is in time; 00:00 the next day is not.
	assert.False(t, settle.OverdueAt(settle.DueAt.Add(-1)))
	assert.True(t, settle.OverdueAt(settle.DueAt))
	assert.Equal(t, "2026-02-26T00:00:00+07:00", settle.DueAt.Format("2006-01-02T15:04:05Z07:00"))

	window, _, err := ComputeRule(cal, rules, "D06", Normal, settle.DueOn, Options{})
	require.NoError(t, err)
	assert.Equal(t, d("2026-03-27"), window.DueOn)
	assert.False(t, window.OverdueOn(d("2026-03-10")), "an L2 filed 2026-03-10 is admissible")
}

func TestT14Bar(t *testing.T) {
	res, _, err := ComputeRule(fixture2026(t), DefaultRules(), "D11", Normal, d("2026-03-10"), Options{})
	require.NoError(t, err)
	assert.Equal(t, d("2026-04-09"), res.DueOn)
	assert.True(t, res.OverdueOn(d("2026-04-10")), "a complaint filed 2026-04-10 is barred")
}

func TestT28HolidayAddedLate(t *testing.T) {
	rules := DefaultRules()
	before, _, err := ComputeRule(fixture2026(t), rules, "D33", Normal, d("2026-08-31"), Options{})
	require.NoError(t, err)
	assert.Equal(t, d("2026-09-16"), before.DueOn)

	late := Holiday{Date: d("2026-09-03"), Name: "Nghỉ thêm dịp Quốc khánh", Kind: KindHoliday}
	for name, cal := range map[string]*Calendar{
		"built with it": fixture2026(t, late),
		"edited in":     fixture2026(t).With(late),
	} {
		after, _, err := ComputeRule(cal, rules, "D33", Normal, d("2026-08-31"), Options{})
		require.NoError(t, err, name)
		assert.Equal(t, d("2026-09-17"), after.DueOn, name)
	}
}

func TestT40ExtensionAfterDue(t *testing.T) {
	rules := DefaultRules()
	cal := fixture2026(t)
	settle, rule, err := ComputeRule(cal, rules, "D24", Complex, d("2026-01-26"), Options{})
	require.NoError(t, err)
	require.Equal(t, d("2026-02-25"), settle.DueOn)

	err = CheckExtension(rule, Complex, nil, 30, d("2026-02-26"), settle.DueOn)
	require.ErrorIs(t, err, ErrGuard, "requested after settlement_due passed")
	assert.True(t, settle.OverdueOn(d("2026-02-26")), "the case stays overdue")

	// The period runs to 24:00 of the due day, so deciding on it is in time.
	assert.NoError(t, CheckExtension(rule, Complex, nil, 30, d("2026-02-25"), settle.DueOn))
	assert.NoError(t, CheckExtension(rule, Complex, nil, 30, d("2026-02-10"), settle.DueOn))

	assert.ErrorIs(t, CheckExtension(rule, Complex, []int{30}, 30, d("2026-03-01"), d("2026-03-27")), ErrGuard, "complex: one extension only")
	assert.NoError(t, CheckExtension(rule, EspeciallyComplex, []int{30}, 30, d("2026-03-01"), d("2026-03-27")))
	assert.ErrorIs(t, CheckExtension(rule, EspeciallyComplex, []int{30, 30}, 10, d("2026-03-01"), d("2026-04-28")), ErrGuard)
	assert.ErrorIs(t, CheckExtension(rule, EspeciallyComplex, nil, 31, d("2026-02-01"), d("2026-02-25")), ErrGuard, "at most 30 days")
	assert.ErrorIs(t, CheckExtension(rule, Normal, nil, 30, d("2026-02-01"), d("2026-02-25")), ErrGuard, "normal cases get none")
	assert.ErrorIs(t, CheckExtension(rule, Complex, nil, 0, d("2026-02-01"), d("2026-02-25")), ErrInvalidInput)
	assert.ErrorIs(t, CheckExtension(rule, Remote, nil, 10, d("2026-02-01"), d("2026-02-25")), ErrInvalidInput, "D24 has no remote variant")
}
