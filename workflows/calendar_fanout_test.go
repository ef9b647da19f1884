package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/worker"
	"github.com/dannguyen/dannguyen/workflows"
)

// fakeLetters serves AffectedLetters pages from a sorted list of ids, as the activity would
// from the read model.
type fakeLetters struct {
	ids   []string
	moves map[string]bool
	calls []workflows.AffectedLettersRequest
}

func (f *fakeLetters) page(req workflows.AffectedLettersRequest) (workflows.AffectedLettersPage, error) {
	f.calls = append(f.calls, req)
	var p workflows.AffectedLettersPage
	for _, id := range f.ids {
		if id <= req.After {
			continue
		}
		if len(p.Letters) == req.Limit {
			p.More = true
			break
		}
		p.Letters = append(p.Letters, workflows.AffectedLetter{ID: id, Moves: f.moves[id]})
	}
	return p, nil
}

func letterIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("L%04d", i)
	}
	return ids
}

// runFanout runs one run of the fan-out with every signal mocked: letters in ended answer
// like a completed workflow. It returns the result, or the input of the next run when the
// workflow continued as new.
func runFanout(t *testing.T, f *fakeLetters, ended map[string]bool, in workflows.CalendarFanoutInput, suggestCAN bool) (*workflows.CalendarFanoutResult, *workflows.CalendarFanoutInput, []string) {
	t.Helper()
	s := &testsuite.WorkflowTestSuite{}
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.CalendarFanoutWorkflow, workflow.RegisterOptions{Name: workflows.CalendarFanoutWorkflowName})
	env.RegisterActivityWithOptions(f.page, activityName(workflows.ActAffectedLetters))
	env.SetContinueAsNewSuggested(suggestCAN)
	// The environment delivers a page's signals concurrently, as the server would.
	var mu sync.Mutex
	var signalled []string
	want := workflows.CalendarChanged{Day: in.Day, ChangeID: in.ChangeID}
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", workflows.SignalCalendar, want).Return(
		func(_, wid, _, _ string, _ any) error {
			if ended[wid] {
				return &temporal.UnknownExternalWorkflowExecutionError{}
			}
			mu.Lock()
			defer mu.Unlock()
			signalled = append(signalled, wid)
			return nil
		})
	env.ExecuteWorkflow(workflows.CalendarFanoutWorkflowName, in)
	slices.Sort(signalled)
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	if errors.As(err, &can) {
		var next workflows.CalendarFanoutInput
		require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
		return nil, &next, signalled
	}
	require.NoError(t, err)
	var res workflows.CalendarFanoutResult
	require.NoError(t, env.GetWorkflowResult(&res))
	return &res, nil, signalled
}

// Eleven letters in pages of 2 with 3 pages per run: the fan-out continues as new once,
// carrying its cursor and counts, signals every letter exactly once, and counts
// the one whose workflow has already ended apart.
func TestCalendarFanoutPagesAndContinuesAsNew(t *testing.T) {
	f := &fakeLetters{ids: letterIDs(11), moves: map[string]bool{"L0001": true, "L0007": true, "L0010": true}}
	ended := map[string]bool{workflows.LetterWorkflowID("L0007"): true}
	in := workflows.CalendarFanoutInput{Day: deadline.MustParseDate("2026-09-03"), ChangeID: 42, PageSize: 2, PagesPerRun: 3}
	var all []string
	var res *workflows.CalendarFanoutResult
	for run := 1; res == nil; run++ {
		require.LessOrEqual(t, run, 2, "6 pages at 3 a run need one continue-as-new")
		var next *workflows.CalendarFanoutInput
		var got []string
		res, next, got = runFanout(t, f, ended, in, false)
		all = append(all, got...)
		if next != nil {
			require.Equal(t, in.ChangeID, next.ChangeID)
			require.Equal(t, run, next.Done.Runs)
			in = *next
		}
	}
	want := []string{}
	for _, id := range letterIDs(11) {
		if id != "L0007" {
			want = append(want, workflows.LetterWorkflowID(id))
		}
	}
	require.Equal(t, want, all)
	require.Equal(t, workflows.CalendarFanoutResult{Signalled: 10, Expected: 2, Ended: 1, Pages: 6, Runs: 2}, *res)
	// Each page continues after the last id of the page before, across the continue-as-new.
	require.Equal(t, "", f.calls[0].After)
	require.Equal(t, "L0001", f.calls[1].After)
	require.Equal(t, "L0009", f.calls[5].After)
}

// When the server suggests continuing as new, the fan-out does so after the page in hand.
func TestCalendarFanoutHonoursContinueAsNewSuggestion(t *testing.T) {
	f := &fakeLetters{ids: letterIDs(5)}
	in := workflows.CalendarFanoutInput{Day: deadline.MustParseDate("2026-09-03"), ChangeID: 7, PageSize: 2}
	res, next, got := runFanout(t, f, nil, in, true)
	require.Nil(t, res)
	require.Equal(t, []string{workflows.LetterWorkflowID("L0000"), workflows.LetterWorkflowID("L0001")}, got)
	require.Equal(t, "L0001", next.After)
	require.Equal(t, 2, next.Done.Signalled)
	require.Equal(t, 1, next.Done.Pages)
}

// No open letter spans the day: one empty page, nothing signalled.
func TestCalendarFanoutWithNothingToSignal(t *testing.T) {
	res, _, got := runFanout(t, &fakeLetters{}, nil, workflows.CalendarFanoutInput{Day: deadline.MustParseDate("2026-09-03"), ChangeID: 1}, false)
	require.Empty(t, got)
	require.Equal(t, workflows.CalendarFanoutResult{Pages: 1, Runs: 1}, *res)
}

func activityName(name string) activity.RegisterOptions { return activity.RegisterOptions{Name: name} }

// openLetter stores a read-model row with one clock, as PersistLetter would.
func openLetter(t *testing.T, db *gorm.DB, id string, c workflows.Clock, closed bool) {
	t.Helper()
	c.Legs = []workflows.ClockLeg{{RuleID: "D33", StartOn: c.StartOn, DueOn: c.DueOn}}
	c.Name, c.RuleID, c.Ladder, c.DueAt = "processing", "D33", "full", c.DueOn.EndAt()
	raw, err := json.Marshal([]workflows.Clock{c})
	require.NoError(t, err)
	var closedAt any
	if closed {
		closedAt = time.Now()
	}
	require.NoError(t, db.Exec(`INSERT INTO letters (id, number, version, channel, status, body_id, receiving_body_id,
		received_on, subject, content, clocks, closed_at) VALUES (?, ?, 1, 'post', 'registered', 'ubdngs', 'ubdngs', ?, 's', 'c', ?, ?)`,
		id, "N-"+id, c.StartOn.String(), string(raw), closedAt).Error)
}

// The real AffectedLetters activity against PostgreSQL decides who is signalled when
// 2026-09-03 becomes a holiday: open letters with a running clock whose span, widened by the
// margin, includes the day. It predicts a move only where the due date really changes.
func TestCalendarFanoutSelectsLettersWhoseClocksSpanTheDay(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	day := deadline.MustParseDate("2026-09-03")
	ch, changed, err := models.PutHoliday(ctx, db, deadline.Holiday{Date: day, Name: "Nghỉ bổ sung", Kind: deadline.KindHoliday}, "test")
	require.NoError(t, err)
	require.True(t, changed)
	d := deadline.MustParseDate
	running := func(start, due string) workflows.Clock {
		return workflows.Clock{StartOn: d(start), DueOn: d(due), Status: "running"}
	}
	openLetter(t, db, "a-spans", running("2026-08-31", "2026-09-16"), false) // T28: moves to 09-17
	overdue := running("2026-08-31", "2026-09-16")
	overdue.Status = "overdue"
	openLetter(t, db, "b-overdue-spans", overdue, false)
	openLetter(t, db, "c-margin", running("2026-07-20", "2026-08-03"), false)        // due + 31 days = 09-03
	openLetter(t, db, "d-before-margin", running("2026-07-17", "2026-08-02"), false) // due + 31 days = 09-02
	openLetter(t, db, "e-starts-after", running("2026-09-10", "2026-09-24"), false)  // counting starts after the day
	openLetter(t, db, "f-closed", running("2026-08-31", "2026-09-16"), true)         // closed: nothing runs
	met := running("2026-08-31", "2026-09-16")
	met.Status = "met"
	openLetter(t, db, "g-met", met, false)

	s := &testsuite.WorkflowTestSuite{}
	env := s.NewTestWorkflowEnvironment()
	worker.Register(registry{env}, &activities.Activities{DB: db})
	var mu sync.Mutex
	var signalled []string
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", workflows.SignalCalendar, mock.Anything).Return(
		func(_, wid, _, _ string, _ any) error {
			mu.Lock()
			defer mu.Unlock()
			signalled = append(signalled, wid)
			return nil
		})
	env.ExecuteWorkflow(workflows.CalendarFanoutWorkflowName, workflows.CalendarFanoutInput{Day: day, ChangeID: ch.ID, PageSize: 2})
	require.NoError(t, env.GetWorkflowError())
	var res workflows.CalendarFanoutResult
	require.NoError(t, env.GetWorkflowResult(&res))
	slices.Sort(signalled)
	require.Equal(t, []string{workflows.LetterWorkflowID("a-spans"), workflows.LetterWorkflowID("b-overdue-spans"), workflows.LetterWorkflowID("c-margin")}, signalled)
	require.Equal(t, workflows.CalendarFanoutResult{Signalled: 3, Expected: 2, Pages: 2, Runs: 1}, res)
}
