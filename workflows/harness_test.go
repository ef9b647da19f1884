package workflows_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/worker"
	"github.com/dannguyen/dannguyen/workflows"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// harness runs LetterWorkflow in the SDK's time-skipping environment with the real
// activities against a real PostgreSQL database, so a 90-day clock runs in milliseconds and
// what it persisted can be read back.
type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	db  *gorm.DB
	id  string
	t0  time.Time
}

func newHarness(t *testing.T, start string) *harness {
	t.Helper()
	db, _ := testenv.DB(t)
	s := &testsuite.WorkflowTestSuite{}
	env := s.NewTestWorkflowEnvironment()
	worker.Register(registry{env}, &activities.Activities{DB: db, VaultKeys: testenv.VaultKeys, PseudonymKey: "test-pseudonym-key"})
	t0 := deadline.MustParseDate(start).AddDays(-1).EndAt().Add(9 * time.Hour) // 09:00 local
	env.SetStartTime(t0)
	env.SetTestTimeout(30 * time.Second)
	return &harness{t: t, env: env, db: db, id: testenv.Name("L"), t0: t0}
}

// registry adapts the test environment to worker.Register.
type registry struct {
	env *testsuite.TestWorkflowEnvironment
}

func (r registry) RegisterWorkflowWithOptions(w any, o workflow.RegisterOptions) {
	r.env.RegisterWorkflowWithOptions(w, o)
}
func (r registry) RegisterActivityWithOptions(a any, o activity.RegisterOptions) {
	r.env.RegisterActivityWithOptions(a, o)
}

// at schedules fn at the given offset from the start, in workflow time.
func (h *harness) at(d time.Duration, fn func()) { h.env.RegisterDelayedCallback(fn, d) }

// update sends an Update; wantErr "" expects success, otherwise the error type (Conflict,
// Invalid) of a rejection.
func (h *harness) update(name string, a workflows.Action, wantErr string) {
	h.env.UpdateWorkflow(name, testenv.Name("u"), &testsuite.TestUpdateCallback{
		OnReject: func(err error) {
			if wantErr == "" {
				h.t.Errorf("%s rejected: %v", name, err)
				return
			}
			require.Contains(h.t, err.Error(), wantErr, "%s rejection", name)
		},
		OnAccept: func() {},
		OnComplete: func(_ any, err error) {
			if wantErr == "" && err != nil {
				h.t.Errorf("%s failed: %v", name, err)
			}
			if wantErr != "" && err == nil {
				h.t.Errorf("%s succeeded; want %s", name, wantErr)
			}
			if wantErr != "" && err != nil {
				require.Contains(h.t, err.Error(), wantErr)
			}
		},
	}, a)
}

func (h *harness) run(in workflows.Intake) {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.LetterWorkflow, workflows.LetterStart{ID: h.id, Intake: &in, Actor: workflows.Actor{Sub: "intake-officer"}})
	require.True(h.t, h.env.IsWorkflowCompleted(), "the letter workflow should have completed")
	require.NoError(h.t, h.env.GetWorkflowError())
}

// events returns the persisted audit trail, in order.
func (h *harness) events() []workflows.Event {
	var rows []struct {
		Seq  int64
		Type string
		Data string
	}
	require.NoError(h.t, h.db.Raw("SELECT seq, type, data::text AS data FROM letter_events WHERE letter_id = ? ORDER BY seq", h.id).Scan(&rows).Error)
	out := make([]workflows.Event, len(rows))
	for i, r := range rows {
		out[i] = workflows.Event{Seq: r.Seq, Type: r.Type, Data: map[string]any{"raw": r.Data}}
	}
	return out
}

func (h *harness) count(typ, contains string) int {
	n := 0
	for _, e := range h.events() {
		if e.Type == typ && (contains == "" || containsStr(e.Data["raw"].(string), contains)) {
			n++
		}
	}
	return n
}

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }

// row reads one column of the letter's read-model row.
func (h *harness) row(col string) string {
	var v string
	require.NoError(h.t, h.db.Raw("SELECT coalesce("+col+"::text, '') FROM letters WHERE id = ?", h.id).Scan(&v).Error)
	return v
}

// on schedules fn at 10:00 local on a legal date, so actions default their "on" to it.
func (h *harness) on(date string, fn func()) { h.onAt(date, 10, fn) }

// onAt schedules fn at an hour of a legal date. An action that depends on an earlier one of
// the same day goes at a later hour, as a client waits for each answer before the next call.
func (h *harness) onAt(date string, hour int, fn func()) {
	at := deadline.MustParseDate(date).AddDays(-1).EndAt().Add(time.Duration(hour) * time.Hour)
	h.env.RegisterDelayedCallback(fn, at.Sub(h.t0))
}

// clock reads one clock of the letter's read-model row.
func (h *harness) clock(name string) map[string]any {
	h.t.Helper()
	var clocks []map[string]any
	require.NoError(h.t, json.Unmarshal([]byte(h.row("clocks")), &clocks))
	for _, c := range clocks {
		if c["name"] == name {
			return c
		}
	}
	h.t.Fatalf("no clock %q in %s", name, h.row("clocks"))
	return nil
}

// sealIdentity puts senders into the vault as the API does at intake.
func sealIdentity(h *harness, letterID string, senders []workflows.Sender) error {
	return models.SealIdentity(context.Background(), h.db, testenv.VaultKeys, letterID, "Người tố cáo #Q42", senders)
}

// outboxCount counts the letter's queued notifications of one kind.
func (h *harness) outboxCount(kind string) int {
	var n int
	require.NoError(h.t, h.db.Raw("SELECT count(*) FROM outbox WHERE letter_id = ? AND kind = ?", h.id, kind).Scan(&n).Error)
	return n
}

func day(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func intake(received string) workflows.Intake {
	return workflows.Intake{
		Kind: "complaint", Channel: "post", ReceivedOn: deadline.MustParseDate(received),
		Senders:     []workflows.Sender{{FullName: "Nguyễn Văn Đức", Address: "Hà Nội"}},
		SignerCount: 1, Subject: "Khiếu nại về bồi thường đất", Content: "Không đồng ý với giá bồi thường khi thu hồi đất.",
		Respondent: "UBND phường", BodyID: "ubdngs",
	}
}

func ptr[T any](v T) *T { return &v }
