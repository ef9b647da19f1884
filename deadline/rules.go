package deadline

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
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
		return invalid(field+".id", "%q is not of the form D01 or D27a", r.ID)
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

func validID(id string) bool {
	if len(id) < 3 || len(id) > 4 || id[0] != 'D' || id[1] < '0' || id[1] > '9' || id[2] < '0' || id[2] > '9' {
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

// RuleSet is an immutable, validated rule table.
type RuleSet struct {
	rules []Rule // by ID, then EffectiveFrom
	byID  map[string][]int
}

// NewRuleSet validates and copies rules: IDs well formed, durations sane, and
// no two versions of one ID in force on the same day.
func NewRuleSet(rules []Rule) (*RuleSet, error) {
	rs := make([]Rule, len(rules))
	for i, r := range rules {
		if err := r.validate(fmt.Sprintf("rules[%d]", i)); err != nil {
			return nil, err
		}
		rs[i] = r.clone()
	}
	slices.SortStableFunc(rs, func(a, b Rule) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return a.EffectiveFrom.days() - b.EffectiveFrom.days()
	})
	s := &RuleSet{rules: rs, byID: make(map[string][]int)}
	for i, r := range rs {
		if prev := s.byID[r.ID]; len(prev) > 0 {
			p := rs[prev[len(prev)-1]]
			if p.EffectiveTo == nil || p.EffectiveTo.After(r.EffectiveFrom) {
				return nil, invalid("rules", "versions of %s overlap: one from %s, the next from %s", r.ID, p.EffectiveFrom, r.EffectiveFrom)
			}
		}
		s.byID[r.ID] = append(s.byID[r.ID], i)
	}
	return s, nil
}

// All returns a deep copy of every version, ordered by ID then date.
func (s *RuleSet) All() []Rule {
	out := make([]Rule, len(s.rules))
	for i, r := range s.rules {
		out[i] = r.clone()
	}
	return out
}

// Find returns the version of id in force on the start-event date on.
func (s *RuleSet) Find(id string, on Date) (Rule, error) {
	r, err := s.find(id, on)
	if err != nil {
		return Rule{}, err
	}
	return r.clone(), nil
}

func (s *RuleSet) find(id string, on Date) (*Rule, error) {
	if !on.Valid() {
		return nil, invalid("start", "%s is not a calendar date", on)
	}
	idx, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownRule, id)
	}
	for _, i := range idx {
		if s.rules[i].InForce(on) {
			return &s.rules[i], nil
		}
	}
	return nil, fmt.Errorf("%w: rule %s on %s", ErrNotInForce, id, on)
}

// MarshalJSON writes the table as a JSON array of rules.
func (s *RuleSet) MarshalJSON() ([]byte, error) { return json.Marshal(s.rules) }

// UnmarshalJSON reads a JSON array of rules and validates it like NewRuleSet.
func (s *RuleSet) UnmarshalJSON(b []byte) error {
	var rules []Rule
	if err := json.Unmarshal(b, &rules); err != nil {
		return fmt.Errorf("deadline: decoding rule set: %w", err)
	}
	n, err := NewRuleSet(rules)
	if err != nil {
		return err
	}
	*s = *n
	return nil
}

// Options are the per-case inputs of ComputeRule; see Request.
type Options struct {
	ExtensionDays []int      `json:"extension_days,omitempty"`
	Suspensions   []Interval `json:"suspensions,omitempty"`
	Tolling       []Interval `json:"tolling,omitempty"`
	Proof         bool       `json:"proof,omitempty"`
}

// ComputeRule looks up the version of rule id in force on start, checks the
// options against what that rule allows (ErrGuard), and computes the period.
// The returned Rule is the version applied, for the caller to record.
func ComputeRule(c *Calendar, s *RuleSet, id string, v Variant, start Date, opts Options) (Result, Rule, error) {
	if s == nil {
		return Result{}, Rule{}, invalid("rules", "is nil")
	}
	r, err := s.find(id, start)
	if err != nil {
		return Result{}, Rule{}, err
	}
	days, resolved, err := r.Duration(v)
	if err != nil {
		return Result{}, Rule{}, err
	}
	if err := r.checkOptions(resolved, opts); err != nil {
		return Result{}, Rule{}, err
	}
	res, err := Compute(c, Request{
		Start:         start,
		Days:          days,
		Unit:          r.Unit,
		Direction:     r.Direction,
		ExtensionDays: opts.ExtensionDays,
		Suspensions:   opts.Suspensions,
		Tolling:       opts.Tolling,
		Proof:         opts.Proof,
	})
	if err != nil {
		return Result{}, Rule{}, fmt.Errorf("rule %s (%s): %w", r.ID, resolved, err)
	}
	if res.Proof != nil {
		res.Proof.RuleID, res.Proof.RuleName, res.Proof.LegalBasis, res.Proof.Variant = r.ID, r.Name, r.LegalBasis, resolved
	}
	return res, r.clone(), nil
}

func (r *Rule) checkOptions(v Variant, o Options) error {
	if limit := r.MaxExtensions[v]; len(o.ExtensionDays) > limit {
		return guard("rule %s [%s] allows %d extension(s), got %d", r.ID, v, limit, len(o.ExtensionDays))
	}
	for i, e := range o.ExtensionDays {
		if e > r.MaxExtensionDays {
			return guard("rule %s: extension %d is %d days, more than the %d allowed", r.ID, i+1, e, r.MaxExtensionDays)
		}
	}
	for i, sp := range o.Suspensions {
		if r.SuspensionFrom == nil {
			return guard("rule %s has no suspension of handling", r.ID)
		}
		if sp.From.Before(*r.SuspensionFrom) {
			return guard("rule %s: suspension %d decided %s, before suspension existed (%s)", r.ID, i+1, sp.From, *r.SuspensionFrom)
		}
	}
	if len(o.Tolling) > 0 && !r.Tolling {
		return guard("rule %s has no tolling; only limitation periods do", r.ID)
	}
	return nil
}

// CheckExtension is the guard for an extension decision (LTC art 30): at
// most MaxExtensions[v] of them, each 1..MaxExtensionDays days, and each
// decided while the period is still running. The period runs until 24:00 of
// the due day (BLDS art 148(6)), so a decision dated on currentDue is in time
// and one dated the day after is not (T40).
func CheckExtension(rule Rule, v Variant, already []int, newDays int, decidedOn, currentDue Date) error {
	_, resolved, err := rule.Duration(v)
	if err != nil {
		return err
	}
	if !decidedOn.Valid() {
		return invalid("decided_on", "%s is not a calendar date", decidedOn)
	}
	if !currentDue.Valid() {
		return invalid("current_due", "%s is not a calendar date", currentDue)
	}
	if newDays <= 0 {
		return invalid("days", "%d must be positive", newDays)
	}
	limit := rule.MaxExtensions[resolved]
	if limit == 0 {
		return guard("rule %s [%s] allows no extension", rule.ID, resolved)
	}
	if len(already) >= limit {
		return guard("rule %s [%s] allows %d extension(s); %d already granted", rule.ID, resolved, limit, len(already))
	}
	if newDays > rule.MaxExtensionDays {
		return guard("rule %s: an extension may be at most %d days, got %d", rule.ID, rule.MaxExtensionDays, newDays)
	}
	if decidedOn.After(currentDue) {
		return guard("extension decided %s, after the period ended (due %s, 24:00); the case stays overdue", decidedOn, currentDue)
	}
	return nil
}
