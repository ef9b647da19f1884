package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/temporalx"
)

// sessionRun is one run of SessionCycleWorkflow.
type sessionRun struct {
	st        *SessionState
	mu        workflow.Mutex
	updates   int
	wake      bool
	ready     bool // the first snapshot is stored: Updates may act
	lastAttrs string
}

// SessionCycleWorkflow is the cycle of one NA session (domain.md §7.1, §7.3): its due dates
// (pre- and post-session synthesis D41, results report D43) with a reminder and an overdue
// step each, the collection and synthesis of the delegations' petitions, and, when the cycle
// closes, the carry-over of every open petition into the next session's monitoring.
func SessionCycleWorkflow(ctx workflow.Context, in SessionStart) error {
	r := &sessionRun{mu: workflow.NewMutex(ctx)}
	if in.State != nil {
		r.st = in.State
	} else {
		if in.Plan == nil {
			return temporal.NewNonRetryableApplicationError("a new session needs its plan", "Invalid", nil)
		}
		r.st = &SessionState{ID: in.ID, Plan: *in.Plan, Status: SessionCollecting, OfficeID: in.Actor.BodyID, CreatedBy: in.Actor}
	}
	if err := r.setHandlers(ctx); err != nil {
		return err
	}
	if r.st.Version == 0 {
		if err := r.open(ctx); err != nil {
			return err
		}
	}
	r.ready = true
	for r.st.Status != SessionClosed {
		if err := r.waitForWork(ctx); err != nil {
			return err
		}
		if err := r.mu.Lock(ctx); err != nil {
			return err
		}
		err := r.fireDue(ctx)
		r.mu.Unlock()
		if err != nil {
			return err
		}
		if r.st.Status != SessionClosed && (workflow.GetInfo(ctx).GetContinueAsNewSuggested() || r.updates >= updatesPerRun) {
			return r.continueAsNew(ctx)
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// open computes the cycle's clocks and stores the first snapshot.
func (r *sessionRun) open(ctx workflow.Context) error {
	p := r.st.Plan
	reqs := []ClockRequest{
		{Name: "pre_synthesis", Start: p.OpensOn, Legs: []ClockLeg{{RuleID: "D41a"}}, Ladder: "reminder"},
		{Name: "post_synthesis", Start: p.ClosesOn, Legs: []ClockLeg{{RuleID: "D41b"}}, Ladder: "reminder"},
	}
	if p.NextOpensOn != nil {
		reqs = append(reqs, ClockRequest{Name: "results_report", Start: *p.NextOpensOn, Legs: []ClockLeg{{RuleID: "D43"}}, Ladder: "reminder"})
	}
	r.st.event(ctx, "opened", r.st.CreatedBy.Sub, map[string]any{"term": p.Term, "number": p.Number,
		"opens_on": p.OpensOn.String(), "closes_on": p.ClosesOn.String()})
	for _, req := range reqs {
		if _, err := r.st.startClock(ctx, req); err != nil {
			return err
		}
	}
	r.st.Version = 1
	return r.persist(ctx)
}

// closeDueAt is 00:00 on the next session's opening day: the cycle's monitoring ends there.
func (r *sessionRun) closeDueAt() (time.Time, bool) {
	if r.st.Plan.NextOpensOn == nil || r.st.CloseDueFired {
		return time.Time{}, false
	}
	return r.st.Plan.NextOpensOn.AddDays(-1).EndAt(), true
}

func (r *sessionRun) waitForWork(ctx workflow.Context) error {
	cond := func() bool { return r.wake || r.st.Status == SessionClosed }
	defer func() { r.wake = false }()
	next, ok := nextMilestoneOf(r.st.Clocks)
	if at, due := r.closeDueAt(); due && (!ok || at.Before(next)) {
		next, ok = at, true
	}
	if !ok {
		return workflow.Await(ctx, cond)
	}
	d := next.Sub(workflow.Now(ctx))
	if d <= 0 {
		return nil
	}
	_, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout: d, TimerOptions: workflow.TimerOptions{Summary: "next session milestone"},
	}, cond)
	return err
}

// fireDue fires the reminders and overdue steps that are due and, at the next opening, closes
// the cycle when the next session is registered (or reminds the office to close it).
func (r *sessionRun) fireDue(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	changed := false
	for _, ref := range dueMilestonesOf(r.st.Clocks, now) {
		c := &r.st.Clocks[ref.clock]
		m := &c.Milestones[ref.ms]
		m.Fired = true
		changed = true
		key := fmt.Sprintf("%s/%d", c.Name, c.DueAt.Unix())
		data := map[string]any{"clock": c.Name, "rule_id": c.RuleID, "due_on": c.DueOn.String(), "session_id": r.st.ID}
		switch m.Kind {
		case "warning":
			r.st.event(ctx, "clock_warning", "", data)
			r.st.notify(r.st.ID, CaseKindSession, "reminder", "officer:"+r.st.OfficeID, key, data)
		case "overdue":
			c.Status = "overdue"
			r.st.event(ctx, "clock_overdue", "", data)
			r.st.notify(r.st.ID, CaseKindSession, "overdue", "supervisor:"+r.st.OfficeID, key, data)
		default:
			return fmt.Errorf("unknown session milestone %q", m.Kind)
		}
	}
	if at, due := r.closeDueAt(); due && !now.Before(at) {
		r.st.CloseDueFired = true
		changed = true
		var next string
		if err := workflow.ExecuteActivity(dbActivity(ctx), ActNextSession, r.st.ID).Get(ctx, &next); err != nil {
			return fmt.Errorf("next session of %s: %w", r.st.ID, err)
		}
		if next != "" {
			if err := r.closeCycle(ctx, next, "system", today(ctx)); err != nil {
				return err
			}
		} else {
			data := map[string]any{"next_opens_on": r.st.Plan.NextOpensOn.String(), "reason": "the next session is not registered yet"}
			r.st.event(ctx, "close_due", "", data)
			r.st.notify(r.st.ID, CaseKindSession, "close_due", "head:"+r.st.OfficeID, "close_due", data)
		}
	}
	if !changed {
		return nil
	}
	r.st.Version++
	return r.persist(ctx)
}

// persist writes the snapshot with its pending events and notifications, then keeps the
// search attributes current.
func (r *sessionRun) persist(ctx workflow.Context) error {
	if err := workflow.ExecuteActivity(dbActivity(ctx), ActPersistSession, r.st).Get(ctx, nil); err != nil {
		return fmt.Errorf("persist session %s: %w", r.st.ID, err)
	}
	r.st.PendingEvents, r.st.PendingOutbox = nil, nil
	return upsertCaseAttributes(ctx, &r.lastAttrs, CaseKindSession, r.st.Status, r.st.OfficeID, &r.st.CaseCore)
}

// upsertCaseAttributes keeps CaseKind, CaseStatus, BodyID, DueAt and Overdue current, skipping
// an upsert that would change nothing.
func upsertCaseAttributes(ctx workflow.Context, last *string, kind, status, bodyID string, c *CaseCore) error {
	due, hasDue := c.NextDue()
	key := fmt.Sprint(kind, status, bodyID, due.Unix(), hasDue, c.Overdue())
	if key == *last {
		return nil
	}
	*last = key
	updates := []temporal.SearchAttributeUpdate{
		temporalx.CaseKind.ValueSet(kind), temporalx.CaseStatus.ValueSet(status),
		temporalx.BodyID.ValueSet(bodyID), temporalx.Overdue.ValueSet(c.Overdue()),
	}
	if hasDue {
		updates = append(updates, temporalx.DueAt.ValueSet(due))
	} else {
		updates = append(updates, temporalx.DueAt.ValueUnset())
	}
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

// carryOverPage is how many open petitions one read brings when the cycle closes.
const carryOverPage = 500

// closeCycle ends the cycle: every voter petition still open (unanswered, answered but not
// settled, not yet evaluated) is told to carry over into the next session's monitoring, and
// the confirmed groups never forwarded carry over with it.
func (r *sessionRun) closeCycle(ctx workflow.Context, next, actor string, on deadline.Date) error {
	carried, after := 0, ""
	for {
		var page []string
		req := OpenVoterPetitionsRequest{SessionID: r.st.ID, After: after, Limit: carryOverPage}
		if err := workflow.ExecuteActivity(dbActivity(ctx), ActOpenVoterPetitions, req).Get(ctx, &page); err != nil {
			return fmt.Errorf("open petitions of %s: %w", r.st.ID, err)
		}
		futures := make([]workflow.Future, len(page))
		for i, id := range page {
			futures[i] = workflow.SignalExternalWorkflow(ctx, VoterPetitionWorkflowID(id), "", SignalCarryOver, CarryOver{ToSessionID: next})
		}
		for i, f := range futures {
			err := f.Get(ctx, nil)
			var ended *temporal.UnknownExternalWorkflowExecutionError
			switch {
			case err == nil:
				carried++
			case errors.As(err, &ended):
				// Its workflow finished between the read and the signal: nothing left to carry.
			default:
				return fmt.Errorf("carry over %s: %w", page[i], err)
			}
		}
		if len(page) < carryOverPage {
			break
		}
		after = page[len(page)-1]
	}
	var unforwarded int
	req := CarryOverRequest{SessionID: r.st.ID, ToSessionID: next, At: workflow.Now(ctx)}
	if err := workflow.ExecuteActivity(dbActivity(ctx), ActCarryOverUnforwarded, req).Get(ctx, &unforwarded); err != nil {
		return fmt.Errorf("carry over the unforwarded groups of %s: %w", r.st.ID, err)
	}
	for i := range r.st.Clocks {
		if c := &r.st.Clocks[i]; c.Status == "running" {
			c.Status = ClockEnded // no longer tracked; a missed one stays overdue
		}
	}
	now := workflow.Now(ctx)
	r.st.NextSessionID, r.st.CarriedOver, r.st.Status, r.st.ClosedAt = next, carried+unforwarded, SessionClosed, &now
	data := map[string]any{"next_session_id": next, "carried_over": carried, "unforwarded_carried_over": unforwarded, "on": on.String()}
	r.st.event(ctx, "closed", actor, data)
	r.st.notify(r.st.ID, CaseKindSession, "session_closed", "officer:"+r.st.OfficeID, "closed", data)
	return nil
}

func (r *sessionRun) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	r.st.Runs++
	return workflow.NewContinueAsNewError(ctx, SessionWorkflowName, SessionStart{ID: r.st.ID, State: r.st})
}
