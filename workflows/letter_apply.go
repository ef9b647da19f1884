package workflows

import (
	"strconv"

	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

// The processing clock (D33) stops at the office's first outcome for the letter, and so
// does the reception notice clock (D30) of a letter received at a reception visit.
func (r *letterRun) outcome(ctx workflow.Context, on deadline.Date) {
	r.meetClock(ctx, "processing", on)
	r.meetClock(ctx, "review", on)
	r.meetClock(ctx, "report_request", on)
	r.meetReceptionNotice(ctx, on)
}

func applyAssign(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	prev := r.st.Assignee
	r.st.Assignee = a.Assignee
	r.event(ctx, "assigned", a.Actor.Sub, map[string]any{"assignee": a.Assignee, "previous": prev, "on": on.String()})
	return nil
}

func applyClassify(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	r.st.Classification = &Classification{Kind: a.Kind, Field: a.Field, Topic: a.Topic, Eligible: a.Eligible,
		IneligibleReason: a.IneligibleReason, Competent: a.Competent}
	r.st.Status = StatusClassified
	if err := r.protectIfNeeded(ctx, a.Kind); err != nil {
		return err
	}
	// Histories recorded before the settlement track existed must replay without it.
	if workflow.GetVersion(ctx, "settlement-track", workflow.DefaultVersion, 1) != workflow.DefaultVersion {
		if err := r.openCase(ctx, a, on); err != nil {
			return err
		}
	}
	data := map[string]any{"kind": a.Kind, "field": a.Field, "topic": a.Topic, "on": on.String()}
	if a.Eligible != nil {
		data["eligible"] = *a.Eligible
	}
	if a.Competent != nil {
		data["competent"] = *a.Competent
	}
	r.event(ctx, "classified", a.Actor.Sub, data)
	return nil
}

func checkDuplicate(r *letterRun, a Action, _ deadline.Date) error {
	if a.DuplicateOf == r.st.ID {
		return invalidField("duplicate_of", "a letter cannot duplicate itself")
	}
	return nil
}

// applyDuplicate files the letter as an ineligible duplicate and tells the original, which
// counts it and, when its answer is overdue, raises a follow-up (T37).
func applyDuplicate(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	no := false
	r.st.DuplicateOf = a.DuplicateOf
	if r.st.Classification == nil {
		r.st.Classification = &Classification{Kind: r.st.Intake.Kind}
	}
	r.st.Classification.Eligible = &no
	r.st.Classification.IneligibleReason = "duplicate"
	r.st.Status = StatusFiled
	r.st.FiledReason = "duplicate"
	r.event(ctx, "marked_duplicate", a.Actor.Sub, map[string]any{"duplicate_of": a.DuplicateOf, "on": on.String()})
	r.outcome(ctx, on)
	err := workflow.SignalExternalWorkflow(ctx, LetterWorkflowID(a.DuplicateOf), "", SignalDuplicate,
		DuplicateLinked{DuplicateID: r.st.ID}).Get(ctx, nil)
	if err != nil {
		// The original's workflow has closed: note the duplicate on its stored record instead.
		note := DuplicateNote{OriginalID: a.DuplicateOf, DuplicateID: r.st.ID, At: workflow.Now(ctx)}
		if err := r.db(ctx, ActNoteDuplicate, note).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

func checkForward(r *letterRun, a Action, _ deadline.Date) error {
	if a.ToBodyID == r.st.BodyID && r.st.Status != StatusClassified {
		return invalidField("to_body_id", "the letter is already with "+a.ToBodyID)
	}
	if a.ToBodyID == r.st.Intake.BodyID {
		return invalidField("to_body_id", "cannot forward a letter to the office that received it")
	}
	return nil
}

// applyForward moves the letter to the competent body and (re)starts the expected-answer
// clock (domain.md §3.5) from the forwarding date; every hop stays in the history.
func applyForward(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	hop := Hop{From: r.st.BodyID, To: a.ToBodyID, On: on, Note: a.Note}
	r.st.Hops = append(r.st.Hops, hop)
	r.st.BodyID = a.ToBodyID
	r.st.Status = StatusAwaitingResponse
	r.event(ctx, "forwarded", a.Actor.Sub, map[string]any{"from": hop.From, "to": hop.To, "on": on.String(), "hop": len(r.st.Hops)})
	r.notify("citizen_notice", "citizen", "forwarded/"+a.ToBodyID, map[string]any{"event": "forwarded", "to_body_id": a.ToBodyID})
	r.notify("forwarding_slip", "body:"+a.ToBodyID, "slip/"+a.ToBodyID, map[string]any{"from_body_id": hop.From})
	r.outcome(ctx, on)
	r.meetClock(ctx, "forward_by", on)
	_, err := r.startClock(ctx, ClockRequest{Name: "answer", Start: on, Legs: answerLegs(r.kind(), r.st.Intake.RemoteArea),
		Ladder: "full", EscalateFrom: a.ToBodyID})
	return err
}

// kind is the classified kind, or the one given at intake.
func (r *letterRun) kind() string {
	if r.st.Classification != nil && r.st.Classification.Kind != "" {
		return r.st.Classification.Kind
	}
	return r.st.Intake.Kind
}

// answerLegs is the legal path of the receiving body plus its 7-working-day report window
// (LTCD 27(2)); a recommendation uses the office's configurable default (rule P01).
func answerLegs(kind string, remote bool) []ClockLeg {
	settle := ""
	if remote {
		settle = "remote"
	}
	switch kind {
	case "complaint", "mixed":
		return []ClockLeg{{RuleID: "D03"}, {RuleID: "D04", Variant: settle}, {RuleID: "D31"}}
	case "denunciation":
		return []ClockLeg{{RuleID: "D20"}, {RuleID: "D24"}, {RuleID: "D31"}}
	default:
		return []ClockLeg{{RuleID: "P01"}, {RuleID: "D31"}}
	}
}

func applyGuide(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	r.st.Guidance = a.Text
	r.st.Status = StatusGuided
	r.event(ctx, "guided", a.Actor.Sub, map[string]any{"on": on.String()})
	r.notify("citizen_notice", "citizen", "guided", map[string]any{"event": "guided"})
	r.outcome(ctx, on)
	return nil
}

func applyFile(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	r.st.FiledReason = a.Reason
	r.st.Status = StatusFiled
	r.event(ctx, "filed", a.Actor.Sub, map[string]any{"reason": a.Reason, "on": on.String()})
	r.outcome(ctx, on)
	return nil
}

func applyWatch(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	r.st.Status = StatusWatch
	r.event(ctx, "watch", a.Actor.Sub, map[string]any{"on": on.String(), "note": a.Note})
	r.outcome(ctx, on)
	return nil
}

// applyFollowUp records a follow-up letter to the agency and schedules the next reminder.
func applyFollowUp(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	r.st.FollowUps++
	r.event(ctx, "followed_up", a.Actor.Sub, map[string]any{"on": on.String(), "count": r.st.FollowUps, "note": a.Note})
	r.notify("follow_up_letter", "body:"+r.st.BodyID, "followup/"+strconv.Itoa(r.st.FollowUps), map[string]any{"count": r.st.FollowUps})
	return nil
}

func checkResponse(r *letterRun, a Action, on deadline.Date) error {
	if a.ReceivedOn != nil && len(r.st.Hops) > 0 && a.ReceivedOn.Before(r.st.Hops[len(r.st.Hops)-1].On) {
		return invalidField("received_on", "is before the letter was forwarded")
	}
	if a.ReceivedOn != nil && a.ReceivedOn.After(on) {
		return invalidField("received_on", "is after the date of this action")
	}
	if a.ResolvedOn != nil && a.ReceivedOn != nil && a.ResolvedOn.After(*a.ReceivedOn) {
		return invalidField("resolved_on", "is after received_on")
	}
	return nil
}

// applyResponse records the agency's answer: the answer clock is met, the agency's report
// window (D31, from its resolution date) is judged, and the citizen-notice clock (D32) starts.
func applyResponse(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	received := on
	if a.ReceivedOn != nil {
		received = *a.ReceivedOn
	}
	resp := Response{FromBodyID: a.FromBodyID, ReceivedOn: received, ResolvedOn: a.ResolvedOn, Outcome: a.Outcome, Summary: a.Summary}
	r.st.Responses = append(r.st.Responses, resp)
	r.st.Status = StatusResponseReceived
	r.event(ctx, "response_recorded", a.Actor.Sub, map[string]any{"from_body_id": a.FromBodyID, "received_on": received.String(), "outcome": a.Outcome})
	r.meetClock(ctx, "answer", received)
	if a.ResolvedOn != nil {
		if _, err := r.startClock(ctx, ClockRequest{Name: "agency_report", Start: *a.ResolvedOn, Legs: []ClockLeg{{RuleID: "D31"}}, Ladder: "none"}); err != nil {
			return err
		}
		r.meetClock(ctx, "agency_report", received)
	}
	_, err := r.startClock(ctx, ClockRequest{Name: "citizen_notice", Start: received, Legs: []ClockLeg{{RuleID: "D32"}}, Ladder: "due_only"})
	return err
}

func applyEvaluate(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	satisfied := a.Satisfied != nil && *a.Satisfied
	r.st.Evaluation = map[string]any{"satisfied": satisfied, "note": a.Note, "on": on.String()}
	r.event(ctx, "evaluated", a.Actor.Sub, map[string]any{"satisfied": satisfied, "on": on.String()})
	if satisfied {
		return r.closeLetter(ctx, a.Actor.Sub, on, "evaluated")
	}
	// Not satisfied: the office keeps supervising (LTCQH 28(3)).
	r.st.Status = StatusWatch
	return nil
}

func applyWithdraw(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	data := map[string]any{"on": on.String(), "partial": a.Partial}
	if c := r.st.Case; c != nil && !a.Partial && c.Kind == "complaint" {
		// The termination notice bars a new complaint on the same matter for 30 days (T14).
		bar, err := r.barAfterTermination(ctx, on)
		if err != nil {
			return err
		}
		c.Status = CaseTerminated
		data["bar_until"] = bar.String()
	}
	r.event(ctx, "withdrawn", a.Actor.Sub, data)
	if a.Partial {
		return nil
	}
	return r.closeLetter(ctx, a.Actor.Sub, on, "withdrawn")
}

func applyClose(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	return r.closeLetter(ctx, a.Actor.Sub, on, "closed")
}

// closeLetter stops every clock; the main loop then lets the run complete.
func (r *letterRun) closeLetter(ctx workflow.Context, actor string, on deadline.Date, why string) error {
	for _, c := range r.st.Clocks {
		r.meetClock(ctx, c.Name, on)
	}
	now := workflow.Now(ctx)
	r.st.ClosedAt = &now
	r.st.Status = StatusClosed
	r.event(ctx, "closed", actor, map[string]any{"on": on.String(), "reason": why})
	return nil
}

// protectIfNeeded moves the senders into the identity vault when a letter is classified as a
// denunciation (or mixed) after an intake that did not protect them.
func (r *letterRun) protectIfNeeded(ctx workflow.Context, kind string) error {
	in := &r.st.Intake
	probe := *in
	probe.Kind = kind
	if in.Protected || len(in.Senders) == 0 || !probe.NeedsProtection() {
		return nil
	}
	// Histories recorded before this step existed must replay without it.
	if workflow.GetVersion(ctx, "protect-identity-on-classify", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	var pseudonym string
	req := ProtectRequest{LetterID: r.st.ID, Kind: kind, Senders: in.Senders}
	if err := r.db(ctx, ActProtectIdentity, req).Get(ctx, &pseudonym); err != nil {
		return err
	}
	in.Protected, in.Pseudonym, in.Senders = true, pseudonym, nil
	r.event(ctx, "identity_protected", "", map[string]any{"pseudonym": pseudonym})
	return nil
}
