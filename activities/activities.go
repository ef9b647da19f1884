// Package activities holds the side effects of the workflows: persistence of snapshots, audit
// events and outbox rows, calendar snapshots and notifications. Every activity is idempotent,
// because Temporal may run it more than once.
package activities

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/crypt"
	"github.com/dannguyen/dannguyen/workflows"
)

// Activities carries the dependencies; its methods are registered by name on the worker.
type Activities struct {
	DB     *gorm.DB
	Ladder Ladder
	Rules  *deadline.RuleSet // nil: rulebook.Rules()
	// VaultKeys and PseudonymKey protect a sender's identity when a letter becomes a
	// denunciation after intake.
	VaultKeys    *crypt.Keyring
	PseudonymKey string
}

// RecordSmoke inserts the smoke row once and returns it; a retry returns the same row.
func (a *Activities) RecordSmoke(ctx context.Context, id, workflowID, note string) (workflows.SmokeResult, error) {
	db := a.DB.WithContext(ctx)
	row := map[string]any{"id": id, "workflow_id": workflowID, "note": note}
	if err := db.Table("smoke_runs").Clauses(clause.OnConflict{DoNothing: true}).Create(row).Error; err != nil {
		return workflows.SmokeResult{}, fmt.Errorf("record smoke run %s: %w", id, err)
	}
	var out workflows.SmokeResult
	if err := db.Table("smoke_runs").Where("id = ?", id).Take(&out).Error; err != nil {
		return workflows.SmokeResult{}, fmt.Errorf("read smoke run %s: %w", id, err)
	}
	return out, nil
}
