package deadline

import (
	"maps"
	"sort"
	"strings"
)

// Variant selects a duration within a rule. The set is open (rules are data)
// but these are the ones the default table uses:
//
//	normal              the base case
//	complex             complaint (ND124 art 3a) or denunciation (ND31 art 3) meeting a complexity criterion
//	remote              remote area with hard travel (LKN 28, 33, 37, 44)
//	remote_complex      both
//	especially_complex  denunciation meeting two or more criteria (ND31 art 3)
//	extended            the longer limit a rule allows on stated grounds (D20: 10 WD)
//	l1, l2, l2_dismissal  disciplinary complaint levels (D02, LKN 48)
type Variant string

const (
	Normal            Variant = "normal"
	Complex           Variant = "complex"
	Remote            Variant = "remote"
	RemoteComplex     Variant = "remote_complex"
	EspeciallyComplex Variant = "especially_complex"
	Extended          Variant = "extended"
	L1                Variant = "l1"
	L2                Variant = "l2"
	L2Dismissal       Variant = "l2_dismissal"
)

// characteristic variants describe the case, not the procedural path; a rule
// with a single duration applies to every case regardless of them.
func (v Variant) characteristic() bool {
	switch v {
	case Complex, Remote, RemoteComplex, EspeciallyComplex:
		return true
	}
	return false
}

// Rule is one version of one deadline type from domain.md §10.
type Rule struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	NameVI     string          `json:"name_vi"`
	Durations  map[Variant]int `json:"durations,omitempty"`
	Unit       Unit            `json:"unit,omitempty"`
	Direction  Direction       `json:"direction,omitempty"`
	StartEvent string          `json:"start_event,omitempty"`
	LegalBasis string          `json:"legal_basis"`
	// EffectiveFrom is inclusive, EffectiveTo exclusive (nil = open). The
	// version applied is the one in force on the start-event date (§2.6).
	EffectiveFrom Date  `json:"effective_from"`
	EffectiveTo   *Date `json:"effective_to,omitempty"`
	Verify        bool  `json:"verify,omitempty"` // [VERIFY] in domain.md: confirm before relying on it
	// MaxExtensions per variant (absent = none), each at most MaxExtensionDays.
	MaxExtensions    map[Variant]int `json:"max_extensions,omitempty"`
	MaxExtensionDays int             `json:"max_extension_days,omitempty"`
	// SuspensionFrom: handling may be suspended by decisions taken on or after
	// this date; nil = the rule's procedure has no suspension.
	SuspensionFrom *Date `json:"suspension_from,omitempty"`
	// Tolling: objective obstacles stop the clock (limitation periods).
	Tolling bool `json:"tolling,omitempty"`
	// Informational rows (frequencies, report cut-offs) carry no duration.
	Informational bool   `json:"informational,omitempty"`
	Notes         string `json:"notes,omitempty"`
}

func (r Rule) clone() Rule {
	r.Durations = maps.Clone(r.Durations)
	r.MaxExtensions = maps.Clone(r.MaxExtensions)
	if r.EffectiveTo != nil {
		t := *r.EffectiveTo
		r.EffectiveTo = &t
	}
	if r.SuspensionFrom != nil {
		t := *r.SuspensionFrom
		r.SuspensionFrom = &t
	}
	return r
}

// InForce reports whether this version applies to a start event on d.
func (r Rule) InForce(d Date) bool {
	return !d.Before(r.EffectiveFrom) && (r.EffectiveTo == nil || d.Before(*r.EffectiveTo))
}

// Duration resolves a variant ("" means normal). A rule with a single
// "normal" duration applies to complex or remote cases too, since the law
// sets one period for all of them; any other missing variant is an error,
// because guessing would understate or overstate a legal period.
func (r Rule) Duration(v Variant) (days int, resolved Variant, err error) {
	if r.Informational {
		return 0, "", invalid("rule", "%s is informational; it has no duration to compute", r.ID)
	}
	if v == "" {
		v = Normal
	}
	if d, ok := r.Durations[v]; ok {
		return d, v, nil
	}
	if d, ok := r.Durations[Normal]; ok && len(r.Durations) == 1 && v.characteristic() {
		return d, Normal, nil
	}
	return 0, "", invalid("variant", "rule %s has no variant %q (has: %s)", r.ID, v, strings.Join(r.variants(), ", "))
}

func (r Rule) variants() []string {
	vs := make([]string, 0, len(r.Durations))
	for v := range r.Durations {
		vs = append(vs, string(v))
	}
	sort.Strings(vs)
	return vs
}

func (r Rule) validate(field string) error {
	if !validID(r.ID) {
		return invalid(field+".id", "%q is not of the form D01, D27a or P01", r.ID)
	}
	if r.Name == "" || r.NameVI == "" || r.LegalBasis == "" {
		return invalid(field, "rule %s needs name, name_vi and legal_basis", r.ID)
	}
	if !r.EffectiveFrom.Valid() {
		return invalid(field+".effective_from", "rule %s: %s is not a calendar date", r.ID, r.EffectiveFrom)
	}
	if r.EffectiveTo != nil && !r.EffectiveTo.After(r.EffectiveFrom) {
		return invalid(field+".effective_to", "rule %s: %s is not after effective_from %s", r.ID, *r.EffectiveTo, r.EffectiveFrom)
	}
	if r.Informational {
		if len(r.Durations) > 0 || len(r.MaxExtensions) > 0 || r.SuspensionFrom != nil || r.Tolling {
			return invalid(field, "informational rule %s must not carry durations, extensions, suspension or tolling", r.ID)
		}
		return nil
	}
	if r.Unit != CalendarDays && r.Unit != WorkingDays {
		return invalid(field+".unit", "rule %s: unknown unit %q", r.ID, r.Unit)
	}
	if r.Direction != Forward && r.Direction != Backward {
		return invalid(field+".direction", "rule %s: unknown direction %q", r.ID, r.Direction)
	}
	if len(r.Durations) == 0 {
		return invalid(field+".durations", "rule %s has none", r.ID)
	}
	for v, d := range r.Durations {
		if !validVariant(v) || d < 0 || d > MaxDays {
			return invalid(field+".durations", "rule %s: bad entry %q: %d", r.ID, v, d)
		}
	}
	for v, n := range r.MaxExtensions {
		if _, ok := r.Durations[v]; !ok || n < 0 {
			return invalid(field+".max_extensions", "rule %s: bad entry %q: %d", r.ID, v, n)
		}
	}
	if len(r.MaxExtensions) > 0 && (r.MaxExtensionDays <= 0 || r.MaxExtensionDays > MaxDays) {
		return invalid(field+".max_extension_days", "rule %s: must be in 1..%d when extensions exist", r.ID, MaxDays)
	}
	if r.Direction == Backward && (len(r.MaxExtensions) > 0 || r.SuspensionFrom != nil || r.Tolling) {
		return invalid(field, "backward rule %s cannot have extensions, suspension or tolling", r.ID)
	}
	if r.SuspensionFrom != nil && !r.SuspensionFrom.Valid() {
		return invalid(field+".suspension_from", "rule %s: not a calendar date", r.ID)
	}
	return nil
}

// validID accepts D-numbers (statutory deadlines of domain.md §10) and P-numbers (the office's
// own practice, not a statute).
func validID(id string) bool {
	if len(id) < 3 || len(id) > 4 || (id[0] != 'D' && id[0] != 'P') || id[1] < '0' || id[1] > '9' || id[2] < '0' || id[2] > '9' {
		return false
	}
	return len(id) == 3 || id[3] >= 'a' && id[3] <= 'z'
}

func validVariant(v Variant) bool {
	if v == "" {
		return false
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
