package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// setHandlers registers the intake Update, the officer action Updates, the signals and the
// state query.
func (r *letterRun) setHandlers(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateIntake,
		func(ctx workflow.Context) (Result, error) {
			// The main loop registers the letter; the caller waits for the number.
			if err := workflow.Await(ctx, func() bool { return r.registered }); err != nil {
				return Result{}, err
			}
			return r.result(), nil
		}, workflow.UpdateHandlerOptions{}); err != nil {
		return err
	}
	for name := range actions {
		if err := r.setActionHandler(ctx, name); err != nil {
			return err
		}
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (LetterState, error) { return *r.st, nil }); err != nil {
		return err
	}
	cal := workflow.GetSignalChannel(ctx, SignalCalendar)
	dup := workflow.GetSignalChannel(ctx, SignalDuplicate)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			sel := workflow.NewSelector(ctx)
			sel.AddReceive(cal, func(c workflow.ReceiveChannel, _ bool) {
				var v CalendarChanged
				c.Receive(ctx, &v)
				r.signals = append(r.signals, signal{name: SignalCalendar, cal: v})
			})
			sel.AddReceive(dup, func(c workflow.ReceiveChannel, _ bool) {
				var v DuplicateLinked
				c.Receive(ctx, &v)
				r.signals = append(r.signals, signal{name: SignalDuplicate, dup: v})
			})
			sel.Select(ctx)
		}
	})
	return nil
}

func (r *letterRun) result() Result {
	return Result{ID: r.st.ID, Number: r.st.Number, Version: r.st.Version, Status: r.st.Status, RequestHash: r.st.Intake.RequestHash}
}

// applySignals applies the signals received so far; callers hold the mutex.
func (r *letterRun) applySignals(ctx workflow.Context) error {
	if len(r.signals) == 0 {
		return nil
	}
	pending := r.signals
	r.signals = nil
	changed := false
	for _, s := range pending {
		switch s.name {
		case SignalCalendar:
			moved, err := r.recomputeClocks(ctx, s.cal)
			if err != nil {
				return err
			}
			changed = changed || moved
		case SignalDuplicate:
			r.noteDuplicate(ctx, s.dup.DuplicateID)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	r.st.Version++
	return r.persist(ctx)
}

// noteDuplicate counts a later duplicate (domain.md §3.3, T37). When the answer this letter
// waits for is already overdue, the duplicate is a reminder: a follow-up task is due now.
func (r *letterRun) noteDuplicate(ctx workflow.Context, dupID string) {
	for _, seen := range r.st.DuplicatesSeen {
		if seen == dupID {
			return
		}
	}
	r.st.DuplicatesSeen = append(r.st.DuplicatesSeen, dupID)
	r.st.DuplicateCount++
	r.event(ctx, "duplicate_linked", "", map[string]any{"duplicate_id": dupID, "duplicate_count": r.st.DuplicateCount})
	if c := r.st.Clock("answer"); c != nil && c.Running() && !workflow.Now(ctx).Before(c.DueAt) {
		r.event(ctx, "follow_up_due", "", map[string]any{"clock": "answer", "due_on": c.DueOn.String(), "reason": "duplicate received after the answer was due"})
		r.notify("follow_up_due", "officer:"+r.st.Intake.BodyID, fmt.Sprintf("dup/%s", dupID),
			map[string]any{"reason": "duplicate", "duplicate_id": dupID, "due_on": c.DueOn.String()})
	}
}

// notify queues an outbox row; the key makes a retried or replayed fire one notification.
func (r *letterRun) notify(kind, target, key string, payload map[string]any) {
	if payload == nil {
		payload = map[string]any{}
	}
	payload["letter_id"] = r.st.ID
	payload["number"] = r.st.Number
	r.st.PendingOutbox = append(r.st.PendingOutbox, Notification{
		DedupeKey: r.st.ID + "/" + kind + "/" + key, Kind: kind, Target: target, Payload: payload,
	})
}
