package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

// Activity names; the activities package registers its methods under these names.
const (
	ActComputeClock    = "ComputeClock"
	ActRegisterLetter  = "RegisterLetter"
	ActPersistLetter   = "PersistLetter"
	ActSuperiorBody    = "SuperiorBody"
	ActNoteDuplicate   = "NoteDuplicateOnClosedLetter"
	ActProtectIdentity = "ProtectIdentity"
)

// ProtectRequest asks for a letter's senders to be sealed in the identity vault.
type ProtectRequest struct {
	LetterID string   `json:"letter_id"`
	Kind     string   `json:"kind"`
	Senders  []Sender `json:"senders"`
}

// ClockRequest asks ComputeClock for one clock: the legs are computed in order, each
// starting on the previous leg's due date, and the ladder milestones are placed around the
// final due date with the office's configured working-day offsets.
type ClockRequest struct {
	Name   string        `json:"name"`
	Start  deadline.Date `json:"start"`
	Legs   []ClockLeg    `json:"legs"`
	Ladder string        `json:"ladder"`
	// Target of the escalate_superior milestone: the body whose superior is escalated to.
	EscalateFrom string `json:"escalate_from,omitempty"`
}

// RegisterResult is what RegisterLetter allocated.
type RegisterResult struct {
	Number         string   `json:"number"`
	DuplicateHints []string `json:"duplicate_hints,omitempty"`
}

// DuplicateNote asks for a duplicate to be noted on a letter whose workflow has closed.
type DuplicateNote struct {
	OriginalID  string    `json:"original_id"`
	DuplicateID string    `json:"duplicate_id"`
	At          time.Time `json:"at"`
}

// dbRetry keeps retrying a database step while PostgreSQL is down (the writes are idempotent)
// rather than failing the case; the backoff caps at a minute.
func dbRetry() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval: 500 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		NonRetryableErrorTypes: []string{"Invalid", "NotFound"},
	}
}

func dbActivity(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 15 * time.Second, RetryPolicy: dbRetry()})
}

// localDBActivity is dbActivity for a local activity, with budget as its schedule-to-close
// timeout: the time its retries may take in all.
func localDBActivity(ctx workflow.Context, budget time.Duration) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 15 * time.Second, ScheduleToCloseTimeout: budget, RetryPolicy: dbRetry(),
	})
}

// VersionLocalDB marks the letter runs whose database steps are local activities: version 1
// retried them locally for up to 30 days; version 2 for localDBBudget, then hands the step to
// a regular activity.
const VersionLocalDB = "local-db-activities"

// localDBBudget is how long a local database step retries before it becomes a regular
// activity. Each retry of a local activity past the first minute adds a marker, a timer and a
// workflow task to the history; a regular activity retries on the server without adding an
// event. A longer PostgreSQL outage must not fill the letter's history (51,200 events).
const localDBBudget = 2 * time.Minute

// db runs one of the letter's database steps. Since VersionLocalDB they run as local
// activities, inside the workflow task that needs them: registration and an officer action
// each take one workflow task instead of one per step, so the caller's answer no longer waits
// for the server to dispatch every step to a worker (issue 11: intake and action latency).
// Runs that began before keep their activities, so their histories replay unchanged.
func (r *letterRun) db(ctx workflow.Context, name string, arg any) workflow.Future {
	switch r.localDB {
	case workflow.DefaultVersion:
		return workflow.ExecuteActivity(dbActivity(ctx), name, arg)
	case 1:
		return workflow.ExecuteLocalActivity(localDBActivity(ctx, 30*24*time.Hour), name, arg)
	}
	out, set := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		local := workflow.ExecuteLocalActivity(localDBActivity(ctx, localDBBudget), name, arg)
		if err := local.Get(ctx, nil); err == nil || !stillRetryable(err) {
			set.Chain(local)
			return
		}
		set.Chain(workflow.ExecuteActivity(dbActivity(ctx), name, arg))
	})
	return out
}

// stillRetryable tells a step that ran out of its local budget (PostgreSQL still down) from
// one that failed for good (an invalid request, a missing row, a cancelled workflow).
func stillRetryable(err error) bool {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && (app.NonRetryable() || app.Type() == "Invalid" || app.Type() == "NotFound") {
		return false
	}
	return !temporal.IsCanceledError(err)
}

// computeClock runs ComputeClock for this letter.
func (r *letterRun) computeClock(ctx workflow.Context, req ClockRequest) (Clock, error) {
	var c Clock
	err := r.db(ctx, ActComputeClock, req).Get(ctx, &c)
	return c, err
}

// computeClock runs the ComputeClock activity (sessions and voters' petitions).
func computeClock(ctx workflow.Context, req ClockRequest) (Clock, error) {
	var c Clock
	err := workflow.ExecuteActivity(dbActivity(ctx), ActComputeClock, req).Get(ctx, &c)
	return c, err
}
