package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/workflows"
)

// T26: a letter received Thu 2026-02-12 must be processed within 10 working days: due
// 2026-03-05 (Tết 16–20 Feb skipped). Left alone, its ladder fires each step exactly once:
// warning 2 WD before, overdue at 24:00 on the due date, the head after 5 WD, the superior
// body after 10 WD.
func TestProcessingClockLadderT26(t *testing.T) {
	h := newHarness(t, "2026-02-12")
	officer := workflows.Actor{Sub: "officer-1"}
	h.at(day(60), func() { h.update("file", workflows.Action{Actor: officer, Reason: "no content to handle"}, "") })
	h.at(day(61), func() { h.update("close", workflows.Action{Actor: officer}, "") })
	h.run(intake("2026-02-12"))

	require.Contains(t, h.row("clocks"), `"due_on": "2026-03-05"`)
	require.Equal(t, 1, h.count("clock_warning", `"clock": "processing"`))
	require.Equal(t, 1, h.count("clock_overdue", `"clock": "processing"`))
	require.Equal(t, 2, h.count("escalated", `"clock": "processing"`))
	require.Equal(t, 1, h.count("escalated", `"level": 2`))
	require.Equal(t, 1, h.count("clock_met", `"late": true`))
	require.Equal(t, "closed", h.row("status"))
	require.Regexp(t, `^DN-2026-\d{6}$`, h.row("number"))

	var outbox []string
	require.NoError(t, h.db.Raw("SELECT kind || ':' || target FROM outbox WHERE letter_id = ? ORDER BY id", h.id).Scan(&outbox).Error)
	require.Equal(t, []string{"warning:officer:ubdngs", "overdue:supervisor:ubdngs", "escalation:head:ubdngs", "escalation:body:ubtvqh"}, outbox)
}

// The main path: classify, forward (answer clock starts), record the agency's response
// (T27: resolved Fri 2026-04-24, reported by 2026-05-08, the citizen told by 2026-05-15),
// evaluate satisfied → closed.
func TestForwardResponseEvaluateT27(t *testing.T) {
	h := newHarness(t, "2026-04-01")
	officer := workflows.Actor{Sub: "officer-1"}
	h.at(day(1), func() {
		h.update("classify", workflows.Action{Actor: officer, Kind: "complaint", Field: "administrative", Topic: "land", Eligible: ptr(true), Competent: ptr(false)}, "")
	})
	h.at(day(2), func() {
		h.update("forward", workflows.Action{Actor: officer, ToBodyID: "ubnd-ha-noi", Note: "thuộc thẩm quyền UBND"}, "")
	})
	h.at(day(38), func() {
		h.update("record-response", workflows.Action{Actor: officer, FromBodyID: "ubnd-ha-noi", Outcome: "resolved",
			ResolvedOn: ptr(deadline.MustParseDate("2026-04-24")), ReceivedOn: ptr(deadline.MustParseDate("2026-05-08"))}, "")
	})
	h.at(day(39), func() { h.update("evaluate", workflows.Action{Actor: officer, Satisfied: ptr(true)}, "") })
	h.run(intake("2026-04-01"))

	clocks := h.row("clocks")
	require.Contains(t, clocks, `"name": "agency_report"`)
	require.Contains(t, clocks, `"due_on": "2026-05-08"`) // D31 from 2026-04-24
	require.Contains(t, clocks, `"due_on": "2026-05-15"`) // D32 from 2026-05-08
	require.Equal(t, "closed", h.row("status"))
	require.Equal(t, "ubnd-ha-noi", h.row("body_id"))
	require.Equal(t, "ubnd-ha-noi", h.row("forwarded_to"))
	require.Equal(t, 1, h.count("forwarded", `"to": "ubnd-ha-noi"`))
	require.Equal(t, 0, h.count("clock_overdue", ""))
}

// Actions outside the state machine are rejected before they reach history, naming the
// state and the allowed actions; a stale If-Match and a future date are rejected too.
func TestInvalidTransitionsAreRejected(t *testing.T) {
	h := newHarness(t, "2026-04-01")
	officer := workflows.Actor{Sub: "officer-1"}
	h.at(day(1), func() {
		h.update("record-response", workflows.Action{Actor: officer, FromBodyID: "x", Outcome: "resolved"}, "not allowed while the letter is registered")
		h.update("evaluate", workflows.Action{Actor: officer, Satisfied: ptr(true)}, "Conflict")
		h.update("classify", workflows.Action{Actor: officer, Kind: "complaint", IfMatch: ptr(int64(99))}, "If-Match 99")
		h.update("classify", workflows.Action{Actor: officer, Kind: "complaint", On: ptr(deadline.MustParseDate("2027-01-01"))}, "in the future")
		h.update("classify", workflows.Action{Actor: officer, Kind: "complaint", On: ptr(deadline.MustParseDate("2026-03-01"))}, "before the previous event")
	})
	h.at(day(2), func() { h.update("file", workflows.Action{Actor: officer, Reason: "test"}, "") })
	h.at(day(3), func() {
		h.update("forward", workflows.Action{Actor: officer, ToBodyID: "ubnd-ha-noi"}, "not allowed while the letter is filed")
		h.update("close", workflows.Action{Actor: officer}, "")
	})
	h.run(intake("2026-04-01"))
	require.Equal(t, 0, h.count("classified", ""), "rejected updates leave no trace")
	require.Equal(t, "closed", h.row("status"))
}
