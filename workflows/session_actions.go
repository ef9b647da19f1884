package workflows

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

type sessionSpec struct {
	check func(r *sessionRun, a SessionAction, on deadline.Date) error
	apply func(r *sessionRun, ctx workflow.Context, a SessionAction, on deadline.Date, res *SessionResult) error
}

// sessionActions are the officers' Updates of a session cycle; every one needs the cycle open.
var sessionActions = map[string]sessionSpec{
	"collect":        {check: checkCollect, apply: applyCollect},
	"synthesize":     {apply: applySynthesize},
	"groups":         {check: checkGroups, apply: applyGroups},
	"schedule":       {check: checkSchedule, apply: applySchedule},
	"report-results": {check: checkReportResults, apply: applyReportResults},
	"close":          {check: checkClose, apply: applyCloseCycle},
}

// SessionActionNames lists the session Updates in a stable order.
func SessionActionNames() []string {
	out := make([]string, 0, len(sessionActions))
	for n := range sessionActions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// GroupActions are the edits officers make to the synthesis.
var GroupActions = []string{"confirm", "merge", "split", "finalize"}

var groupEvents = map[string]string{"confirm": "groups_confirmed", "merge": "groups_merged", "split": "group_split", "finalize": "synthesis_finalized"}

func (r *sessionRun) setHandlers(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateOpenSession,
		func(ctx workflow.Context) (SessionResult, error) {
			if err := workflow.Await(ctx, func() bool { return r.ready }); err != nil {
				return SessionResult{}, err
			}
			return r.result(), nil
		}, workflow.UpdateHandlerOptions{}); err != nil {
		return err
	}
	for name, spec := range sessionActions {
		if err := r.setActionHandler(ctx, name, spec); err != nil {
			return err
		}
	}
	return workflow.SetQueryHandler(ctx, QueryState, func() (SessionState, error) { return *r.st, nil })
}

func (r *sessionRun) result() SessionResult {
	return SessionResult{ID: r.st.ID, Version: r.st.Version, Status: r.st.Status, RequestHash: r.st.Plan.RequestHash}
}

func (r *sessionRun) setActionHandler(ctx workflow.Context, name string, spec sessionSpec) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, a SessionAction) (SessionResult, error) {
			if err := r.mu.Lock(ctx); err != nil {
				return SessionResult{}, err
			}
			defer r.mu.Unlock()
			on, err := r.check(ctx, name, spec, a)
			if err != nil {
				return SessionResult{}, err
			}
			r.updates++
			res := SessionResult{}
			if err := spec.apply(r, ctx, a, on, &res); err != nil {
				return SessionResult{}, err
			}
			// A cycle's acts are independent of each other (petitions collected today, a
			// synthesis finalized on paper last month), so they are not kept in date order.
			r.st.Version++
			r.wake = true
			if err := r.persist(ctx); err != nil {
				return SessionResult{}, err
			}
			out := r.result()
			out.Collected, out.Synthesis, out.Groups, out.CarriedOver = res.Collected, res.Synthesis, res.Groups, res.CarriedOver
			return out, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, a SessionAction) error {
			_, err := r.check(ctx, name, spec, a)
			return err
		}})
}

// check is read-only, so it is also the validator: a rejected action leaves no history.
func (r *sessionRun) check(ctx workflow.Context, name string, spec sessionSpec, a SessionAction) (deadline.Date, error) {
	if !r.ready {
		return deadline.Date{}, conflict("the session is still being opened; retry in a moment", map[string]any{"state": r.st.Status})
	}
	if r.st.Status != SessionCollecting {
		return deadline.Date{}, conflict(fmt.Sprintf("%s is not allowed: the session cycle is %s", name, r.st.Status),
			map[string]any{"state": r.st.Status, "allowed_actions": []string{}})
	}
	if a.IfMatch != nil && *a.IfMatch != r.st.Version {
		return deadline.Date{}, conflict(fmt.Sprintf("the session changed: If-Match %d, current version %d", *a.IfMatch, r.st.Version),
			map[string]any{"state": r.st.Status, "version": r.st.Version})
	}
	on, err := r.st.actionDate(ctx, a.On)
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

// maxBatch bounds the petitions of one Update, to keep each history payload small.
const maxBatch = 500

func checkCollect(_ *sessionRun, a SessionAction, _ deadline.Date) error {
	if len(a.Petitions) == 0 || len(a.Petitions) > maxBatch {
		return invalidField("petitions", fmt.Sprintf("send 1 to %d petitions per batch", maxBatch))
	}
	return nil
}

func applyCollect(r *sessionRun, ctx workflow.Context, a SessionAction, on deadline.Date, res *SessionResult) error {
	var out CollectResult
	req := StorePetitionsRequest{SessionID: r.st.ID, Petitions: a.Petitions, By: a.Actor.Sub}
	if err := workflow.ExecuteActivity(dbActivity(ctx), ActStorePetitions, req).Get(ctx, &out); err != nil {
		return fmt.Errorf("store petitions of %s: %w", r.st.ID, err)
	}
	r.st.Petitions = out.Total
	phases := map[string]int{}
	for _, p := range a.Petitions {
		phases[p.Phase]++
	}
	r.st.event(ctx, "petitions_collected", a.Actor.Sub, map[string]any{"received": out.Received, "stored": out.Stored,
		"duplicates": len(out.Duplicates), "total": out.Total, "before": phases["before"], "after": phases["after"], "on": on.String()})
	res.Collected = &out
	return nil
}

func applySynthesize(r *sessionRun, ctx workflow.Context, a SessionAction, on deadline.Date, res *SessionResult) error {
	var out SynthesisResult
	req := SynthesizeRequest{SessionID: r.st.ID, At: workflow.Now(ctx)}
	if err := workflow.ExecuteActivity(synthesisActivity(ctx), ActSynthesizeSession, req).Get(ctx, &out); err != nil {
		return fmt.Errorf("synthesize %s: %w", r.st.ID, err)
	}
	r.st.Synthesised++
	r.st.event(ctx, "synthesized", a.Actor.Sub, map[string]any{"petitions": out.Petitions, "suggested_groups": len(out.Suggested),
		"singletons": out.Singletons, "confirmed_groups": out.Confirmed, "threshold": out.Threshold, "on": on.String()})
	res.Synthesis = &out
	return nil
}

func checkGroups(r *sessionRun, a SessionAction, _ deadline.Date) error {
	g := a.Groups
	if g == nil || !slices.Contains(GroupActions, g.Action) {
		return invalidField("action", fmt.Sprintf("must be one of %v", GroupActions))
	}
	if g.Action == "finalize" {
		if g.Phase != "before" && g.Phase != "after" {
			return invalidField("phase", "must be before or after")
		}
		if slices.Contains(r.st.Finalized, g.Phase) {
			return conflict("the "+g.Phase+"-session synthesis is already finalized", map[string]any{"state": r.st.Status})
		}
	}
	return nil
}

// applyGroups edits the groups; finalizing a phase meets its synthesis clock (D41), late when
// after its due date.
func applyGroups(r *sessionRun, ctx workflow.Context, a SessionAction, on deadline.Date, res *SessionResult) error {
	var out GroupEditResult
	req := GroupEditRequest{SessionID: r.st.ID, Edit: *a.Groups, By: a.Actor.Sub, At: workflow.Now(ctx)}
	if err := workflow.ExecuteActivity(dbActivity(ctx), ActEditGroups, req).Get(ctx, &out); err != nil {
		return fmt.Errorf("%s groups of %s: %w", a.Groups.Action, r.st.ID, err)
	}
	data := map[string]any{"action": a.Groups.Action, "groups": out.Groups, "on": on.String()}
	if a.Groups.Action == "finalize" {
		r.st.Finalized = append(r.st.Finalized, a.Groups.Phase)
		data["phase"] = a.Groups.Phase
		if a.Groups.Phase == "before" {
			r.st.meetClock(ctx, "pre_synthesis", on)
		} else {
			r.st.meetClock(ctx, "post_synthesis", on)
		}
	}
	r.st.event(ctx, groupEvents[a.Groups.Action], a.Actor.Sub, data)
	res.Groups = &out
	return nil
}

func checkSchedule(r *sessionRun, a SessionAction, _ deadline.Date) error {
	if a.NextOpensOn == nil {
		return invalidField("next_opens_on", "is required")
	}
	if !a.NextOpensOn.After(r.st.Plan.ClosesOn) {
		return invalidField("next_opens_on", fmt.Sprintf("must be after this session closes (%s)", r.st.Plan.ClosesOn))
	}
	if c := r.st.Clock("results_report"); c != nil && c.Status == "met" {
		return conflict("the results report is already submitted", map[string]any{"state": r.st.Status})
	}
	return nil
}

// applySchedule sets the next session's opening: the results report (D43) counts back from it.
func applySchedule(r *sessionRun, ctx workflow.Context, a SessionAction, on deadline.Date, _ *SessionResult) error {
	next := *a.NextOpensOn
	r.st.Plan.NextOpensOn = &next
	r.st.CloseDueFired = false
	r.st.event(ctx, "scheduled", a.Actor.Sub, map[string]any{"next_opens_on": next.String(), "on": on.String()})
	_, err := r.st.startClock(ctx, ClockRequest{Name: "results_report", Start: next, Legs: []ClockLeg{{RuleID: "D43"}}, Ladder: "reminder"})
	return err
}

func checkReportResults(r *sessionRun, _ SessionAction, _ deadline.Date) error {
	c := r.st.Clock("results_report")
	if c == nil {
		return conflict("no results report is due yet: set next_opens_on first (schedule)", map[string]any{"state": r.st.Status})
	}
	if !c.Running() {
		return conflict("the results report is already submitted", map[string]any{"state": r.st.Status})
	}
	return nil
}

// applyReportResults records the consolidated results report sent to the Standing Committee.
func applyReportResults(r *sessionRun, ctx workflow.Context, a SessionAction, on deadline.Date, _ *SessionResult) error {
	d := on
	r.st.ResultsOn = &d
	r.st.meetClock(ctx, "results_report", on)
	r.st.event(ctx, "results_reported", a.Actor.Sub, map[string]any{"on": on.String()})
	return nil
}

func checkClose(r *sessionRun, a SessionAction, _ deadline.Date) error {
	if a.NextSessionID == "" || a.NextSessionID == r.st.ID {
		return invalidField("next_session_id", "must name the next session, where open petitions carry over")
	}
	return nil
}

func applyCloseCycle(r *sessionRun, ctx workflow.Context, a SessionAction, on deadline.Date, res *SessionResult) error {
	if err := r.closeCycle(ctx, a.NextSessionID, a.Actor.Sub, on); err != nil {
		return err
	}
	res.CarriedOver = r.st.CarriedOver
	return nil
}

// synthesisActivity gives the synthesis of a large session (a few thousand petitions, a few
// seconds of work) more time than an ordinary write.
func synthesisActivity(ctx workflow.Context) workflow.Context {
	ao := workflow.GetActivityOptions(dbActivity(ctx))
	ao.StartToCloseTimeout = 2 * time.Minute
	return workflow.WithActivityOptions(ctx, ao)
}
