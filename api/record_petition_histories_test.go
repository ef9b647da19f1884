package api_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"

	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/workflows"
)

// writeHistory writes a workflow's history as it stands to dir/file in the SDK's JSON format.
func writeHistory(t *testing.T, s *testenv.Stack, dir, file, workflowID string) {
	t.Helper()
	ctx := testenv.Context(t)
	hist := &historypb.History{}
	it := s.Temporal.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, ev)
	}
	raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	require.NoError(t, err)
	_, err = client.HistoryFromJSON(bytes.NewReader(raw), client.HistoryJSONOptions{})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, file), append(raw, '\n'), 0o644))
	t.Logf("%s: %d events", file, len(hist.Events))
}

// TestRecordPetitionHistories records a session cycle from opening to closing and a voter
// petition from its forward through answer, publication and evaluation into
// workflows/testdata, where TestReplayRecordedHistories replays them. The petition's case
// would run on for its 30-day posting, so it is terminated once recorded what matters; a
// replay checks every workflow task up to there. Re-record only after an intentional,
// versioned change (workflows/testdata/README.md):
//
//	RECORD_PETITION_HISTORIES=1 go test -count=1 -run TestRecordPetitionHistories ./api/
func TestRecordPetitionHistories(t *testing.T) {
	if os.Getenv("RECORD_PETITION_HISTORIES") != "1" {
		t.Skip("set RECORD_PETITION_HISTORIES=1 to re-record the voters' petition histories")
	}
	s := testenv.NewStack(t)
	dir := filepath.Join(testenv.RepoRoot(), "workflows", "testdata")
	term := randomTerm()
	id := createSession(t, s, term, 11, "2026-05-20", "2026-06-26", "2026-10-20")["id"].(string)
	res := testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/petitions", []any{
		map[string]any{"delegation": "Sóc Trăng", "phase": "before", "topic": "y tế", "voter_count": 40, "text": "Cử tri phản ánh thiếu thuốc, vật tư y tế ở bệnh viện công."},
		map[string]any{"delegation": "Hà Nội", "phase": "before", "topic": "y tế", "voter_count": 30, "text": "Cử tri đề nghị khắc phục tình trạng thiếu thuốc, vật tư y tế."},
		map[string]any{"delegation": "An Giang", "phase": "after", "topic": "giáo dục", "voter_count": 25, "text": "Sách giáo khoa thay đổi liên tục, gây tốn kém."},
	})
	require.Equal(t, 201, res.Status, res.String())
	syn := testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/synthesize", nil)
	require.Equal(t, 200, syn.Status, syn.String())
	all := groupsOf(t, s, id, "suggested")
	ids := []string{}
	for _, g := range all {
		ids = append(ids, g["id"].(string))
	}
	res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/groups", map[string]any{"action": "confirm", "group_ids": ids})
	require.Equal(t, 200, res.Status, res.String())
	for _, phase := range []string{"before", "after"} {
		res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/groups", map[string]any{"action": "finalize", "phase": phase})
		require.Equal(t, 200, res.Status, res.String())
	}
	vp := ids[0]
	vpAct(t, s, vp, "forward", map[string]any{"to_body_id": "bo-y-te", "on": "2026-07-20"}, 200)
	vpAct(t, s, vp, "follow-up", map[string]any{"note": "Đề nghị Bộ sớm trả lời"}, 200)
	vpAct(t, s, vp, "answer", map[string]any{"class": "in_progress", "reason": "has_roadmap", "answered_on": "2026-10-01"}, 200)
	eventually(t, "publication", func() bool {
		return testenv.Do(t, "GET", s.URL+"/v1/voter-petitions/"+vp, nil).Map(t)["status"] == "published"
	})
	next := createSession(t, s, term, 12, "2026-10-20", "2026-12-10", "")["id"].(string)
	vpAct(t, s, vp, "evaluate", map[string]any{"satisfied": false}, 200)
	res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/report-results", nil)
	require.Equal(t, 200, res.Status, res.String())
	res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/close", map[string]any{"next_session_id": next})
	require.Equal(t, 200, res.Status, res.String())

	ctx := testenv.Context(t)
	require.NoError(t, s.Temporal.GetWorkflow(ctx, workflows.SessionWorkflowID(id), "").Get(ctx, nil))
	writeHistory(t, s, dir, "session-cycle.json", workflows.SessionWorkflowID(id))
	require.NoError(t, s.Temporal.TerminateWorkflow(ctx, workflows.VoterPetitionWorkflowID(vp), "", "recorded"))
	writeHistory(t, s, dir, "voter-petition.json", workflows.VoterPetitionWorkflowID(vp))
}
