package workflows_test

import (
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/workflows"
)

var resolver = workflows.Actor{Sub: "resolver-1"}

func date(s string) *deadline.Date { d := deadline.MustParseDate(s); return &d }

func competent(kind string) workflows.Action {
	return workflows.Action{Actor: resolver, Kind: kind, Eligible: ptr(true), Competent: ptr(true)}
}

func caseIntake(kind, received string) workflows.Intake {
	in := intake(received)
	in.Kind = kind
	return in
}

// finish closes the letter after the day's other actions, so the run completes.
func (h *harness) finish(on string) {
	h.onAt(on, 12, func() { h.update("close", workflows.Action{Actor: resolver}, "") })
}

// T01–T06: the first- and second-instance settlement periods by variant, calendar days
// rolled forward off Tết, weekends and 1 May.
func TestComplaintSettlementDueT01ToT06(t *testing.T) {
	for _, c := range []struct {
		name, accepted  string
		level           int
		complex, remote bool
		want            string
	}{
		{"T01 normal", "2026-01-26", 1, false, false, "2026-02-25"},
		{"T03 ends inside Tết", "2026-01-16", 1, false, false, "2026-02-23"},
		{"T04 remote", "2026-01-05", 1, false, true, "2026-02-23"},
		{"T05 L2 normal", "2026-03-02", 2, false, false, "2026-04-16"},
		{"T05 L2 complex, 1 May", "2026-03-02", 2, true, false, "2026-05-04"},
		{"T06 L2 remote", "2026-03-02", 2, false, true, "2026-05-04"},
		{"T06 L2 remote and complex", "2026-03-02", 2, true, true, "2026-05-11"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.accepted)
			h.on(c.accepted, func() {
				a := competent("complaint")
				a.Level = c.level
				h.update("classify", a, "")
				h.update("accept", workflows.Action{Actor: resolver, Complex: c.complex, RemoteArea: c.remote}, "")
			})
			h.finish(c.accepted)
			h.run(caseIntake("complaint", c.accepted))
			require.Equal(t, c.want, h.clock("settlement")["due_on"])
			require.Equal(t, 1, h.count("accepted", `"settlement_due_on": "`+c.want+`"`))
		})
	}
}

// T02: marked complex before the due date, the settlement is recomputed from acceptance; after
// it, too late (the case stays overdue).
func TestMarkComplexT02(t *testing.T) {
	h := newHarness(t, "2026-01-26")
	h.on("2026-01-26", func() {
		h.update("classify", competent("complaint"), "")
		h.update("accept", workflows.Action{Actor: resolver}, "")
	})
	h.on("2026-02-20", func() { h.update("mark-complex", workflows.Action{Actor: resolver, Complex: true}, "") })
	h.on("2026-03-13", func() {
		h.update("mark-complex", workflows.Action{Actor: resolver, Complex: true}, "too late")
		h.update("decide", workflows.Action{Actor: resolver, Outcome: "partly_correct", DecisionNo: "12/QĐ-UBND"}, "")
	})
	h.finish("2026-03-14")
	h.run(caseIntake("complaint", "2026-01-26"))
	require.Equal(t, "2026-03-12", h.clock("settlement")["due_on"])
	require.Equal(t, true, h.clock("settlement")["late"], "decided on 13 Mar, after the complex due date")
	require.Equal(t, 1, h.count("marked_complex", `"previous_variant": "normal"`))
	require.Equal(t, 1, h.count("clock_overdue", `"clock": "settlement"`))
}

// T07/T08: the acceptance period is the rule in force on the day of receipt: 10 calendar days
// before 2026-07-01, 7 working days from then.
func TestAcceptanceDueIsEffectiveDatedT07T08(t *testing.T) {
	for received, want := range map[string]string{"2026-02-10": "2026-02-23", "2026-06-30": "2026-07-10", "2026-07-01": "2026-07-10"} {
		t.Run(received, func(t *testing.T) {
			h := newHarness(t, received)
			h.on(received, func() {
				h.update("classify", competent("complaint"), "")
				h.update("reject", workflows.Action{Actor: resolver, Reason: "vague"}, "LKN art 11")
				h.update("reject", workflows.Action{Actor: resolver, Reason: "5"}, "")
			})
			h.finish(received)
			h.run(caseIntake("complaint", received))
			require.Equal(t, want, h.clock("acceptance")["due_on"])
			require.Equal(t, 1, h.count("rejected", `"reason": "LKN art 11(5)"`))
			require.Equal(t, "closed", h.row("status"))
		})
	}
}

// T09 and T15: the limitation period, with tolling and for a disciplinary decision.
func TestLimitationT09T15(t *testing.T) {
	for _, c := range []struct {
		name, known, filed string
		disciplinary       bool
		tolling            []deadline.Interval
		want               string
		within             bool
	}{
		{"T09 90 CD", "2025-12-01", "2026-03-02", false, nil, "2026-03-02", true},
		{"T09 with 10 tolling days", "2025-12-01", "2026-03-02", false, []deadline.Interval{{From: *date("2026-01-05"), To: *date("2026-01-14")}}, "2026-03-11", true},
		{"T15 disciplinary 15 CD", "2026-02-05", "2026-02-24", true, nil, "2026-02-23", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.filed)
			h.on(c.filed, func() {
				a := competent("complaint")
				a.DecisionKnownOn, a.Disciplinary, a.Tolling = date(c.known), c.disciplinary, c.tolling
				h.update("classify", a, "")
			})
			h.on(c.filed, func() { h.update("file", workflows.Action{Actor: resolver, Reason: "test"}, "") })
			h.finish(c.filed)
			h.run(caseIntake("complaint", c.filed))
			require.Equal(t, c.want, h.clock("limitation")["due_on"])
			require.Equal(t, 1, h.count("limitation_checked", map[bool]string{true: `"within_time": true`, false: `"within_time": false`}[c.within]))
		})
	}
}

// T10–T12: after the decision, the send clock (3 WD), the second-instance window from receipt
// of the decision, and finality 30 days after issuance, when the case becomes final.
func TestDecisionSendWindowFinalityT10ToT12(t *testing.T) {
	h := newHarness(t, "2026-01-12")
	h.on("2026-01-12", func() {
		h.update("classify", competent("complaint"), "")
		h.update("accept", workflows.Action{Actor: resolver}, "")
	})
	h.on("2026-02-10", func() {
		h.update("send-decision", workflows.Action{Actor: resolver}, "the settlement is accepted")
		h.update("decide", workflows.Action{Actor: resolver, Outcome: "wrong"}, "one of")
		h.update("decide", workflows.Action{Actor: resolver, Outcome: "correct", DecisionNo: "05/QĐ-UBND"}, "")
	})
	h.on("2026-02-12", func() { h.update("send-decision", workflows.Action{Actor: resolver}, "") })
	h.finish("2026-03-20")
	h.run(caseIntake("complaint", "2026-01-12"))

	require.Equal(t, "2026-02-13", h.clock("send_decision")["due_on"], "T11: 3 WD from Tue 10 Feb")
	require.Equal(t, "met", h.clock("send_decision")["status"])
	require.Equal(t, "2026-03-16", h.clock("appeal_window")["due_on"], "30 CD from 12 Feb = Sat 14 Mar → Mon 16 Mar")
	require.Equal(t, "2026-03-12", h.clock("finality")["due_on"], "T12")
	require.Equal(t, 1, h.count("decision_final", `"due_on": "2026-03-12"`))
	require.Contains(t, h.row("detail"), `"status": "final"`)
	require.Equal(t, 0, h.count("clock_overdue", `"clock": "appeal_window"`), "a window never makes the office overdue")
}

// T10 and T11's other dates, on their own.
func TestSendAndWindowDatesT10T11(t *testing.T) {
	h := newHarness(t, "2026-01-12")
	h.on("2026-01-12", func() {
		h.update("classify", competent("complaint"), "")
		h.update("accept", workflows.Action{Actor: resolver}, "")
	})
	h.on("2026-01-30", func() { h.update("decide", workflows.Action{Actor: resolver, Outcome: "incorrect"}, "") })
	h.onAt("2026-01-30", 11, func() { h.update("send-decision", workflows.Action{Actor: resolver}, "") })
	h.finish("2026-02-02")
	h.run(caseIntake("complaint", "2026-01-12"))
	require.Equal(t, "2026-03-02", h.clock("appeal_window")["due_on"], "T10: Sun 1 Mar → Mon 2 Mar")

	h2 := newHarness(t, "2026-01-12")
	h2.on("2026-01-12", func() {
		h2.update("classify", competent("complaint"), "")
		h2.update("accept", workflows.Action{Actor: resolver}, "")
	})
	h2.on("2026-02-12", func() { h2.update("decide", workflows.Action{Actor: resolver, Outcome: "correct"}, "") })
	h2.on("2026-02-13", func() { h2.update("close", workflows.Action{Actor: resolver}, "") })
	h2.run(caseIntake("complaint", "2026-01-12"))
	require.Equal(t, "2026-02-24", h2.clock("send_decision")["due_on"], "T11: from Thu 12 Feb, skipping Tết")
}

// T13: no decision by the end of the due date: overdue on the next day, and the
// second-instance window runs 30 days from the expiry.
func TestUndecidedComplaintT13(t *testing.T) {
	h := newHarness(t, "2026-01-26")
	h.on("2026-01-26", func() {
		h.update("classify", competent("complaint"), "")
		h.update("accept", workflows.Action{Actor: resolver}, "")
	})
	h.on("2026-02-26", func() {
		require.Equal(t, 1, h.count("clock_overdue", `"clock": "settlement"`), "overdue on 26 Feb")
	})
	h.finish("2026-03-10")
	h.run(caseIntake("complaint", "2026-01-26"))
	require.Equal(t, "2026-03-27", h.clock("appeal_window")["due_on"])
	require.Equal(t, "window", h.clock("appeal_window")["status"])
}

// T14: a withdrawn complaint's termination notice bars a new complaint on the matter until
// the 30th day.
func TestWithdrawnComplaintBarT14(t *testing.T) {
	h := newHarness(t, "2026-02-02")
	h.on("2026-02-02", func() {
		h.update("classify", competent("complaint"), "")
		h.update("accept", workflows.Action{Actor: resolver}, "")
	})
	h.on("2026-03-10", func() { h.update("withdraw", workflows.Action{Actor: resolver}, "") })
	h.run(caseIntake("complaint", "2026-02-02"))
	require.Equal(t, 1, h.count("withdrawn", `"bar_until": "2026-04-09"`))
	require.Contains(t, h.row("detail"), `"status": "terminated"`)
}

// T16/T17: a denunciation's initial processing (7 WD, extendable once to 10 WD), and the
// forward-by date when the office is not competent.
func TestDenunciationInitialT16T17(t *testing.T) {
	h := newHarness(t, "2026-02-11")
	h.on("2026-02-11", func() { h.update("classify", competent("denunciation"), "") })
	h.on("2026-02-24", func() {
		h.update("extend", workflows.Action{Actor: resolver, Reason: "xác minh nhiều nơi"}, "")
		h.update("extend", workflows.Action{Actor: resolver, Reason: "again"}, "already extended")
	})
	h.on("2026-03-03", func() { h.update("accept", workflows.Action{Actor: resolver}, "") })
	h.finish("2026-03-04")
	h.run(caseIntake("denunciation", "2026-02-11"))
	require.Equal(t, 1, h.count("clock_started", `"due_on": "2026-02-27"`))
	require.Equal(t, "2026-03-04", h.clock("initial")["due_on"])
	require.Equal(t, "met", h.clock("initial")["status"])

	h2 := newHarness(t, "2026-02-11")
	h2.on("2026-02-11", func() {
		h2.update("classify", workflows.Action{Actor: resolver, Kind: "denunciation", Eligible: ptr(true), Competent: ptr(false)}, "")
	})
	h2.onAt("2026-02-11", 11, func() { h2.update("accept", workflows.Action{Actor: resolver}, "not opened") })
	h2.on("2026-02-20", func() { h2.update("forward", workflows.Action{Actor: resolver, ToBodyID: "ubnd-ha-noi"}, "") })
	h2.on("2026-02-21", func() {
		h2.update("close", workflows.Action{Actor: resolver}, "not allowed while the letter is awaiting_response")
	})
	h2.on("2026-02-21", func() { h2.update("withdraw", workflows.Action{Actor: resolver}, "") })
	h2.run(caseIntake("denunciation", "2026-02-11"))
	require.Equal(t, "2026-02-25", h2.clock("forward_by")["due_on"])
	require.Equal(t, "met", h2.clock("forward_by")["status"])
	require.Equal(t, "2026-02-20", h2.clock("forward_by")["met_on"])
	require.Nil(t, h2.clock("forward_by")["late"], "forwarded in time")
}

// T18 and T40: denunciation settlement with extensions, each decided before the current due
// date, no more than the complexity allows.
func TestDenunciationExtensionsT18T40(t *testing.T) {
	for _, c := range []struct {
		name      string
		complex   bool
		very      bool
		extend    []string // dates of extension decisions
		want      string
		wantError string // of the last extension
	}{
		{"normal", false, false, nil, "2026-02-25", ""},
		{"complex, one extension", true, false, []string{"2026-02-20"}, "2026-03-27", ""},
		{"especially complex, two", false, true, []string{"2026-02-20", "2026-03-20"}, "2026-04-28", ""},
		{"complex, a second is refused", true, false, []string{"2026-02-20", "2026-03-20"}, "2026-03-27", "allows 1 extension"},
		{"normal allows none", false, false, []string{"2026-02-20"}, "2026-02-25", "allows 0 extension"},
		{"T40 after the due date", true, false, []string{"2026-02-27"}, "2026-02-25", "too late"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, "2026-01-26")
			h.on("2026-01-26", func() { h.update("classify", competent("denunciation"), "") })
			h.onAt("2026-01-26", 11, func() {
				h.update("accept", workflows.Action{Actor: resolver, Complex: c.complex, EspeciallyComplex: c.very}, "")
			})
			for i, d := range c.extend {
				want := ""
				if i == len(c.extend)-1 {
					want = c.wantError
				}
				h.on(d, func() { h.update("extend", workflows.Action{Actor: resolver, Days: 30, Reason: "phức tạp"}, want) })
			}
			h.finish("2026-05-01")
			h.run(caseIntake("denunciation", "2026-01-26"))
			require.Equal(t, c.want, h.clock("settlement")["due_on"])
			if c.name == "T40 after the due date" {
				require.Equal(t, 1, h.count("clock_overdue", `"clock": "settlement"`), "the case stays overdue")
				require.Equal(t, 0, h.count("extended", ""))
			}
		})
	}
}

// T19: suspended time is excluded; T20: the acceptance notice; T21: the conclusion notice and
// its handling.
func TestDenunciationSuspendNoticeConclusionT19ToT21(t *testing.T) {
	h := newHarness(t, "2026-03-02")
	h.on("2026-03-02", func() { h.update("classify", competent("denunciation"), "") })
	h.onAt("2026-03-02", 11, func() {
		h.update("accept", workflows.Action{Actor: resolver}, "")
	})
	h.onAt("2026-03-03", 11, func() {
		h.update("resume", workflows.Action{Actor: resolver}, "the settlement is accepted")
	})
	h.on("2026-03-12", func() {
		h.update("suspend", workflows.Action{Actor: resolver, Reason: "chờ giám định"}, "")
		h.update("decide", workflows.Action{Actor: resolver, Outcome: "correct"}, "the settlement is suspended")
	})
	h.on("2026-04-08", func() { h.update("resume", workflows.Action{Actor: resolver}, "") })
	h.on("2026-04-20", func() { h.update("decide", workflows.Action{Actor: resolver, Outcome: "untrue"}, "") })
	h.finish("2026-04-21")
	h.run(caseIntake("denunciation", "2026-03-02"))
	require.Equal(t, "2026-04-28", h.clock("settlement")["due_on"], "T19")
	require.Equal(t, 0, h.count("clock_overdue", `"clock": "settlement"`), "paused time never counts")
	require.Equal(t, "2026-03-09", h.clock("acceptance_notice")["due_on"])

	h2 := newHarness(t, "2026-04-29")
	h2.on("2026-04-29", func() { h2.update("classify", competent("denunciation"), "") })
	h2.onAt("2026-04-29", 11, func() { h2.update("accept", workflows.Action{Actor: resolver}, "") })
	h2.finish("2026-04-30")
	h2.run(caseIntake("denunciation", "2026-04-29"))
	require.Equal(t, "2026-05-08", h2.clock("acceptance_notice")["due_on"], "T20")

	h3 := newHarness(t, "2026-03-02")
	h3.on("2026-03-02", func() { h3.update("classify", competent("denunciation"), "") })
	h3.onAt("2026-03-02", 11, func() { h3.update("accept", workflows.Action{Actor: resolver}, "") })
	h3.on("2026-03-27", func() { h3.update("decide", workflows.Action{Actor: resolver, Outcome: "partly_correct"}, "") })
	h3.onAt("2026-03-27", 11, func() { h3.update("send-decision", workflows.Action{Actor: resolver}, "") })
	h3.finish("2026-03-30")
	h3.run(caseIntake("denunciation", "2026-03-02"))
	require.Equal(t, "2026-04-03", h3.clock("conclusion_notice")["due_on"], "T21")
	require.Equal(t, "met", h3.clock("conclusion_notice")["status"])
	require.Equal(t, "2026-04-07", h3.clock("handling")["due_on"], "T21")
}

// A complaint's handling cannot be suspended before the 2026 procedure existed.
func TestComplaintSuspensionOnlyFrom2026Reform(t *testing.T) {
	h := newHarness(t, "2026-03-02")
	h.on("2026-03-02", func() {
		h.update("classify", competent("complaint"), "")
		h.update("accept", workflows.Action{Actor: resolver}, "")
	})
	h.on("2026-03-10", func() {
		h.update("suspend", workflows.Action{Actor: resolver, Reason: "ốm"}, "before suspension existed")
	})
	h.finish("2026-03-11")
	h.run(caseIntake("complaint", "2026-03-02"))
	require.Equal(t, 0, h.count("suspended", ""))
}

// T24: a denunciation forwarded by the press: the outcome is due to it in 20 days.
// T36: an anonymous denunciation becomes an inspection lead, never an accepted case.
func TestPressAndAnonymousDenunciationsT24T36(t *testing.T) {
	h := newHarness(t, "2026-02-02")
	in := caseIntake("denunciation", "2026-02-02")
	in.Channel = "press"
	h.on("2026-02-02", func() { h.update("classify", competent("denunciation"), "") })
	h.onAt("2026-02-02", 11, func() { h.update("file", workflows.Action{Actor: resolver, Reason: "chuyển thanh tra"}, "") })
	h.finish("2026-02-03")
	h.run(in)
	require.Equal(t, "2026-02-23", h.clock("press_report")["due_on"])

	h2 := newHarness(t, "2026-02-02")
	anon := caseIntake("denunciation", "2026-02-02")
	anon.Anonymous, anon.Senders, anon.SignerCount = true, nil, 0
	h2.on("2026-02-02", func() { h2.update("classify", competent("denunciation"), "") })
	h2.onAt("2026-02-02", 11, func() {
		h2.update("accept", workflows.Action{Actor: resolver}, "not opened")
		h2.update("file", workflows.Action{Actor: resolver, Reason: "chuyển thông tin cho thanh tra"}, "")
	})
	h2.finish("2026-02-03")
	h2.run(anon)
	require.Equal(t, 1, h2.count("inspection_lead_created", ""))
	require.Equal(t, 0, h2.count("accepted", ""))
}

// T22/T23: a denunciation reaching the superior: the review of a re-denunciation is due in
// 20 days, the report request on an overdue one in 5 working days; the first outcome meets it.
func TestSuperiorProceduresT22T23(t *testing.T) {
	for _, c := range []struct{ procedure, received, clock, want string }{
		{"re_denunciation", "2026-02-05", "review", "2026-02-25"},
		{"overdue_escalation", "2026-03-02", "report_request", "2026-03-09"},
	} {
		t.Run(c.procedure, func(t *testing.T) {
			h := newHarness(t, c.received)
			h.on(c.received, func() {
				a := competent("denunciation")
				a.Procedure = c.procedure
				h.update("classify", a, "")
			})
			h.onAt(c.received, 11, func() { h.update("accept", workflows.Action{Actor: resolver}, "") })
			h.finish(c.received)
			h.run(caseIntake("denunciation", c.received))
			require.Equal(t, c.want, h.clock(c.clock)["due_on"])
			require.Equal(t, "met", h.clock(c.clock)["status"])
		})
	}
}

// T38: a mixed letter is split into a complaint part and a denunciation part, each its own
// letter with its own clocks, linked both ways; the senders stay protected in both.
func TestSplitMixedLetterT38(t *testing.T) {
	h := newHarness(t, "2026-04-01")
	in := caseIntake("mixed", "2026-04-01")
	in.Protected, in.Pseudonym, in.Senders = true, "Người tố cáo #Q42", nil
	sealed := []workflows.Sender{{FullName: "Nguyễn Văn Đức", IDNumber: "001203004567"}}
	require.NoError(t, sealIdentity(h, h.id, sealed))
	h.on("2026-04-01", func() {
		h.update("classify", workflows.Action{Actor: resolver, Kind: "mixed", Eligible: ptr(true), Competent: ptr(true)}, "")
	})
	h.onAt("2026-04-01", 11, func() {
		h.update("split", workflows.Action{Actor: resolver, Parts: []workflows.Part{{Kind: "complaint"}}}, "2 to 5 parts")
		h.update("split", workflows.Action{Actor: resolver, Parts: []workflows.Part{
			{Kind: "complaint", Subject: "Khiếu nại quyết định thu hồi đất"},
			{Kind: "denunciation", Subject: "Tố cáo cán bộ địa chính"},
		}}, "")
	})
	h.finish("2026-04-02")
	// The test environment runs the parts in-process until they end too: file and close them.
	for i := 1; i <= 2; i++ {
		part := workflows.LetterWorkflowID(workflows.PartID(h.id, i))
		for hour, action := range map[int]string{13: "file", 14: "close"} {
			h.onAt("2026-04-02", hour, func() {
				h.env.UpdateWorkflowByID(part, action, testenv.Name("u"), &testsuite.TestUpdateCallback{
					OnReject: func(err error) { t.Errorf("%s %s rejected: %v", action, part, err) }, OnAccept: func() {},
					OnComplete: func(_ any, err error) { require.NoError(t, err) },
				}, workflows.Action{Actor: resolver, Reason: "test"})
			})
		}
	}
	h.run(in)

	require.Equal(t, "closed", h.row("status"))
	require.Equal(t, 1, h.count("split", workflows.PartID(h.id, 2)))
	for i, kind := range []string{"complaint", "denunciation"} {
		id := workflows.PartID(h.id, i+1)
		var row struct {
			Kind, Subject, SenderDisplay, Status string
			Confidential                         bool
			Detail                               string
		}
		require.NoError(t, h.db.Raw("SELECT kind, subject, sender_display, status, confidential, detail::text AS detail FROM letters WHERE id = ?", id).Scan(&row).Error)
		require.Equal(t, kind, row.Kind, id)
		require.Equal(t, "closed", row.Status, "%s ran on its own", id)
		require.True(t, row.Confidential)
		require.Contains(t, row.Detail, `"split_from": "`+h.id+`"`)
		require.NotContains(t, row.SenderDisplay, "Nguyễn")
		var copies int
		require.NoError(t, h.db.Raw("SELECT count(*) FROM identity_vault WHERE letter_id = ?", id).Scan(&copies).Error)
		require.Equal(t, 1, copies, "the part's senders are sealed under its own id")
		var clocks int
		require.NoError(t, h.db.Raw("SELECT count(*) FROM letter_events WHERE letter_id = ? AND type = 'registered'", id).Scan(&clocks).Error)
		require.Equal(t, 1, clocks, "%s registered with its own processing clock", id)
	}
}
