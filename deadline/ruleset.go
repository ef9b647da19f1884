package deadline

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

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
	for i, e := range already {
		if e <= 0 {
			return invalid(fmt.Sprintf("already[%d]", i), "%d must be positive", e)
		}
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
