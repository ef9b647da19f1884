package workflows_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// The guidance path: classified, guided (the citizen is told, the processing clock stops on
// time), then closed. Filing and guiding are the office's own outcomes, so no answer clock
// ever starts.
func TestClassifyGuideClose(t *testing.T) {
	h := newHarness(t, "2026-04-01")
	officer := workflows.Actor{Sub: "officer-1"}
	h.at(day(1), func() {
		h.update("assign", workflows.Action{Actor: officer, Assignee: "handler-7"}, "")
		h.update("classify", workflows.Action{Actor: officer, Kind: "recommendation", Field: "land", Eligible: ptr(true), Competent: ptr(false)}, "")
	})
	h.at(day(2), func() {
		h.update("guide", workflows.Action{Actor: officer, Text: "Gửi đơn đến UBND cấp xã nơi có đất."}, "")
		h.update("forward", workflows.Action{Actor: officer, ToBodyID: "ubnd-ha-noi"}, "not allowed while the letter is guided")
	})
	h.at(day(3), func() { h.update("close", workflows.Action{Actor: officer}, "") })
	h.run(intake("2026-04-01"))

	require.Equal(t, "closed", h.row("status"))
	require.Equal(t, "handler-7", h.row("assignee"))
	require.Equal(t, 1, h.count("assigned", `"assignee": "handler-7"`))
	require.Equal(t, 1, h.count("guided", ""))
	require.Equal(t, 1, h.count("clock_met", `"late": false`))
	require.Equal(t, 0, h.count("clock_started", `"clock": "answer"`))
	require.Equal(t, 1, h.outboxCount("citizen_notice"))
	require.Equal(t, 0, h.count("clock_warning", ""), "an outcome on day 2 leaves nothing to warn about")
}

// A transfer: forwarded to one body, then on to the competent one. The letter moves, the
// answer clock restarts from the second forwarding date with the old due date kept in the
// audit trail, and both hops stay in the history.
func TestForwardTwiceRestartsTheAnswerClock(t *testing.T) {
	h := newHarness(t, "2026-04-01")
	officer := workflows.Actor{Sub: "officer-1"}
	h.at(day(1), func() {
		h.update("classify", workflows.Action{Actor: officer, Kind: "recommendation", Eligible: ptr(true), Competent: ptr(false)}, "")
	})
	h.at(day(2), func() { h.update("forward", workflows.Action{Actor: officer, ToBodyID: "ubnd-ha-noi"}, "") })
	h.at(day(9), func() {
		h.update("forward", workflows.Action{Actor: officer, ToBodyID: "ubnd-ha-noi"}, "already with ubnd-ha-noi")
		h.update("forward", workflows.Action{Actor: officer, ToBodyID: "ubdngs"}, "the office that received it")
		h.update("forward", workflows.Action{Actor: officer, ToBodyID: "ubnd-ho-chi-minh", Note: "đúng thẩm quyền"}, "")
	})
	h.at(day(20), func() {
		h.update("record-response", workflows.Action{Actor: officer, FromBodyID: "ubnd-ho-chi-minh", Outcome: "resolved"}, "")
		h.update("evaluate", workflows.Action{Actor: officer, Satisfied: ptr(true)}, "")
	})
	h.run(intake("2026-04-01"))

	require.Equal(t, "ubnd-ho-chi-minh", h.row("body_id"))
	require.Equal(t, 2, h.count("forwarded", ""))
	require.Equal(t, 1, h.count("forwarded", `"to": "ubnd-ha-noi"`))
	require.Equal(t, 1, h.count("forwarded", `"hop": 2`))
	// P01 (30 CD from Fri 2026-04-03 = Sun 3 May → Mon 4 May) then D31 (7 WD) → 2026-05-13;
	// from Fri 2026-04-10: Sun 10 May → Mon 11 May, + 7 WD → 2026-05-20.
	require.Equal(t, 1, h.count("clock_started", `"due_on": "2026-05-13"`))
	require.Equal(t, 1, h.count("clock_restarted", `"previous_due_on": "2026-05-13"`))
	require.Equal(t, 1, h.count("clock_restarted", `"due_on": "2026-05-20"`))
	require.Equal(t, 2, h.outboxCount("forwarding_slip"))
	require.Equal(t, "closed", h.row("status"))
}

// An unanswered forwarded letter: the answer clock warns, goes overdue (with a follow-up task),
// escalates to the head and then to the superior of the body holding the letter, each once;
// officers follow up, the office is not satisfied with the answer and keeps watching.
func TestAnswerClockLadderAndUnsatisfiedEvaluation(t *testing.T) {
	h := newHarness(t, "2026-04-01")
	officer := workflows.Actor{Sub: "officer-1"}
	h.at(day(1), func() {
		h.update("classify", workflows.Action{Actor: officer, Kind: "recommendation", Eligible: ptr(true), Competent: ptr(false)}, "")
	})
	h.at(day(2), func() { h.update("forward", workflows.Action{Actor: officer, ToBodyID: "ubnd-ho-chi-minh"}, "") })
	h.at(day(60), func() { h.update("follow-up", workflows.Action{Actor: officer, Note: "Đôn đốc lần 1"}, "") })
	h.at(day(70), func() {
		h.update("record-response", workflows.Action{Actor: officer, FromBodyID: "ubnd-ho-chi-minh", Outcome: "explained"}, "")
		h.update("follow-up", workflows.Action{Actor: officer}, "not allowed while the letter is response_received")
		h.update("evaluate", workflows.Action{Actor: officer, Satisfied: ptr(false), Note: "chưa giải quyết dứt điểm"}, "")
	})
	h.at(day(71), func() { h.update("close", workflows.Action{Actor: officer}, "") })
	h.run(intake("2026-04-01"))

	require.Equal(t, 1, h.count("clock_warning", `"clock": "answer"`))
	require.Equal(t, 1, h.count("clock_overdue", `"clock": "answer"`))
	require.Equal(t, 1, h.count("follow_up_due", `"clock": "answer"`))
	require.Equal(t, 1, h.count("escalated", `"to": "head:ubdngs"`))
	require.Equal(t, 1, h.count("escalated", `"to": "body:chinh-phu"`), "the superior of the body holding the letter")
	require.Equal(t, 1, h.count("followed_up", `"count": 1`))
	require.Equal(t, 1, h.count("clock_met", `"clock": "answer"`))
	require.Equal(t, 1, h.count("clock_met", `"late": true`), "the answer came after its due date")
	require.Equal(t, 1, h.count("evaluated", `"satisfied": false`))
	require.Equal(t, 1, h.outboxCount("follow_up_letter"))
	require.Equal(t, "closed", h.row("status"))
}

// A partial withdrawal keeps the letter open; a full one closes it and stops every clock.
func TestWithdrawPartialThenFull(t *testing.T) {
	h := newHarness(t, "2026-04-01")
	citizen := workflows.Actor{Sub: "officer-1"}
	h.at(day(1), func() { h.update("withdraw", workflows.Action{Actor: citizen, Partial: true}, "") })
	h.at(day(2), func() { h.update("withdraw", workflows.Action{Actor: citizen}, "") })
	h.run(intake("2026-04-01"))

	require.Equal(t, 2, h.count("withdrawn", ""))
	require.Equal(t, 1, h.count("closed", `"reason": "withdrawn"`))
	require.Equal(t, 1, h.count("clock_met", `"clock": "processing"`))
	require.Equal(t, "closed", h.row("status"))
}

// A letter taken in as a complaint and classified as a denunciation: its senders move into
// the identity vault at that moment, and the read model shows only the pseudonym.
func TestClassifyAsDenunciationProtectsTheSenders(t *testing.T) {
	h := newHarness(t, "2026-04-01")
	officer := workflows.Actor{Sub: "officer-1"}
	h.at(day(1), func() {
		h.update("classify", workflows.Action{Actor: officer, Kind: "denunciation", Eligible: ptr(true), Competent: ptr(false)}, "")
	})
	h.at(day(2), func() { h.update("file", workflows.Action{Actor: officer, Reason: "chuyển thanh tra"}, "") })
	h.at(day(3), func() { h.update("close", workflows.Action{Actor: officer}, "") })
	h.run(intake("2026-04-01"))

	require.Equal(t, 1, h.count("identity_protected", ""))
	require.Equal(t, "true", h.row("confidential"))
	require.NotContains(t, h.row("senders"), "Nguyễn Văn Đức")
	require.NotContains(t, h.row("sender_display"), "Nguyễn Văn Đức")
	require.Regexp(t, `^Người tố cáo #`, h.row("sender_display"))
	var sealed int
	require.NoError(t, h.db.Raw("SELECT count(*) FROM identity_vault WHERE letter_id = ?", h.id).Scan(&sealed).Error)
	require.Equal(t, 1, sealed)
}

// T28: 2026-09-03 is declared a holiday after a letter received 2026-08-31 set its 10-WD
// processing timer (due 2026-09-16, with 1–2 Sep already off). On the calendar signal the
// letter recomputes: due 2026-09-17, the old and new dates recorded, and its ladder moves
// with it (the overdue step fires at the new instant, once).
func TestCalendarChangeMovesRunningClockT28(t *testing.T) {
	h := newHarness(t, "2026-08-31")
	h.on("2026-09-01", func() {
		ch, changed, err := models.PutHoliday(context.Background(), h.db,
			deadline.Holiday{Date: deadline.MustParseDate("2026-09-03"), Name: "Nghỉ bổ sung", Kind: deadline.KindHoliday}, "admin-1")
		require.NoError(t, err)
		require.True(t, changed)
		h.env.SignalWorkflow(workflows.SignalCalendar, workflows.CalendarChanged{Day: ch.Date(), ChangeID: ch.ID})
	})
	h.on("2026-09-17", func() {
		require.Equal(t, 0, h.count("clock_overdue", ""), "not overdue on the old due date's next day")
	})
	h.on("2026-09-18", func() {
		require.Equal(t, 1, h.count("clock_overdue", `"due_on": "2026-09-17"`))
		h.update("file", workflows.Action{Actor: workflows.Actor{Sub: "officer-1"}, Reason: "test"}, "")
	})
	h.onAt("2026-09-18", 11, func() { h.update("close", workflows.Action{Actor: workflows.Actor{Sub: "officer-1"}}, "") })
	h.run(intake("2026-08-31"))

	require.Equal(t, 1, h.count("clock_recomputed", `"new_due_on": "2026-09-17"`))
	require.Equal(t, 1, h.count("clock_recomputed", `"old_due_on": "2026-09-16"`))
	require.Equal(t, 1, h.count("clock_overdue", ""), "the overdue step fired once, at the new date")
	require.Equal(t, 1, h.count("clock_warning", ""))
}
