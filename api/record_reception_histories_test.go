package api_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/workflows"
)

// TestRecordHistoriesReception records the letters of reception visits (the versioned
// reception-notice-clock path of LetterWorkflow) for TestReplayRecordedHistories:
//
//	RECORD_HISTORIES=1 go test -count=1 -run 'TestRecordHistoriesReception$' ./api/
func TestRecordHistoriesReception(t *testing.T) {
	if os.Getenv("RECORD_HISTORIES") != "1" {
		t.Skip("set RECORD_HISTORIES=1 to re-record workflows/testdata")
	}
	s := testenv.NewStack(t)
	dir := filepath.Join(testenv.RepoRoot(), "workflows", "testdata")
	held := time.Now().Add(-time.Hour).Format(time.RFC3339)
	canaries := []string{"Lý Thị Tiếp Dân", "001289000666", "ngõ 7 phố Huế, Hà Nội", "Kiến nghị về tiếng ồn công trường", "Công trường thi công ban đêm gây ồn."}
	citizen := []map[string]any{{"full_name": canaries[0], "id_number": canaries[1], "address": canaries[2]}}

	// 1. The content needs handling: a letter with the D30 clock, guided (the notice is met), closed.
	v := createVisit(t, s, visitBody("", "letter_created", map[string]any{"held_at": held, "citizens": citizen,
		"subject": canaries[3], "content": canaries[4]}))
	id := v["letter_id"].(string)
	act(t, s, id, "classify", map[string]any{"kind": "recommendation", "eligible": true, "competent": false}, 200)
	act(t, s, id, "guide", map[string]any{"text": "Đề nghị gửi UBND phường."}, 200)
	require.Equal(t, "closed", act(t, s, id, "close", nil, 200)["status"])
	files := []string{recordHistory(t, s, dir, "letter-reception-guided.json", workflows.LetterWorkflowID(id))}

	// 2. Forwarded at the desk: classified and forwarded in the visit's request, answered, closed.
	v = createVisit(t, s, visitBody("", "forwarded", map[string]any{"held_at": held, "citizens": citizen,
		"subject": canaries[3], "content": canaries[4], "forwarded_to": "ubnd-ha-noi"}))
	id = v["letter_id"].(string)
	act(t, s, id, "record-response", map[string]any{"from_body_id": "ubnd-ha-noi", "outcome": "resolved"}, 200)
	require.Equal(t, "closed", act(t, s, id, "evaluate", map[string]any{"satisfied": true}, 200)["status"])
	files = append(files, recordHistory(t, s, dir, "letter-reception-forwarded.json", workflows.LetterWorkflowID(id)))

	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, secret := range canaries {
			require.False(t, strings.Contains(string(raw), secret), "%s holds %q in clear", filepath.Base(f), secret)
		}
	}
}
