package workflows_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/internal/temporalx"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/worker"
	"github.com/dannguyen/dannguyen/workflows"
)

// recordedHistories are the paths TestRecordHistories (api package) records; each must stay
// in testdata so a lost file cannot silently shrink what the replay guards.
var recordedHistories = []string{
	"letter-main-path.json",
	"letter-overdue-ladder.json",
	"letter-denunciation-calendar.json",
	"letter-reclassified-mixed.json",
	"letter-duplicate-original.json",
	"letter-duplicate-second.json",
	"letter-reception-guided.json",
	"letter-reception-forwarded.json",
	"calendar-fanout.json",
	"session-cycle.json",  // voters' petitions: RECORD_PETITION_HISTORIES=1 (api/record_petition_histories_test.go)
	"voter-petition.json", // same recorder; terminated after evaluation, so every task up to it replays
	// The same letter paths recorded before VersionLocalDB (database steps as activities):
	// letters registered then are still running and must keep replaying.
	"letter-main-path.v1.json",
	"letter-overdue-ladder.v1.json",
	"letter-denunciation-calendar.v1.json",
	"letter-reclassified-mixed.v1.json",
	"letter-duplicate-original.v1.json",
	"letter-duplicate-second.v1.json",
	"letter-reception-guided.v1.json",
	"letter-reception-forwarded.v1.json",
}

// replayRegistry lets worker.Register fill a replayer, so the workflows replay under exactly
// the names the worker registers; a replay never runs activities, it reads their results.
type replayRegistry struct{ sdkworker.WorkflowReplayer }

func (replayRegistry) RegisterActivityWithOptions(any, activity.RegisterOptions) {}

// TestReplayRecordedHistories replays every recorded history against today's workflow code
// with the worker's data converter: a change that would make a running case take another
// path (a new command, a reordered activity, a missing GetVersion) fails here, not in
// production. Re-recording is described in testdata/README.md.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	for _, want := range recordedHistories {
		require.Contains(t, files, filepath.Join("testdata", want))
	}

	replayer, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{
		DataConverter:    temporalx.DataConverter(testenv.PayloadKeys),
		FailureConverter: temporalx.FailureConverter(testenv.PayloadKeys),
	})
	require.NoError(t, err)
	worker.Register(replayRegistry{replayer}, &activities.Activities{})
	logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))

	types := map[string]int{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			hist, err := client.HistoryFromJSON(bytes.NewReader(raw), client.HistoryJSONOptions{})
			require.NoError(t, err)
			require.NotEmpty(t, hist.Events)
			types[hist.Events[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowType().GetName()]++
			requireEncrypted(t, hist)
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(logger, f))
		})
	}
	require.GreaterOrEqual(t, types[workflows.LetterWorkflowName], 6, "letter histories replayed: %v", types)
	require.GreaterOrEqual(t, types[workflows.CalendarFanoutWorkflowName], 1, "fan-out histories replayed: %v", types)
}

// requireEncrypted fails when a payload of the history is not sealed by the codec: a history
// recorded without it would commit personal data to the repository, and would not be what
// the production worker replays. Search attributes are plain by design (the UI filters on
// them) and hold no personal data.
func requireEncrypted(t *testing.T, hist *historypb.History) {
	t.Helper()
	n := 0
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		switch v := m.Interface().(type) {
		case *commonpb.SearchAttributes:
			return
		case *commonpb.Payload:
			n++
			require.Equal(t, "binary/encrypted", string(v.GetMetadata()["encoding"]), "a payload in clear")
			return
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsMap():
				if fd.MapValue().Kind() == protoreflect.MessageKind {
					v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool { walk(mv.Message()); return true })
				}
			case fd.Kind() != protoreflect.MessageKind:
			case fd.IsList():
				for i := 0; i < v.List().Len(); i++ {
					walk(v.List().Get(i).Message())
				}
			default:
				walk(v.Message())
			}
			return true
		})
	}
	walk(hist.ProtoReflect())
	require.Positive(t, n, "the history has no payload to check")
}

// testLog sends the replayer's warnings to the test's own output.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}
