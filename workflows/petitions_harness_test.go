package workflows_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/worker"
)

// pharness runs a voters' petition workflow in the time-skipping environment with the real
// activities against a real PostgreSQL database.
type pharness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	db  *gorm.DB
	t0  time.Time
}

func newPetitionHarness(t *testing.T, start string) *pharness {
	t.Helper()
	db, _ := testenv.DB(t)
	s := &testsuite.WorkflowTestSuite{}
	env := s.NewTestWorkflowEnvironment()
	worker.Register(registry{env}, &activities.Activities{DB: db, VaultKeys: testenv.VaultKeys, PseudonymKey: "test-pseudonym-key"})
	t0 := deadline.MustParseDate(start).AddDays(-1).EndAt().Add(9 * time.Hour)
	env.SetStartTime(t0)
	env.SetTestTimeout(60 * time.Second)
	return &pharness{t: t, env: env, db: db, t0: t0}
}

// onAt schedules fn at an hour of a legal date, in workflow time.
func (h *pharness) onAt(date string, hour int, fn func()) {
	at := deadline.MustParseDate(date).AddDays(-1).EndAt().Add(time.Duration(hour) * time.Hour)
	require.False(h.t, at.Before(h.t0), "%s is before the start", date)
	h.env.RegisterDelayedCallback(fn, at.Sub(h.t0))
}

func (h *pharness) on(date string, fn func()) { h.onAt(date, 10, fn) }

// update sends an Update; wantErr "" expects success (result decoded into out when not nil),
// otherwise a rejection or failure whose message contains wantErr.
func (h *pharness) update(name string, arg any, wantErr string, out any) {
	h.env.UpdateWorkflow(name, testenv.Name("u"), &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) {
			if wantErr == "" {
				h.t.Errorf("%s rejected: %v", name, err)
				return
			}
			require.Contains(h.t, err.Error(), wantErr, "%s rejection", name)
		},
		OnComplete: func(res any, err error) {
			switch {
			case wantErr == "" && err != nil:
				h.t.Errorf("%s failed: %v", name, err)
			case wantErr != "" && err == nil:
				h.t.Errorf("%s succeeded; want %s", name, wantErr)
			case wantErr != "":
				require.Contains(h.t, err.Error(), wantErr)
			case out != nil:
				if v, ok := res.(converter.EncodedValue); ok {
					require.NoError(h.t, v.Get(out))
				} else {
					raw, _ := json.Marshal(res)
					require.NoError(h.t, json.Unmarshal(raw, out))
				}
			}
		},
	}, arg)
}

// count counts the audit events of one type (whose data contains `contains`) in a table.
func (h *pharness) count(table, idCol, id, typ, contains string) int {
	var n int
	require.NoError(h.t, h.db.Raw("SELECT count(*) FROM "+table+" WHERE "+idCol+" = ? AND type = ? AND data::text LIKE ?",
		id, typ, "%"+contains+"%").Scan(&n).Error)
	return n
}

func (h *pharness) value(query string, args ...any) string {
	var v string
	require.NoError(h.t, h.db.Raw(query, args...).Scan(&v).Error)
	return v
}

// clockOf reads one clock of a row's clocks column.
func (h *pharness) clockOf(table, id, name string) map[string]any {
	h.t.Helper()
	var clocks []map[string]any
	require.NoError(h.t, json.Unmarshal([]byte(h.value("SELECT clocks::text FROM "+table+" WHERE id = ?", id)), &clocks))
	for _, c := range clocks {
		if c["name"] == name {
			return c
		}
	}
	h.t.Fatalf("no clock %q on %s %s", name, table, id)
	return nil
}

// outbox lists kind:target of a case's notifications in order.
func (h *pharness) outbox(id string) []string {
	var out []string
	require.NoError(h.t, h.db.Raw("SELECT kind || ':' || target FROM outbox WHERE letter_id = ? ORDER BY id", id).Scan(&out).Error)
	return out
}
