// Package policy is the one authorization table of the product: role × action × body scope.
// Every HTTP handler and every workflow Update validator asks it, so a rule changes in one
// place. It is pure (no I/O), which is what lets workflow validators call it.
package policy

import "slices"

// Roles of api.md, plus ops for the Temporal codec endpoint.
const (
	ReceivingOfficer = "receiving_officer"
	HandlingOfficer  = "handling_officer"
	Head             = "head"
	Supervisor       = "supervisor"
	Agency           = "agency"
	Admin            = "admin"
	Auditor          = "auditor"
	Ops              = "ops"
)

// Roles lists every role a token may carry.
var Roles = []string{ReceivingOfficer, HandlingOfficer, Head, Supervisor, Agency, Admin, Auditor, Ops}

// Scope says which cases a grant covers.
type Scope int

const (
	// Any body: supervisors read across bodies; admins configure.
	Any Scope = iota + 1
	// Own: the case was received by the caller's body, or is held by it now.
	Own
	// Held: the case is held by the caller's body now (an agency sees only what was forwarded to it).
	Held
)

type grant struct {
	role  string
	scope Scope
}

// table is the policy. Actions name what is done, not the route, so the same name is used
// by the HTTP layer and the workflow.
var table = map[string][]grant{
	// letters
	"letters.create": {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}},
	"letters.read":   {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}, {Supervisor, Any}, {Agency, Held}, {Auditor, Any}},
	"letters.list":   {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}, {Supervisor, Any}, {Agency, Held}},

	"letters.assign":          {{HandlingOfficer, Own}, {Head, Own}},
	"letters.classify":        {{HandlingOfficer, Own}, {Head, Own}},
	"letters.mark-duplicate":  {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}},
	"letters.forward":         {{HandlingOfficer, Own}, {Head, Own}},
	"letters.guide":           {{HandlingOfficer, Own}, {Head, Own}},
	"letters.file":            {{HandlingOfficer, Own}, {Head, Own}},
	"letters.watch":           {{HandlingOfficer, Own}, {Head, Own}},
	"letters.follow-up":       {{HandlingOfficer, Own}, {Head, Own}},
	"letters.record-response": {{HandlingOfficer, Own}, {Head, Own}, {Agency, Held}},
	"letters.evaluate":        {{HandlingOfficer, Own}, {Head, Own}},
	"letters.withdraw":        {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}},
	"letters.close":           {{HandlingOfficer, Own}, {Head, Own}},

	// settling a complaint or denunciation the office's own body is competent for
	"letters.accept":        {{HandlingOfficer, Own}, {Head, Own}},
	"letters.reject":        {{HandlingOfficer, Own}, {Head, Own}},
	"letters.mark-complex":  {{HandlingOfficer, Own}, {Head, Own}},
	"letters.extend":        {{Head, Own}},
	"letters.suspend":       {{Head, Own}},
	"letters.resume":        {{Head, Own}},
	"letters.decide":        {{Head, Own}},
	"letters.send-decision": {{HandlingOfficer, Own}, {Head, Own}},
	"letters.split":         {{HandlingOfficer, Own}, {Head, Own}},

	// the denouncer's identity (domain.md §8): the head may grant; reveals are checked per case
	"identity.grant": {{Head, Own}},

	// registry, calendar, rules
	"bodies.read":    {{ReceivingOfficer, Any}, {HandlingOfficer, Any}, {Head, Any}, {Supervisor, Any}, {Agency, Any}, {Admin, Any}, {Auditor, Any}},
	"bodies.write":   {{Admin, Any}},
	"calendar.read":  {{ReceivingOfficer, Any}, {HandlingOfficer, Any}, {Head, Any}, {Supervisor, Any}, {Agency, Any}, {Admin, Any}, {Auditor, Any}},
	"calendar.write": {{Admin, Any}},
	"rules.read":     {{ReceivingOfficer, Any}, {HandlingOfficer, Any}, {Head, Any}, {Supervisor, Any}, {Agency, Any}, {Admin, Any}, {Auditor, Any}},
	"audit.read":     {{Auditor, Any}},
	"reports.read":   {{Head, Own}, {Supervisor, Any}},
	"codec.use":      {{Ops, Any}},
	"ops.smoke":      {{Ops, Any}, {Admin, Any}},

	// citizen reception (domain.md §6): the register of visits, its notices and statistics;
	// auditors get no content (§8), agencies see letters forwarded to them, not the register
	"receptions.create":  {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}},
	"receptions.read":    {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}, {Supervisor, Any}},
	"receptions.list":    {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}, {Supervisor, Any}},
	"receptions.notice":  {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}},
	"reports.receptions": {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}, {Supervisor, Any}},
	// voters' petitions (module 3, domain.md §7–§8). A session's case is received by the
	// petitions committee; a voter petition's case is received by the committee and by each
	// delegation whose voters raised it, and held by the body it is forwarded to. So: the
	// committee's heads and supervisors run the cycle and forward; its officers and the
	// delegations' officers submit petitions (a delegation only its own); the committee's
	// officers synthesise; the answering agency answers for its own body; the committee and the
	// delegations evaluate; supervisors read across bodies.
	"sessions.read":             {{ReceivingOfficer, Any}, {HandlingOfficer, Any}, {Head, Any}, {Supervisor, Any}, {Agency, Any}, {Auditor, Any}},
	"sessions.manage":           {{Head, Own}, {Supervisor, Own}},
	"sessions.collect":          {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}},
	"sessions.synthesize":       {{HandlingOfficer, Own}, {Head, Own}},
	"sessions.report":           {{HandlingOfficer, Any}, {Head, Any}, {Supervisor, Any}},
	"voter-petitions.read":      {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}, {Supervisor, Any}, {Agency, Held}, {Auditor, Any}},
	"voter-petitions.list":      {{ReceivingOfficer, Own}, {HandlingOfficer, Own}, {Head, Own}, {Supervisor, Any}, {Agency, Held}},
	"voter-petitions.forward":   {{HandlingOfficer, Own}, {Head, Own}, {Supervisor, Own}},
	"voter-petitions.answer":    {{HandlingOfficer, Own}, {Head, Own}, {Agency, Held}},
	"voter-petitions.follow-up": {{HandlingOfficer, Own}, {Head, Own}, {Supervisor, Own}},
	"voter-petitions.evaluate":  {{HandlingOfficer, Own}, {Head, Own}},
}

// Subject is who asks: the verified token's roles and body.
type Subject struct {
	Roles  []string
	BodyID string
}

// Case is what a scoped action is about: the body that received it and the one holding it.
type Case struct {
	ReceivingBodyID string
	HeldByBodyID    string
}

// Known reports whether the action is in the table.
func Known(action string) bool { _, ok := table[action]; return ok }

// CanAtAll reports whether any of the subject's roles may do the action on some case; the
// HTTP layer uses it before loading the case, to answer 403 early.
func CanAtAll(s Subject, action string) bool {
	for _, g := range table[action] {
		if slices.Contains(s.Roles, g.role) {
			return true
		}
	}
	return false
}

// Can reports whether the subject may do the action on the case.
func Can(s Subject, action string, c Case) bool {
	for _, g := range table[action] {
		if !slices.Contains(s.Roles, g.role) {
			continue
		}
		switch g.scope {
		case Any:
			return true
		case Own:
			if s.BodyID != "" && (s.BodyID == c.ReceivingBodyID || s.BodyID == c.HeldByBodyID) {
				return true
			}
		case Held:
			if s.BodyID != "" && s.BodyID == c.HeldByBodyID {
				return true
			}
		}
	}
	return false
}

// ReadsAcrossBodies reports whether the subject's list reads are not limited to its body.
func ReadsAcrossBodies(s Subject, action string) bool {
	for _, g := range table[action] {
		if g.scope == Any && slices.Contains(s.Roles, g.role) {
			return true
		}
	}
	return false
}

// HeldOnly reports whether the subject's only grant for the action is on cases its body
// holds (an agency's list shows only what was forwarded to it).
func HeldOnly(s Subject, action string) bool {
	held := false
	for _, g := range table[action] {
		if !slices.Contains(s.Roles, g.role) {
			continue
		}
		if g.scope != Held {
			return false
		}
		held = true
	}
	return held
}

// Actions lists the actions of the table, for the authorization matrix test and the docs.
func Actions() []string {
	out := make([]string, 0, len(table))
	for a := range table {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// IdentityFacts are what decides a reveal of a protected sender's identity (domain.md §8).
type IdentityFacts struct {
	IntakeSub       string // the officer who registered the letter
	Assignee        string // the assigned handler
	ReceivingBodyID string
	HasGrant        bool // an unexpired per-case grant names the caller
}

// CanReveal: the intake officer, the assigned handler and the head of the receiving body see
// the identity; anyone else needs an explicit grant. Supervisors see a pseudonym.
func CanReveal(s Subject, sub string, f IdentityFacts) bool {
	switch {
	case f.HasGrant:
		return true
	case sub != "" && sub == f.IntakeSub:
		return true
	case sub != "" && sub == f.Assignee:
		return true
	case slices.Contains(s.Roles, Head) && s.BodyID != "" && s.BodyID == f.ReceivingBodyID:
		return true
	}
	return false
}
