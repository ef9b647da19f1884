package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

// Names of the calendar fan-out; the worker registers the workflow and activity under them.
const (
	CalendarFanoutWorkflowName = "CalendarFanoutWorkflow"
	ActAffectedLetters         = "AffectedLetters"
)

const (
	// A page of signals adds about 2 events per letter to the history. 500 keeps a page well
	// under the server's 2,000 pending-signal limit; the server suggests continuing as new
	// after about 4k events, and 8 pages (some 8k events) is the backstop far below the 50k
	// hard limit.
	defaultFanoutPageSize    = 500
	defaultFanoutPagesPerRun = 8
	maxFanoutPageSize        = 1000
)

// CalendarFanoutID names the fan-out of one calendar change, so starting it twice finds the
// first. The change's timestamp is part of it because change ids restart in every database
// that shares a Temporal namespace (each test has its own), and a reused id would hand back
// another database's result.
func CalendarFanoutID(changeID int64, changedAt time.Time) string {
	return fmt.Sprintf("calendar-change-%d-%d", changeID, changedAt.UnixMicro())
}

// CalendarFanoutInput starts a fan-out; After and Done carry the progress across
// continue-as-new.
type CalendarFanoutInput struct {
	Day         deadline.Date        `json:"day"`
	ChangeID    int64                `json:"change_id"`
	PageSize    int                  `json:"page_size,omitempty"`
	PagesPerRun int                  `json:"pages_per_run,omitempty"`
	After       string               `json:"after,omitempty"` // last letter id handled
	Done        CalendarFanoutResult `json:"done"`
}

// CalendarFanoutResult counts what the fan-out did.
type CalendarFanoutResult struct {
	// Signalled letters received the calendar-changed signal.
	Signalled int `json:"signalled"`
	// Expected is how many of them the read model predicts will move a due date; the API waits
	// for that many clock_recomputed events.
	Expected int `json:"expected"`
	// Ended letters are open in the read model but their workflow has already finished.
	Ended int `json:"ended"`
	Pages int `json:"pages"`
	Runs  int `json:"runs"`
}

// AffectedLettersRequest asks for one page of open letters whose running clocks can span Day,
// in id order after After.
type AffectedLettersRequest struct {
	Day   deadline.Date `json:"day"`
	After string        `json:"after,omitempty"`
	Limit int           `json:"limit"`
}

// AffectedLettersPage is one page; More says whether another page may follow.
type AffectedLettersPage struct {
	Letters []AffectedLetter `json:"letters"`
	More    bool             `json:"more"`
}

// AffectedLetter is one letter to signal; Moves is the read model's prediction that a running
// clock's due date changes under the calendar as it is now.
type AffectedLetter struct {
	ID    string `json:"id"`
	Moves bool   `json:"moves,omitempty"`
}

// CalendarFanoutWorkflow tells every open letter whose running clocks can span a changed day
// that the calendar changed (domain.md §2.7, T28). Each letter recomputes its own clocks; this
// workflow only finds and signals them, page by page, continuing as new before its history
// grows large, so a change touching 10,000 letters runs in bounded histories.
func CalendarFanoutWorkflow(ctx workflow.Context, in CalendarFanoutInput) (CalendarFanoutResult, error) {
	if !in.Day.Valid() || in.ChangeID <= 0 {
		return CalendarFanoutResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("a fan-out needs a day and a change id, got %q and %d", in.Day, in.ChangeID), "Invalid", nil)
	}
	size := in.PageSize
	if size <= 0 || size > maxFanoutPageSize {
		size = defaultFanoutPageSize
	}
	perRun := in.PagesPerRun
	if perRun <= 0 {
		perRun = defaultFanoutPagesPerRun
	}
	res := in.Done
	res.Runs++
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{"Invalid"},
		},
	})
	fetch := func(after string) workflow.Future {
		return workflow.ExecuteActivity(actx, ActAffectedLetters, AffectedLettersRequest{Day: in.Day, After: after, Limit: size})
	}
	after, pending := in.After, fetch(in.After)
	for page := 1; ; page++ {
		var p AffectedLettersPage
		if err := pending.Get(ctx, &p); err != nil {
			return res, fmt.Errorf("letters affected by %s after %q: %w", in.Day, after, err)
		}
		res.Pages++
		more := p.More && len(p.Letters) > 0
		if more {
			after = p.Letters[len(p.Letters)-1].ID
		}
		// The next page is read while this one's signals are delivered: every separate wait
		// costs a workflow task, queued behind the tasks of the letters just woken.
		stay := more && page < perRun && !workflow.GetInfo(ctx).GetContinueAsNewSuggested()
		if stay {
			pending = fetch(after)
		}
		if err := signalLetters(ctx, CalendarChanged{Day: in.Day, ChangeID: in.ChangeID}, p.Letters, &res); err != nil {
			return res, err
		}
		if !more {
			return res, nil
		}
		if !stay {
			next := in
			next.After, next.Done = after, res
			return CalendarFanoutResult{}, workflow.NewContinueAsNewError(ctx, CalendarFanoutWorkflowName, next)
		}
	}
}

// signalLetters signals a page at once and then collects the outcomes in page order, so the
// server delivers them in parallel while the counts stay deterministic.
func signalLetters(ctx workflow.Context, sig CalendarChanged, letters []AffectedLetter, res *CalendarFanoutResult) error {
	futures := make([]workflow.Future, len(letters))
	for i, l := range letters {
		futures[i] = workflow.SignalExternalWorkflow(ctx, LetterWorkflowID(l.ID), "", SignalCalendar, sig)
	}
	for i, f := range futures {
		err := f.Get(ctx, nil)
		var ended *temporal.UnknownExternalWorkflowExecutionError
		switch {
		case err == nil:
			res.Signalled++
			if letters[i].Moves {
				res.Expected++
			}
		case errors.As(err, &ended):
			// Closed between the read model's snapshot and now: it has no clock left to move.
			res.Ended++
		default:
			return fmt.Errorf("signal letter %s: %w", letters[i].ID, err)
		}
	}
	return nil
}
