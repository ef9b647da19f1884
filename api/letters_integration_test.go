package api_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/workflows"
)

func letterBody(received string) map[string]any {
	return map[string]any{
		"kind": "complaint", "channel": "post", "received_on": received,
		"senders":    []map[string]any{{"full_name": "Nguyễn Văn Đức", "address": "phường Ba Đình, Hà Nội", "id_number": "001203004567"}},
		"subject":    "Khiếu nại quyết định thu hồi đất",
		"content":    "Gia đình tôi không đồng ý với giá bồi thường khi Nhà nước thu hồi đất.",
		"respondent": "UBND phường Ba Đình", "body_id": "ubdngs",
	}
}

func createLetter(t *testing.T, s *testenv.Stack, body map[string]any, headers ...string) map[string]any {
	t.Helper()
	res := testenv.Do(t, "POST", s.URL+"/v1/letters", body, headers...)
	require.Equal(t, 201, res.Status, string(res.Body))
	return res.Map(t)
}

func act(t *testing.T, s *testenv.Stack, id, action string, body any, wantStatus int) map[string]any {
	t.Helper()
	res := testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/"+action, body)
	require.Equal(t, wantStatus, res.Status, "%s: %s", action, res.Body)
	return res.Map(t)
}

func clock(t *testing.T, letter map[string]any, name string) map[string]any {
	t.Helper()
	for _, c := range letter["clocks"].([]any) {
		if m := c.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("letter has no %s clock: %v", name, letter["clocks"])
	return nil
}

// The main path over HTTP against the real servers: intake -> classify -> forward ->
// record-response -> evaluate -> closed, with T26's processing clock.
func TestLetterLifecycleOverHTTP(t *testing.T) {
	s := testenv.NewStack(t)
	l := createLetter(t, s, letterBody("2026-02-12"))
	id := l["id"].(string)
	require.Regexp(t, `^DN-\d{4}-\d{6}$`, l["number"])
	require.Equal(t, "registered", l["status"])
	require.Equal(t, "2026-03-05", clock(t, l, "processing")["due_on"]) // T26
	// Version 1 is the received letter, 2 the registered one; received in February, its
	// clock is already past every milestone, which fire in the same workflow task as the
	// registration (version 3) before the intake answers.
	require.EqualValues(t, 3, l["version"])
	require.Equal(t, true, l["overdue"], "the intake answer shows the clock as it stands today")

	l = act(t, s, id, "classify", map[string]any{"kind": "complaint", "field": "administrative", "topic": "land", "eligible": true, "competent": false}, 200)
	require.Equal(t, "classified", l["status"])
	l = act(t, s, id, "forward", map[string]any{"to_body_id": "ubnd-ha-noi", "note": "thẩm quyền của UBND thành phố"}, 200)
	require.Equal(t, "awaiting_response", l["status"])
	require.Equal(t, "ubnd-ha-noi", l["body_id"])
	require.Equal(t, "met", clock(t, l, "processing")["status"])
	require.Equal(t, "running", clock(t, l, "answer")["status"])
	l = act(t, s, id, "record-response", map[string]any{"from_body_id": "ubnd-ha-noi", "outcome": "resolved", "summary": "Đã giải quyết"}, 200)
	require.Equal(t, "response_received", l["status"])
	l = act(t, s, id, "evaluate", map[string]any{"satisfied": true}, 200)
	require.Equal(t, "closed", l["status"])
	require.Empty(t, l["allowed_actions"])

	types := []string{}
	for _, e := range l["history"].([]any) {
		types = append(types, e.(map[string]any)["type"].(string))
	}
	for _, want := range []string{"received", "registered", "classified", "forwarded", "response_recorded", "evaluated", "closed"} {
		require.Contains(t, types, want)
	}
	// A closed letter refuses further actions with the state and no allowed actions.
	p := act(t, s, id, "follow-up", map[string]any{}, 409)
	require.Equal(t, "closed", p["state"])

	// The proof of the processing clock counts 10 working days and names the rule.
	res := testenv.Do(t, "GET", s.URL+"/v1/letters/"+id+"/deadlines/processing/proof", nil)
	require.Equal(t, 200, res.Status, string(res.Body))
	proof := res.Map(t)
	require.Equal(t, "2026-03-05", proof["due_on"])
	require.Contains(t, proof["text"], "Tết")
}

// A retried POST with the same Idempotency-Key returns the same letter, never a second one;
// the same key with another body is refused.
func TestIdempotentIntake(t *testing.T) {
	s := testenv.NewStack(t)
	a := createLetter(t, s, letterBody("2026-03-02"), "Idempotency-Key", "intake-42")
	b := createLetter(t, s, letterBody("2026-03-02"), "Idempotency-Key", "intake-42")
	require.Equal(t, a["id"], b["id"])
	require.Equal(t, a["number"], b["number"])
	var n int64
	require.NoError(t, s.DB.Table("letters").Count(&n).Error)
	require.EqualValues(t, 1, n)

	other := letterBody("2026-03-02")
	other["subject"] = "Một nội dung khác"
	res := testenv.Do(t, "POST", s.URL+"/v1/letters", other, "Idempotency-Key", "intake-42")
	require.Equal(t, 422, res.Status, string(res.Body))
}

// Numbers are sequential per year with no gaps, even when requests fail validation between.
func TestLetterNumbersHaveNoGaps(t *testing.T) {
	s := testenv.NewStack(t)
	var numbers []string
	for i := 0; i < 3; i++ {
		bad := letterBody("2026-03-02")
		delete(bad, "subject")
		require.Equal(t, 422, testenv.Do(t, "POST", s.URL+"/v1/letters", bad).Status)
		numbers = append(numbers, createLetter(t, s, letterBody("2026-03-02"))["number"].(string))
	}
	year := time.Now().Year()
	require.Equal(t, []string{fmt.Sprintf("DN-%d-000001", year), fmt.Sprintf("DN-%d-000002", year), fmt.Sprintf("DN-%d-000003", year)}, numbers)
}

// Concurrent forward and file on one letter: exactly one wins, the other gets 409.
func TestConcurrentActionsOneWins(t *testing.T) {
	s := testenv.NewStack(t)
	id := createLetter(t, s, letterBody("2026-03-02"))["id"].(string)
	act(t, s, id, "classify", map[string]any{"kind": "complaint"}, 200)
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, req := range []struct {
		action string
		body   any
	}{{"forward", map[string]any{"to_body_id": "bo-tai-chinh"}}, {"file", map[string]any{"reason": "không thuộc thẩm quyền"}}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/"+req.action, req.body).Status
		}()
	}
	wg.Wait()
	require.ElementsMatch(t, []int{200, 409}, statuses)
}

// A stale If-Match is refused with 409 and the current version.
func TestStaleIfMatch(t *testing.T) {
	s := testenv.NewStack(t)
	// Received today, so no past-due milestone changes the version under the test's feet.
	l := createLetter(t, s, letterBody(deadline.DateOf(time.Now()).String()))
	id := l["id"].(string)
	res := testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/assign", map[string]any{"assignee": "can-bo-1"}, "If-Match", "1")
	require.Equal(t, 409, res.Status, string(res.Body))
	current := res.Map(t)["version"]
	require.Equal(t, l["version"], current)
	res = testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/assign", map[string]any{"assignee": "can-bo-1"}, "If-Match", fmt.Sprint(current))
	require.Equal(t, 200, res.Status, string(res.Body))
	require.Equal(t, "can-bo-1", res.Map(t)["assignee"])
}

func TestIntakeValidationListsEveryBadField(t *testing.T) {
	s := testenv.NewStack(t)
	res := testenv.Do(t, "POST", s.URL+"/v1/letters", map[string]any{
		"kind": "petition", "channel": "fax", "received_on": "2999-01-01", "subject": "", "content": "x\x00y",
		"body_id": "nowhere", "senders": []map[string]any{{"full_name": "", "id_number": "12AB"}},
	})
	require.Equal(t, 422, res.Status)
	fields := map[string]bool{}
	for _, e := range res.Map(t)["errors"].([]any) {
		fields[e.(map[string]any)["field"].(string)] = true
	}
	for _, f := range []string{"kind", "channel", "received_on", "subject", "content", "body_id", "senders[0].full_name", "senders[0].id_number"} {
		require.True(t, fields[f], "missing error for %s in %v", f, fields)
	}
}

// T27 over HTTP, with the dates of the paper trail: the agency resolved a forwarded case on
// Fri 2026-04-24 and the office received its report on 2026-05-08; the report was due within
// 7 working days (2026-05-08, on time) and the office must inform the citizen by 2026-05-15.
func TestAgencyReportAndCitizenNoticeT27OverHTTP(t *testing.T) {
	s := testenv.NewStack(t)
	id := createLetter(t, s, letterBody("2026-04-01"))["id"].(string)
	act(t, s, id, "classify", map[string]any{"kind": "complaint", "eligible": true, "competent": false, "on": "2026-04-02"}, 200)
	act(t, s, id, "forward", map[string]any{"to_body_id": "ubnd-ha-noi", "on": "2026-04-03"}, 200)
	l := act(t, s, id, "record-response", map[string]any{"from_body_id": "ubnd-ha-noi", "outcome": "resolved",
		"resolved_on": "2026-04-24", "received_on": "2026-05-08", "on": "2026-05-08"}, 200)
	report := clock(t, l, "agency_report")
	require.Equal(t, "D31", report["rule_id"])
	require.Equal(t, "2026-05-08", report["due_on"])
	require.Equal(t, "met", report["status"])
	notice := clock(t, l, "citizen_notice")
	require.Equal(t, "D32", notice["rule_id"])
	require.Equal(t, "2026-05-15", notice["due_on"])
	require.Equal(t, "met", clock(t, l, "answer")["status"])
}

// Ops filter letters in the Temporal UI by the search attributes the workflow keeps current:
// after a forward, the letter is found by its new status and holding body, with its kind,
// next due instant and overdue flag.
func TestSearchAttributesFollowTheLetter(t *testing.T) {
	s := testenv.NewStack(t)
	id := createLetter(t, s, letterBody("2026-02-12"))["id"].(string)
	act(t, s, id, "classify", map[string]any{"kind": "complaint", "eligible": true, "competent": false}, 200)
	l := act(t, s, id, "forward", map[string]any{"to_body_id": "ubnd-ha-noi"}, 200)
	due, err := time.Parse(time.RFC3339, clock(t, l, "answer")["due_at"].(string))
	require.NoError(t, err)

	query := fmt.Sprintf("WorkflowId = '%s' AND CaseStatus = 'awaiting_response' AND BodyID = 'ubnd-ha-noi' AND CaseKind = 'complaint' AND Overdue = false",
		workflows.LetterWorkflowID(id))
	var found *workflowpb.WorkflowExecutionInfo
	require.Eventually(t, func() bool {
		res, err := s.Temporal.ListWorkflow(testenv.Context(t), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		require.NoError(t, err)
		if len(res.Executions) != 1 {
			return false
		}
		found = res.Executions[0]
		return true
	}, 20*time.Second, 200*time.Millisecond, "visibility never matched %s", query)
	var got time.Time
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(found.GetSearchAttributes().GetIndexedFields()["DueAt"], &got))
	require.True(t, due.Equal(got), "DueAt %s, answer clock due %s", got, due)
}

// Duplicate hints at intake: a later letter from another sender about the same matter (the
// same text, folded) is registered with the earlier one among its candidates; an unrelated
// letter is not.
func TestDuplicateHintsBySimilarText(t *testing.T) {
	s := testenv.NewStack(t)
	first := createLetter(t, s, letterBody("2026-03-02"))["id"].(string)
	same := letterBody("2026-03-03")
	same["senders"] = []map[string]any{{"full_name": "Lê Thị Hoa", "address": "Hà Nội", "id_number": "001190000999"}}
	same["subject"] = "khieu nai quyet dinh thu hoi dat" // no diacritics, lower case
	second := createLetter(t, s, same)
	other := letterBody("2026-03-03")
	other["senders"] = []map[string]any{{"full_name": "Phạm Văn Tư", "address": "Huế", "id_number": "046190000111"}}
	other["subject"], other["content"], other["respondent"] = "Đề nghị sửa đường", "Đường liên xã xuống cấp.", "UBND xã Phú Lộc"
	third := createLetter(t, s, other)

	hints := func(l map[string]any) []any {
		for _, e := range historyOf(t, l) {
			if e["type"] == "registered" {
				if c, ok := e["data"].(map[string]any)["duplicate_candidates"].([]any); ok {
					return c
				}
			}
		}
		return nil
	}
	require.Contains(t, hints(second), first)
	require.NotContains(t, hints(third), first)
}

// A campaign: many senders send the same text. The hints of a new letter stop at the five
// nearest alike letters (the index walk is cut there, so registration does not slow down with
// the size of the campaign), and an unrelated letter stays out.
func TestDuplicateHintsOfACampaignStopAtFive(t *testing.T) {
	s := testenv.NewStack(t)
	other := letterBody("2026-03-02")
	other["senders"] = []map[string]any{{"full_name": "Phạm Văn Tư", "address": "Huế"}}
	other["subject"], other["content"], other["respondent"] = "Đề nghị sửa đường", "Đường liên xã xuống cấp.", "UBND xã Phú Lộc"
	unrelated := createLetter(t, s, other)["id"].(string)
	var campaign []string
	for i := range 7 {
		b := letterBody("2026-03-03")
		b["senders"] = []map[string]any{{"full_name": fmt.Sprintf("Người ký %d", i), "address": "Hà Nội"}}
		campaign = append(campaign, createLetter(t, s, b)["id"].(string))
	}
	b := letterBody("2026-03-04")
	b["senders"] = []map[string]any{{"full_name": "Người ký cuối", "address": "Hà Nội"}}
	last := createLetter(t, s, b)
	var hints []any
	for _, e := range historyOf(t, last) {
		if e["type"] == "registered" {
			hints, _ = e["data"].(map[string]any)["duplicate_candidates"].([]any)
		}
	}
	require.Len(t, hints, 5)
	for _, h := range hints {
		require.Contains(t, campaign, h)
	}
	require.NotContains(t, hints, unrelated)
}

// Successful letter writes say where their time went: the intake and an action answer with
// the phases before the workflow, in it, and of the view read back.
func TestLetterWritesAnswerServerTiming(t *testing.T) {
	s := testenv.NewStack(t)
	phases := func(res testenv.Response) []string {
		t.Helper()
		var names []string
		for _, part := range strings.Split(res.Header.Get("Server-Timing"), ",") {
			name, dur, ok := strings.Cut(strings.TrimSpace(part), ";dur=")
			require.True(t, ok, "Server-Timing %q", res.Header.Get("Server-Timing"))
			ms, err := strconv.ParseFloat(dur, 64)
			require.NoError(t, err)
			require.GreaterOrEqual(t, ms, 0.0)
			names = append(names, name)
		}
		return names
	}
	res := testenv.Do(t, "POST", s.URL+"/v1/letters", letterBody("2026-03-02"), "Idempotency-Key", "timing-1")
	require.Equal(t, 201, res.Status, string(res.Body))
	require.Equal(t, []string{"checks", "workflow", "view"}, phases(res))
	id := res.Map(t)["id"].(string)
	// A replayed POST is answered from the read model: no workflow phase.
	res = testenv.Do(t, "POST", s.URL+"/v1/letters", letterBody("2026-03-02"), "Idempotency-Key", "timing-1")
	require.Equal(t, 201, res.Status, string(res.Body))
	require.Equal(t, "true", res.Header.Get("Idempotent-Replayed"))
	require.Equal(t, []string{"checks", "view"}, phases(res))
	res = testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/assign", map[string]any{"assignee": "officer-2"})
	require.Equal(t, 200, res.Status, string(res.Body))
	require.Equal(t, []string{"checks", "workflow", "view"}, phases(res))
}
