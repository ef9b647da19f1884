package workflows

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

type vpSpec struct {
	from  []string
	check func(r *vpRun, a VPAction, on deadline.Date) error
	apply func(r *vpRun, ctx workflow.Context, a VPAction, on deadline.Date) error
}

// vpActions is the voter petition's state machine (domain.md §7.2) as data.
var vpActions = map[string]vpSpec{
	"forward":   {from: []string{VPSynthesised, VPAwaitingAnswer}, check: checkVPForward, apply: applyVPForward},
	"answer":    {from: []string{VPAwaitingAnswer}, check: checkVPAnswer, apply: applyVPAnswer},
	"follow-up": {from: []string{VPAwaitingAnswer}, apply: applyVPFollowUp},
	"evaluate":  {from: []string{VPAnswered, VPPublished}, apply: applyVPEvaluate},
}

// VPActionNames lists the voter petition Updates in a stable order.
func VPActionNames() []string {
	out := make([]string, 0, len(vpActions))
	for n := range vpActions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// VPAllowedActions lists the actions allowed in a status.
func VPAllowedActions(status string) []string {
	out := []string{}
	for _, n := range VPActionNames() {
		if slices.Contains(vpActions[n].from, status) {
			out = append(out, n)
		}
	}
	return out
}

func (r *vpRun) setHandlers(ctx workflow.Context) error {
	for name, spec := range vpActions {
		if err := r.setActionHandler(ctx, name, spec); err != nil {
			return err
		}
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (VoterPetitionState, error) { return *r.st, nil }); err != nil {
		return err
	}
	ch := workflow.GetSignalChannel(ctx, SignalCarryOver)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var v CarryOver
			ch.Receive(ctx, &v)
			r.signals = append(r.signals, v)
		}
	})
	return nil
}

func (r *vpRun) result() Result {
	return Result{ID: r.st.ID, Number: r.st.Number, Version: r.st.Version, Status: r.st.Status}
}

func (r *vpRun) setActionHandler(ctx workflow.Context, name string, spec vpSpec) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, a VPAction) (Result, error) {
			// The forward that starts the run waits for the claim.
			if err := workflow.Await(ctx, func() bool { return r.ready || r.claimErr != nil }); err != nil {
				return Result{}, err
			}
			if r.claimErr != nil {
				return Result{}, r.claimErr
			}
			if err := r.mu.Lock(ctx); err != nil {
				return Result{}, err
			}
			defer r.mu.Unlock()
			on, err := r.check(ctx, name, spec, a)
			if err != nil {
				return Result{}, err
			}
			r.updates++
			if err := spec.apply(r, ctx, a, on); err != nil {
				return Result{}, err
			}
			r.st.LastEventOn = on
			r.st.Version++
			r.wake = true
			if err := r.persist(ctx); err != nil {
				return Result{}, err
			}
			return r.result(), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, a VPAction) error {
			if !r.ready {
				return nil // checked by the handler once the group is claimed
			}
			_, err := r.check(ctx, name, spec, a)
			return err
		}})
}

func (r *vpRun) check(ctx workflow.Context, name string, spec vpSpec, a VPAction) (deadline.Date, error) {
	st := r.st
	if !slices.Contains(spec.from, st.Status) {
		return deadline.Date{}, conflict(fmt.Sprintf("%s is not allowed while the petition is %s", name, st.Status),
			map[string]any{"state": st.Status, "allowed_actions": VPAllowedActions(st.Status)})
	}
	if a.IfMatch != nil && *a.IfMatch != st.Version {
		return deadline.Date{}, conflict(fmt.Sprintf("the petition changed: If-Match %d, current version %d", *a.IfMatch, st.Version),
			map[string]any{"state": st.Status, "version": st.Version})
	}
	on, err := st.actionDate(ctx, a.On)
	if err != nil {
		return on, err
	}
	if spec.check != nil {
		if err := spec.check(r, a, on); err != nil {
			return on, err
		}
	}
	return on, nil
}

func checkVPForward(r *vpRun, a VPAction, on deadline.Date) error {
	if a.ToBodyID == "" {
		return invalidField("to_body_id", "is required")
	}
	if a.ToBodyID == r.st.BodyID {
		return invalidField("to_body_id", "the petition is already with "+a.ToBodyID)
	}
	if a.ReceivedOn != nil {
		if a.ReceivedOn.Before(on) {
			return invalidField("received_on", fmt.Sprintf("%s is before the forwarding date %s", *a.ReceivedOn, on))
		}
	}
	return nil
}

// applyVPForward sends the petition to the answering body; its 60-day answer clock (D42) runs
// from the body's receipt, which for an electronic transfer is the forwarding date (T30). A
// second forward (the first body was not competent) restarts the clock; every hop is kept.
func applyVPForward(r *vpRun, ctx workflow.Context, a VPAction, on deadline.Date) error {
	st := r.st
	received := on
	if a.ReceivedOn != nil {
		received = *a.ReceivedOn
	}
	hop := Hop{From: st.BodyID, To: a.ToBodyID, On: on, Note: a.Note}
	if hop.From == "" {
		hop.From = st.OfficeID
	}
	st.Hops = append(st.Hops, hop)
	st.BodyID, st.ReceivedOn, st.Status = a.ToBodyID, &received, VPAwaitingAnswer
	st.event(ctx, "forwarded", a.Actor.Sub, map[string]any{"from": hop.From, "to": hop.To, "on": on.String(),
		"received_on": received.String(), "hop": len(st.Hops)})
	r.notify("forwarding", "body:"+a.ToBodyID, "forward/"+a.ToBodyID+"/"+on.String(), map[string]any{"received_on": received.String()})
	_, err := st.startClock(ctx, ClockRequest{Name: "answer", Start: received, Legs: []ClockLeg{{RuleID: "D42"}}, Ladder: "full", EscalateFrom: a.ToBodyID})
	return err
}

func checkVPAnswer(r *vpRun, a VPAction, on deadline.Date) error {
	if !slices.Contains(AnswerClasses, a.Class) {
		return invalidField("class", fmt.Sprintf("must be one of %v", AnswerClasses))
	}
	if a.Reason != "" && a.Class != "in_progress" {
		return invalidField("reason", "only an in_progress answer has a reason")
	}
	answered := on
	if a.AnsweredOn != nil {
		answered = *a.AnsweredOn
	}
	if answered.After(on) {
		return invalidField("answered_on", fmt.Sprintf("%s is in the future (today is %s)", answered, on))
	}
	if r.st.ReceivedOn != nil && answered.Before(*r.st.ReceivedOn) {
		return invalidField("answered_on", fmt.Sprintf("%s is before the body received the petition (%s)", answered, *r.st.ReceivedOn))
	}
	return nil
}

// applyVPAnswer records the answer: the answer clock is met (late after its due date), the
// delegations are told at once so they inform the voters (NQLT72 49(3)), and publication
// opens 15 working days after the answer deadline (D44a, T32).
func applyVPAnswer(r *vpRun, ctx workflow.Context, a VPAction, on deadline.Date) error {
	st := r.st
	answered := on
	if a.AnsweredOn != nil {
		answered = *a.AnsweredOn
	}
	st.meetClock(ctx, "answer", answered)
	late := false
	due := answered
	if c := st.Clock("answer"); c != nil {
		late, due = c.Late, c.DueOn
	}
	st.Answer = &VPAnswer{Class: a.Class, Reason: a.Reason, Summary: a.Summary, DocumentNo: a.DocumentNo, AnsweredOn: answered, Late: late, By: a.Actor.Sub}
	st.Status = VPAnswered
	data := map[string]any{"class": a.Class, "answered_on": answered.String(), "late": late, "body_id": st.BodyID}
	if a.Reason != "" {
		data["reason"] = a.Reason
	}
	st.event(ctx, "answered", a.Actor.Sub, data)
	for _, d := range st.DelegationIDs {
		r.notify("answer_received", "body:"+d, "answer/"+d+"/"+answered.String(), map[string]any{"class": a.Class})
	}
	_, err := st.startWindow(ctx, ClockRequest{Name: "publish", Start: due, Legs: []ClockLeg{{RuleID: "D44a"}}},
		"publish", func(c Clock) time.Time { return c.DueOn.AddDays(-1).EndAt() }) // from 00:00 on the publication day
	return err
}

func applyVPFollowUp(r *vpRun, ctx workflow.Context, a VPAction, on deadline.Date) error {
	st := r.st
	st.FollowUps++
	st.event(ctx, "followed_up", a.Actor.Sub, map[string]any{"on": on.String(), "count": st.FollowUps, "note": a.Note})
	r.notify("follow_up_letter", "body:"+st.BodyID, fmt.Sprintf("followup/%d", st.FollowUps), map[string]any{"count": st.FollowUps})
	return nil
}

// applyVPEvaluate records a delegation's evaluation: satisfied closes the petition; an
// unsatisfied answer carries it over into the next session's monitoring (domain.md §7.1 item
// 10), linked to that session when it is known.
func applyVPEvaluate(r *vpRun, ctx workflow.Context, a VPAction, on deadline.Date) error {
	st := r.st
	satisfied := a.Satisfied != nil && *a.Satisfied
	st.Evaluation = &VPEvaluation{Satisfied: satisfied, Note: a.Note, On: on, By: a.Actor.Sub, BodyID: a.Actor.BodyID}
	st.event(ctx, "evaluated", a.Actor.Sub, map[string]any{"satisfied": satisfied, "on": on.String(), "body_id": a.Actor.BodyID})
	if satisfied {
		now := workflow.Now(ctx)
		st.Status, st.ClosedAt = VPClosed, &now
		st.event(ctx, "closed", a.Actor.Sub, map[string]any{"on": on.String(), "reason": "evaluated satisfied"})
		return nil
	}
	if st.CarriedTo == "" {
		var next string
		if err := workflow.ExecuteActivity(dbActivity(ctx), ActNextSession, st.SessionID).Get(ctx, &next); err != nil {
			return fmt.Errorf("next session of %s: %w", st.SessionID, err)
		}
		st.CarriedTo = next
	}
	st.Status, st.CarriedOver = VPCarriedOver, true
	data := map[string]any{"to_session_id": st.CarriedTo, "reason": "answer evaluated unsatisfactory", "on": on.String()}
	st.event(ctx, "carried_over", a.Actor.Sub, data)
	r.notify("carried_over", "officer:"+st.OfficeID, "carried/eval", data)
	return nil
}
