// Package worker wires the Temporal worker: registrations, options and the worker's own
// metrics endpoint.
package worker

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/workflows"
)

// Options size the worker. Activity concurrency stays below the database pool so activities
// queue in Temporal, not on the pool (where they would hit their StartToClose timeout).
type Options struct {
	TaskQueue      string
	DBMaxOpenConns int
}

// New builds a worker with every workflow and activity registered.
func New(c client.Client, acts *activities.Activities, o Options) sdkworker.Worker {
	w := sdkworker.New(c, o.TaskQueue, sdkworker.Options{
		MaxConcurrentActivityExecutionSize: max(2, o.DBMaxOpenConns-2),
		WorkerStopTimeout:                  20 * time.Second,
	})
	Register(w, acts)
	return w
}

// Register adds the workflows and activities to any registry (a worker, a replayer, a test env).
func Register(r interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
	RegisterActivityWithOptions(any, activity.RegisterOptions)
}, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.SmokeWorkflow, workflow.RegisterOptions{Name: "SmokeWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.LetterWorkflow, workflow.RegisterOptions{Name: workflows.LetterWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.CalendarFanoutWorkflow, workflow.RegisterOptions{Name: workflows.CalendarFanoutWorkflowName})
	r.RegisterActivityWithOptions(acts.AffectedLetters, activity.RegisterOptions{Name: workflows.ActAffectedLetters})
	for name, fn := range map[string]any{
		"RecordSmoke":                   acts.RecordSmoke,
		workflows.ActComputeClock:       acts.ComputeClock,
		workflows.ActRegisterLetter:     acts.RegisterLetter,
		workflows.ActPersistLetter:      acts.PersistLetter,
		workflows.ActSuperiorBody:       acts.SuperiorBody,
		workflows.ActNoteDuplicate:      acts.NoteDuplicateOnClosedLetter,
		workflows.ActProtectIdentity:    acts.ProtectIdentity,
		workflows.ActCopyIdentity:       acts.CopyIdentity,
		workflows.ActFirstInstanceCheck: acts.FirstInstanceCheck,
	} {
		r.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
	registerPetitions(r, acts)
}

// registerPetitions adds the voters' petition workflows (module 3) and their activities.
func registerPetitions(r interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
	RegisterActivityWithOptions(any, activity.RegisterOptions)
}, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.SessionCycleWorkflow, workflow.RegisterOptions{Name: workflows.SessionWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.VoterPetitionWorkflow, workflow.RegisterOptions{Name: workflows.VoterPetitionWorkflowName})
	for name, fn := range map[string]any{
		workflows.ActPersistSession:       acts.PersistSession,
		workflows.ActStorePetitions:       acts.StorePetitions,
		workflows.ActSynthesizeSession:    acts.SynthesizeSession,
		workflows.ActEditGroups:           acts.EditGroups,
		workflows.ActNextSession:          acts.NextSession,
		workflows.ActOpenVoterPetitions:   acts.OpenVoterPetitions,
		workflows.ActCarryOverUnforwarded: acts.CarryOverUnforwarded,
		workflows.ActClaimVoterPetition:   acts.ClaimVoterPetition,
		workflows.ActPersistVoterPetition: acts.PersistVoterPetition,
	} {
		r.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}

// Run runs w until ctx is cancelled, then stops polling and lets running activities finish.
func Run(ctx context.Context, w sdkworker.Worker) error {
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	<-ctx.Done()
	w.Stop()
	return nil
}
