package deadline

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultRulesTable(t *testing.T) {
	all := DefaultRules().All()
	ids := map[string]int{}
	for _, r := range all {
		ids[r.ID]++
		assert.True(t, utf8.ValidString(r.NameVI), r.ID)
		assert.NotEmpty(t, r.LegalBasis, r.ID)
		if !r.Informational {
			assert.NotEmpty(t, r.StartEvent, r.ID)
			assert.NotEmpty(t, r.Durations, r.ID)
		}
		if strings.Contains(r.LegalBasis, "VERIFY") {
			assert.True(t, r.Verify, "%s cites a [VERIFY] basis", r.ID)
		}
	}
	for _, id := range []string{"D01", "D02", "D04", "D05", "D06", "D07", "D08", "D09", "D10a", "D10b", "D11",
		"D12", "D13", "D14", "D20", "D21", "D22", "D23", "D24", "D25", "D26", "D27a", "D27b", "D28", "D29a", "D29b",
		"D30", "D31", "D32", "D33", "D34a", "D34b", "D35", "D36", "D40", "D41a", "D41b", "D42", "D43", "D44a", "D44b", "D50"} {
		assert.Equal(t, 1, ids[id], id)
	}
	assert.Equal(t, 2, ids["D03"], "D03 has two versions")
	assert.Len(t, ids, 43)
}

func TestRuleSetJSONRoundTrip(t *testing.T) {
	s := DefaultRules()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"effective_to":"2026-07-01"`)
	var back RuleSet
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, s.All(), back.All())

	r, err := back.Find("D24", d("2026-01-26"))
	require.NoError(t, err)
	assert.Equal(t, 2, r.MaxExtensions[EspeciallyComplex])
}

func TestRuleSetIsImmutable(t *testing.T) {
	s := DefaultRules()
	r, err := s.Find("D04", d("2026-03-02"))
	require.NoError(t, err)
	r.Durations[Normal] = 1
	again, err := s.Find("D04", d("2026-03-02"))
	require.NoError(t, err)
	assert.Equal(t, 30, again.Durations[Normal])
	all := s.All()
	all[0].Durations[Normal] = 1
	again, _ = s.Find(all[0].ID, all[0].EffectiveFrom)
	assert.NotEqual(t, 1, again.Durations[Normal])
}

func TestNewRuleSetValidation(t *testing.T) {
	good := Rule{ID: "D90", Name: "x", NameVI: "x", LegalBasis: "x", Durations: map[Variant]int{Normal: 5},
		Unit: WorkingDays, Direction: Forward, StartEvent: "receipt", EffectiveFrom: d("2026-01-01")}
	_, err := NewRuleSet([]Rule{good})
	require.NoError(t, err)

	to := d("2026-07-01")
	cases := map[string][]Rule{
		"bad id":            {func() Rule { r := good; r.ID = "X1"; return r }()},
		"bad unit":          {func() Rule { r := good; r.Unit = "weeks"; return r }()},
		"no direction":      {func() Rule { r := good; r.Direction = ""; return r }()},
		"no durations":      {func() Rule { r := good; r.Durations = nil; return r }()},
		"negative duration": {func() Rule { r := good; r.Durations = map[Variant]int{Normal: -1}; return r }()},
		"bad variant":       {func() Rule { r := good; r.Durations = map[Variant]int{"Not OK": 1}; return r }()},
		"extension for a missing variant": {func() Rule {
			r := good
			r.MaxExtensions = map[Variant]int{Complex: 1}
			r.MaxExtensionDays = 30
			return r
		}()},
		"inverted effective range": {func() Rule { r := good; x := d("2025-01-01"); r.EffectiveTo = &x; return r }()},
		"overlapping versions": {
			func() Rule { r := good; return r }(),
			func() Rule { r := good; r.EffectiveFrom = d("2026-06-01"); return r }(),
		},
		"overlapping closed versions": {
			func() Rule { r := good; r.EffectiveTo = &to; return r }(),
			func() Rule { r := good; r.EffectiveFrom = d("2026-06-30"); return r }(),
		},
		"backward with tolling": {func() Rule { r := good; r.Direction = Backward; r.Tolling = true; return r }()},
	}
	for name, rules := range cases {
		_, err := NewRuleSet(rules)
		assert.ErrorIs(t, err, ErrInvalidInput, name)
	}
	// Adjacent versions are fine.
	_, err = NewRuleSet([]Rule{
		func() Rule { r := good; r.EffectiveTo = &to; return r }(),
		func() Rule { r := good; r.EffectiveFrom = to; return r }(),
	})
	assert.NoError(t, err)
}
