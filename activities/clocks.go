package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/rulebook"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// Ladder is the office's follow-up ladder in working days around a due date.
type Ladder struct {
	WarningWD  int // warning this many working days before the due date
	HeadWD     int // escalate to the head this many working days after it
	SuperiorWD int // then to the superior body
}

// DefaultLadder is used when the worker is built without configuration (tests).
var DefaultLadder = Ladder{WarningWD: 2, HeadWD: 5, SuperiorWD: 10}

// ComputeClock computes a clock against the calendar in the database now; the result is
// recorded in the workflow's history, so a later calendar edit cannot break its replay.
func (a *Activities) ComputeClock(ctx context.Context, req workflows.ClockRequest) (workflows.Clock, error) {
	cal, err := models.LoadCalendar(ctx, a.DB)
	if err != nil {
		return workflows.Clock{}, err
	}
	return ComputeClockWith(cal, a.rules(), a.ladder(), req)
}

// ComputeClockWith is the pure part of ComputeClock, shared with the proof endpoint.
func ComputeClockWith(cal *deadline.Calendar, rules *deadline.RuleSet, ladder Ladder, req workflows.ClockRequest) (workflows.Clock, error) {
	if len(req.Legs) == 0 {
		return workflows.Clock{}, temporal.NewNonRetryableApplicationError("a clock needs at least one rule", "Invalid", nil)
	}
	start := req.Start
	var last deadline.Result
	var ids, bases []string
	legs := make([]workflows.ClockLeg, 0, len(req.Legs))
	for _, leg := range req.Legs {
		v := deadline.Variant(leg.Variant)
		if v == "" {
			v = deadline.Normal
		}
		opts := leg.Options
		opts.Proof = false
		res, rule, err := deadline.ComputeRule(cal, rules, leg.RuleID, v, start, opts)
		if err != nil {
			return workflows.Clock{}, deadlineError(fmt.Errorf("clock %s, rule %s from %s: %w", req.Name, leg.RuleID, start, err))
		}
		legs = append(legs, workflows.ClockLeg{RuleID: leg.RuleID, Variant: leg.Variant, StartOn: start, DueOn: res.DueOn, Options: opts})
		ids = append(ids, rule.ID)
		bases = append(bases, rule.LegalBasis)
		start, last = res.DueOn, res
	}
	c := workflows.Clock{
		Name: req.Name, RuleID: strings.Join(ids, "+"), Legs: legs, StartOn: req.Start,
		DueOn: last.DueOn, DueAt: last.DueAt, Status: "running", LegalBasis: strings.Join(bases, "; "), Ladder: req.Ladder,
	}
	ms, err := milestones(cal, ladder, c, req)
	if err != nil {
		return workflows.Clock{}, deadlineError(fmt.Errorf("clock %s milestones: %w", req.Name, err))
	}
	c.Milestones = ms
	return c, nil
}

// milestones places the ladder around the due date: the warning at the start of the day W
// working days before it, overdue when the period ends (24:00 on the due date), and the
// escalations at the end of the H-th and S-th working day after it.
func milestones(cal *deadline.Calendar, l Ladder, c workflows.Clock, req workflows.ClockRequest) ([]workflows.Milestone, error) {
	switch req.Ladder {
	case "none":
		return nil, nil
	case "final":
		// A finality clock has no ladder: when it ends, the decision becomes final.
		return []workflows.Milestone{{Kind: "final", At: c.DueAt}}, nil
	case "reminder":
		// A session's deadlines count backwards from its opening, so their start lies after
		// the due date: the reminder is placed W working days before the due date whatever
		// the start, then the overdue step.
		var out []workflows.Milestone
		if l.WarningWD > 0 {
			w, err := deadline.Compute(cal, deadline.Request{Start: c.DueOn, Days: l.WarningWD, Unit: deadline.WorkingDays, Direction: deadline.Backward})
			if err != nil {
				return nil, err
			}
			out = append(out, workflows.Milestone{Kind: "warning", At: w.DueOn.AddDays(-1).EndAt()})
		}
		return append(out, workflows.Milestone{Kind: "overdue", At: c.DueAt}), nil
	}
	var out []workflows.Milestone
	if l.WarningWD > 0 {
		w, err := deadline.Compute(cal, deadline.Request{Start: c.DueOn, Days: l.WarningWD, Unit: deadline.WorkingDays, Direction: deadline.Backward})
		if err != nil {
			return nil, err
		}
		at := w.DueOn.AddDays(-1).EndAt() // 00:00 on the warning day
		if w.DueOn.After(c.StartOn) {
			out = append(out, workflows.Milestone{Kind: "warning", At: at})
		}
	}
	out = append(out, workflows.Milestone{Kind: "overdue", At: c.DueAt})
	if req.Ladder != "full" {
		return out, nil
	}
	for _, step := range []struct {
		kind string
		days int
	}{{"escalate_head", l.HeadWD}, {"escalate_superior", l.SuperiorWD}} {
		r, err := deadline.Compute(cal, deadline.Request{Start: c.DueOn, Days: step.days, Unit: deadline.WorkingDays})
		if err != nil {
			return nil, err
		}
		m := workflows.Milestone{Kind: step.kind, At: r.DueAt}
		if step.kind == "escalate_superior" {
			m.Target = req.EscalateFrom
		}
		out = append(out, m)
	}
	return out, nil
}

// deadlineError makes input and coverage errors non-retryable: retrying cannot fix them.
func deadlineError(err error) error {
	if errors.Is(err, deadline.ErrInvalidInput) || errors.Is(err, deadline.ErrOutOfCoverage) || errors.Is(err, deadline.ErrUnknownRule) ||
		errors.Is(err, deadline.ErrGuard) {
		return temporal.NewNonRetryableApplicationError(err.Error(), "Invalid", err)
	}
	return err
}

func (a *Activities) rules() *deadline.RuleSet {
	if a.Rules != nil {
		return a.Rules
	}
	return rulebook.Rules()
}

func (a *Activities) ladder() Ladder {
	if a.Ladder == (Ladder{}) {
		return DefaultLadder
	}
	return a.Ladder
}
