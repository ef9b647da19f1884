package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/synthesis"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

// The real petitions file imports as it is (its field names, nulls, national syntheses that
// name no province, pre-2025 provinces), and synthesis over HTTP groups them as their
// dup_group labels say. Precision and recall are measured pair by pair and must stay above a
// floor; a second import of the same file stores nothing twice.
func TestRealPetitionsImportAndSynthesis(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	sess := createSession(t, s, randomTerm(), 11, "2026-05-20", "2026-06-26", "2026-10-20")
	id := sess["id"].(string)
	require.Equal(t, "2026-05-05", sess["pre_synthesis_due"])
	require.Equal(t, "2026-07-13", sess["post_synthesis_due"]) // T29
	require.Equal(t, "2026-09-22", sess["results_report_due"]) // T31

	file := realPetitionsFile(t)
	res := post(t, s.URL+"/v1/sessions/"+id+"/petitions:import", "application/x-ndjson", file)
	require.Equal(t, 201, res.Status, res.String())
	rep := res.Map(t)
	require.EqualValues(t, 39, rep["rows"])
	require.EqualValues(t, 39, rep["imported"])
	require.EqualValues(t, 0, rep["rejected"])
	require.Empty(t, rep["errors"])
	require.NotEmpty(t, rep["warnings"], "national syntheses name no province")

	// Kon Tum merged into Quảng Ngãi in 2025: attributed to that delegation, the old name kept.
	var kontum struct{ Delegation, DelegationID, Province string }
	require.NoError(t, s.DB.Raw(`SELECT delegation, delegation_id, province FROM petitions WHERE session_id = ? AND source_ref = 'vp-002'`, id).
		Scan(&kontum).Error)
	require.Equal(t, "Kon Tum", kontum.Delegation)
	require.Equal(t, "doan-dbqh-quang-ngai", kontum.DelegationID)
	require.Equal(t, "Quảng Ngãi", kontum.Province)
	var source string
	require.NoError(t, s.DB.Raw(`SELECT source->>'dup_group' FROM petitions WHERE session_id = ? AND source_ref = 'vp-002'`, id).Scan(&source).Error)
	require.Equal(t, "DG-ELDERLY-ALLOWANCE-AGE", source, "the row's other fields are kept")

	syn := testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/synthesize", nil)
	require.Equal(t, 200, syn.Status, syn.String())
	sm := syn.Map(t)
	require.EqualValues(t, 39, sm["petitions"])
	for _, g := range sm["suggested"].([]any) {
		gm := g.(map[string]any)
		require.GreaterOrEqual(t, len(gm["members"].([]any)), 2)
		require.NotNil(t, gm["score"])
	}

	labels := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(file))
	for sc.Scan() {
		var row struct {
			ID       string  `json:"id"`
			DupGroup *string `json:"dup_group"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &row))
		if row.DupGroup != nil {
			labels[row.ID] = *row.DupGroup
		}
	}
	var rows []struct{ SourceRef, GroupID string }
	require.NoError(t, s.DB.Raw(`SELECT source_ref, group_id FROM petitions WHERE session_id = ? ORDER BY source_ref`, id).Scan(&rows).Error)
	require.Len(t, rows, 39)
	groupOf, labelOf := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		require.NotEmpty(t, r.GroupID, "%s is in a group", r.SourceRef)
		groupOf[i], labelOf[i] = r.GroupID, labels[r.SourceRef]
	}
	m := synthesis.Pairwise(groupOf, labelOf)
	t.Logf("synthesis over HTTP: pairwise precision %.3f, recall %.3f (%d predicted pairs, %d true pairs, %d correct)",
		m.Precision, m.Recall, m.Predicted, m.Truth, m.Correct)
	require.GreaterOrEqual(t, m.Precision, 0.95)
	require.GreaterOrEqual(t, m.Recall, 0.9)

	again := post(t, s.URL+"/v1/sessions/"+id+"/petitions:import", "application/x-ndjson", file)
	require.Equal(t, 200, again.Status, again.String())
	am := again.Map(t)
	require.EqualValues(t, 0, am["imported"])
	require.Len(t, am["already_stored"], 39)
	require.EqualValues(t, 39, am["total_in_session"])
}

// Bad rows are reported with their line numbers and the good rows load; with atomic=true the
// whole file is rejected and nothing is stored. CSV from Excel (BOM, ';', quoted new lines)
// imports too, and the escaped colon of the route works percent-encoded as well.
func TestPetitionImportErrors(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	id := createSession(t, s, randomTerm(), 12, "2026-10-20", "2026-12-10", "")["id"].(string)
	url := s.URL + "/v1/sessions/" + id + "/petitions:import"
	jsonl := []byte(`{"delegation": "Hà Nội", "phase": "before", "topic": "giáo dục", "text": "Đề nghị ổn định sách giáo khoa.", "voter_count": 30}
{"delegation": "Huế", "phase": "before"}
{"delegation": "Cần Thơ", "text": "Sạt lở bờ sông.", "meeting_on": "20-10-2026"}
not json at all

{"delegation": "An Giang", "text": "Giá phân bón tăng.", "colour": "red"}
{"province": "Bạc Liêu", "text_vi": "Nuôi tôm thiệt hại.", "meeting_phase": "after", "meeting_date": "2099-01-01"}
{"province": "Bạc Liêu", "text_vi": "Thiếu nước ngọt mùa khô.", "voter_count": 0}
{"id": "r-9", "province": "Sóc Trăng", "text_vi": "Nuôi tôm thiệt hại do điện chập chờn.", "meeting_phase": "during"}
{"id": "r-10", "province": "Sóc Trăng", "text_vi": "Đề nghị nạo vét kênh.", "meeting_phase": "after", "voter_count": 12}
`)
	res := post(t, url+"?atomic=true", "application/x-ndjson", jsonl)
	require.Equal(t, 422, res.Status, res.String())
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	p := res.Map(t)
	fields := []string{}
	for _, e := range p["errors"].([]any) {
		fields = append(fields, e.(map[string]any)["field"].(string))
	}
	require.Equal(t, []string{"lines[2].text", "lines[3].meeting_on", "lines[4]", "lines[6].colour", "lines[7].meeting_date",
		"lines[8].voter_count", "lines[9].meeting_phase"}, fields)
	var n int
	require.NoError(t, s.DB.Raw("SELECT count(*) FROM petitions WHERE session_id = ?", id).Scan(&n).Error)
	require.Zero(t, n, "an atomic import that fails stores nothing")

	res = post(t, url, "application/x-ndjson", jsonl)
	require.Equal(t, 201, res.Status, res.String())
	rep := res.Map(t)
	require.EqualValues(t, 2, rep["imported"])
	require.EqualValues(t, 7, rep["rejected"])
	lines := []float64{}
	for _, e := range rep["errors"].([]any) {
		lines = append(lines, e.(map[string]any)["line"].(float64))
	}
	require.Equal(t, []float64{2, 3, 4, 6, 7, 8, 9}, lines)

	csv := []byte("\uFEFFid;province;meeting_date;meeting_phase;topic;text_vi;voter_count\r\n" +
		"c-1;Kon Tum;2026-10-01;before;đất đai;\"Cử tri phản ánh quy hoạch đất bất cập;\r\nđề nghị rà soát.\";25\r\n" +
		"c-2;Thừa Thiên Huế;2026-10-02;before;y tế;\"=HYPERLINK(\"\"x\"\")\";7\r\n" +
		"c-3;Hà Nội;2026-10-03\r\n")
	res = post(t, s.URL+"/v1/sessions/"+id+"/petitions%3Aimport", "text/csv; charset=utf-8", csv)
	require.Equal(t, 201, res.Status, res.String())
	rep = res.Map(t)
	require.EqualValues(t, 2, rep["imported"], res.String())
	require.Len(t, rep["errors"], 1)
	require.EqualValues(t, 5, rep["errors"].([]any)[0].(map[string]any)["line"], "c-1 spans lines 2–3, so c-3 is on line 5")
	var huế struct{ DelegationID, Text string }
	require.NoError(t, s.DB.Raw("SELECT delegation_id, text FROM petitions WHERE session_id = ? AND source_ref = 'c-2'", id).Scan(&huế).Error)
	require.Equal(t, "doan-dbqh-hue", huế.DelegationID)
	require.Equal(t, `=HYPERLINK("x")`, huế.Text, "stored as sent; exports neutralise formulas")

	for _, tc := range []struct {
		name, ct, query string
		body            []byte
		status          int
	}{
		{"unknown CSV column", "text/csv", "", []byte("province,text,colour\nHà Nội,x,red\n"), 422},
		{"no rows", "application/x-ndjson", "", []byte("\n\n"), 400},
		{"header only", "text/csv", "", []byte("province,text\n"), 400},
		{"unknown format", "application/pdf", "", []byte("%PDF"), 422},
		{"bad atomic", "application/x-ndjson", "?atomic=maybe", jsonl, 422},
		{"no valid row", "application/x-ndjson", "", []byte(`{"delegation": "Hà Nội"}` + "\n"), 422},
	} {
		res := post(t, url+tc.query, tc.ct, tc.body)
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.String())
		require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"), tc.name)
	}
	require.Equal(t, 404, post(t, s.URL+"/v1/sessions/no-such/petitions:import", "text/csv", csv).Status)
	require.Equal(t, 404, post(t, s.URL+"/v1/sessions/"+id+"/petitions:export", "text/csv", csv).Status)

	// A delegation's officer submits only its own delegation's petitions.
	tok := "Bearer " + testenv.Token(t, "deleg-hn", "doan-dbqh-ha-noi", "receiving_officer")
	res = post(t, url, "application/x-ndjson", []byte(`{"delegation": "Hà Nội", "text": "Ngập úng nội đô."}
{"delegation": "An Giang", "text": "Sạt lở."}
`), "Authorization", tok)
	require.Equal(t, 201, res.Status, res.String())
	rep = res.Map(t)
	require.EqualValues(t, 1, rep["imported"])
	require.Contains(t, res.String(), "only for your own delegation")
	res = post(t, url, "application/x-ndjson", jsonl, "Authorization", "Bearer "+testenv.Token(t, "x", "bo-tai-chinh", "receiving_officer"))
	require.Equal(t, 403, res.Status, res.String())
}

// POST /petitions takes one petition or many; any bad one rejects the request (422 naming
// each bad field); the same petition sent again is a duplicate.
func TestSubmitPetitions(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	id := createSession(t, s, randomTerm(), 13, "2026-10-20", "2026-12-10", "")["id"].(string)
	url := s.URL + "/v1/sessions/" + id + "/petitions"
	one := map[string]any{"delegation": "doan-dbqh-can-tho", "meeting_on": "2026-10-05", "phase": "before", "locality": "phường Ninh Kiều",
		"topic": "giao thông", "text": "Đề nghị sớm hoàn thành cao tốc Cần Thơ – Cà Mau.", "voter_count": 120, "source_ref": "ct-1"}
	res := testenv.Do(t, "POST", url, one)
	require.Equal(t, 201, res.Status, res.String())
	items := res.Map(t)["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, "Cần Thơ", items[0].(map[string]any)["province"])
	require.Equal(t, "2026-10-05", items[0].(map[string]any)["meeting_on"])

	res = testenv.Do(t, "POST", url, []any{one, map[string]any{"delegation": "Hà Nội", "text": "x", "voter_count": "many"},
		map[string]any{"text": "y"}})
	require.Equal(t, 422, res.Status, res.String())
	fields := []string{}
	for _, e := range res.Map(t)["errors"].([]any) {
		fields = append(fields, e.(map[string]any)["field"].(string))
	}
	require.ElementsMatch(t, []string{"petitions[1].voter_count", "petitions[2].delegation"}, fields)

	res = testenv.Do(t, "POST", url, map[string]any{"petitions": []any{one, map[string]any{"delegation": "Đồng Tháp", "text": "Sạt lở bờ sông Tiền."}}})
	require.Equal(t, 201, res.Status, res.String())
	m := res.Map(t)
	require.EqualValues(t, 1, m["stored"])
	require.Len(t, m["duplicates"], 1)
	require.Equal(t, 400, testenv.Do(t, "POST", url, "[1, 2").Status)
	require.Equal(t, 422, testenv.Do(t, "POST", url, []any{"a"}).Status)
	require.Equal(t, 400, testenv.Do(t, "POST", url, "").Status)
}
