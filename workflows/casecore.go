package workflows

import (
	"fmt"
	"sort"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

// milestoneRef points at one milestone of a clock list.
type milestoneRef struct{ clock, ms int }

// nextMilestoneOf returns the earliest unfired milestone of the clocks that still count.
func nextMilestoneOf(clocks []Clock) (time.Time, bool) {
	var best time.Time
	for _, c := range clocks {
		if !c.Counting() {
			continue
		}
		for _, m := range c.Milestones {
			if !m.Fired && (best.IsZero() || m.At.Before(best)) {
				best = m.At
			}
		}
	}
	return best, !best.IsZero()
}

// dueMilestonesOf lists the unfired milestones whose instant has passed, in time order (ties
// keep clock order), so a case imported with old dates fires its past steps in sequence.
func dueMilestonesOf(clocks []Clock, now time.Time) []milestoneRef {
	var list []milestoneRef
	for ci, c := range clocks {
		if !c.Counting() {
			continue
		}
		for mi, m := range c.Milestones {
			if !m.Fired && !now.Before(m.At) {
				list = append(list, milestoneRef{ci, mi})
			}
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		return clocks[list[i].clock].Milestones[list[i].ms].At.Before(clocks[list[j].clock].Milestones[list[j].ms].At)
	})
	return list
}

// CaseCore is the part of a case workflow's state that every case kind has: the version the
// read model is guarded by, the audit sequence, the clocks, and what waits for the next
// persist. The voters' petition workflows embed it.
type CaseCore struct {
	Version       int64          `json:"version"`
	Seq           int64          `json:"seq"`
	Clocks        []Clock        `json:"clocks,omitempty"`
	LastEventOn   deadline.Date  `json:"last_event_on"`
	PendingEvents []Event        `json:"pending_events,omitempty"`
	PendingOutbox []Notification `json:"pending_outbox,omitempty"`
	Runs          int            `json:"runs,omitempty"` // continue-as-new generations
}

// event appends an audit event to be persisted with the next snapshot.
func (c *CaseCore) event(ctx workflow.Context, typ, actor string, data map[string]any) {
	c.Seq++
	if actor == "" {
		actor = "system"
	}
	c.PendingEvents = append(c.PendingEvents, Event{Seq: c.Seq, At: workflow.Now(ctx), Type: typ, Actor: actor, Data: data})
}

// notify queues an outbox row for the case; the key makes a replayed step one notification.
func (c *CaseCore) notify(caseID, caseKind, kind, target, key string, payload map[string]any) {
	if payload == nil {
		payload = map[string]any{}
	}
	payload["case_id"], payload["case_kind"] = caseID, caseKind
	c.PendingOutbox = append(c.PendingOutbox, Notification{
		DedupeKey: caseID + "/" + kind + "/" + key, Kind: kind, Target: target, Payload: payload,
	})
}

// Clock returns the named clock.
func (c *CaseCore) Clock(name string) *Clock {
	for i := range c.Clocks {
		if c.Clocks[i].Name == name {
			return &c.Clocks[i]
		}
	}
	return nil
}

// Overdue reports whether a clock that counts against the office has passed its due date.
func (c *CaseCore) Overdue() bool {
	for _, k := range c.Clocks {
		if k.Status == "overdue" {
			return true
		}
	}
	return false
}

// NextDue returns the earliest due instant among running clocks.
func (c *CaseCore) NextDue() (time.Time, bool) {
	var best time.Time
	for _, k := range c.Clocks {
		if k.Running() && (best.IsZero() || k.DueAt.Before(best)) {
			best = k.DueAt
		}
	}
	return best, !best.IsZero()
}

// startClock computes a clock and adds it, replacing one of the same name; the replaced due
// date stays in the audit trail.
func (c *CaseCore) startClock(ctx workflow.Context, req ClockRequest) (*Clock, error) {
	k, err := computeClock(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("compute %s clock: %w", req.Name, err)
	}
	data := map[string]any{"clock": k.Name, "rule_id": k.RuleID, "start_on": k.StartOn.String(), "due_on": k.DueOn.String()}
	if old := c.Clock(req.Name); old != nil {
		data["previous_due_on"] = old.DueOn.String()
		*old = k
		c.event(ctx, "clock_restarted", "", data)
		return old, nil
	}
	c.Clocks = append(c.Clocks, k)
	c.event(ctx, "clock_started", "", data)
	return &c.Clocks[len(c.Clocks)-1], nil
}

// startWindow starts a clock that runs against nobody (a publication date, a posting period):
// it never makes the case overdue, and its one milestone fires at the given instant.
func (c *CaseCore) startWindow(ctx workflow.Context, req ClockRequest, kind string, at func(Clock) time.Time) (*Clock, error) {
	req.Ladder = "none"
	k, err := c.startClock(ctx, req)
	if err != nil {
		return nil, err
	}
	k.Status = ClockWindow
	k.Milestones = []Milestone{{Kind: kind, At: at(*k)}}
	return k, nil
}

// meetClock stops a running clock on the date of its terminal event; after the due date it is
// recorded as late.
func (c *CaseCore) meetClock(ctx workflow.Context, name string, on deadline.Date) {
	k := c.Clock(name)
	if k == nil || !k.Running() {
		return
	}
	k.Status = "met"
	met := on
	k.MetOn = &met
	k.Late = on.After(k.DueOn)
	c.event(ctx, "clock_met", "", map[string]any{"clock": name, "due_on": k.DueOn.String(), "met_on": on.String(), "late": k.Late})
}

// endWindow closes a window clock after its milestone fired.
func (c *CaseCore) endWindow(k *Clock) {
	if k.Status == ClockWindow {
		k.Status = ClockEnded
	}
}

// actionDate checks the legal date of an officer's action: today by default, never in the
// future, never before the case's previous event.
func (c *CaseCore) actionDate(ctx workflow.Context, on *deadline.Date) (deadline.Date, error) {
	today := deadline.DateOf(workflow.Now(ctx))
	if on == nil {
		return today, nil
	}
	if on.After(today) {
		return deadline.Date{}, invalidField("on", fmt.Sprintf("%s is in the future (today is %s)", *on, today))
	}
	if on.Before(c.LastEventOn) {
		return deadline.Date{}, invalidField("on", fmt.Sprintf("%s is before the previous event of this case (%s)", *on, c.LastEventOn))
	}
	return *on, nil
}

// today is the legal date of the workflow's clock.
func today(ctx workflow.Context) deadline.Date { return deadline.DateOf(workflow.Now(ctx)) }
