package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

// fireDueMilestones fires, in time order, every milestone whose instant has passed. A
// historical letter imported with an old received date fires its past milestones at once.
// Callers hold the mutex.
func (r *letterRun) fireDueMilestones(ctx workflow.Context) error {
	list := dueMilestonesOf(r.st.Clocks, workflow.Now(ctx))
	if len(list) == 0 {
		return nil
	}
	var appealFrom *deadline.Date
	for _, d := range list {
		c := &r.st.Clocks[d.clock]
		m := &c.Milestones[d.ms]
		if err := r.fire(ctx, c, m); err != nil {
			return err
		}
		if k := r.st.Case; m.Kind == "overdue" && c.Name == "settlement" && k != nil && k.Kind == "complaint" && k.Level == 1 {
			due := c.DueOn
			appealFrom = &due
		}
	}
	// Started after the loop: a new clock may move the slice the loop points into. A
	// first-instance deadline that expires without a decision opens the second-instance
	// window from that day (LKN 33, T13).
	if appealFrom != nil {
		if err := r.openAppealWindow(ctx, *appealFrom); err != nil {
			return err
		}
	}
	r.st.Version++
	return r.persist(ctx)
}

func (r *letterRun) fire(ctx workflow.Context, c *Clock, m *Milestone) error {
	m.Fired = true
	key := fmt.Sprintf("%s/%d", c.Name, c.DueAt.Unix())
	data := map[string]any{"clock": c.Name, "rule_id": c.RuleID, "due_on": c.DueOn.String()}
	office := "officer:" + r.st.Intake.BodyID
	switch m.Kind {
	case "warning":
		r.event(ctx, "clock_warning", "", data)
		r.notify("warning", office, key, data)
	case "overdue":
		c.Status = "overdue"
		r.event(ctx, "clock_overdue", "", data)
		r.notify("overdue", "supervisor:"+r.st.Intake.BodyID, key, data)
		if c.Name == "answer" {
			// No answer by the expected date: the officer drafts a follow-up (domain.md §3.5).
			r.event(ctx, "follow_up_due", "", data)
			r.notify("follow_up_due", office, key, data)
		}
	case "escalate_head":
		r.st.EscalationLevel = max(r.st.EscalationLevel, 1)
		data["level"], data["to"] = 1, "head:"+r.st.Intake.BodyID
		r.event(ctx, "escalated", "", data)
		r.notify("escalation", "head:"+r.st.Intake.BodyID, key+"/head", data)
	case "escalate_superior":
		var superior string
		if err := r.db(ctx, ActSuperiorBody, m.Target).Get(ctx, &superior); err != nil {
			return fmt.Errorf("superior of %s: %w", m.Target, err)
		}
		r.st.EscalationLevel = max(r.st.EscalationLevel, 2)
		data["level"], data["to"], data["from_body_id"] = 2, "body:"+superior, m.Target
		r.event(ctx, "escalated", "", data)
		r.notify("escalation", "body:"+superior, key+"/superior", data)
	case "final":
		c.Status = ClockEnded
		if k := r.st.Case; k != nil && k.Status != CaseFinal {
			k.Status = CaseFinal
		}
		r.event(ctx, "decision_final", "", data)
	case "follow_up_due":
		r.event(ctx, "follow_up_due", "", data)
		r.notify("follow_up_due", office, fmt.Sprintf("%s/%d", key, m.At.Unix()), data)
	default:
		return fmt.Errorf("unknown milestone kind %q", m.Kind)
	}
	return nil
}

// startClock computes a clock and adds it, replacing a clock of the same name (a transfer
// restarts the answer clock; the old due date stays in the audit trail).
func (r *letterRun) startClock(ctx workflow.Context, req ClockRequest) (*Clock, error) {
	c, err := r.computeClock(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("compute %s clock: %w", req.Name, err)
	}
	data := map[string]any{"clock": c.Name, "rule_id": c.RuleID, "start_on": c.StartOn.String(), "due_on": c.DueOn.String()}
	if old := r.st.Clock(req.Name); old != nil {
		data["previous_due_on"] = old.DueOn.String()
		*old = c
		r.event(ctx, "clock_restarted", "", data)
		return old, nil
	}
	r.st.Clocks = append(r.st.Clocks, c)
	r.event(ctx, "clock_started", "", data)
	return &r.st.Clocks[len(r.st.Clocks)-1], nil
}

// meetClock stops a running clock on the date its terminal event happened; completing after
// the due date is recorded as late (reports count "completed late" apart from "overdue open").
func (r *letterRun) meetClock(ctx workflow.Context, name string, on deadline.Date) {
	c := r.st.Clock(name)
	if c == nil || !c.Running() {
		return
	}
	c.Status = "met"
	met := on
	c.MetOn = &met
	c.Late = on.After(c.DueOn)
	r.event(ctx, "clock_met", "", map[string]any{"clock": name, "due_on": c.DueOn.String(), "met_on": on.String(), "late": c.Late})
}

// recomputeClocks re-derives every running clock after a calendar change; a clock whose due
// date moves records the old and new dates and gets fresh milestones (T28).
func (r *letterRun) recomputeClocks(ctx workflow.Context, change CalendarChanged) (bool, error) {
	moved := false
	for i := range r.st.Clocks {
		old := r.st.Clocks[i]
		if !old.Counting() {
			continue
		}
		c, err := r.computeClock(ctx, RecomputeRequest(old))
		if err != nil {
			return false, fmt.Errorf("recompute %s clock: %w", old.Name, err)
		}
		if c.DueOn == old.DueOn {
			continue
		}
		// Milestones already fired stay fired when their new instant has also passed.
		now := workflow.Now(ctx)
		for mi := range c.Milestones {
			for _, om := range old.Milestones {
				if om.Kind == c.Milestones[mi].Kind && om.Fired && !now.Before(c.Milestones[mi].At) {
					c.Milestones[mi].Fired = true
				}
			}
		}
		if old.Status == "overdue" && now.Before(c.DueAt) {
			c.Status = "running"
		} else {
			c.Status = old.Status
		}
		r.st.Clocks[i] = c
		moved = true
		r.event(ctx, "clock_recomputed", "", map[string]any{"clock": c.Name, "old_due_on": old.DueOn.String(),
			"new_due_on": c.DueOn.String(), "calendar_day": change.Day.String(), "change_id": change.ChangeID})
	}
	return moved, nil
}

// RecomputeRequest is the request that computes clock c again from its own inputs (start,
// rules, variants, extensions, suspensions): what a letter does when the calendar changes,
// and what the fan-out uses to predict whether it will.
func RecomputeRequest(c Clock) ClockRequest {
	return ClockRequest{Name: c.Name, Start: c.StartOn, Legs: legsOf(c), Ladder: c.Ladder, EscalateFrom: escalateFrom(c)}
}

func legsOf(c Clock) []ClockLeg {
	legs := make([]ClockLeg, len(c.Legs))
	for i, l := range c.Legs {
		legs[i] = ClockLeg{RuleID: l.RuleID, Variant: l.Variant, Options: l.Options}
	}
	return legs
}

func escalateFrom(c Clock) string {
	for _, m := range c.Milestones {
		if m.Kind == "escalate_superior" {
			return m.Target
		}
	}
	return ""
}
