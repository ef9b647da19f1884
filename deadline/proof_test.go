package deadline

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func proofOf(t *testing.T, id string, v Variant, start string, o Options) *Proof {
	t.Helper()
	o.Proof = true
	res, _, err := ComputeRule(fixture2026(t), DefaultRules(), id, v, d(start), o)
	require.NoError(t, err)
	require.NotNil(t, res.Proof)
	return res.Proof
}

func TestProofT03RollsForwardOverTet(t *testing.T) {
	p := proofOf(t, "D04", Normal, "2026-01-16", Options{})
	assert.Equal(t, "D04", p.RuleID)
	assert.Equal(t, "LKN art 28", p.LegalBasis)
	assert.Equal(t, d("2026-02-23"), p.Due)

	counted := 0
	var rolled *ProofStep
	for i, s := range p.Steps {
		switch s.Kind {
		case StepCounted:
			counted++
			assert.Equal(t, counted, s.N)
			assert.True(t, s.Counted)
		case StepRolled:
			rolled = &p.Steps[i]
		}
	}
	assert.Equal(t, 30, counted)
	require.NotNil(t, rolled)
	assert.Equal(t, d("2026-02-23"), rolled.Date)
	assert.True(t, strings.HasPrefix(rolled.Reason, "rolled forward from 2026-02-15 (Sunday)"), rolled.Reason)
	assert.Contains(t, rolled.Reason, "Tết Nguyên đán")
	assert.Contains(t, p.Summary, "rolls forward")
	assert.Contains(t, p.Summary, "Tết Nguyên đán")

	text := p.Text()
	assert.Contains(t, text, "Start: 2026-01-16 (Friday) — event day, not counted")
	assert.Contains(t, text, "Day 30: 2026-02-15 (Sunday)")
	assert.Contains(t, text, "rolled forward from 2026-02-15 (Sunday)")
	assert.Contains(t, text, "2026-02-16 (Monday): skipped: Tết Nguyên đán")
	assert.Contains(t, text, "Due: 2026-02-23 (Monday), 24:00 Asia/Ho_Chi_Minh")
}

func TestProofT26ListsEveryWorkingDay(t *testing.T) {
	p := proofOf(t, "D33", Normal, "2026-02-12", Options{})
	text := p.Text()

	days := regexp.MustCompile(`(?m)^Day (\d+): (\d{4}-\d{2}-\d{2})`).FindAllStringSubmatch(text, -1)
	want := []string{"2026-02-13", "2026-02-23", "2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27",
		"2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"}
	require.Len(t, days, 10, text)
	for i, m := range days {
		assert.Equal(t, want[i], m[2], "day %s", m[1])
	}
	for _, line := range []string{
		"2026-02-14 (Saturday): skipped: Saturday",
		"2026-02-15 (Sunday): skipped: Sunday",
		"2026-02-16 (Monday): skipped: Tết Nguyên đán",
		"2026-02-20 (Friday): skipped: Tết Nguyên đán",
		"2026-02-22 (Sunday): skipped: Sunday",
		"2026-02-28 (Saturday): skipped: Saturday",
		"2026-03-01 (Sunday): skipped: Sunday",
	} {
		assert.Contains(t, text, line)
	}
	skipped := 0
	for _, s := range p.Steps {
		if s.Kind == StepSkipped {
			skipped++
		}
	}
	assert.Equal(t, 11, skipped)
	assert.Contains(t, text, "Due: 2026-03-05 (Thursday)")
}

func TestProofT19Suspension(t *testing.T) {
	p := proofOf(t, "D24", Normal, "2026-03-02", Options{Suspensions: []Interval{{d("2026-03-12"), d("2026-04-08")}}})
	var susp *ProofStep
	var after ProofStep
	for i, s := range p.Steps {
		if s.Kind == StepSuspended {
			susp = &p.Steps[i]
			after = p.Steps[i+1]
			assert.Equal(t, 10, p.Steps[i-1].N, "10 days used before the suspension")
		}
	}
	require.NotNil(t, susp)
	assert.Equal(t, d("2026-03-13"), susp.Date)
	assert.Equal(t, d("2026-04-08"), susp.Through)
	assert.Contains(t, susp.Reason, "20 day(s) remain")
	assert.Equal(t, d("2026-04-09"), after.Date, "counting resumes the day after the resume decision")
	assert.Equal(t, 11, after.N)
	assert.Contains(t, p.Text(), "2026-03-13 … 2026-04-08: suspended")
}

func TestProofT09Tolling(t *testing.T) {
	p := proofOf(t, "D01", Normal, "2025-12-01", Options{Tolling: []Interval{{d("2026-01-05"), d("2026-01-14")}}})
	var tolled []ProofStep
	for _, s := range p.Steps {
		if s.Kind == StepTolled {
			tolled = append(tolled, s)
		}
	}
	require.Len(t, tolled, 1, "one run, not ten lines")
	assert.Equal(t, 10, tolled[0].span())
	assert.Contains(t, p.Summary, "10 day(s) inside tolling intervals")
	assert.Equal(t, d("2026-03-11"), p.Due)
}

func TestProofBackward(t *testing.T) {
	p := proofOf(t, "D40", Normal, "2026-05-12", Options{})
	assert.Equal(t, Backward, p.Direction)
	assert.Equal(t, d("2026-05-11"), p.Steps[0].Date, "steps run backwards from the reference day")
	assert.Equal(t, 1, p.Steps[0].N)
	assert.Equal(t, d("2026-04-29"), p.Steps[len(p.Steps)-1].Date)
	assert.Contains(t, p.Text(), "skipped: Ngày Chiến thắng")

	p = proofOf(t, "D12", Normal, "2026-07-10", Options{}) // 5 CD before → Sun 5 Jul → Fri 3 Jul
	last := p.Steps[len(p.Steps)-1]
	assert.Equal(t, StepRolled, last.Kind)
	assert.True(t, strings.HasPrefix(last.Reason, "rolled backward from 2026-07-05 (Sunday)"), last.Reason)
	assert.Contains(t, p.Summary, "rolls backward")
}

func TestProofExtensionsRollOnce(t *testing.T) {
	p := proofOf(t, "D24", EspeciallyComplex, "2026-01-26", Options{ExtensionDays: []int{30, 30}})
	rolls := 0
	for _, s := range p.Steps {
		if s.Kind == StepRolled {
			rolls++
		}
	}
	assert.Equal(t, 1, rolls)
	assert.Contains(t, p.Text(), "extensions 30 and 30 → 90 in total")
	assert.Contains(t, p.Summary, "rolled once at the end")
}

func TestProofJSONRoundTrip(t *testing.T) {
	res, _, err := ComputeRule(fixture2026(t), DefaultRules(), "D33", Normal, d("2026-02-12"), Options{Proof: true})
	require.NoError(t, err)
	b, err := json.Marshal(res)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"due_on":"2026-03-05"`)
	assert.Contains(t, string(b), `"due_at":"2026-03-06T00:00:00+07:00"`)
	assert.NotContains(t, string(b), `"through"`, "zero Through is omitted")
	var back Result
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, res.DueOn, back.DueOn)
	assert.True(t, res.DueAt.Equal(back.DueAt))
	assert.Equal(t, res.Proof.Steps, back.Proof.Steps)
	assert.Equal(t, res.Proof.Text(), back.Proof.Text(), "text renders the same from stored JSON")
}

func TestNoProofByDefault(t *testing.T) {
	res, err := Compute(fixture2026(t), Request{Start: d("2026-02-12"), Days: 10, Unit: WorkingDays})
	require.NoError(t, err)
	assert.Nil(t, res.Proof)
}

func TestProofFlagsProvisionalData(t *testing.T) {
	// T28: the 10 working days run over 1 Sep 2026, an assumed holiday.
	p := proofOf(t, "D33", Normal, "2026-08-31", Options{})
	assert.Equal(t, []Date{d("2026-09-01")}, p.Provisional)
	assert.Contains(t, p.Summary, "provisional calendar data (2026-09-01)")
	assert.Contains(t, p.Text(), "2026-09-01 (Tuesday): skipped: Quốc khánh (ngày liền kề) (provisional)")

	// A calendar-day period that merely spans it does not depend on it.
	p = proofOf(t, "D42", Normal, "2026-07-20", Options{}) // due 18 Sep
	assert.Empty(t, p.Provisional)

	// But one whose end rolls over it does: +30 from 2 Aug is Tue 1 Sep.
	p = proofOf(t, "D06", Normal, "2026-08-02", Options{})
	assert.Equal(t, d("2026-09-03"), p.Due)
	assert.Equal(t, []Date{d("2026-09-01")}, p.Provisional)

	vn := VietnamCalendar()
	assert.Len(t, vn.Provisional(d("2026-01-01"), d("2026-12-31")), 1)
	assert.Empty(t, vn.Provisional(d("2025-01-01"), d("2025-12-31")))
	assert.NotEmpty(t, vn.Provisional(d("2027-02-01"), d("2027-02-28")))
}
