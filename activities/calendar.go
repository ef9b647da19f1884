package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// SpanMarginDays widens each running clock's [start, due] span on the late side when deciding
// whether a calendar change can touch it. A change on a day after the due date cannot move a
// forward clock, but the read model may lag the workflow: a letter still applying an earlier
// change (adding a day off moves a working-day due date later) shows its old, earlier due
// date. A month also covers the 10-working-day escalation ladder after the due date, Tết
// included. Letters outside the widened span are never signalled.
const SpanMarginDays = 31

// AffectedLetters reads one page of open letters (closed_at IS NULL) with a running clock
// whose widened span includes the day, in id order. It only reads, so a retry is harmless.
// For each letter it also predicts, from the read model and the calendar as stored now,
// whether a due date will move; the API waits for that many recomputations.
func (a *Activities) AffectedLetters(ctx context.Context, req workflows.AffectedLettersRequest) (workflows.AffectedLettersPage, error) {
	if !req.Day.Valid() || req.Limit < 1 || req.Limit > 1000 {
		return workflows.AffectedLettersPage{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("bad page request: day %q, limit %d", req.Day, req.Limit), "Invalid", nil)
	}
	var rows []struct {
		ID     string
		Clocks []byte
	}
	// NULLIF: a clock stored without a date must not abort the page with a cast error; LEAST
	// and GREATEST ignore the NULL, and a clock with neither date is skipped.
	err := a.DB.WithContext(ctx).Raw(`
		SELECT l.id, l.clocks FROM letters l
		WHERE l.closed_at IS NULL AND l.id > ?
		  AND EXISTS (
			SELECT 1 FROM jsonb_array_elements(l.clocks) c
			WHERE c->>'status' IN ('running', 'overdue')
			  AND LEAST(NULLIF(c->>'start_on', '')::date, NULLIF(c->>'due_on', '')::date) <= ?::date
			  AND GREATEST(NULLIF(c->>'start_on', '')::date, NULLIF(c->>'due_on', '')::date) + ?::int >= ?::date)
		ORDER BY l.id
		LIMIT ?`, req.After, req.Day.String(), SpanMarginDays, req.Day.String(), req.Limit+1).Scan(&rows).Error
	if err != nil {
		return workflows.AffectedLettersPage{}, fmt.Errorf("letters whose clocks span %s after %q: %w", req.Day, req.After, err)
	}
	page := workflows.AffectedLettersPage{More: len(rows) > req.Limit}
	if page.More {
		rows = rows[:req.Limit]
	}
	cal, err := models.LoadCalendar(ctx, a.DB)
	if err != nil {
		return workflows.AffectedLettersPage{}, err
	}
	page.Letters = make([]workflows.AffectedLetter, len(rows))
	for i, r := range rows {
		page.Letters[i] = workflows.AffectedLetter{ID: r.ID, Moves: a.wouldMove(ctx, cal, r.ID, r.Clocks)}
	}
	return page, nil
}

// wouldMove recomputes the letter's running clocks the way LetterWorkflow does on the signal
// and reports whether a due date differs. It is a prediction for the API's wait only, so an
// error counts as "no move" instead of failing the fan-out.
func (a *Activities) wouldMove(ctx context.Context, cal *deadline.Calendar, id string, raw []byte) bool {
	var clocks []workflows.Clock
	if err := json.Unmarshal(raw, &clocks); err != nil {
		activity.GetLogger(ctx).Warn("undecodable clocks in the read model", "letter_id", id, "error", err)
		return false
	}
	for _, c := range clocks {
		// The same clocks, computed the same way, as LetterWorkflow.recomputeClocks.
		if !c.Counting() || len(c.Legs) == 0 {
			continue
		}
		nc, err := ComputeClockWith(cal, a.rules(), a.ladder(), workflows.RecomputeRequest(c))
		if err != nil {
			activity.GetLogger(ctx).Warn("cannot predict a recomputed clock", "letter_id", id, "clock", c.Name, "error", err)
			continue
		}
		if nc.DueOn != c.DueOn {
			return true
		}
	}
	return false
}
