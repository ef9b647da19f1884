package workflows_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/worker"
	"github.com/dannguyen/dannguyen/workflows"
)

// A letter that has taken many Updates continues as new carrying its whole state: the next
// run neither registers the letter again nor restarts its clocks, its audit sequence goes on
// without a gap, and the actions after the hand-over work as before.
func TestLongLetterContinuesAsNewCarryingItsState(t *testing.T) {
	defer workflows.SetUpdatesPerRun(3)()
	h := newHarness(t, "2026-04-01")
	officer := workflows.Actor{Sub: "officer-1"}
	h.onAt("2026-04-02", 9, func() { h.update("assign", workflows.Action{Actor: officer, Assignee: "handler-1"}, "") })
	h.onAt("2026-04-02", 10, func() {
		h.update("classify", workflows.Action{Actor: officer, Kind: "recommendation", Eligible: ptr(true), Competent: ptr(false)}, "")
	})
	h.onAt("2026-04-02", 11, func() { h.update("forward", workflows.Action{Actor: officer, ToBodyID: "ubnd-ha-noi"}, "") })
	h.env.ExecuteWorkflow(workflows.LetterWorkflow, workflows.LetterStart{ID: h.id, Intake: ptr(intake("2026-04-01")), Actor: officer})
	require.True(t, h.env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(h.env.GetWorkflowError(), &can), "want continue-as-new, got %v", h.env.GetWorkflowError())
	require.Equal(t, workflows.LetterWorkflowName, can.WorkflowType.Name)
	var next workflows.LetterStart
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	st := next.State
	require.NotNil(t, st, "the state crosses continue-as-new")
	require.Nil(t, next.Intake)
	require.Equal(t, 1, st.Runs)
	require.Equal(t, "awaiting_response", st.Status)
	require.Equal(t, "handler-1", st.Assignee)
	require.Len(t, st.Hops, 1)
	require.Empty(t, st.PendingEvents, "everything was persisted before the hand-over")
	require.NotNil(t, st.Clock("answer"))
	number, seq := st.Number, st.Seq

	// The next run, on the same database, from where the first one stopped.
	env := (&testsuite.WorkflowTestSuite{}).NewTestWorkflowEnvironment()
	worker.Register(registry{env}, &activities.Activities{DB: h.db, VaultKeys: testenv.VaultKeys, PseudonymKey: "test-pseudonym-key"})
	env.SetStartTime(h.env.Now())
	h.env = env
	h.at(day(1), func() {
		h.update("record-response", workflows.Action{Actor: officer, FromBodyID: "ubnd-ha-noi", Outcome: "resolved"}, "")
	})
	h.at(day(2), func() { h.update("evaluate", workflows.Action{Actor: officer, Satisfied: ptr(true)}, "") })
	h.env.ExecuteWorkflow(workflows.LetterWorkflow, next)
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())

	require.Equal(t, "closed", h.row("status"))
	require.Equal(t, number, h.row("number"), "no second registration")
	require.Equal(t, 1, h.count("registered", ""))
	require.Equal(t, 1, h.count("clock_started", `"clock": "answer"`), "the answer clock is not started again")
	events := h.events()
	require.Greater(t, events[len(events)-1].Seq, seq)
	for i, e := range events {
		require.EqualValues(t, i+1, e.Seq, "audit sequence without gaps or repeats")
	}
}

// Keeping a letter on watch, following it up and marking a later letter as its duplicate:
// the duplicate is linked and counted on the original, and a follow-up is recorded.
func TestWatchFollowUpAndDuplicate(t *testing.T) {
	h := newHarness(t, "2026-04-01")
	officer := workflows.Actor{Sub: "officer-1"}
	h.onAt("2026-04-02", 9, func() {
		h.update("classify", workflows.Action{Actor: officer, Kind: "recommendation", Eligible: ptr(true), Competent: ptr(false)}, "")
	})
	h.onAt("2026-04-02", 10, func() { h.update("watch", workflows.Action{Actor: officer, Note: "theo dõi kết quả"}, "") })
	h.onAt("2026-04-02", 11, func() {
		h.update("guide", workflows.Action{Actor: officer, Text: "x"}, "not allowed while the letter is watch")
	})
	h.at(day(2), func() {
		h.update("follow-up", workflows.Action{Actor: officer, Note: "đôn đốc lần 1"}, "")
		h.env.SignalWorkflow(workflows.SignalDuplicate, workflows.DuplicateLinked{DuplicateID: "L-later"})
	})
	h.at(day(3), func() {
		h.env.SignalWorkflow(workflows.SignalDuplicate, workflows.DuplicateLinked{DuplicateID: "L-later"})
	})
	h.at(day(4), func() { h.update("close", workflows.Action{Actor: officer}, "") })
	h.run(intake("2026-04-01"))

	require.Equal(t, "closed", h.row("status"))
	require.Equal(t, 1, h.count("watch", "theo dõi kết quả"))
	require.Equal(t, 1, h.count("followed_up", `"count": 1`), h.events())
	require.Equal(t, 1, h.count("duplicate_linked", ""))
	require.Equal(t, "1", h.row("duplicate_count"), "the same duplicate signalled twice counts once")
	require.Equal(t, "1", h.row("follow_up_count"))
}
