package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/workflows"
)

func receptionIntake(heldOn string) workflows.Intake {
	in := intake(heldOn)
	in.Kind, in.Channel, in.ReceptionVisitID = "recommendation", workflows.ChannelReception, "visit-t25"
	in.Subject, in.Content, in.Respondent = "Kiến nghị sửa đường liên xã", "Đường liên xã xuống cấp, đề nghị sửa chữa.", ""
	return in
}

// T25: a reception visit on Mon 2026-02-09 records a petition; the citizen must be told how it
// is handled within 10 working days (LTCD art 28(1), D30): 2026-03-02, Tết 16–20 Feb skipped.
// Guiding the citizen on 2026-02-25 is that notice: the clock is met on time, and the
// citizen notice queued by the guidance is the only one.
func TestReceptionNoticeMetByGuidanceT25(t *testing.T) {
	h := newHarness(t, "2026-02-09")
	officer := workflows.Actor{Sub: "officer-1"}
	h.on("2026-02-24", func() {
		h.update("classify", workflows.Action{Actor: officer, Kind: "recommendation", Field: "administrative", Eligible: ptr(true), Competent: ptr(false)}, "")
	})
	h.on("2026-02-25", func() {
		h.update("guide", workflows.Action{Actor: officer, Text: "Gửi kiến nghị đến UBND xã nơi có tuyến đường."}, "")
	})
	h.on("2026-03-20", func() { h.update("close", workflows.Action{Actor: officer}, "") })
	h.run(receptionIntake("2026-02-09"))

	c := h.clock(workflows.ClockReceptionNotice)
	require.Equal(t, "D30", c["rule_id"])
	require.Equal(t, "2026-02-09", c["start_on"])
	require.Equal(t, "2026-03-02", c["due_on"])
	require.Equal(t, "met", c["status"])
	require.Equal(t, "2026-02-25", c["met_on"])
	require.Nil(t, c["late"])
	require.Equal(t, "visit-t25", h.row("reception_visit_id"))
	require.Equal(t, 1, h.count("registered", `"reception_notice_due_on": "2026-03-02"`))
	require.Equal(t, 1, h.count("clock_met", `"clock": "reception_notice"`))
	require.Equal(t, 0, h.count("clock_overdue", `"clock": "reception_notice"`))
	require.Equal(t, 1, h.outboxCount("citizen_notice"), "guidance is the one notice to the citizen")
}

// Left without an outcome past 2026-03-02, the notice clock warns once and goes overdue once;
// filing the letter later meets it late and, since filing tells the citizen nothing by itself,
// queues the one citizen notice of the outcome.
func TestReceptionNoticeOverdueThenFiledLate(t *testing.T) {
	h := newHarness(t, "2026-02-09")
	officer := workflows.Actor{Sub: "officer-1"}
	h.on("2026-03-10", func() { h.update("file", workflows.Action{Actor: officer, Reason: "already_guided"}, "") })
	h.on("2026-03-11", func() { h.update("close", workflows.Action{Actor: officer}, "") })
	h.run(receptionIntake("2026-02-09"))

	c := h.clock(workflows.ClockReceptionNotice)
	require.Equal(t, "2026-03-02", c["due_on"])
	require.Equal(t, "met", c["status"])
	require.Equal(t, "2026-03-10", c["met_on"])
	require.Equal(t, true, c["late"])
	require.Equal(t, 1, h.count("clock_warning", `"clock": "reception_notice"`))
	require.Equal(t, 1, h.count("clock_overdue", `"clock": "reception_notice"`))
	require.Equal(t, 0, h.count("escalated", `"clock": "reception_notice"`), "the notice clock warns and flags overdue, it does not escalate")
	require.Equal(t, 1, h.outboxCount("citizen_notice"))
	var key string
	require.NoError(t, h.db.Raw("SELECT dedupe_key FROM outbox WHERE letter_id = ? AND kind = 'citizen_notice'", h.id).Scan(&key).Error)
	require.Contains(t, key, "reception/filed")
}

// Forwarding at the reception (the visit's outcome "forwarded") meets the notice the same day;
// a letter that did not come from a reception has no notice clock.
func TestReceptionNoticeOnlyForReceptionLetters(t *testing.T) {
	h := newHarness(t, "2026-02-09")
	officer := workflows.Actor{Sub: "officer-1"}
	h.on("2026-02-09", func() {
		h.update("classify", workflows.Action{Actor: officer, Kind: "recommendation", Eligible: ptr(true), Competent: ptr(false), On: ptr(deadline.MustParseDate("2026-02-09"))}, "")
	})
	h.onAt("2026-02-09", 11, func() { h.update("forward", workflows.Action{Actor: officer, ToBodyID: "ubnd-ha-noi"}, "") })
	h.on("2026-02-10", func() { h.update("withdraw", workflows.Action{Actor: officer}, "") })
	h.run(receptionIntake("2026-02-09"))
	c := h.clock(workflows.ClockReceptionNotice)
	require.Equal(t, "met", c["status"])
	require.Equal(t, "2026-02-09", c["met_on"])
	require.Equal(t, 1, h.outboxCount("citizen_notice"), "the forwarding notice is the one notice")

	post := newHarness(t, "2026-02-09")
	post.on("2026-02-10", func() { post.update("withdraw", workflows.Action{Actor: officer}, "") })
	post.run(intake("2026-02-09"))
	require.NotContains(t, post.row("clocks"), workflows.ClockReceptionNotice)
}
