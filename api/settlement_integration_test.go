package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/testenv"
)

// A first-instance complaint settled by the office itself, recorded from paper decisions dated
// in the past: accepted 2026-01-26 (T01: due 2026-02-25), undecided at the due date so the
// second-instance window opens from it (T13: 2026-03-27), decided late, sent, and final.
func TestComplaintSettlementOverHTTP(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	body := letterBody("2026-01-20")
	id := createLetter(t, s, body)["id"].(string)
	act(t, s, id, "classify", map[string]any{"kind": "complaint", "field": "administrative", "eligible": true, "competent": true,
		"decision_known_on": "2025-12-01", "on": "2026-01-22"}, 200)
	bad := testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/reject", map[string]any{"reason": "vague"})
	require.Equal(t, 422, bad.Status, bad.String())
	require.Contains(t, bad.String(), "LKN art 11")
	l := act(t, s, id, "accept", map[string]any{"on": "2026-01-26"}, 200)
	require.Equal(t, "settling", l["status"])
	require.Equal(t, "2026-02-25", clock(t, l, "settlement")["due_on"])
	require.Equal(t, "overdue", clock(t, l, "settlement")["status"])
	require.Equal(t, "2026-01-30", clock(t, l, "acceptance")["due_on"], "T07's rule: 10 CD from receipt before 2026-07-01")
	require.Equal(t, "met", clock(t, l, "acceptance")["status"])

	l = act(t, s, id, "decide", map[string]any{"outcome": "partly_correct", "decision_no": "15/QĐ-UBND", "decided_on": "2026-03-10"}, 200)
	require.Equal(t, true, clock(t, l, "settlement")["late"])
	require.Equal(t, "2026-03-13", clock(t, l, "send_decision")["due_on"])
	l = act(t, s, id, "send-decision", map[string]any{"on": "2026-03-12"}, 200)
	require.Equal(t, "2026-04-13", clock(t, l, "appeal_window")["due_on"], "30 CD from 12 Mar = Sat 11 Apr → Mon 13 Apr")
	require.Equal(t, "window", clock(t, l, "appeal_window")["status"])

	// The finality period (from 10 Mar, ends 9 Apr) has long passed: the case becomes final.
	require.Eventually(t, func() bool {
		v := testenv.Do(t, "GET", s.URL+"/v1/letters/"+id, nil).Map(t)
		return v["detail"].(map[string]any)["case"].(map[string]any)["status"] == "final"
	}, 20e9, 100e6)
	act(t, s, id, "close", nil, 200)
}

// A complex denunciation: one 30-day extension decided in time moves the due date (T18); a
// second is refused by the rule; an extension dated after the due date is refused (T40).
func TestDenunciationExtensionsOverHTTP(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	id := createLetter(t, s, denunciationBody("2026-01-20"))["id"].(string)
	act(t, s, id, "classify", map[string]any{"kind": "denunciation", "eligible": true, "competent": true, "on": "2026-01-22"}, 200)
	l := act(t, s, id, "accept", map[string]any{"complex": true, "on": "2026-01-26"}, 200)
	require.Equal(t, "2026-02-25", clock(t, l, "settlement")["due_on"])
	require.Equal(t, "2026-02-02", clock(t, l, "acceptance_notice")["due_on"], "5 WD from Mon 26 Jan")

	for _, c := range []struct {
		body   map[string]any
		status int
		says   string
	}{
		{map[string]any{"days": 0, "reason": "x", "on": "2026-02-20"}, 422, "1 to 30 days"},
		{map[string]any{"days": 30, "on": "2026-02-20"}, 422, "reason"},
		{map[string]any{"days": 30, "reason": "x", "on": "2026-02-26"}, 409, "too late"},
	} {
		res := testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/extend", c.body)
		require.Equal(t, c.status, res.Status, res.String())
		require.Contains(t, res.String(), c.says)
	}
	l = act(t, s, id, "extend", map[string]any{"days": 30, "reason": "xác minh tại nhiều nơi", "on": "2026-02-20"}, 200)
	require.Equal(t, "2026-03-27", clock(t, l, "settlement")["due_on"])
	res := testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/extend", map[string]any{"days": 30, "reason": "lần 2", "on": "2026-03-20"})
	require.Equal(t, 422, res.Status, res.String())
	require.Contains(t, res.String(), "allows 1 extension")
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))

	officer := "Bearer " + testenv.Token(t, "ho-1", "ubdngs", "handling_officer")
	denied := testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/decide", map[string]any{"outcome": "untrue"}, "Authorization", officer)
	require.Equal(t, 403, denied.Status, "the head decides: %s", denied.String())
	l = act(t, s, id, "decide", map[string]any{"outcome": "untrue", "on": "2026-03-25"}, 200)
	require.Equal(t, "2026-04-01", clock(t, l, "conclusion_notice")["due_on"])
	act(t, s, id, "close", nil, 200)
}

// A second-instance complaint names its first instance and is judged against the window
// that opened when the first-instance deadline expired (T13: until 2026-03-27).
func TestSecondInstanceLinkOverHTTP(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	first := createLetter(t, s, letterBody("2026-01-20"))["id"].(string)
	act(t, s, first, "classify", map[string]any{"kind": "complaint", "eligible": true, "competent": true, "on": "2026-01-22"}, 200)
	act(t, s, first, "accept", map[string]any{"on": "2026-01-26"}, 200)
	require.Eventually(t, func() bool {
		l := testenv.Do(t, "GET", s.URL+"/v1/letters/"+first, nil).Map(t)
		for _, c := range l["clocks"].([]any) {
			if c.(map[string]any)["name"] == "appeal_window" {
				return c.(map[string]any)["due_on"] == "2026-03-27"
			}
		}
		return false
	}, 20e9, 100e6)

	for received, admissible := range map[string]bool{"2026-03-10": true, "2026-04-10": false} {
		id := createLetter(t, s, letterBody(received))["id"].(string)
		res := testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/classify",
			map[string]any{"kind": "complaint", "eligible": true, "competent": true, "first_instance_of": first})
		require.Equal(t, 422, res.Status, "level 2 is needed: %s", res.String())
		l := act(t, s, id, "classify", map[string]any{"kind": "complaint", "eligible": true, "competent": true, "level": 2, "first_instance_of": first}, 200)
		found := false
		for _, e := range l["history"].([]any) {
			ev := e.(map[string]any)
			if ev["type"] == "second_instance_linked" {
				found = true
				require.Equal(t, admissible, ev["data"].(map[string]any)["admissible"], received)
				require.Equal(t, "2026-03-27", ev["data"].(map[string]any)["window_due_on"])
			}
		}
		require.True(t, found, "the link is in the history")
		require.Equal(t, first, l["detail"].(map[string]any)["first_instance_of"])
	}
	res := testenv.Do(t, "POST", s.URL+"/v1/letters/"+first+"/split", map[string]any{"parts": []any{map[string]any{"kind": "complaint"}, map[string]any{"kind": "x"}}})
	require.Equal(t, 422, res.Status, res.String())
	require.Contains(t, res.String(), "parts[1].kind")
}

// allowed_actions follows the settlement's phase: once decided, only sending the decision
// (and what any open letter allows) is offered; once sent, no settlement step is.
func TestSettlementAllowedActionsFollowThePhase(t *testing.T) {
	s := testenv.NewStack(t)
	id := createLetter(t, s, letterBody("2026-03-02"))["id"].(string)
	act(t, s, id, "classify", map[string]any{"kind": "complaint", "eligible": true, "competent": true, "on": "2026-03-03"}, 200)
	l := act(t, s, id, "accept", map[string]any{"on": "2026-03-04"}, 200)
	require.Subset(t, l["allowed_actions"], []any{"decide", "suspend", "mark-complex", "extend"})
	require.NotContains(t, l["allowed_actions"], "accept")
	require.NotContains(t, l["allowed_actions"], "send-decision")
	l = act(t, s, id, "decide", map[string]any{"outcome": "partly_correct", "decision_no": "12/QĐ", "decided_on": "2026-03-20", "on": "2026-03-20"}, 200)
	require.Contains(t, l["allowed_actions"], "send-decision")
	for _, gone := range []string{"decide", "resume", "mark-complex", "suspend", "accept"} {
		require.NotContains(t, l["allowed_actions"], gone)
	}
	l = act(t, s, id, "send-decision", map[string]any{"on": "2026-03-23"}, 200)
	for _, gone := range []string{"decide", "send-decision", "resume", "mark-complex"} {
		require.NotContains(t, l["allowed_actions"], gone)
	}
	// What is advertised is what is accepted: a step of another phase is refused with the list.
	p := act(t, s, id, "decide", map[string]any{"outcome": "correct", "decision_no": "13/QĐ", "decided_on": "2026-03-24"}, 409)
	require.NotContains(t, p["allowed_actions"], "decide")
}
