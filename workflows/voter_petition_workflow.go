package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// vpRun is one run of VoterPetitionWorkflow.
type vpRun struct {
	st        *VoterPetitionState
	mu        workflow.Mutex
	updates   int
	wake      bool
	signals   []CarryOver
	ready     bool  // the group is claimed: Updates may act
	claimErr  error // the group could not be claimed; the forward that started the run fails
	lastAttrs string
}

// VoterPetitionWorkflow is the life of one voter petition after synthesis (domain.md §7.3):
// forwarded to the answering body with the 60-day answer clock (D42, T30) and its reminder,
// overdue flag and follow-ups; the answer classified and published 15 working days after the
// answer deadline (D44, T32) and posted for 30 days; the delegations' evaluation; and the
// carry-over into the next session's monitoring.
func VoterPetitionWorkflow(ctx workflow.Context, in VoterPetitionStart) error {
	r := &vpRun{mu: workflow.NewMutex(ctx)}
	if in.State != nil {
		r.st, r.ready = in.State, true
	} else {
		r.st = &VoterPetitionState{ID: in.ID, CreatedBy: in.Actor}
	}
	if err := r.setHandlers(ctx); err != nil {
		return err
	}
	if !r.ready {
		if err := r.claim(ctx); err != nil {
			return err
		}
	}
	for !r.done() {
		if err := r.waitForWork(ctx); err != nil {
			return err
		}
		if err := r.mu.Lock(ctx); err != nil {
			return err
		}
		err := r.applySignals(ctx)
		if err == nil {
			err = r.fireDue(ctx)
		}
		r.mu.Unlock()
		if err != nil {
			return err
		}
		if !r.done() && (workflow.GetInfo(ctx).GetContinueAsNewSuggested() || r.updates >= updatesPerRun) {
			return r.continueAsNew(ctx)
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// claim takes the confirmed group over from the session: from now on only this workflow
// writes it. A group that is not (or no longer) confirmed fails the run, so a later forward
// of a group confirmed again can start a fresh one.
func (r *vpRun) claim(ctx workflow.Context) error {
	var c Claim
	if err := workflow.ExecuteActivity(dbActivity(ctx), ActClaimVoterPetition, r.st.ID).Get(ctx, &c); err != nil {
		return fmt.Errorf("claim voter petition %s: %w", r.st.ID, err)
	}
	if !c.Found {
		msg := fmt.Sprintf("voter petition %s cannot be forwarded while it is %s; confirm the group first", r.st.ID, c.Status)
		if c.Status == "" {
			msg = fmt.Sprintf("no voter petition %s", r.st.ID)
		}
		r.claimErr = conflict(msg, map[string]any{"state": c.Status, "allowed_actions": []string{}})
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return err
		}
		return temporal.NewNonRetryableApplicationError(msg, "Conflict", nil)
	}
	st := r.st
	st.SessionID, st.OfficeID, st.Number, st.Title = c.SessionID, c.OfficeID, c.Number, c.Title
	st.DelegationIDs, st.Version, st.Seq, st.Status = c.DelegationIDs, c.Version, c.Seq, VPSynthesised
	r.ready = true
	return nil
}

// done: closed, or carried over with the session that takes it over known, and no window
// (publication, posting) still to run.
func (r *vpRun) done() bool {
	st := r.st
	if !r.ready {
		return false
	}
	terminal := st.Status == VPClosed || (st.Status == VPCarriedOver && st.CarriedTo != "")
	if !terminal {
		return false
	}
	for _, c := range st.Clocks {
		if c.Counting() {
			return false
		}
	}
	return true
}

func (r *vpRun) waitForWork(ctx workflow.Context) error {
	cond := func() bool { return r.wake || len(r.signals) > 0 }
	defer func() { r.wake = false }()
	next, ok := nextMilestoneOf(r.st.Clocks)
	if !ok {
		return workflow.Await(ctx, cond)
	}
	d := next.Sub(workflow.Now(ctx))
	if d <= 0 {
		return nil
	}
	_, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout: d, TimerOptions: workflow.TimerOptions{Summary: "next petition milestone"},
	}, cond)
	return err
}

// fireDue fires the answer clock's ladder and the publication and posting windows.
func (r *vpRun) fireDue(ctx workflow.Context) error {
	list := dueMilestonesOf(r.st.Clocks, workflow.Now(ctx))
	if len(list) == 0 {
		return nil
	}
	for _, ref := range list {
		c := &r.st.Clocks[ref.clock]
		m := &c.Milestones[ref.ms]
		m.Fired = true
		if err := r.fire(ctx, c, m); err != nil {
			return err
		}
	}
	// Publishing starts the posting window, which may move the slice the loop pointed into.
	if err := r.startPostingIfPublished(ctx); err != nil {
		return err
	}
	r.st.Version++
	return r.persist(ctx)
}

func (r *vpRun) fire(ctx workflow.Context, c *Clock, m *Milestone) error {
	st := r.st
	key := fmt.Sprintf("%s/%d", c.Name, c.DueAt.Unix())
	data := map[string]any{"clock": c.Name, "rule_id": c.RuleID, "due_on": c.DueOn.String()}
	office := st.OfficeID
	switch m.Kind {
	case "warning":
		st.event(ctx, "clock_warning", "", data)
		r.notify("reminder", "body:"+st.BodyID, key, data)
	case "overdue":
		c.Status = "overdue"
		st.event(ctx, "clock_overdue", "", data)
		r.notify("overdue", "supervisor:"+office, key, data)
		// Unanswered by the due date: it goes on the unanswered list and the office chases it.
		st.event(ctx, "follow_up_due", "", data)
		r.notify("follow_up_due", "officer:"+office, key, data)
	case "escalate_head":
		st.FollowUps++
		st.EscalationLevel = max(st.EscalationLevel, 1)
		data["count"], data["automatic"] = st.FollowUps, true
		st.event(ctx, "followed_up", "", data)
		r.notify("follow_up_letter", "body:"+st.BodyID, key+"/auto", data)
		r.notify("escalation", "head:"+office, key+"/head", data)
	case "escalate_superior":
		var superior string
		if err := workflow.ExecuteActivity(dbActivity(ctx), ActSuperiorBody, m.Target).Get(ctx, &superior); err != nil {
			return fmt.Errorf("superior of %s: %w", m.Target, err)
		}
		st.EscalationLevel = max(st.EscalationLevel, 2)
		data["level"], data["to"], data["from_body_id"] = 2, "body:"+superior, m.Target
		st.event(ctx, "escalated", "", data)
		r.notify("escalation", "body:"+superior, key+"/superior", data)
	case "publish":
		on := today(ctx)
		st.PublishedOn = &on
		if st.Status == VPAnswered {
			st.Status = VPPublished
		}
		st.endWindow(c)
		data["published_on"] = on.String()
		st.event(ctx, "published", "", data)
		for _, d := range st.DelegationIDs {
			r.notify("answer_published", "body:"+d, "published/"+d, data)
		}
	case "posting_end":
		st.endWindow(c)
		st.event(ctx, "posting_ended", "", data)
	default:
		return fmt.Errorf("unknown voter petition milestone %q", m.Kind)
	}
	return nil
}

// startPostingIfPublished opens the 30-day posting at the reception office (D44b) from the
// publication day, once.
func (r *vpRun) startPostingIfPublished(ctx workflow.Context) error {
	if r.st.PublishedOn == nil || r.st.Clock("posting") != nil {
		return nil
	}
	_, err := r.st.startWindow(ctx, ClockRequest{Name: "posting", Start: *r.st.PublishedOn, Legs: []ClockLeg{{RuleID: "D44b"}}},
		"posting_end", func(c Clock) time.Time { return c.DueAt })
	return err
}

func (r *vpRun) notify(kind, target, key string, payload map[string]any) {
	if payload == nil {
		payload = map[string]any{}
	}
	payload["number"] = r.st.Number
	r.st.notify(r.st.ID, CaseKindVoterPetition, kind, target, key, payload)
}

// applySignals applies the carry-over a closing session sent.
func (r *vpRun) applySignals(ctx workflow.Context) error {
	if len(r.signals) == 0 {
		return nil
	}
	pending := r.signals
	r.signals = nil
	changed := false
	for _, s := range pending {
		st := r.st
		switch {
		case st.Status == VPCarriedOver && st.CarriedTo == "":
			st.CarriedTo = s.ToSessionID
		case st.Status == VPAwaitingAnswer || st.Status == VPAnswered || st.Status == VPPublished || st.Status == VPSynthesised:
			if st.CarriedOver && st.CarriedTo == s.ToSessionID {
				continue
			}
			st.CarriedOver, st.CarriedTo = true, s.ToSessionID
		default:
			continue
		}
		changed = true
		data := map[string]any{"to_session_id": s.ToSessionID, "reason": "the session cycle closed", "status": st.Status}
		st.event(ctx, "carried_over", "", data)
		r.notify("carried_over", "officer:"+st.OfficeID, "carried/"+s.ToSessionID, data)
	}
	if !changed {
		return nil
	}
	r.st.Version++
	return r.persist(ctx)
}

func (r *vpRun) persist(ctx workflow.Context) error {
	if err := workflow.ExecuteActivity(dbActivity(ctx), ActPersistVoterPetition, r.st).Get(ctx, nil); err != nil {
		return fmt.Errorf("persist voter petition %s: %w", r.st.ID, err)
	}
	r.st.PendingEvents, r.st.PendingOutbox = nil, nil
	return upsertCaseAttributes(ctx, &r.lastAttrs, CaseKindVoterPetition, r.st.Status, r.st.BodyID, &r.st.CaseCore)
}

func (r *vpRun) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	if err := r.mu.Lock(ctx); err != nil {
		return err
	}
	err := r.applySignals(ctx)
	r.mu.Unlock()
	if err != nil {
		return err
	}
	r.st.Runs++
	return workflow.NewContinueAsNewError(ctx, VoterPetitionWorkflowName, VoterPetitionStart{ID: r.st.ID, State: r.st})
}
