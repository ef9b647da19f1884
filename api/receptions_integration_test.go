package api_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/api"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

// visitBody is a valid visit of one citizen to the petitions committee (ubdngs) held on the
// given day at 09:30 local time; extra fields are set over it (nil deletes one).
func visitBody(day, outcome string, extra map[string]any) map[string]any {
	b := map[string]any{
		"held_at": day + "T09:30:00+07:00", "type": "regular", "body_id": "ubdngs",
		"citizens": []map[string]any{{"full_name": "Trần Thị Lan", "id_number": "001185012345", "address": "phường Hoàn Kiếm, Hà Nội"}},
		"content":  "Đề nghị sửa chữa tuyến đường liên xã đã xuống cấp nghiêm trọng.", "kind": "recommendation",
		"field": "administrative", "outcome": outcome,
	}
	for k, v := range extra {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

func createVisit(t *testing.T, s *testenv.Stack, body map[string]any, headers ...string) map[string]any {
	t.Helper()
	res := testenv.Do(t, "POST", s.URL+"/v1/receptions", body, headers...)
	require.Equal(t, 201, res.Status, string(res.Body))
	require.Equal(t, "application/json; charset=utf-8", res.Header.Get("Content-Type"))
	return res.Map(t)
}

func getJSON(t *testing.T, s *testenv.Stack, path string, headers ...string) map[string]any {
	t.Helper()
	res := testenv.Do(t, "GET", s.URL+path, nil, headers...)
	require.Equal(t, 200, res.Status, "%s: %s", path, res.Body)
	return res.Map(t)
}

// problemFields posts a visit that must be refused with 422 and returns field -> message.
func problemFields(t *testing.T, s *testenv.Stack, body any) map[string]string {
	t.Helper()
	res := testenv.Do(t, "POST", s.URL+"/v1/receptions", body)
	require.Equal(t, 422, res.Status, string(res.Body))
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	out := map[string]string{}
	for _, e := range res.Map(t)["errors"].([]any) {
		m := e.(map[string]any)
		out[m["field"].(string)] = m["message"].(string)
	}
	return out
}

// T25 over HTTP: a visit on Mon 2026-02-09 whose content needs handling creates a letter
// (channel reception) in the same request, linked both ways; the letter's D30 clock is due
// 2026-03-02. Guiding the citizen through the letter on 2026-02-25 meets it on time.
func TestReceptionLetterCreatedT25(t *testing.T) {
	s := testenv.NewStack(t)
	v := createVisit(t, s, visitBody("2026-02-09", "letter_created", map[string]any{"subject": "Kiến nghị sửa đường liên xã"}))
	require.Regexp(t, `^TCD-2026-\d{6}$`, v["number"])
	require.Equal(t, "2026-02-09", v["held_on"])
	letterID, _ := v["letter_id"].(string)
	require.NotEmpty(t, letterID)
	require.Equal(t, "/v1/letters/"+letterID, v["links"].(map[string]any)["letter"])
	lt := v["letter"].(map[string]any)
	require.Equal(t, "registered", lt["status"])
	require.Regexp(t, `^DN-2026-\d{6}$`, lt["number"])
	notice := lt["reception_notice"].(map[string]any)
	require.Equal(t, "D30", notice["rule_id"])
	require.Equal(t, "2026-03-02", notice["due_on"])
	require.Equal(t, "overdue", notice["status"], "a February visit recorded in December is past its notice date")
	require.Equal(t, true, v["overdue"])

	// The other way: the letter names its visit.
	l := getJSON(t, s, "/v1/letters/"+letterID)
	require.Equal(t, "reception", l["channel"])
	require.Equal(t, v["id"], l["reception_visit_id"])
	require.Equal(t, "2026-02-09", l["received_on"])
	require.Equal(t, "Kiến nghị sửa đường liên xã", l["subject"])
	require.Equal(t, "Trần Thị Lan", l["sender_display"])
	require.Equal(t, "2026-03-02", clock(t, l, "reception_notice")["due_on"])

	act(t, s, letterID, "classify", map[string]any{"kind": "recommendation", "eligible": true, "competent": false, "on": "2026-02-24"}, 200)
	act(t, s, letterID, "guide", map[string]any{"text": "Gửi kiến nghị đến UBND xã.", "on": "2026-02-25"}, 200)
	v = getJSON(t, s, "/v1/receptions/"+v["id"].(string))
	notice = v["letter"].(map[string]any)["reception_notice"].(map[string]any)
	require.Equal(t, "met", notice["status"])
	require.Equal(t, "2026-02-25", notice["met_on"])
	require.Nil(t, notice["late"])
	require.Equal(t, false, v["overdue"])
	require.Equal(t, "guided", v["letter"].(map[string]any)["status"])

	res := testenv.Do(t, "GET", s.URL+"/v1/letters/"+letterID+"/deadlines/reception_notice/proof", nil)
	require.Equal(t, 200, res.Status, string(res.Body))
	require.Equal(t, "2026-03-02", res.Map(t)["due_on"])
}

// Each outcome over HTTP: oral and written guidance (no letter), forwarding (a letter
// classified and forwarded on the visit's day, so its notice is met that day), and refusals:
// an ordinary ground needs no written notice; a repeat ground from 2026-07-01 starts the
// 3-working-day clock (D35), met by recording the notice.
func TestReceptionOutcomes(t *testing.T) {
	s := testenv.NewStack(t)
	oral := createVisit(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"guidance": "Hướng dẫn gửi UBND xã."}))
	require.Nil(t, oral["letter_id"])
	require.Nil(t, oral["letter"])
	require.Nil(t, oral["refusal_notice"])
	require.Equal(t, false, oral["is_group"])
	require.Equal(t, "Trần Thị Lan", oral["citizen_display"])
	require.Equal(t, "001185012345", oral["citizens"].([]any)[0].(map[string]any)["id_number"], "ID numbers stay text")

	require.Contains(t, problemFields(t, s, visitBody("2026-11-02", "guided_written", nil)), "guidance")
	written := createVisit(t, s, visitBody("2026-11-02", "guided_written", map[string]any{"guidance": "Văn bản hướng dẫn số 12.", "guidance_doc_no": "12/HD-TCD"}))
	require.Equal(t, "12/HD-TCD", written["guidance_doc_no"])
	require.Nil(t, written["letter_id"])

	fwd := createVisit(t, s, visitBody("2026-11-03", "forwarded", map[string]any{
		"kind": "complaint", "respondent": "UBND phường Hoàn Kiếm", "forwarded_to": "ubnd-ha-noi", "forwarding_doc_no": "45/PC-TCD",
		"content": "Khiếu nại quyết định thu hồi đất.\nKèm theo bản sao quyết định."}))
	lt := fwd["letter"].(map[string]any)
	require.Equal(t, "awaiting_response", lt["status"])
	notice := lt["reception_notice"].(map[string]any)
	require.Equal(t, "met", notice["status"])
	require.Equal(t, "2026-11-03", notice["met_on"])
	l := getJSON(t, s, "/v1/letters/"+fwd["letter_id"].(string))
	require.Equal(t, "ubnd-ha-noi", l["body_id"])
	require.Equal(t, "complaint", l["kind"])
	require.Equal(t, "Khiếu nại quyết định thu hồi đất.", l["subject"], "the subject defaults to the content's first line")
	require.Equal(t, "running", clock(t, l, "answer")["status"])

	// A receiving officer alone may record a letter, not forward one.
	clerk := "Bearer " + testenv.Token(t, "clerk-1", "ubdngs", "receiving_officer")
	res := testenv.Do(t, "POST", s.URL+"/v1/receptions", visitBody("2026-11-03", "forwarded", map[string]any{
		"kind": "recommendation", "forwarded_to": "ubnd-ha-noi"}), "Authorization", clerk)
	require.Equal(t, 403, res.Status, string(res.Body))

	// An ordinary refusal: no content needed, no written notice.
	plain := createVisit(t, s, visitBody("2026-11-04", "refused", map[string]any{"refusal_ground": "incapacitated", "content": nil, "kind": nil,
		"citizens": []map[string]any{{"full_name": "Người không xuất trình giấy tờ"}}}))
	require.Nil(t, plain["refusal_notice"])
	require.Equal(t, "", plain["content"])
	require.Contains(t, plain["refusal_basis"], "LTCD art 9(1)")

	// A repeat ground after the matter was answered: written notice within 3 WD (D35).
	rep := createVisit(t, s, visitBody("2026-11-02", "refused", map[string]any{"refusal_ground": "answered_no_new_facts",
		"repeat_of": oral["id"], "held_at": "2026-11-02T15:00:00+07:00"}))
	n := rep["refusal_notice"].(map[string]any)
	require.Equal(t, "D35", n["rule_id"])
	require.Equal(t, "2026-11-02", n["start_on"])
	require.Equal(t, "2026-11-05", n["due_on"])
	require.Equal(t, "overdue", n["status"])
	require.Equal(t, true, rep["overdue"])
	require.Equal(t, "ND154 art 4(3)", n["legal_basis"])
	repID := rep["id"].(string)
	proof := getJSON(t, s, "/v1/receptions/"+repID+"/deadlines/refusal_notice/proof")
	require.Equal(t, "2026-11-05", proof["due_on"])
	require.Contains(t, proof["text"], "D35")
	require.Equal(t, 404, testenv.Do(t, "GET", s.URL+"/v1/receptions/"+repID+"/deadlines/processing/proof", nil).Status)

	res = testenv.Do(t, "POST", s.URL+"/v1/receptions/"+repID+"/refusal-notice", map[string]any{"sent_on": "2026-11-01", "doc_no": "01/TB-TCD"})
	require.Equal(t, 422, res.Status, "before the visit: %s", res.Body)
	res = testenv.Do(t, "POST", s.URL+"/v1/receptions/"+repID+"/refusal-notice", map[string]any{"sent_on": "2026-11-04", "doc_no": "01/TB-TCD"})
	require.Equal(t, 200, res.Status, string(res.Body))
	got := res.Map(t)
	n = got["refusal_notice"].(map[string]any)
	require.Equal(t, "met", n["status"])
	require.Equal(t, "2026-11-04", n["sent_on"])
	require.Nil(t, n["late"])
	require.Equal(t, false, got["overdue"])
	require.Equal(t, 200, testenv.Do(t, "POST", s.URL+"/v1/receptions/"+repID+"/refusal-notice", map[string]any{"sent_on": "2026-11-04", "doc_no": "01/TB-TCD"}).Status, "the same notice again")
	require.Equal(t, 409, testenv.Do(t, "POST", s.URL+"/v1/receptions/"+repID+"/refusal-notice", map[string]any{"sent_on": "2026-11-05", "doc_no": "02/TB-TCD"}).Status)
	require.Equal(t, 409, testenv.Do(t, "POST", s.URL+"/v1/receptions/"+plain["id"].(string)+"/refusal-notice", map[string]any{"sent_on": "2026-11-05", "doc_no": "03/TB"}).Status)

	// Before 2026-07-01 the same ground does not exist; the old repeat ground needs no written notice.
	f := problemFields(t, s, visitBody("2026-05-04", "refused", map[string]any{"refusal_ground": "answered_no_new_facts", "handled_by": []string{"UBND xã"}}))
	require.Contains(t, f["refusal_ground"], "from 2026-07-01")
	old := createVisit(t, s, visitBody("2026-05-04", "refused", map[string]any{"refusal_ground": "repeat_resolved", "handled_by": []string{"UBND xã"}}))
	require.Nil(t, old["refusal_notice"])
	f = problemFields(t, s, visitBody("2026-05-04", "refused", map[string]any{"refusal_ground": "repeat_resolved"}))
	require.Contains(t, f["refusal_ground"], "repeat_of")

	// The audit log has one creation entry per visit, and the notice.
	var audits int64
	require.NoError(t, s.DB.Table("audit_log").Where("action IN ('reception.create', 'reception.refusal_notice')").Count(&audits).Error)
	require.EqualValues(t, 7, audits)
}

// T35: a group of 12 speaks through 1 to 5 representatives, so 6 fail; 7 people may have at
// most 2; a group needs at least one; 4 people are not a group.
func TestReceptionGroupRulesT35(t *testing.T) {
	s := testenv.NewStack(t)
	reps := func(n int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"full_name": "Đại diện " + string(rune('A'+i)), "id_number": "00118501234" + string(rune('0'+i)), "address": "Hà Nội"}
		}
		return out
	}
	f := problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"people_count": 12, "representatives": reps(6)}))
	require.Contains(t, f["representatives"], "1 to 5")
	require.Contains(t, f["representatives"], "6 given")
	g := createVisit(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"people_count": 12, "representatives": reps(5)}))
	require.Equal(t, true, g["is_group"])
	require.EqualValues(t, 12, g["people_count"])
	require.Len(t, g["representatives"], 5)

	f = problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"people_count": 7, "representatives": reps(3)}))
	require.Contains(t, f["representatives"], "1 to 2")
	f = problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"people_count": 7}))
	require.Contains(t, f["representatives"], "0 given")
	createVisit(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"people_count": 7, "representatives": reps(2)}))
	createVisit(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"people_count": 10, "representatives": reps(2)}))
	f = problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"people_count": 10, "representatives": reps(3)}))
	require.Contains(t, f["representatives"], "1 to 2")

	small := createVisit(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"people_count": 4}))
	require.Equal(t, false, small["is_group"])
	require.Equal(t, "Trần Thị Lan và 3 người khác", small["citizen_display"])
	f = problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"people_count": 0}))
	require.Contains(t, f, "people_count")
	two := []map[string]any{{"full_name": "A", "id_number": "001185012345", "address": "x"}, {"full_name": "B", "id_number": "001185012346", "address": "x"}}
	f = problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"people_count": 1, "citizens": two}))
	require.Contains(t, f["people_count"], "2 citizens")

	// A group visit that creates a letter: every citizen signs, the representatives flagged.
	v := createVisit(t, s, visitBody("2026-11-02", "letter_created", map[string]any{"people_count": 12, "citizens": two,
		"representatives": []map[string]any{two[0]}}))
	l := getJSON(t, s, "/v1/letters/"+v["letter_id"].(string))
	require.EqualValues(t, 12, l["signer_count"])
	senders := l["senders"].([]any)
	require.Len(t, senders, 2)
	require.Equal(t, true, senders[0].(map[string]any)["is_representative"])
	require.Nil(t, senders[1].(map[string]any)["is_representative"])
}

// Every rule answers with problem+json naming each bad field; nothing is stored.
func TestReceptionValidation(t *testing.T) {
	s := testenv.NewStack(t)
	res := testenv.Do(t, "POST", s.URL+"/v1/receptions", `{"held_at": `)
	require.Equal(t, 400, res.Status)
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	require.Contains(t, problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"is_group": true})), "is_group")

	f := problemFields(t, s, map[string]any{
		"held_at": "2999-01-01T09:00:00+07:00", "type": "walk_in", "body_id": "nowhere", "outcome": "ignored",
		"citizens": []map[string]any{{"full_name": "", "id_number": "12AB"}}, "kind": "petition", "field": "land",
		"handled_by": []string{""},
	})
	for _, want := range []string{"held_at", "type", "body_id", "outcome", "citizens[0].full_name", "citizens[0].id_number", "kind", "field", "content", "handled_by[0]"} {
		require.Contains(t, f, want, "every bad field is listed: %v", f)
	}
	f = problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"held_at": "2026-11-02 09:30", "citizens": []map[string]any{}}))
	require.Contains(t, f["held_at"], "RFC 3339")
	require.Contains(t, f, "citizens")

	// Rules that depend on the date, the session type and the outcome.
	f = problemFields(t, s, visitBody("2026-05-04", "guided_oral", map[string]any{"type": "online"}))
	require.Contains(t, f["type"], "2026-07-01")
	createVisit(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"type": "online"}))
	require.Contains(t, problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"type": "periodic"})), "presided_by")
	createVisit(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"type": "periodic", "presided_by": "Chủ nhiệm Ủy ban"}))
	require.Contains(t, problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"type": "deputy"})), "receiver")
	f = problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"citizens": []map[string]any{{"full_name": "Lê Văn Nam"}}}))
	require.Contains(t, f["citizens[0].id_number"], "Decree 154/2026")
	require.Contains(t, f, "citizens[0].address")
	createVisit(t, s, visitBody("2026-05-04", "guided_oral", map[string]any{"citizens": []map[string]any{{"full_name": "Lê Văn Nam"}}}))
	f = problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"forwarded_to": "ubnd-ha-noi", "refusal_ground": "weapons", "respondent": "x"}))
	for _, want := range []string{"forwarded_to", "refusal_ground", "respondent"} {
		require.Contains(t, f[want], "belongs to outcome", want)
	}
	require.Contains(t, problemFields(t, s, visitBody("2026-11-02", "refused", nil)), "refusal_ground")
	require.Contains(t, problemFields(t, s, visitBody("2026-11-02", "refused", map[string]any{"refusal_ground": "bored"})), "refusal_ground")
	require.Contains(t, problemFields(t, s, visitBody("2026-11-02", "forwarded", nil)), "forwarded_to")
	require.Contains(t, problemFields(t, s, visitBody("2026-11-02", "forwarded", map[string]any{"forwarded_to": "ubdngs"})), "forwarded_to")
	require.Contains(t, problemFields(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"repeat_of": "no-such-visit"})), "repeat_of")

	// The letter a visit creates is held to the letters' intake rules, named as the visit's fields.
	f = problemFields(t, s, visitBody("2026-11-02", "letter_created", map[string]any{"kind": "complaint"}))
	require.Contains(t, f["respondent"], "required")
	f = problemFields(t, s, visitBody("2026-05-04", "letter_created", map[string]any{"kind": "complaint", "respondent": "UBND phường",
		"citizens": []map[string]any{{"full_name": "Lê Văn Nam"}}}))
	require.Contains(t, f["citizens[0].address"], "complaint")

	var n int64
	require.NoError(t, s.DB.Table("receptions").Count(&n).Error)
	require.EqualValues(t, 3, n, "only the valid visits are stored")
	require.NoError(t, s.DB.Table("letters").Count(&n).Error)
	require.EqualValues(t, 0, n)
}

// A retried POST with the same Idempotency-Key returns the same visit and letter; the key with
// another body is refused. A repeat visit links to the earlier one and counts as a repeat.
func TestReceptionIdempotencyAndRepeats(t *testing.T) {
	s := testenv.NewStack(t)
	body := visitBody("2026-11-02", "letter_created", nil)
	a := createVisit(t, s, body, "Idempotency-Key", "visit-7")
	b := createVisit(t, s, body, "Idempotency-Key", "visit-7")
	require.Equal(t, a["id"], b["id"])
	require.Equal(t, a["number"], b["number"])
	require.Equal(t, a["letter_id"], b["letter_id"])
	var visits, letters int64
	require.NoError(t, s.DB.Table("receptions").Count(&visits).Error)
	require.NoError(t, s.DB.Table("letters").Count(&letters).Error)
	require.EqualValues(t, 1, visits)
	require.EqualValues(t, 1, letters)
	other := visitBody("2026-11-02", "letter_created", map[string]any{"content": "Một nội dung khác"})
	res := testenv.Do(t, "POST", s.URL+"/v1/receptions", other, "Idempotency-Key", "visit-7")
	require.Equal(t, 422, res.Status, string(res.Body))
	require.Contains(t, res.String(), "Idempotency-Key")

	first := a["id"].(string)
	second := createVisit(t, s, visitBody("2026-11-09", "guided_oral", map[string]any{"repeat_of": first}))
	require.Equal(t, first, second["repeat_of"])
	require.Equal(t, first, second["matter_id"])
	require.EqualValues(t, 1, second["repeat_count"])
	third := createVisit(t, s, visitBody("2026-11-16", "guided_oral", map[string]any{"repeat_of": second["id"]}))
	require.Equal(t, first, third["matter_id"])
	require.EqualValues(t, 2, third["repeat_count"])
	got := getJSON(t, s, "/v1/receptions/"+first)
	require.Equal(t, []any{second["id"]}, got["repeats"])
	require.Equal(t, "/v1/receptions/"+first, second["links"].(map[string]any)["repeat_of"])

	f := problemFields(t, s, visitBody("2026-11-01", "guided_oral", map[string]any{"repeat_of": first}))
	require.Contains(t, f["repeat_of"], "not before this one")
	require.Equal(t, 404, testenv.Do(t, "GET", s.URL+"/v1/receptions/no-such-visit", nil).Status)
}

// A denunciation at the desk: the citizens go to the identity vault; the register row, its
// lists, the letter and the statistics carry only the pseudonym. The officer who recorded the
// visit and the body's head may reveal it (audited); a colleague may not.
func TestReceptionDenouncerIdentityProtected(t *testing.T) {
	s := testenv.NewStack(t)
	v := createVisit(t, s, visitBody("2026-11-02", "letter_created", map[string]any{"kind": "denunciation", "field": "corruption",
		"respondent": "Chủ tịch UBND xã X", "content": "Tố cáo hành vi nhận hối lộ khi cấp giấy phép.",
		"citizens": []map[string]any{{"full_name": "Phạm Văn Tố", "id_number": "079090001234", "address": "xã X, tỉnh Y"}}}))
	require.Equal(t, true, v["protected"])
	require.Regexp(t, `^Người tố cáo #[A-Z]\d{2}$`, v["citizen_display"])
	require.Empty(t, v["citizens"])
	l := getJSON(t, s, "/v1/letters/"+v["letter_id"].(string))
	require.Equal(t, v["citizen_display"], l["sender_display"], "one pseudonym on the visit and its letter")

	supervisor := "Bearer " + testenv.Token(t, "sup-1", "ubdngs", "supervisor")
	colleague := "Bearer " + testenv.Token(t, "officer-2", "ubdngs", "handling_officer")
	head := "Bearer " + testenv.Token(t, "head-1", "ubdngs", "head")
	for _, path := range []string{"/v1/receptions", "/v1/receptions/" + v["id"].(string), "/v1/reports/receptions"} {
		for _, tok := range []string{"", supervisor, colleague} {
			h := []string{}
			if tok != "" {
				h = []string{"Authorization", tok}
			}
			res := testenv.Do(t, "GET", s.URL+path, nil, h...)
			require.Equal(t, 200, res.Status, string(res.Body))
			require.NotContains(t, res.String(), "Phạm Văn Tố", path)
			require.NotContains(t, res.String(), "079090001234", path)
		}
	}
	var raw string
	require.NoError(t, s.DB.Raw("SELECT row_to_json(r)::text FROM receptions r WHERE id = ?", v["id"]).Scan(&raw).Error)
	require.NotContains(t, raw, "079090001234")
	require.NotContains(t, raw, "Phạm Văn Tố")

	idPath := "/v1/receptions/" + v["id"].(string) + "/identity"
	require.Equal(t, 422, testenv.Do(t, "GET", s.URL+idPath, nil).Status, "a reason is required")
	got := getJSON(t, s, idPath+"?reason=xác+minh+nội+dung")
	require.Equal(t, "079090001234", got["citizens"].([]any)[0].(map[string]any)["id_number"])
	require.Equal(t, 200, testenv.Do(t, "GET", s.URL+idPath+"?reason=ký+thông+báo", nil, "Authorization", head).Status)
	require.Equal(t, 403, testenv.Do(t, "GET", s.URL+idPath+"?reason=tò+mò", nil, "Authorization", colleague).Status)
	require.Equal(t, 403, testenv.Do(t, "GET", s.URL+idPath+"?reason=giám+sát", nil, "Authorization", supervisor).Status)
	var allowed, denied int64
	require.NoError(t, s.DB.Table("audit_log").Where("action = 'identity.reveal' AND letter_id = ? AND allowed", "reception:"+v["id"].(string)).Count(&allowed).Error)
	require.NoError(t, s.DB.Table("audit_log").Where("action = 'identity.reveal' AND letter_id = ? AND NOT allowed", "reception:"+v["id"].(string)).Count(&denied).Error)
	require.EqualValues(t, 2, allowed)
	require.EqualValues(t, 2, denied)
}

// The list filters and pages by keyset; the statistics equal what the rows say; officers see
// and count only their own body, supervisors any.
func TestReceptionListAndReport(t *testing.T) {
	s := testenv.NewStack(t)
	reps := []map[string]any{{"full_name": "Đại diện", "id_number": "001185099999", "address": "Hà Nội"}}
	first := createVisit(t, s, visitBody("2026-10-01", "guided_oral", nil))
	createVisit(t, s, visitBody("2026-10-05", "guided_written", map[string]any{"guidance": "Văn bản hướng dẫn", "type": "periodic", "presided_by": "Chủ nhiệm", "kind": "complaint"}))
	createVisit(t, s, visitBody("2026-11-02", "letter_created", map[string]any{"people_count": 12, "representatives": reps, "type": "ad_hoc", "presided_by": "Phó Chủ nhiệm"}))
	createVisit(t, s, visitBody("2026-11-03", "guided_oral", map[string]any{"repeat_of": first["id"], "type": "deputy", "receiver": "ĐBQH Nguyễn Thị Hà", "field": "judicial"}))
	createVisit(t, s, visitBody("2026-11-04", "refused", map[string]any{"refusal_ground": "answered_no_new_facts", "repeat_of": first["id"], "kind": nil}))
	createVisit(t, s, visitBody("2026-11-05", "forwarded", map[string]any{"forwarded_to": "bo-tai-chinh", "people_count": 6, "representatives": reps, "type": "online"}))
	other := "Bearer " + testenv.Token(t, "hn-officer", "ubnd-ha-noi", "receiving_officer", "handling_officer")
	createVisit(t, s, visitBody("2026-11-02", "guided_oral", map[string]any{"body_id": "ubnd-ha-noi"}), "Authorization", other)

	// Pages of 2 cover the body's six visits once, newest first.
	var all []map[string]any
	cursor := ""
	for range 10 {
		page := getJSON(t, s, "/v1/receptions?body_id=ubdngs&limit=2&cursor="+cursor)
		for _, it := range page["items"].([]any) {
			all = append(all, it.(map[string]any))
		}
		if cursor = page["next_cursor"].(string); cursor == "" {
			break
		}
	}
	require.Len(t, all, 6)
	require.Equal(t, "2026-11-05", all[0]["held_on"])
	require.Equal(t, "2026-10-01", all[5]["held_on"])

	count := func(query string) int {
		return len(getJSON(t, s, "/v1/receptions?"+query)["items"].([]any))
	}
	require.Equal(t, 7, count(""), "the default token reads across bodies (supervisor)")
	require.Equal(t, 1, count("body_id=ubnd-ha-noi"))
	require.Equal(t, 2, count("repeat=true"))
	require.Equal(t, 2, count("is_group=true"))
	require.Equal(t, 1, count("type=deputy"))
	require.Equal(t, 2, count("type=periodic,ad_hoc"))
	require.Equal(t, 3, count("outcome=guided_oral"))
	require.Equal(t, 1, count("receiver="+url.QueryEscape("ĐBQH Nguyễn Thị Hà")))
	require.Equal(t, 5, count("from=2026-11-01&to=2026-11-30"))
	require.Equal(t, 2, count("to=2026-10-31"))
	for _, bad := range []string{"limit=0", "limit=501", "type=walk_in", "outcome=x", "repeat=maybe", "from=2026-13-01", "cursor=zzz", "from=2026-11-02&to=2026-11-01"} {
		res := testenv.Do(t, "GET", s.URL+"/v1/receptions?"+bad, nil)
		require.Equal(t, 422, res.Status, "%s: %s", bad, res.Body)
	}
	hn := getJSON(t, s, "/v1/receptions", "Authorization", other)
	require.Len(t, hn["items"], 1, "an officer sees only the own body's register")
	require.Equal(t, 404, testenv.Do(t, "GET", s.URL+"/v1/receptions/"+first["id"].(string), nil, "Authorization", other).Status)

	// The statistics equal the rows.
	rep := getJSON(t, s, "/v1/reports/receptions?body_id=ubdngs&from=2026-11-01&to=2026-11-30")
	rows := []map[string]any{}
	for _, it := range all {
		if it["held_on"].(string) >= "2026-11-01" {
			rows = append(rows, it)
		}
	}
	people, groups, groupPeople, repeats, letters := 0, 0, 0, 0, 0
	byType, byOutcome, byKind := map[string]float64{}, map[string]float64{}, map[string]float64{}
	typePeople := map[string]float64{}
	matters, newMatters := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		n := int(r["people_count"].(float64))
		people += n
		if r["is_group"] == true {
			groups++
			groupPeople += n
		}
		if r["repeat_of"] != nil {
			repeats++
		} else {
			newMatters[r["matter_id"].(string)] = true
		}
		if r["letter_id"] != nil {
			letters++
		}
		matters[r["matter_id"].(string)] = true
		byType[r["type"].(string)]++
		typePeople[r["type"].(string)] += float64(n)
		byOutcome[r["outcome"].(string)]++
		byKind[r["kind"].(string)]++
	}
	require.EqualValues(t, len(rows), rep["visits"])
	require.EqualValues(t, people, rep["people"])
	require.EqualValues(t, repeats, rep["repeat_visits"])
	require.EqualValues(t, letters, rep["letters_created"])
	require.Equal(t, map[string]any{"visits": float64(groups), "people": float64(groupPeople)}, rep["groups"])
	m := rep["matters"].(map[string]any)
	require.EqualValues(t, len(matters), m["total"])
	require.EqualValues(t, len(newMatters), m["new"])
	require.EqualValues(t, len(matters)-len(newMatters), m["repeat"], "the repeats of a matter first brought in October")
	for typ, vc := range rep["by_receiver_type"].(map[string]any) {
		require.Equal(t, byType[typ], vc.(map[string]any)["visits"], typ)
		require.Equal(t, typePeople[typ], vc.(map[string]any)["people"], typ)
	}
	for k, n := range rep["by_outcome"].(map[string]any) {
		require.Equal(t, byOutcome[k], n, k)
	}
	for k, n := range rep["by_kind"].(map[string]any) {
		require.Equal(t, byKind[k], n, k)
	}
	notices := rep["refusal_notices"].(map[string]any)
	require.EqualValues(t, 1, notices["required"])
	require.EqualValues(t, 1, notices["overdue_open"])
	// Concrete figures, so a query that counted nothing could not pass.
	require.EqualValues(t, 4, rep["visits"])
	require.EqualValues(t, 1+12+1+6, rep["people"])
	require.EqualValues(t, 1, m["repeat"])
	require.EqualValues(t, 2, rep["repeat_visits"])

	all7 := getJSON(t, s, "/v1/reports/receptions")
	require.EqualValues(t, 7, all7["visits"])
	own := getJSON(t, s, "/v1/reports/receptions", "Authorization", other)
	require.EqualValues(t, 1, own["visits"])
	require.Equal(t, "ubnd-ha-noi", own["body_id"])
	res := testenv.Do(t, "GET", s.URL+"/v1/reports/receptions?body_id=ubdngs", nil, "Authorization", other)
	require.Equal(t, 403, res.Status, string(res.Body))
	for _, bad := range []string{"from=2026-02-30", "body_id=nowhere", "from=2026-11-02&to=2026-11-01"} {
		require.Equal(t, 422, testenv.Do(t, "GET", s.URL+"/v1/reports/receptions?"+bad, nil).Status, bad)
	}
	require.False(t, strings.Contains(testenv.Do(t, "GET", s.URL+"/v1/reports/receptions", nil).String(), "Trần Thị Lan"))
}

// When the letter outlives the API's budget the visit is still recorded and linked (202);
// the same request with the same Idempotency-Key finishes the letter — registered, classified
// and forwarded — and answers 201 with the same visit.
func TestReceptionPendingLetterIsFinishedByRetry(t *testing.T) {
	s := testenv.NewStack(t)
	hasty := api.New(api.Deps{DB: s.DB, Temporal: s.Temporal, TaskQueue: s.TaskQueue, UpdateTimeout: time.Nanosecond,
		Verifier: testenv.Tokens, VaultKeys: testenv.VaultKeys, PayloadKeys: testenv.PayloadKeys})
	srv := httptest.NewServer(hasty.Handler())
	t.Cleanup(srv.Close)

	body := visitBody("2026-11-03", "forwarded", map[string]any{"forwarded_to": "ubnd-ha-noi"})
	res := testenv.Do(t, "POST", srv.URL+"/v1/receptions", body, "Idempotency-Key", "slow-1")
	require.Equal(t, 202, res.Status, string(res.Body))
	pending := res.Map(t)
	require.Equal(t, "pending", pending["status"])
	require.Equal(t, "/v1/receptions/"+pending["id"].(string), res.Header.Get("Location"))
	require.NotEmpty(t, pending["letter_id"])
	v := getJSON(t, s, "/v1/receptions/"+pending["id"].(string))
	require.Equal(t, pending["letter_id"], v["letter_id"])

	done := createVisit(t, s, body, "Idempotency-Key", "slow-1")
	require.Equal(t, pending["id"], done["id"])
	require.Equal(t, pending["number"], done["number"])
	require.Equal(t, "awaiting_response", done["letter"].(map[string]any)["status"])
	l := getJSON(t, s, "/v1/letters/"+done["letter_id"].(string))
	require.Equal(t, "ubnd-ha-noi", l["body_id"])
	require.Equal(t, done["id"], l["reception_visit_id"])
	var visits int64
	require.NoError(t, s.DB.Table("receptions").Count(&visits).Error)
	require.EqualValues(t, 1, visits)
}
