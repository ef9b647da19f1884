package workflows

import (
	"fmt"
	"slices"
	"strconv"

	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

// Case statuses: the settlement of a complaint (domain.md §4.4) or a denunciation (§5.4)
// that the office's own body is competent to settle.
const (
	CasePending    = "pending_acceptance"
	CaseAccepted   = "accepted"
	CaseSuspended  = "suspended"
	CaseDecided    = "decided"
	CaseSent       = "decision_sent"
	CaseFinal      = "final"
	CaseRejected   = "rejected"
	CaseTerminated = "terminated"
)

// Case is the settlement track of a letter. It keeps the inputs of its clocks (variant,
// extensions, suspensions), never only the computed dates, so every due date can be derived
// again and proved.
type Case struct {
	Kind            string              `json:"kind"` // complaint | denunciation
	Level           int                 `json:"level,omitempty"`
	Status          string              `json:"status"`
	Variant         string              `json:"variant,omitempty"`
	AcceptedOn      *deadline.Date      `json:"accepted_on,omitempty"`
	InitialExtended bool                `json:"initial_extended,omitempty"`
	Extensions      []int               `json:"extensions,omitempty"`
	Suspensions     []deadline.Interval `json:"suspensions,omitempty"`
	SuspendedOn     *deadline.Date      `json:"suspended_on,omitempty"`
	DecidedOn       *deadline.Date      `json:"decided_on,omitempty"`
	DecisionNo      string              `json:"decision_no,omitempty"`
	Outcome         string              `json:"outcome,omitempty"`
	RejectReason    string              `json:"reject_reason,omitempty"`
}

// Clock statuses beyond running/paused/met/overdue: a window (an appeal window, a finality
// period) runs against the citizen, not the office, so it never makes the letter overdue.
const (
	ClockWindow = "window"
	ClockEnded  = "ended"
)

// Outcomes of a settlement decision (LKN 31; LTC 35).
var (
	ComplaintOutcomes    = []string{"correct", "partly_correct", "incorrect"}
	DenunciationOutcomes = []string{"correct", "partly_correct", "untrue"}
)

func init() {
	for name, spec := range map[string]actionSpec{
		"accept":        {from: []string{StatusClassified}, check: checkAccept, apply: applyAccept},
		"reject":        {from: []string{StatusClassified}, check: checkReject, apply: applyReject},
		"mark-complex":  {from: []string{StatusSettling}, check: checkMarkComplex, apply: applyMarkComplex},
		"extend":        {from: []string{StatusClassified, StatusSettling}, check: checkExtend, apply: applyExtend},
		"suspend":       {from: []string{StatusSettling}, check: caseIn(settlementPhases["suspend"]...), apply: applySuspend},
		"resume":        {from: []string{StatusSettling}, check: caseIn(settlementPhases["resume"]...), apply: applyResume},
		"decide":        {from: []string{StatusSettling}, check: checkDecide, apply: applyDecide},
		"send-decision": {from: []string{StatusSettling}, check: checkSendDecision, apply: applySendDecision},
	} {
		actions[name] = spec
	}
}

// settlementPhases says in which states of the settlement case each settlement action applies:
// the checks enforce it, and the letter view advertises only these in allowed_actions.
var settlementPhases = map[string][]string{
	"accept": {CasePending}, "reject": {CasePending},
	"extend":       {CasePending, CaseAccepted}, // the initial processing (LTC 24) or the settlement (LTC 30)
	"mark-complex": {CaseAccepted}, "suspend": {CaseAccepted}, "decide": {CaseAccepted},
	"resume":        {CaseSuspended},
	"send-decision": {CaseDecided, CaseFinal},
}

// AllowedActionsFor lists the actions allowed in status when the settlement case (if any) is
// in caseStatus; a settlement action of another phase is left out, and sending the decision
// only while its clock (send_decision or conclusion_notice) still runs (sendPending).
func AllowedActionsFor(status, caseStatus string, sendPending bool) []string {
	out := []string{}
	for _, n := range AllowedActions(status) {
		if phases, ok := settlementPhases[n]; ok && status == StatusSettling && !slices.Contains(phases, caseStatus) {
			continue
		}
		if n == "send-decision" && status == StatusSettling && !sendPending {
			continue
		}
		out = append(out, n)
	}
	return out
}

func caseIn(statuses ...string) func(*letterRun, Action, deadline.Date) error {
	return func(r *letterRun, _ Action, _ deadline.Date) error {
		if c := r.st.Case; c == nil || !slices.Contains(statuses, c.Status) {
			return conflict(fmt.Sprintf("the settlement is %s; this needs it %v", caseStatus(r.st.Case), statuses),
				map[string]any{"state": r.st.Status, "case_status": caseStatus(r.st.Case), "allowed_actions": AllowedActionsFor(r.st.Status, caseStatusOf(r.st.Case), r.sendPending())})
		}
		return nil
	}
}

// sendPending reports whether the decision (or conclusion) still has to be sent.
func (r *letterRun) sendPending() bool {
	for _, name := range []string{"send_decision", "conclusion_notice"} {
		if c := r.st.Clock(name); c != nil && c.Running() {
			return true
		}
	}
	return false
}

func caseStatusOf(c *Case) string {
	if c == nil {
		return ""
	}
	return c.Status
}

func caseStatus(c *Case) string {
	if c == nil {
		return "not opened (classify the letter as a complaint or denunciation the office is competent for)"
	}
	return c.Status
}

// openCase runs at classification: a complaint or denunciation the office is competent for
// gets its acceptance clock; one it is not competent for gets the forward-by clock (D21);
// an anonymous denunciation becomes an inspection lead, never an accepted case (T36).
func (r *letterRun) openCase(ctx workflow.Context, a Action, on deadline.Date) error {
	in := r.st.Intake
	if prev := r.st.Case; prev != nil && prev.Status == CasePending {
		r.meetClock(ctx, "acceptance", on)
		r.meetClock(ctx, "initial", on)
		r.st.Case = nil
	}
	competent := a.Competent != nil && *a.Competent
	eligible := a.Eligible == nil || *a.Eligible
	switch {
	case a.Kind == "denunciation" && in.Channel == "press" && r.st.Clock("press_report") == nil:
		// The press or authority that forwarded it gets the outcome within 20 days (D22, T24).
		if _, err := r.startClock(ctx, ClockRequest{Name: "press_report", Start: in.ReceivedOn, Legs: []ClockLeg{{RuleID: "D22"}}, Ladder: "due_only"}); err != nil {
			return err
		}
	}
	if err := r.startProcedure(ctx, a); err != nil {
		return err
	}
	if !eligible || (a.Kind != "complaint" && a.Kind != "denunciation") {
		return nil
	}
	if a.Kind == "denunciation" && in.Anonymous {
		r.event(ctx, "inspection_lead_created", a.Actor.Sub, map[string]any{"reason": "anonymous denunciation (LTC 25(1)); handled as information, not accepted"})
		return nil
	}
	if a.Kind == "denunciation" && !competent {
		_, err := r.startClock(ctx, ClockRequest{Name: "forward_by", Start: in.ReceivedOn, Legs: []ClockLeg{{RuleID: "D21"}}, Ladder: "due_only"})
		return err
	}
	if !competent {
		return nil
	}
	level := max(a.Level, 1)
	r.st.Case = &Case{Kind: a.Kind, Level: level, Status: CasePending}
	if a.Kind == "denunciation" {
		_, err := r.startClock(ctx, ClockRequest{Name: "initial", Start: in.ReceivedOn, Legs: []ClockLeg{{RuleID: "D20"}}, Ladder: "full", EscalateFrom: in.BodyID})
		return err
	}
	if _, err := r.startClock(ctx, ClockRequest{Name: "acceptance", Start: in.ReceivedOn, Legs: []ClockLeg{{RuleID: "D03"}}, Ladder: "full", EscalateFrom: in.BodyID}); err != nil {
		return err
	}
	if level == 2 && a.FirstInstanceOf != "" {
		if err := r.linkFirstInstance(ctx, a); err != nil {
			return err
		}
	}
	if a.DecisionKnownOn != nil {
		return r.checkLimitation(ctx, a, level)
	}
	return nil
}

// startProcedure starts the superior's clock for a denunciation that reaches it after the
// first resolver: the review of a re-denunciation (D28, T22) or the report request on an
// overdue one (D29a, T23). The office's first outcome on the letter meets it.
func (r *letterRun) startProcedure(ctx workflow.Context, a Action) error {
	var name, rule string
	switch a.Procedure {
	case "":
		return nil
	case "re_denunciation":
		name, rule = "review", "D28"
	case "overdue_escalation":
		name, rule = "report_request", "D29a"
	}
	_, err := r.startClock(ctx, ClockRequest{Name: name, Start: r.st.Intake.ReceivedOn, Legs: []ClockLeg{{RuleID: rule}},
		Ladder: "full", EscalateFrom: r.st.Intake.BodyID})
	return err
}

// checkLimitation judges the filing date against the limitation period (D01, or D02 for a
// disciplinary decision), with the tolling the officer recorded (T09, T15).
func (r *letterRun) checkLimitation(ctx workflow.Context, a Action, level int) error {
	leg := ClockLeg{RuleID: "D01", Options: deadline.Options{Tolling: a.Tolling}}
	if a.Disciplinary {
		leg.RuleID, leg.Variant = "D02", string(deadline.L1)
		if level == 2 {
			leg.Variant = string(deadline.L2)
		}
	}
	c, err := r.startClock(ctx, ClockRequest{Name: "limitation", Start: *a.DecisionKnownOn, Legs: []ClockLeg{leg}, Ladder: "none"})
	if err != nil {
		return err
	}
	filed := r.st.Intake.ReceivedOn
	c.Status, c.MetOn, c.Late = "met", &filed, filed.After(c.DueOn)
	r.event(ctx, "limitation_checked", a.Actor.Sub, map[string]any{"rule_id": leg.RuleID, "due_on": c.DueOn.String(),
		"filed_on": filed.String(), "within_time": !c.Late, "tolling_intervals": len(a.Tolling)})
	return nil
}

func checkAccept(r *letterRun, a Action, _ deadline.Date) error {
	if err := caseIn(settlementPhases["accept"]...)(r, a, deadline.Date{}); err != nil {
		return err
	}
	if r.st.Case.Kind == "complaint" && a.EspeciallyComplex {
		return invalidField("especially_complex", "applies to denunciations only; a complaint is complex or not")
	}
	return nil
}

// settlementVariant is the rule variant from the case's flags (domain.md §2.4).
func settlementVariant(kind string, complex, remote, especially bool) deadline.Variant {
	if kind == "denunciation" {
		switch {
		case especially:
			return deadline.EspeciallyComplex
		case complex:
			return deadline.Complex
		}
		return deadline.Normal
	}
	switch {
	case remote && complex:
		return deadline.RemoteComplex
	case remote:
		return deadline.Remote
	case complex:
		return deadline.Complex
	}
	return deadline.Normal
}

func (c *Case) settlementRule() string {
	switch {
	case c.Kind == "denunciation":
		return "D24"
	case c.Level == 2:
		return "D07"
	}
	return "D04"
}

func (r *letterRun) settlementRequest(on deadline.Date) ClockRequest {
	c := r.st.Case
	return ClockRequest{Name: "settlement", Start: on, Ladder: "full", EscalateFrom: r.st.Intake.BodyID,
		Legs: []ClockLeg{{RuleID: c.settlementRule(), Variant: c.Variant,
			Options: deadline.Options{ExtensionDays: c.Extensions, Suspensions: c.Suspensions}}}}
}

// applyAccept starts the settlement clock from the acceptance date (D04/D07/D24) and, for a
// denunciation, the 5-working-day acceptance notice (D23).
func applyAccept(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	c := r.st.Case
	remote := r.st.Intake.RemoteArea || a.RemoteArea
	c.Variant = string(settlementVariant(c.Kind, a.Complex, remote, a.EspeciallyComplex))
	c.AcceptedOn = &on
	c.Status = CaseAccepted
	r.st.Status = StatusSettling
	r.meetClock(ctx, "acceptance", on)
	r.meetClock(ctx, "initial", on)
	r.outcome(ctx, on)
	settle, err := r.startClock(ctx, r.settlementRequest(on))
	if err != nil {
		return err
	}
	r.event(ctx, "accepted", a.Actor.Sub, map[string]any{"on": on.String(), "variant": c.Variant, "level": c.Level,
		"settlement_due_on": settle.DueOn.String()})
	r.notify("citizen_notice", "citizen", "accepted", map[string]any{"event": "accepted"})
	if c.Kind == "denunciation" {
		_, err = r.startClock(ctx, ClockRequest{Name: "acceptance_notice", Start: on, Legs: []ClockLeg{{RuleID: "D23"}}, Ladder: "due_only"})
	}
	return err
}

func checkReject(r *letterRun, a Action, _ deadline.Date) error {
	if err := caseIn(settlementPhases["reject"]...)(r, a, deadline.Date{}); err != nil {
		return err
	}
	if r.st.Case.Kind == "complaint" {
		if n, err := strconv.Atoi(a.Reason); err != nil || n < 1 || n > 9 {
			return invalidField("reason", "a complaint is rejected on a ground of LKN art 11: give its number, 1 to 9")
		}
	}
	return nil
}

func applyReject(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	c := r.st.Case
	c.Status, c.RejectReason = CaseRejected, a.Reason
	basis := a.Reason
	if c.Kind == "complaint" {
		basis = "LKN art 11(" + a.Reason + ")"
	}
	r.st.Status, r.st.FiledReason = StatusFiled, "not accepted: "+basis
	r.meetClock(ctx, "acceptance", on)
	r.meetClock(ctx, "initial", on)
	r.outcome(ctx, on)
	r.event(ctx, "rejected", a.Actor.Sub, map[string]any{"on": on.String(), "reason": basis, "note": a.Note})
	r.notify("citizen_notice", "citizen", "rejected", map[string]any{"event": "rejected", "reason": basis})
	return nil
}

// beforeDue enforces "decided before the current due date" (domain.md §2.3, T40): a late
// extension or reclassification does not rescue an overdue case.
func (r *letterRun) beforeDue(name string, on deadline.Date) error {
	c := r.st.Clock(name)
	if c == nil || !c.Running() {
		return conflict(fmt.Sprintf("there is no running %s clock", name), map[string]any{"state": r.st.Status})
	}
	if on.After(c.DueOn) {
		return conflict(fmt.Sprintf("the %s was due on %s; a decision dated %s comes too late and the case stays overdue", name, c.DueOn, on),
			map[string]any{"state": r.st.Status, "due_on": c.DueOn.String(), "overdue": true})
	}
	return nil
}

func checkMarkComplex(r *letterRun, a Action, on deadline.Date) error {
	if err := caseIn(settlementPhases["mark-complex"]...)(r, a, on); err != nil {
		return err
	}
	if r.st.Case.Kind != "complaint" {
		return invalidField("kind", "a denunciation gets more time by extend, not by mark-complex")
	}
	return r.beforeDue("settlement", on)
}

// applyMarkComplex recomputes the settlement from the acceptance date with the new variant (T02).
func applyMarkComplex(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	c := r.st.Case
	prev := c.Variant
	c.Variant = string(settlementVariant(c.Kind, a.Complex, r.st.Intake.RemoteArea || a.RemoteArea, false))
	settle, err := r.startClock(ctx, r.settlementRequest(*c.AcceptedOn))
	if err != nil {
		c.Variant = prev
		return err
	}
	r.event(ctx, "marked_complex", a.Actor.Sub, map[string]any{"on": on.String(), "variant": c.Variant, "previous_variant": prev, "settlement_due_on": settle.DueOn.String()})
	return nil
}

func checkExtend(r *letterRun, a Action, on deadline.Date) error {
	c := r.st.Case
	if c == nil || c.Kind != "denunciation" {
		return conflict("only a denunciation's time can be extended (LTC 24, 30); a complaint is marked complex instead",
			map[string]any{"state": r.st.Status, "case_status": caseStatus(c)})
	}
	switch c.Status {
	case CasePending:
		if c.InitialExtended {
			return conflict("the initial processing was already extended to 10 working days (LTC 24(1))", map[string]any{"state": r.st.Status})
		}
		return r.beforeDue("initial", on)
	case CaseAccepted:
		if a.Days < 1 || a.Days > 30 {
			return invalidField("days", "an extension is 1 to 30 days (LTC 30)")
		}
		return r.beforeDue("settlement", on)
	}
	return caseIn(settlementPhases["extend"]...)(r, a, on)
}

// applyExtend lengthens the initial processing to 10 working days, or adds an extension to
// the settlement: due = acceptance + 30 + Σ extensions, rolled forward once (T16, T18). The
// rule's own guard refuses more extensions than the case's complexity allows.
func applyExtend(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	c := r.st.Case
	if c.Status == CasePending {
		clock, err := r.startClock(ctx, ClockRequest{Name: "initial", Start: r.st.Intake.ReceivedOn,
			Legs: []ClockLeg{{RuleID: "D20", Variant: string(deadline.Extended)}}, Ladder: "full", EscalateFrom: r.st.Intake.BodyID})
		if err != nil {
			return err
		}
		c.InitialExtended = true
		r.event(ctx, "extended", a.Actor.Sub, map[string]any{"on": on.String(), "clock": "initial", "reason": a.Reason, "due_on": clock.DueOn.String()})
		return nil
	}
	c.Extensions = append(c.Extensions, a.Days)
	settle, err := r.startClock(ctx, r.settlementRequest(*c.AcceptedOn))
	if err != nil {
		c.Extensions = c.Extensions[:len(c.Extensions)-1]
		return err
	}
	r.event(ctx, "extended", a.Actor.Sub, map[string]any{"on": on.String(), "clock": "settlement", "days": a.Days,
		"extension": len(c.Extensions), "reason": a.Reason, "due_on": settle.DueOn.String()})
	return nil
}

// applySuspend pauses the settlement clock. The rule is asked at once whether suspension
// exists for this case (complaint handling only from 2026-07-01), so a refusal comes now,
// not at resumption.
func applySuspend(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	c := r.st.Case
	probe := r.settlementRequest(*c.AcceptedOn)
	probe.Legs[0].Options.Suspensions = append(slices.Clone(c.Suspensions), deadline.Interval{From: on, To: on})
	if _, err := r.computeClock(ctx, probe); err != nil {
		return err
	}
	c.Status, c.SuspendedOn = CaseSuspended, &on
	if s := r.st.Clock("settlement"); s != nil {
		s.Status = "paused"
	}
	r.event(ctx, "suspended", a.Actor.Sub, map[string]any{"on": on.String(), "reason": a.Reason})
	return nil
}

// applyResume excludes the suspended time: the remaining days count from the continuation
// date (domain.md §2.3, T19).
func applyResume(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	c := r.st.Case
	c.Suspensions = append(c.Suspensions, deadline.Interval{From: *c.SuspendedOn, To: on})
	c.Status, c.SuspendedOn = CaseAccepted, nil
	settle, err := r.startClock(ctx, r.settlementRequest(*c.AcceptedOn))
	if err != nil {
		return err
	}
	r.event(ctx, "resumed", a.Actor.Sub, map[string]any{"on": on.String(), "settlement_due_on": settle.DueOn.String()})
	return nil
}

func checkDecide(r *letterRun, a Action, on deadline.Date) error {
	if err := caseIn(settlementPhases["decide"]...)(r, a, on); err != nil {
		return err
	}
	allowed := ComplaintOutcomes
	if r.st.Case.Kind == "denunciation" {
		allowed = DenunciationOutcomes
	}
	if !slices.Contains(allowed, a.Outcome) {
		return invalidField("outcome", fmt.Sprintf("a %s decision is one of %v", r.st.Case.Kind, allowed))
	}
	return nil
}

// applyDecide meets the settlement clock and starts what follows the decision: for a
// complaint the send clock (D05/D08) and the finality period (D09); for a denunciation the
// conclusion notice (D26) and its handling (D27a).
func applyDecide(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	c := r.st.Case
	c.Status, c.DecidedOn, c.DecisionNo, c.Outcome = CaseDecided, &on, a.DecisionNo, a.Outcome
	r.meetClock(ctx, "settlement", on)
	r.meetClock(ctx, "acceptance_notice", on)
	r.closeWindow(ctx, "appeal_window")
	r.event(ctx, "decided", a.Actor.Sub, map[string]any{"on": on.String(), "outcome": a.Outcome, "decision_no": a.DecisionNo})
	remote := string(settlementVariant("complaint", false, r.st.Intake.RemoteArea, false))
	var next []ClockRequest
	if c.Kind == "complaint" {
		send := "D05"
		if c.Level == 2 {
			send = "D08"
		}
		next = []ClockRequest{
			{Name: "send_decision", Start: on, Legs: []ClockLeg{{RuleID: send}}, Ladder: "due_only"},
			{Name: "finality", Start: on, Legs: []ClockLeg{{RuleID: "D09", Variant: remote}}, Ladder: "final"},
		}
	} else {
		next = []ClockRequest{
			{Name: "conclusion_notice", Start: on, Legs: []ClockLeg{{RuleID: "D26"}}, Ladder: "due_only"},
			{Name: "handling", Start: on, Legs: []ClockLeg{{RuleID: "D27a"}}, Ladder: "due_only"},
		}
	}
	for _, req := range next {
		clock, err := r.startClock(ctx, req)
		if err != nil {
			return err
		}
		if req.Ladder == "final" {
			clock.Status = ClockWindow
		}
	}
	return nil
}

// checkSendDecision allows recording the sending once; a decision whose finality period
// passed before the sending was recorded (a paper file entered late) is still sent.
func checkSendDecision(r *letterRun, a Action, on deadline.Date) error {
	if err := caseIn(settlementPhases["send-decision"]...)(r, a, on); err != nil {
		return err
	}
	if r.sendPending() {
		return nil
	}
	return conflict("the decision's sending is already recorded", map[string]any{"state": r.st.Status, "case_status": r.st.Case.Status})
}

// applySendDecision records that the decision (or conclusion) reached the parties; for a
// first-instance complaint the window to lodge the second instance starts (D06, T10).
func applySendDecision(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	c := r.st.Case
	if c.Status == CaseDecided {
		c.Status = CaseSent
	}
	r.meetClock(ctx, "send_decision", on)
	r.meetClock(ctx, "conclusion_notice", on)
	r.event(ctx, "decision_sent", a.Actor.Sub, map[string]any{"on": on.String()})
	r.notify("citizen_notice", "citizen", "decision_sent", map[string]any{"event": "decision_sent"})
	if c.Kind == "complaint" && c.Level == 1 {
		return r.openAppealWindow(ctx, on)
	}
	return nil
}

// openAppealWindow starts (or restarts) the second-instance window from its start event: the
// first-instance decision received, or the first-instance deadline expired (T13).
func (r *letterRun) openAppealWindow(ctx workflow.Context, from deadline.Date) error {
	remote := string(settlementVariant("complaint", false, r.st.Intake.RemoteArea, false))
	w, err := r.startClock(ctx, ClockRequest{Name: "appeal_window", Start: from, Legs: []ClockLeg{{RuleID: "D06", Variant: remote}}, Ladder: "none"})
	if err != nil {
		return err
	}
	w.Status = ClockWindow
	return nil
}

func (r *letterRun) closeWindow(ctx workflow.Context, name string) {
	if c := r.st.Clock(name); c != nil && c.Status == ClockWindow {
		c.Status = ClockEnded
		r.event(ctx, "window_closed", "", map[string]any{"clock": name, "due_on": c.DueOn.String()})
	}
}

// barAfterTermination is the last day of the bar on a new complaint about the same matter
// after a termination notice (D11, T14).
func (r *letterRun) barAfterTermination(ctx workflow.Context, on deadline.Date) (deadline.Date, error) {
	c, err := r.computeClock(ctx, ClockRequest{Name: "bar", Start: on, Legs: []ClockLeg{{RuleID: "D11"}}, Ladder: "none"})
	return c.DueOn, err
}
