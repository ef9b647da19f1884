package api_test

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/converter"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/workflows"
)

// groupIDs reads the session's groups by status.
func groupsOf(t *testing.T, s *testenv.Stack, session, status string) []map[string]any {
	t.Helper()
	res := testenv.Do(t, "GET", s.URL+"/v1/sessions/"+session+"/groups?status="+status, nil)
	require.Equal(t, 200, res.Status, res.String())
	var out []map[string]any
	for _, g := range res.Map(t)["items"].([]any) {
		out = append(out, g.(map[string]any))
	}
	return out
}

func groupWith(t *testing.T, groups []map[string]any, sourceRef string) map[string]any {
	t.Helper()
	for _, g := range groups {
		for _, m := range g["members"].([]any) {
			if m.(map[string]any)["source_ref"] == sourceRef {
				return g
			}
		}
	}
	t.Fatalf("no group holds %s", sourceRef)
	return nil
}

// The whole path over HTTP against the real servers: petitions submitted, synthesised, the
// groups confirmed, split and merged; one group forwarded on Mon 2026-07-20 (T30: answer due
// 2026-09-18, now overdue and on the unanswered list), answered late by the ministry (only for
// its own body), published (T32: 2026-10-09), found unsatisfactory by a delegation and carried
// over to the next session; the per-body report in JSON, CSV and XLSX; the cycle closed, which
// carries the still unanswered petition over too.
func TestVoterPetitionLifecycleAndReport(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	term := randomTerm()
	sess := createSession(t, s, term, 11, "2026-05-20", "2026-06-26", "2026-10-20")
	id := sess["id"].(string)
	petitions := []any{
		map[string]any{"source_ref": "a1", "delegation": "Sóc Trăng", "phase": "before", "topic": "y tế", "voter_count": 40,
			"text": "Cử tri phản ánh thiếu thuốc, vật tư y tế ở bệnh viện công; người bệnh phải tự mua ngoài."},
		map[string]any{"source_ref": "a2", "delegation": "Hà Nội", "phase": "before", "topic": "y tế", "voter_count": 30,
			"text": "Cử tri đề nghị khắc phục tình trạng thiếu thuốc, vật tư y tế tại các bệnh viện."},
		map[string]any{"source_ref": "b1", "delegation": "An Giang", "phase": "before", "topic": "giáo dục", "voter_count": 25,
			"text": "Cử tri bức xúc vì sách giáo khoa thay đổi liên tục, gây tốn kém cho phụ huynh."},
	}
	res := testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/petitions", petitions)
	require.Equal(t, 201, res.Status, res.String())

	syn := testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/synthesize", map[string]any{})
	require.Equal(t, 200, syn.Status, syn.String())
	require.Len(t, syn.Map(t)["suggested"], 1, "the two drug-shortage petitions")
	suggested := groupsOf(t, s, id, "suggested")
	require.Len(t, suggested, 2)
	drugs, books := groupWith(t, suggested, "a1"), groupWith(t, suggested, "b1")
	require.EqualValues(t, 70, drugs["voter_count"])
	require.ElementsMatch(t, []string{"doan-dbqh-can-tho", "doan-dbqh-ha-noi"}, strs(drugs["delegation_ids"]))

	// A suggestion cannot be forwarded yet; confirm both, split a2 off, merge it back.
	vpAct(t, s, drugs["id"].(string), "forward", map[string]any{"to_body_id": "bo-y-te"}, 409)
	edit := func(body map[string]any, want int) map[string]any {
		res := testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/groups", body)
		require.Equal(t, want, res.Status, res.String())
		return res.Map(t)
	}
	edit(map[string]any{"action": "confirm", "group_ids": []string{drugs["id"].(string), books["id"].(string)}}, 200)
	edit(map[string]any{"action": "finalize", "phase": "after"}, 200) // no after-session petitions: nothing open
	var a2 string
	for _, m := range drugs["members"].([]any) {
		if mm := m.(map[string]any); mm["source_ref"] == "a2" {
			a2 = mm["id"].(string)
		}
	}
	split := edit(map[string]any{"action": "split", "group_id": drugs["id"], "petition_ids": []string{a2}}, 200)["groups"].([]any)
	require.Len(t, split, 2)
	require.EqualValues(t, 1, split[0].(map[string]any)["petition_count"])
	require.EqualValues(t, 30, split[1].(map[string]any)["voter_count"])
	edit(map[string]any{"action": "split", "group_id": drugs["id"], "petition_ids": []string{a2}}, 422) // no longer a member
	edit(map[string]any{"action": "merge", "group_ids": []any{drugs["id"], split[1].(map[string]any)["id"]}, "title": "Thiếu thuốc, vật tư y tế"}, 200)
	edit(map[string]any{"action": "merge", "group_ids": []any{drugs["id"]}}, 422)
	edit(map[string]any{"action": "shuffle"}, 422)
	edit(map[string]any{"action": "confirm", "group_ids": []string{"nope"}}, 422)
	confirmed := groupsOf(t, s, id, "synthesised")
	require.Len(t, confirmed, 2)
	drugs = groupWith(t, confirmed, "a1")
	require.Equal(t, "Thiếu thuốc, vật tư y tế", drugs["title"])
	require.EqualValues(t, 2, drugs["petition_count"])
	require.EqualValues(t, 70, drugs["voter_count"], "merging keeps every voter count")
	drugID, booksID := drugs["id"].(string), groupWith(t, confirmed, "b1")["id"].(string)
	edit(map[string]any{"action": "finalize", "phase": "before"}, 200)

	// Forward (T30); answer only from the ministry itself; T32 publication.
	vpAct(t, s, drugID, "answer", map[string]any{"class": "resolved"}, 409)
	vpAct(t, s, drugID, "forward", map[string]any{"to_body_id": "bo-khong-co"}, 422)
	vp := vpAct(t, s, drugID, "forward", map[string]any{"to_body_id": "bo-y-te", "on": "2026-07-20", "received_on": "2026-07-20"}, 200)
	require.Equal(t, "awaiting_answer", vp["status"])
	require.Equal(t, "2026-09-18", clock(t, vp, "answer")["due_on"])
	require.Equal(t, "overdue", clock(t, vp, "answer")["status"], "unanswered on 2026-09-19 and after")
	require.Equal(t, true, vp["overdue"])
	stale := vpAct(t, s, booksID, "forward", map[string]any{"to_body_id": "bo-giao-duc-va-dao-tao"}, 409, "If-Match", "99")
	require.Equal(t, "synthesised", stale["state"])
	vpAct(t, s, booksID, "forward", map[string]any{"to_body_id": "bo-giao-duc-va-dao-tao"}, 200)
	attrs := searchAttributes(t, s, workflows.VoterPetitionWorkflowID(drugID))
	require.Equal(t, "voter_petition", attrs["CaseKind"])
	require.Equal(t, "awaiting_answer", attrs["CaseStatus"])
	require.Equal(t, "bo-y-te", attrs["BodyID"])
	require.Equal(t, true, attrs["Overdue"])
	require.NotNil(t, attrs["DueAt"])
	require.Equal(t, "session", searchAttributes(t, s, workflows.SessionWorkflowID(id))["CaseKind"])

	list := testenv.Do(t, "GET", s.URL+"/v1/voter-petitions?session_id="+id+"&overdue=true", nil).Map(t)["items"].([]any)
	require.Len(t, list, 1)
	require.Equal(t, drugID, list[0].(map[string]any)["id"])

	other := "Bearer " + testenv.Token(t, "agency-gd", "bo-giao-duc-va-dao-tao", "agency")
	res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+drugID+"/answer", map[string]any{"class": "resolved"}, "Authorization", other)
	require.Equal(t, 404, res.Status, "another agency does not even see it: %s", res.String())
	agency := "Bearer " + testenv.Token(t, "agency-yt", "bo-y-te", "agency")
	res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+drugID+"/answer", map[string]any{"class": "fixed"}, "Authorization", agency)
	require.Equal(t, 422, res.Status, res.String())
	res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+drugID+"/answer", map[string]any{"class": "explained", "reason": "no_roadmap"}, "Authorization", agency)
	require.Equal(t, 422, res.Status, res.String())
	res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+drugID+"/evaluate", map[string]any{"satisfied": true})
	require.Equal(t, 409, res.Status, "evaluation needs an answer: %s", res.String())
	res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+drugID+"/answer", map[string]any{"class": "in_progress", "reason": "has_roadmap",
		"answered_on": "2026-10-01", "summary": "Đang sửa đổi quy định đấu thầu thuốc", "document_no": "123/BYT-KHTC"},
		"Authorization", agency, "Idempotency-Key", "ans-1")
	require.Equal(t, 200, res.Status, res.String())
	vp = res.Map(t)
	require.Equal(t, true, vp["answered_late"])
	require.Equal(t, "2026-10-09", clock(t, vp, "publish")["due_on"]) // T32
	res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+drugID+"/answer", map[string]any{"class": "in_progress", "reason": "has_roadmap",
		"answered_on": "2026-10-01", "summary": "Đang sửa đổi quy định đấu thầu thuốc", "document_no": "123/BYT-KHTC"},
		"Authorization", agency, "Idempotency-Key", "ans-1")
	require.Equal(t, 200, res.Status, "the same key answers the first result: %s", res.String())
	eventually(t, "publication on 2026-10-09", func() bool {
		v := testenv.Do(t, "GET", s.URL+"/v1/voter-petitions/"+drugID, nil).Map(t)
		return v["status"] == "published" && v["published_on"] != nil
	})

	// The next session is registered; the delegation's evaluation carries the petition over.
	next := createSession(t, s, term, 12, "2026-10-20", "2026-12-10", "")["id"].(string)
	deleg := "Bearer " + testenv.Token(t, "deputy-hn", "doan-dbqh-ha-noi", "handling_officer")
	res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+drugID+"/evaluate", map[string]any{"satisfied": false, "note": "Chưa có lộ trình cụ thể"},
		"Authorization", deleg)
	require.Equal(t, 200, res.Status, res.String())
	vp = res.Map(t)
	require.Equal(t, "carried_over", vp["status"])
	require.Equal(t, next, vp["carried_to"])
	require.Equal(t, deadline.DateOf(time.Now()).String(), vp["published_on"], "recorded after its publication day: published at once")
	res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+drugID+"/follow-up", map[string]any{"note": "x"})
	require.Equal(t, 409, res.Status, res.String())
	res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+booksID+"/evaluate", map[string]any{"satisfied": true},
		"Authorization", "Bearer "+testenv.Token(t, "deputy-ct", "doan-dbqh-can-tho", "handling_officer"))
	require.Equal(t, 404, res.Status, "Cần Thơ's voters did not raise it: %s", res.String())

	// Report: per body, JSON, CSV and XLSX.
	rep := testenv.Do(t, "GET", s.URL+"/v1/sessions/"+id+"/report", nil)
	require.Equal(t, 200, rep.Status, rep.String())
	rm := rep.Map(t)
	byBody := map[string]map[string]any{}
	for _, b := range rm["bodies"].([]any) {
		byBody[b.(map[string]any)["body_id"].(string)] = b.(map[string]any)
	}
	yt, gd := byBody["bo-y-te"], byBody["bo-giao-duc-va-dao-tao"]
	require.EqualValues(t, 1, yt["forwarded"])
	require.EqualValues(t, 1, yt["answered_late"])
	require.EqualValues(t, 0, yt["answered_on_time"])
	require.EqualValues(t, 1, yt["in_progress"])
	require.EqualValues(t, 1, yt["evaluated_unsatisfied"])
	require.EqualValues(t, 1, yt["carried_over"])
	require.EqualValues(t, 1, gd["unanswered"])
	require.EqualValues(t, 0, gd["unanswered_overdue"], "forwarded today: not yet due")
	require.EqualValues(t, 2, rm["totals"].(map[string]any)["forwarded"])

	csvRes := testenv.Do(t, "GET", s.URL+"/v1/sessions/"+id+"/report?format=csv", nil)
	require.Equal(t, 200, csvRes.Status)
	require.True(t, bytes.HasPrefix(csvRes.Body, []byte("\xEF\xBB\xBF")), "UTF-8 BOM")
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvRes.Body, []byte("\xEF\xBB\xBF")))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 4, "header, two bodies, totals")
	require.Equal(t, "Mã cơ quan", recs[0][0])
	require.Equal(t, "Tổng cộng", recs[3][1])
	xl := testenv.Do(t, "GET", s.URL+"/v1/sessions/"+id+"/report", nil, "Accept", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	require.Equal(t, 200, xl.Status)
	f, err := excelize.OpenReader(bytes.NewReader(xl.Body))
	require.NoError(t, err)
	rows, err := f.GetRows("Sheet1")
	require.NoError(t, err)
	require.Len(t, rows, 4)
	require.Equal(t, "bo-y-te", rows[2][0])
	require.Equal(t, 422, testenv.Do(t, "GET", s.URL+"/v1/sessions/"+id+"/report?format=pdf", nil).Status)

	// Proofs of the clocks.
	proof := testenv.Do(t, "GET", s.URL+"/v1/voter-petitions/"+drugID+"/deadlines/answer/proof", nil)
	require.Equal(t, 200, proof.Status, proof.String())
	require.Equal(t, "2026-09-18", proof.Map(t)["due_on"])
	proof = testenv.Do(t, "GET", s.URL+"/v1/sessions/"+id+"/deadlines/post_synthesis/proof", nil)
	require.Equal(t, 200, proof.Status, proof.String())
	require.Equal(t, "2026-07-13", proof.Map(t)["due_on"])
	require.Equal(t, 404, testenv.Do(t, "GET", s.URL+"/v1/sessions/"+id+"/deadlines/nope/proof", nil).Status)

	// Closing carries the unanswered petition over; the cycle takes no more actions.
	res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/close", map[string]any{"next_session_id": "nope"})
	require.Equal(t, 422, res.Status, res.String())
	res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/close", nil)
	require.Equal(t, 200, res.Status, res.String())
	sm := res.Map(t)
	require.Equal(t, "closed", sm["status"])
	require.Equal(t, next, sm["next_session_id"])
	eventually(t, "the unanswered petition carried over", func() bool {
		v := testenv.Do(t, "GET", s.URL+"/v1/voter-petitions/"+booksID, nil).Map(t)
		return v["carried_over"] == true && v["carried_to"] == next && v["status"] == "awaiting_answer"
	})
	carried := testenv.Do(t, "GET", s.URL+"/v1/voter-petitions?carried_to="+next, nil).Map(t)["items"].([]any)
	require.Len(t, carried, 2)
	res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/synthesize", nil)
	require.Equal(t, 409, res.Status, res.String())
	require.EqualValues(t, 2, testenv.Do(t, "GET", s.URL+"/v1/sessions/"+next, nil).Map(t)["counts"].(map[string]any)["carried_in"])
}

// searchAttributes reads a workflow's search attributes as ops see them in the Temporal UI.
func searchAttributes(t *testing.T, s *testenv.Stack, workflowID string) map[string]any {
	t.Helper()
	ctx := testenv.Context(t)
	d, err := s.Temporal.DescribeWorkflowExecution(ctx, workflowID, "")
	require.NoError(t, err)
	out := map[string]any{}
	for k, p := range d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields() {
		var v any
		require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, &v))
		out[k] = v
	}
	return out
}
