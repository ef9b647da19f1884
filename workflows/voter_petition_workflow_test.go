package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/workflows"
)

// seedGroup stores a session, the next one, and a confirmed group with two delegations, as the
// session workflow leaves them before the first forward.
func (h *pharness) seedGroup(id, status string) {
	h.t.Helper()
	for _, q := range []string{
		`INSERT INTO sessions (id, term, number, opens_on, closes_on, next_opens_on, status, version, detail)
		 VALUES ('vp-s1', 'XV', 11, '2026-05-20', '2026-06-26', '2026-10-20', 'collecting', 1, '{"office_id": "ubdngs"}')`,
		`INSERT INTO sessions (id, term, number, opens_on, closes_on, status, version)
		 VALUES ('vp-s2', 'XV', 12, '2026-10-20', '2026-12-10', 'collecting', 1)`,
	} {
		require.NoError(h.t, h.db.Exec(q).Error)
	}
	var number any
	if status == workflows.VPSynthesised {
		number = "KN-VP-S1-0001"
	}
	require.NoError(h.t, h.db.Exec(`INSERT INTO voter_petitions (id, session_id, number, status, title, delegations, delegation_ids, petition_count, voter_count)
		VALUES (?, 'vp-s1', ?, ?, 'Thiếu thuốc, vật tư y tế', '{Sóc Trăng,Hà Nội}', '{doan-dbqh-can-tho,doan-dbqh-ha-noi}', 2, 70)`,
		id, number, status).Error)
}

func (h *pharness) runPetition(id string) {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.VoterPetitionWorkflow, workflows.VoterPetitionStart{ID: id, Actor: workflows.Actor{Sub: "officer-1", BodyID: "ubdngs"}})
	require.True(h.t, h.env.IsWorkflowCompleted())
}

// T30 and T32: the Committee forwards electronically on Mon 2026-07-20 (received the same day),
// so the answer is due 60 days later, Fri 2026-09-18; unanswered on 2026-09-19 it is overdue,
// on the unanswered list and followed up; the answer arrives late, classified in progress, and
// is published 15 working days after the answer deadline, Fri 2026-10-09, then posted for 30
// days (Sun 8 Nov → Mon 2026-11-09). The delegation finds it unsatisfactory: it carries over
// to the next session.
func TestVoterPetitionAnswerClockT30T32(t *testing.T) {
	h := newPetitionHarness(t, "2026-07-20")
	h.seedGroup("vp-1", workflows.VPSynthesised)
	committee := workflows.Actor{Sub: "officer-1", BodyID: "ubdngs"}
	h.onAt("2026-07-20", 9, func() {
		h.update("forward", workflows.VPAction{Actor: committee, ToBodyID: "bo-y-te"}, "", nil)
	})
	h.onAt("2026-07-20", 10, func() {
		h.update("answer", workflows.VPAction{Actor: committee, Class: "resolved", AnsweredOn: date("2026-07-19")}, "before the body received", nil)
		h.update("evaluate", workflows.VPAction{Actor: committee, Satisfied: ptr(true)}, "not allowed while the petition is awaiting_answer", nil)
		h.update("forward", workflows.VPAction{Actor: committee, ToBodyID: "bo-y-te"}, "already with bo-y-te", nil)
	})
	h.on("2026-09-19", func() {
		require.Equal(t, "true", h.value("SELECT overdue::text FROM voter_petitions WHERE id = 'vp-1'"), "unanswered on 2026-09-19")
	})
	h.on("2026-10-01", func() {
		h.update("answer", workflows.VPAction{Actor: workflows.Actor{Sub: "agency-1", BodyID: "bo-y-te"}, Class: "in_progress",
			Reason: "has_roadmap", Summary: "Đang sửa đổi quy định đấu thầu thuốc", DocumentNo: "123/BYT-KHTC"}, "", nil)
	})
	h.on("2026-10-12", func() {
		require.Equal(t, "published", h.value("SELECT status FROM voter_petitions WHERE id = 'vp-1'"))
		h.update("evaluate", workflows.VPAction{Actor: workflows.Actor{Sub: "deputy-1", BodyID: "doan-dbqh-ha-noi"}, Satisfied: ptr(false), Note: "Chưa có lộ trình cụ thể"}, "", nil)
	})
	h.runPetition("vp-1")
	require.NoError(t, h.env.GetWorkflowError())

	answer := h.clockOf("voter_petitions", "vp-1", "answer")
	require.Equal(t, "2026-07-20", answer["start_on"])
	require.Equal(t, "2026-09-18", answer["due_on"]) // T30
	require.Equal(t, "met", answer["status"])
	require.Equal(t, true, answer["late"])
	require.Equal(t, "2026-10-09", h.clockOf("voter_petitions", "vp-1", "publish")["due_on"]) // T32
	require.Equal(t, "2026-11-09", h.clockOf("voter_petitions", "vp-1", "posting")["due_on"])
	require.Equal(t, "2026-10-09", h.value("SELECT published_on::text FROM voter_petitions WHERE id = 'vp-1'"))
	require.Equal(t, "carried_over|in_progress|true|vp-s2|false|bo-y-te", h.value(`SELECT status || '|' || answer_class || '|' || answered_late
		|| '|' || carried_to || '|' || satisfied || '|' || body_id FROM voter_petitions WHERE id = 'vp-1'`))
	require.Equal(t, "false", h.value("SELECT overdue::text FROM voter_petitions WHERE id = 'vp-1'"), "the overdue flag clears with the answer")

	ev := func(typ, contains string) int {
		return h.count("voter_petition_events", "petition_id", "vp-1", typ, contains)
	}
	require.Equal(t, 1, ev("clock_warning", `"clock": "answer"`))
	require.Equal(t, 1, ev("clock_overdue", `"clock": "answer"`))
	require.Equal(t, 1, ev("follow_up_due", ""))
	require.Equal(t, 1, ev("followed_up", `"automatic": true`), "5 WD after the due date the body is chased")
	require.Equal(t, 0, ev("escalated", ""), "answered before the 10th working day: no escalation to the superior")
	require.Equal(t, 1, ev("published", `"published_on": "2026-10-09"`))
	require.Equal(t, 1, ev("posting_ended", ""))
	require.Equal(t, 1, ev("carried_over", `"to_session_id": "vp-s2"`))
	require.Equal(t, []string{"forwarding:body:bo-y-te", "reminder:body:bo-y-te", "overdue:supervisor:ubdngs", "follow_up_due:officer:ubdngs",
		"follow_up_letter:body:bo-y-te", "escalation:head:ubdngs", "answer_received:body:doan-dbqh-can-tho", "answer_received:body:doan-dbqh-ha-noi",
		"answer_published:body:doan-dbqh-can-tho", "answer_published:body:doan-dbqh-ha-noi", "carried_over:officer:ubdngs"}, h.outbox("vp-1"))
}

// An answer on time, evaluated satisfied before publication: the petition closes, the answer
// is still published on its date, and a carry-over sent after closing changes nothing. A
// carry-over while it waited for the answer marked it carried over without stopping its clock.
func TestVoterPetitionSatisfiedAndCarriedOver(t *testing.T) {
	h := newPetitionHarness(t, "2026-07-20")
	h.seedGroup("vp-2", workflows.VPSynthesised)
	committee := workflows.Actor{Sub: "officer-1", BodyID: "ubdngs"}
	h.onAt("2026-07-20", 9, func() {
		h.update("forward", workflows.VPAction{Actor: committee, ToBodyID: "bo-giao-duc-va-dao-tao", ReceivedOn: date("2026-07-22")}, "", nil)
	})
	h.on("2026-07-27", func() {
		h.update("forward", workflows.VPAction{Actor: committee, ToBodyID: "bo-y-te", Note: "Bộ GD&ĐT trả lại: không thuộc thẩm quyền"}, "", nil)
	})
	h.on("2026-08-03", func() { h.env.SignalWorkflow(workflows.SignalCarryOver, workflows.CarryOver{ToSessionID: "vp-s2"}) })
	h.on("2026-08-04", func() {
		require.Equal(t, "awaiting_answer|true|vp-s2", h.value("SELECT status || '|' || carried_over || '|' || carried_to FROM voter_petitions WHERE id = 'vp-2'"))
		h.update("follow-up", workflows.VPAction{Actor: committee, Note: "Đề nghị Bộ sớm trả lời"}, "", nil)
	})
	h.on("2026-08-20", func() {
		h.update("answer", workflows.VPAction{Actor: committee, Class: "explained", Reason: "no_roadmap"}, "only an in_progress answer has a reason", nil)
		h.update("answer", workflows.VPAction{Actor: committee, Class: "resolved", Summary: "Đã ban hành thông tư"}, "", nil)
	})
	h.on("2026-08-21", func() {
		h.update("evaluate", workflows.VPAction{Actor: committee, Satisfied: ptr(true)}, "", nil)
	})
	h.on("2026-08-24", func() { h.env.SignalWorkflow(workflows.SignalCarryOver, workflows.CarryOver{ToSessionID: "vp-s3"}) })
	h.runPetition("vp-2")
	require.NoError(t, h.env.GetWorkflowError())

	answer := h.clockOf("voter_petitions", "vp-2", "answer")
	require.Equal(t, "2026-07-27", answer["start_on"], "the second forward restarts the clock")
	require.Equal(t, "2026-09-25", answer["due_on"])
	require.Nil(t, answer["late"])
	require.Equal(t, "closed|resolved|false|vp-s2", h.value(`SELECT status || '|' || answer_class || '|' || answered_late || '|' || carried_to FROM voter_petitions WHERE id = 'vp-2'`))
	require.Equal(t, "2026-10-16", h.value("SELECT published_on::text FROM voter_petitions WHERE id = 'vp-2'"), "15 WD after 2026-09-25")
	ev := func(typ, contains string) int {
		return h.count("voter_petition_events", "petition_id", "vp-2", typ, contains)
	}
	require.Equal(t, 2, ev("forwarded", ""))
	require.Equal(t, 1, ev("clock_restarted", `"previous_due_on": "2026-09-21"`), "07-22 + 60 = Sun 20 Sep, rolled to Monday")
	require.Equal(t, 1, ev("carried_over", ""))
	require.Equal(t, 1, ev("followed_up", `"count": 1`))
	require.Equal(t, 0, ev("clock_overdue", ""))
}

// A group that is still a suggestion cannot be forwarded: the forward fails with a conflict
// and the run ends without touching the group.
func TestVoterPetitionForwardNeedsConfirmation(t *testing.T) {
	h := newPetitionHarness(t, "2026-07-20")
	h.seedGroup("vp-3", workflows.VPSuggested)
	h.onAt("2026-07-20", 9, func() {
		h.update("forward", workflows.VPAction{Actor: workflows.Actor{Sub: "o"}, ToBodyID: "bo-y-te"}, "confirm the group first", nil)
	})
	h.runPetition("vp-3")
	require.ErrorContains(t, h.env.GetWorkflowError(), "cannot be forwarded while it is suggested")
	require.Equal(t, "suggested|false|0", h.value("SELECT status || '|' || claimed || '|' || version FROM voter_petitions WHERE id = 'vp-3'"))
}
