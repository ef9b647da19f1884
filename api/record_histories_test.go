package api_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/workflows"
)

// recordedSender is a sender whose every field is a canary: none of them may appear in a
// recorded history, which the payload codec must have encrypted.
type recordedSender struct{ name, id, phone, address, subject, content string }

func (p recordedSender) body(kind, received string) map[string]any {
	return map[string]any{
		"kind": kind, "channel": "post", "received_on": received,
		"senders":    []map[string]any{{"full_name": p.name, "id_number": p.id, "phone": p.phone, "address": p.address}},
		"subject":    p.subject,
		"content":    p.content,
		"respondent": "UBND phường Hoàn Kiếm", "body_id": "ubdngs",
	}
}

func (p recordedSender) secrets() []string {
	return []string{p.name, p.id, p.phone, p.address, p.subject, p.content}
}

// recordHistory waits for a workflow to finish and writes its whole history to dir/file in
// the SDK's JSON format; it returns the path.
func recordHistory(t *testing.T, s *testenv.Stack, dir, file, workflowID string) string {
	t.Helper()
	ctx := testenv.Context(t)
	// Only a finished run is a complete history: wait for it to end.
	require.NoError(t, s.Temporal.GetWorkflow(ctx, workflowID, "").Get(ctx, nil), workflowID)
	hist := &historypb.History{}
	it := s.Temporal.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, ev)
	}
	// The SDK's own JSON format, which WorkflowReplayer.ReplayWorkflowHistoryFromJSONFile reads.
	raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	require.NoError(t, err)
	back, err := client.HistoryFromJSON(bytes.NewReader(raw), client.HistoryJSONOptions{})
	require.NoError(t, err)
	require.Len(t, back.Events, len(hist.Events), "%s does not read back", file)
	path := filepath.Join(dir, file)
	require.NoError(t, os.WriteFile(path, append(raw, '\n'), 0o644))
	t.Logf("%s: %d events", file, len(hist.Events))
	return path
}

// TestRecordHistories drives the real stack through the letter's main paths and writes each
// workflow's history to workflows/testdata, where TestReplayRecordedHistories replays it.
// Re-record only after an intentional, versioned workflow change (workflows/testdata/README.md):
//
//	RECORD_HISTORIES=1 go test -count=1 -run TestRecordHistories ./api/
func TestRecordHistories(t *testing.T) {
	if os.Getenv("RECORD_HISTORIES") != "1" {
		t.Skip("set RECORD_HISTORIES=1 to re-record workflows/testdata")
	}
	s := testenv.NewStack(t)
	dir := filepath.Join(testenv.RepoRoot(), "workflows", "testdata")
	today := deadline.DateOf(time.Now())
	var secrets []string
	get := func(id string) map[string]any {
		res := testenv.Do(t, "GET", s.URL+"/v1/letters/"+id, nil)
		require.Equal(t, 200, res.Status, res.String())
		return res.Map(t)
	}
	var files []string
	record := func(file, workflowID string) { files = append(files, recordHistory(t, s, dir, file, workflowID)) }

	// 1. The main path: intake, classify, forward, the agency's answer, evaluation, closed.
	basic := recordedSender{"Phạm Văn Ghi Âm", "001088000111", "0988000111", "số 1 phố Tràng Tiền, Hà Nội",
		"Khiếu nại việc cấp sổ đỏ chậm", "Hồ sơ cấp giấy chứng nhận của tôi nộp đã lâu mà chưa được giải quyết."}
	secrets = append(secrets, basic.secrets()...)
	id := createLetter(t, s, basic.body("complaint", today.String()))["id"].(string)
	act(t, s, id, "classify", map[string]any{"kind": "complaint", "field": "administrative", "topic": "land", "eligible": true, "competent": false}, 200)
	act(t, s, id, "forward", map[string]any{"to_body_id": "ubnd-ha-noi"}, 200)
	act(t, s, id, "record-response", map[string]any{"from_body_id": "ubnd-ha-noi", "outcome": "resolved", "summary": "Đã cấp giấy chứng nhận"}, 200)
	require.Equal(t, "closed", act(t, s, id, "evaluate", map[string]any{"satisfied": true}, 200)["status"])
	record("letter-main-path.json", workflows.LetterWorkflowID(id))

	// 2. Received long ago: warning, overdue and both escalations fire at once, then filed and closed.
	old := recordedSender{"Hoàng Thị Quá Hạn", "001188000222", "0988000222", "thôn Đông, xã Sóc Sơn, Hà Nội",
		"Phản ánh việc thu phí chợ", "Ban quản lý chợ thu phí cao hơn mức niêm yết."}
	secrets = append(secrets, old.secrets()...)
	id = createLetter(t, s, old.body("complaint", "2026-02-12"))["id"].(string)
	require.Eventually(t, func() bool { return get(id)["escalation_level"] == float64(2) }, 30*time.Second, 100*time.Millisecond)
	act(t, s, id, "file", map[string]any{"reason": "đã được giải quyết tại cơ sở"}, 200)
	require.Equal(t, "closed", act(t, s, id, "close", nil, 200)["status"])
	record("letter-overdue-ladder.json", workflows.LetterWorkflowID(id))

	// 3. A confidential denunciation: assigned, its running clock moved by a new holiday (the
	// calendar fan-out's signal), then handled to closure.
	den := recordedSender{"Trần Văn Tố Giác", "079088000333", "0988000333", "số 9 đường Lê Lợi, Quận 1, Hồ Chí Minh",
		"Tố cáo cán bộ thuế nhận tiền", "Cán bộ thuế đòi tiền để bỏ qua sai phạm; có ghi âm kèm theo."}
	secrets = append(secrets, den.secrets()...)
	body := den.body("denunciation", today.String())
	body["confidential"] = true
	l := createLetter(t, s, body)
	id = l["id"].(string)
	require.Equal(t, true, l["confidential"])
	act(t, s, id, "assign", map[string]any{"assignee": "can-bo-thu-ly-1"}, 200)
	holiday := today.AddDays(3)
	for holiday.Weekday() == time.Saturday || holiday.Weekday() == time.Sunday {
		holiday = holiday.AddDays(1)
	}
	res := putHoliday(t, s, holiday.String(), map[string]any{"name": "Ngày nghỉ ghi lịch sử", "kind": "holiday"})
	require.Equal(t, 200, res.Status, res.String())
	ch := res.Map(t)
	require.Equal(t, "completed", ch["recompute"])
	require.EqualValues(t, 1, ch["cases_recomputed"])
	act(t, s, id, "classify", map[string]any{"kind": "denunciation", "field": "corruption"}, 200)
	act(t, s, id, "forward", map[string]any{"to_body_id": "ubnd-ho-chi-minh"}, 200)
	act(t, s, id, "record-response", map[string]any{"from_body_id": "ubnd-ho-chi-minh", "outcome": "resolved"}, 200)
	require.Equal(t, "closed", act(t, s, id, "evaluate", map[string]any{"satisfied": true}, 200)["status"])
	record("letter-denunciation-calendar.json", workflows.LetterWorkflowID(id))
	changedAt, err := time.Parse(time.RFC3339Nano, ch["changed_at"].(string))
	require.NoError(t, err)
	record("calendar-fanout.json", workflows.CalendarFanoutID(int64(ch["change_id"].(float64)), changedAt))

	// 4. A complaint classified as mixed: the workflow seals the senders in the vault (the
	// versioned protect-identity-on-classify step), then guides and closes.
	mixed := recordedSender{"Ngô Thị Hỗn Hợp", "001288000444", "0988000444", "tổ 5 phường Cầu Giấy, Hà Nội",
		"Khiếu nại và tố cáo về giải phóng mặt bằng", "Không đồng ý mức bồi thường và tố cáo cán bộ làm sai hồ sơ."}
	secrets = append(secrets, mixed.secrets()...)
	id = createLetter(t, s, mixed.body("complaint", today.String()))["id"].(string)
	l = act(t, s, id, "classify", map[string]any{"kind": "mixed", "field": "administrative"}, 200)
	require.Equal(t, true, l["confidential"])
	act(t, s, id, "guide", map[string]any{"text": "Đề nghị tách phần khiếu nại và phần tố cáo."}, 200)
	require.Equal(t, "closed", act(t, s, id, "close", nil, 200)["status"])
	record("letter-reclassified-mixed.json", workflows.LetterWorkflowID(id))

	// 5. T37: a second letter with the same sender and content is marked a duplicate of one
	// whose answer is overdue; the original counts it and raises a follow-up.
	dup := recordedSender{"Đỗ Văn Trùng Lặp", "001388000555", "0988000555", "xóm 2 xã Thanh Trì, Hà Nội",
		"Khiếu nại về bồi thường đường điện", "Đường điện đi qua đất vườn nhà tôi mà chưa được bồi thường."}
	secrets = append(secrets, dup.secrets()...)
	orig := createLetter(t, s, dup.body("complaint", "2026-01-26"))["id"].(string)
	act(t, s, orig, "classify", map[string]any{"kind": "complaint", "on": "2026-01-30"}, 200)
	act(t, s, orig, "forward", map[string]any{"to_body_id": "ubnd-ha-noi", "on": "2026-02-02"}, 200)
	second := createLetter(t, s, dup.body("complaint", "2026-03-10"))["id"].(string)
	act(t, s, second, "mark-duplicate", map[string]any{"duplicate_of": orig}, 200)
	require.Eventually(t, func() bool { return get(orig)["duplicate_count"] == float64(1) }, 30*time.Second, 100*time.Millisecond)
	require.Equal(t, "closed", act(t, s, second, "close", nil, 200)["status"])
	act(t, s, orig, "record-response", map[string]any{"from_body_id": "ubnd-ha-noi", "outcome": "resolved"}, 200)
	require.Equal(t, "closed", act(t, s, orig, "evaluate", map[string]any{"satisfied": true}, 200)["status"])
	record("letter-duplicate-original.json", workflows.LetterWorkflowID(orig))
	record("letter-duplicate-second.json", workflows.LetterWorkflowID(second))

	// The codec encrypted every payload: no canary is in any recorded file.
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, secret := range secrets {
			require.False(t, strings.Contains(string(raw), secret), "%s holds %q in clear", filepath.Base(f), secret)
		}
	}
}
