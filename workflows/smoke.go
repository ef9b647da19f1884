// Package workflows holds the durable processes: one workflow per letter or petition, the
// session cycle and the calendar fan-out, with their Update, Signal and Query names and types.
package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// SmokeInput asks the smoke workflow to write one row through the worker.
type SmokeInput struct {
	ID   string `json:"id"`
	Note string `json:"note"`
}

// SmokeResult is the row as PostgreSQL stored it.
type SmokeResult struct {
	ID         string    `json:"id"`
	WorkflowID string    `json:"workflow_id"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

// SmokeWorkflow proves the wiring API -> Temporal -> worker -> PostgreSQL with one activity;
// ops run it through POST /v1/ops/smoke after a deploy.
func SmokeWorkflow(ctx workflow.Context, in SmokeInput) (SmokeResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	})
	var out SmokeResult
	err := workflow.ExecuteActivity(ctx, "RecordSmoke", in.ID, workflow.GetInfo(ctx).WorkflowExecution.ID, in.Note).Get(ctx, &out)
	return out, err
}
