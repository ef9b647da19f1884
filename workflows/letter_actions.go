package workflows

import (
	"fmt"
	"slices"
	"sort"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

// Action is the argument of every officer Update. The fields used depend on the action (see
// api.md); the API has checked their shapes, the workflow checks them against the state.
type Action struct {
	Actor   Actor          `json:"actor"`
	IfMatch *int64         `json:"if_match,omitempty"`
	On      *deadline.Date `json:"on,omitempty"` // legal date of the event; default today

	Assignee         string         `json:"assignee,omitempty"`
	Kind             string         `json:"kind,omitempty"`
	Field            string         `json:"field,omitempty"`
	Topic            string         `json:"topic,omitempty"`
	Eligible         *bool          `json:"eligible,omitempty"`
	IneligibleReason string         `json:"ineligible_reason,omitempty"`
	Competent        *bool          `json:"competent,omitempty"`
	DuplicateOf      string         `json:"duplicate_of,omitempty"`
	ToBodyID         string         `json:"to_body_id,omitempty"`
	Note             string         `json:"note,omitempty"`
	Text             string         `json:"text,omitempty"`
	Reason           string         `json:"reason,omitempty"`
	FromBodyID       string         `json:"from_body_id,omitempty"`
	ReceivedOn       *deadline.Date `json:"received_on,omitempty"`
	ResolvedOn       *deadline.Date `json:"resolved_on,omitempty"`
	Outcome          string         `json:"outcome,omitempty"`
	Summary          string         `json:"summary,omitempty"`
	Satisfied        *bool          `json:"satisfied,omitempty"`
	Partial          bool           `json:"partial,omitempty"`

	// The settlement track (domain.md §4, §5).
	Level             int                 `json:"level,omitempty"`
	Complex           bool                `json:"complex,omitempty"`
	RemoteArea        bool                `json:"remote_area,omitempty"`
	EspeciallyComplex bool                `json:"especially_complex,omitempty"`
	Days              int                 `json:"days,omitempty"`
	DecisionNo        string              `json:"decision_no,omitempty"`
	DecisionKnownOn   *deadline.Date      `json:"decision_known_on,omitempty"`
	Disciplinary      bool                `json:"disciplinary,omitempty"`
	Tolling           []deadline.Interval `json:"tolling,omitempty"`
	// Procedure is a denunciation reaching a superior: "re_denunciation" (LTC 37) or
	// "overdue_escalation" (LTC 38).
	Procedure       string `json:"procedure,omitempty"`
	FirstInstanceOf string `json:"first_instance_of,omitempty"` // a second-instance complaint: the first-instance letter
	Parts           []Part `json:"parts,omitempty"`             // split: the parts of a mixed letter
}

type actionSpec struct {
	from  []string // statuses the action is allowed in
	check func(r *letterRun, a Action, on deadline.Date) error
	apply func(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error
}

// open is every status but closed.
var open = []string{StatusRegistered, StatusClassified, StatusFiled, StatusGuided, StatusAwaitingResponse, StatusResponseReceived, StatusWatch, StatusSettling}

// actions is the letter state machine (domain.md §3.6) as data: which action is allowed in
// which status, what it checks and what it does.
var actions = map[string]actionSpec{
	"assign":          {from: open, apply: applyAssign},
	"classify":        {from: []string{StatusRegistered, StatusClassified}, apply: applyClassify},
	"mark-duplicate":  {from: []string{StatusRegistered, StatusClassified}, check: checkDuplicate, apply: applyDuplicate},
	"forward":         {from: []string{StatusClassified, StatusAwaitingResponse, StatusWatch}, check: checkForward, apply: applyForward},
	"guide":           {from: []string{StatusClassified}, apply: applyGuide},
	"file":            {from: []string{StatusRegistered, StatusClassified}, apply: applyFile},
	"watch":           {from: []string{StatusClassified, StatusAwaitingResponse, StatusResponseReceived}, apply: applyWatch},
	"follow-up":       {from: []string{StatusAwaitingResponse, StatusWatch}, apply: applyFollowUp},
	"record-response": {from: []string{StatusAwaitingResponse, StatusWatch}, check: checkResponse, apply: applyResponse},
	"evaluate":        {from: []string{StatusResponseReceived}, apply: applyEvaluate},
	"withdraw":        {from: open, apply: applyWithdraw},
	"close":           {from: []string{StatusFiled, StatusGuided, StatusResponseReceived, StatusWatch, StatusSettling}, apply: applyClose},
}

// ActionNames lists the actions in a stable order, for the API and the docs.
func ActionNames() []string {
	names := make([]string, 0, len(actions))
	for n := range actions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AllowedActions lists the actions allowed in status.
func AllowedActions(status string) []string {
	out := []string{}
	for _, n := range ActionNames() {
		if slices.Contains(actions[n].from, status) {
			out = append(out, n)
		}
	}
	return out
}

// MsgStillRegistering rejects an action that reaches a letter between its first snapshot and
// the end of its registration; the API retries such an action within its budget.
const MsgStillRegistering = "the letter is still being registered; retry in a moment"

func conflict(msg string, extra map[string]any) error {
	return temporal.NewNonRetryableApplicationError(msg, "Conflict", nil, extra)
}

func invalidField(field, msg string) error {
	return temporal.NewNonRetryableApplicationError(field+": "+msg, "Invalid", nil,
		map[string]any{"errors": []map[string]any{{"field": field, "message": msg}}})
}

func (r *letterRun) setActionHandler(ctx workflow.Context, name string) error {
	spec := actions[name]
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, a Action) (Result, error) {
			if err := r.mu.Lock(ctx); err != nil {
				return Result{}, err
			}
			defer r.mu.Unlock()
			// Checked again under the lock: a concurrent Update may have moved the letter
			// since the validator ran (concurrent forward and file: one wins, one gets 409).
			on, err := r.check(ctx, name, spec, a)
			if err != nil {
				return Result{}, err
			}
			r.updates++
			r.receptionTold = false
			if err := spec.apply(r, ctx, a, on); err != nil {
				return Result{}, err
			}
			r.queueReceptionNotice()
			r.st.LastEventOn = on
			r.st.Version++
			r.wake = true
			if err := r.persist(ctx); err != nil {
				return Result{}, err
			}
			return r.result(), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, a Action) error {
			_, err := r.check(ctx, name, spec, a)
			return err
		}})
}

// check is read-only, so it serves as the Update validator: a rejected action leaves no trace
// in history.
func (r *letterRun) check(ctx workflow.Context, name string, spec actionSpec, a Action) (deadline.Date, error) {
	st := r.st
	if !r.registered {
		return deadline.Date{}, conflict(MsgStillRegistering, map[string]any{"state": st.Status})
	}
	if !slices.Contains(spec.from, st.Status) {
		return deadline.Date{}, conflict(fmt.Sprintf("%s is not allowed while the letter is %s", name, st.Status),
			map[string]any{"state": st.Status, "allowed_actions": AllowedActions(st.Status)})
	}
	if a.IfMatch != nil && *a.IfMatch != st.Version {
		return deadline.Date{}, conflict(fmt.Sprintf("the letter changed: If-Match %d, current version %d", *a.IfMatch, st.Version),
			map[string]any{"state": st.Status, "version": st.Version})
	}
	today := deadline.DateOf(workflow.Now(ctx))
	on := today
	if a.On != nil {
		on = *a.On
		if on.After(today) {
			return deadline.Date{}, invalidField("on", fmt.Sprintf("%s is in the future (today is %s)", on, today))
		}
		if on.Before(st.LastEventOn) {
			return deadline.Date{}, invalidField("on", fmt.Sprintf("%s is before the previous event of this letter (%s)", on, st.LastEventOn))
		}
	}
	if spec.check != nil {
		if err := spec.check(r, a, on); err != nil {
			return deadline.Date{}, err
		}
	}
	return on, nil
}
