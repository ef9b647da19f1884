package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/workflows"
)

func sessionPlan(opens, closes, next string) *workflows.SessionPlan {
	p := &workflows.SessionPlan{Term: "XV", Number: 11, OpensOn: deadline.MustParseDate(opens), ClosesOn: deadline.MustParseDate(closes)}
	if next != "" {
		n := deadline.MustParseDate(next)
		p.NextOpensOn = &n
	}
	return p
}

func raw(id, delegation, delegationID, phase, topic, text string, voters int) workflows.RawPetition {
	return workflows.RawPetition{ID: id, Delegation: delegation, DelegationID: delegationID, Phase: phase, Topic: topic, Text: text, VoterCount: &voters}
}

// A session cycle with the dates of T29 and T31: the session closes Fri 2026-06-26, so the
// post-session synthesis is due Sat 11 Jul → Mon 2026-07-13; the next session opens Tue
// 2026-10-20, so the results report is due 20 working days before, 2026-09-22. Petitions are
// collected and synthesised, the pre-session synthesis is finalized on time, the post-session
// one never (its reminder and overdue step fire once each), the results report comes late,
// and closing the cycle carries the confirmed but unforwarded groups over.
func TestSessionCycleClocksT29T31(t *testing.T) {
	h := newPetitionHarness(t, "2026-04-01")
	officer := workflows.Actor{Sub: "officer-1", BodyID: "ubdngs"}
	id := "t-" + deadline.MustParseDate("2026-04-01").String()[:4] + "-11"
	var syn, conf workflows.SessionResult
	h.on("2026-04-02", func() {
		h.update("collect", workflows.SessionAction{Actor: officer, Petitions: []workflows.RawPetition{
			raw("p1", "Hà Nội", "doan-dbqh-ha-noi", "before", "education", "Cử tri bức xúc việc thay đổi sách giáo khoa liên tục gây lãng phí cho phụ huynh.", 40),
			raw("p2", "Kon Tum", "doan-dbqh-quang-ngai", "before", "education", "Cử tri đề nghị không thay đổi sách giáo khoa liên tục, gây tốn kém cho phụ huynh.", 25),
			raw("p3", "An Giang", "doan-dbqh-an-giang", "before", "agriculture", "Nông dân phản ánh giá phân bón tăng cao, sản xuất lúa không có lãi.", 12),
		}}, "", nil)
	})
	h.onAt("2026-04-02", 11, func() { h.update("synthesize", workflows.SessionAction{Actor: officer}, "", &syn) })
	h.onAt("2026-04-02", 12, func() {
		require.Len(t, syn.Synthesis.Suggested, 1, "the two textbook petitions are one matter")
		var all []string
		require.NoError(t, h.db.Raw("SELECT id FROM voter_petitions WHERE session_id = ? ORDER BY id", id).Scan(&all).Error)
		h.update("groups", workflows.SessionAction{Actor: officer, Groups: &workflows.GroupEdit{Action: "confirm", GroupIDs: all}}, "", &conf)
	})
	h.on("2026-05-04", func() {
		h.update("groups", workflows.SessionAction{Actor: officer, Groups: &workflows.GroupEdit{Action: "finalize", Phase: "before"}}, "", nil)
		h.update("groups", workflows.SessionAction{Actor: officer, Groups: &workflows.GroupEdit{Action: "finalize", Phase: "before"}}, "already finalized", nil)
	})
	h.on("2026-09-25", func() { h.update("report-results", workflows.SessionAction{Actor: officer}, "", nil) })
	h.on("2026-09-28", func() {
		h.update("report-results", workflows.SessionAction{Actor: officer}, "already submitted", nil)
		h.update("close", workflows.SessionAction{Actor: officer, NextSessionID: id}, "must name the next session", nil)
		h.update("close", workflows.SessionAction{Actor: officer, NextSessionID: "xv-12"}, "", nil)
	})
	h.env.ExecuteWorkflow(workflows.SessionCycleWorkflow, workflows.SessionStart{ID: id, Plan: sessionPlan("2026-05-20", "2026-06-26", "2026-10-20"), Actor: officer})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())

	require.Equal(t, "2026-05-05", h.clockOf("sessions", id, "pre_synthesis")["due_on"])
	require.Equal(t, "2026-07-13", h.clockOf("sessions", id, "post_synthesis")["due_on"]) // T29
	require.Equal(t, "2026-09-22", h.clockOf("sessions", id, "results_report")["due_on"]) // T31
	require.Equal(t, "met", h.clockOf("sessions", id, "pre_synthesis")["status"])
	require.Nil(t, h.clockOf("sessions", id, "pre_synthesis")["late"])
	require.Equal(t, true, h.clockOf("sessions", id, "results_report")["late"])
	require.Equal(t, "overdue", h.clockOf("sessions", id, "post_synthesis")["status"], "never finalized: it stays overdue")

	ev := func(typ, contains string) int { return h.count("session_events", "session_id", id, typ, contains) }
	require.Equal(t, 1, ev("clock_warning", `"clock": "post_synthesis"`))
	require.Equal(t, 1, ev("clock_overdue", `"clock": "post_synthesis"`))
	require.Equal(t, 1, ev("clock_warning", `"clock": "pre_synthesis"`), "the reminder 2 WD before fired before it was met")
	require.Equal(t, 0, ev("clock_overdue", `"clock": "pre_synthesis"`))
	require.Equal(t, 1, ev("clock_overdue", `"clock": "results_report"`))
	require.Equal(t, 1, ev("petitions_collected", `"stored": 3`))
	require.Equal(t, 1, ev("synthesis_finalized", `"phase": "before"`))
	require.Equal(t, 1, ev("closed", `"unforwarded_carried_over": 2`))

	require.Equal(t, "closed", h.value("SELECT status FROM sessions WHERE id = ?", id))
	require.Equal(t, "xv-12", h.value("SELECT next_session_id FROM sessions WHERE id = ?", id))
	require.Equal(t, "2", h.value("SELECT count(*) FROM voter_petitions WHERE session_id = ? AND carried_to = 'xv-12' AND carried_over", id))
	require.Equal(t, "65", h.value("SELECT voter_count FROM voter_petitions WHERE session_id = ? AND petition_count = 2", id),
		"the group keeps every voter count")
	require.Equal(t, "{doan-dbqh-ha-noi,doan-dbqh-quang-ngai}",
		h.value("SELECT delegation_ids::text FROM voter_petitions WHERE session_id = ? AND petition_count = 2", id))
	require.Contains(t, h.outbox(id), "reminder:officer:ubdngs")
	require.Contains(t, h.outbox(id), "overdue:supervisor:ubdngs")
}

// At the next session's opening the cycle closes by itself when that session is registered;
// when it is not, the office is reminded once and closes it by hand later.
func TestSessionAutoCloseAtNextOpening(t *testing.T) {
	h := newPetitionHarness(t, "2026-09-01")
	officer := workflows.Actor{Sub: "officer-1", BodyID: "ubdngs"}
	h.on("2026-10-21", func() {
		require.Equal(t, "1", h.value("SELECT count(*) FROM session_events WHERE session_id = 'auto-a' AND type = 'close_due'"))
		require.Equal(t, "collecting", h.value("SELECT status FROM sessions WHERE id = 'auto-a'"))
		// The next session is registered; the office closes the cycle.
		require.NoError(t, h.db.Exec(`INSERT INTO sessions (id, term, number, opens_on, closes_on, status, version)
			VALUES ('auto-b', 'XV', 12, '2026-10-20', '2026-12-10', 'collecting', 1)`).Error)
		h.update("close", workflows.SessionAction{Actor: officer, NextSessionID: "auto-b"}, "", nil)
	})
	h.env.ExecuteWorkflow(workflows.SessionCycleWorkflow, workflows.SessionStart{ID: "auto-a", Plan: sessionPlan("2026-09-10", "2026-09-30", "2026-10-20"), Actor: officer})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	require.Equal(t, "closed", h.value("SELECT status FROM sessions WHERE id = 'auto-a'"))
	require.Contains(t, h.outbox("auto-a"), "close_due:head:ubdngs")

	h2 := newPetitionHarness(t, "2026-09-01")
	require.NoError(t, h2.db.Exec(`INSERT INTO sessions (id, term, number, opens_on, closes_on, status, version)
		VALUES ('auto-d', 'XV', 12, '2026-10-20', '2026-12-10', 'collecting', 1)`).Error)
	h2.env.ExecuteWorkflow(workflows.SessionCycleWorkflow, workflows.SessionStart{ID: "auto-c", Plan: sessionPlan("2026-09-10", "2026-09-30", "2026-10-20"), Actor: officer})
	require.True(t, h2.env.IsWorkflowCompleted())
	require.NoError(t, h2.env.GetWorkflowError())
	require.Equal(t, "auto-d", h2.value("SELECT next_session_id FROM sessions WHERE id = 'auto-c'"))
	require.Equal(t, "1", h2.value("SELECT count(*) FROM session_events WHERE session_id = 'auto-c' AND type = 'closed' AND actor = 'system'"))
}
