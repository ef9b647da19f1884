package e2e_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/temporalx"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

// faultLetters is the load of every fault test (issue 11: 500 letters with actions).
const faultLetters = 500

// stack is the service as processes: its binary, environment and API address.
type stack struct {
	bin, api string
	env      []string
	worker   *process
	apiProc  *process
}

// startStack migrates a fresh database and starts the worker and the API against temporal.
func startStack(t *testing.T, temporal string) *stack {
	t.Helper()
	bin := buildBinary(t)
	port := freePort(t)
	s := &stack{bin: bin, api: "http://127.0.0.1:" + port}
	s.env = append(os.Environ(),
		"DATABASE_URL="+testenv.EmptyDB(t),
		"TEMPORAL_ADDRESS="+temporal,
		"TASK_QUEUE="+testenv.Name("faults"),
		"HTTP_ADDR=127.0.0.1:"+port,
		"WORKER_METRICS_ADDR=",
		"UPDATE_TIMEOUT=2s",
		"AUTH_MODE=hs256", "JWT_SECRET="+jwtSecret,
	)
	migrate(t, bin, s.env)
	s.worker = start(t, bin, s.env, "worker")
	s.apiProc = start(t, bin, s.env, "api")
	waitReady(t, s.api, 200)
	return s
}

// waitReady waits until /readyz answers want.
func waitReady(t *testing.T, api string, want int) {
	t.Helper()
	require.Eventually(t, func() bool { return readyz(api) == want }, 90*time.Second, 200*time.Millisecond, "/readyz never answered %d", want)
}

func readyz(api string) int {
	res, err := http.Get(api + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// Killing the worker with SIGKILL in the middle of a load of 500 letters with actions, then
// starting a new one: every letter reaches its state, no audit event is missing or doubled.
func TestWorkerKilledMidLoadLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("a 500-letter load against processes")
	}
	s := startStack(t, testenv.TemporalAddress(t))
	ids, stats := runLoad(t, s.api, faultLetters, 16, "kill", func() {
		require.NoError(t, s.worker.cmd.Process.Signal(syscall.SIGKILL))
		<-s.worker.done
		time.Sleep(3 * time.Second)
		s.worker = start(t, s.bin, s.env, "worker")
	})
	checkNothingLost(t, s.api, ids)
	t.Logf("worker killed mid-load: %d letters × 3 requests; %d answered 202 and were followed, %d resent after 503 or a broken connection",
		len(ids), stats.accepted202.Load(), stats.retried.Load())
}

// faultsOnly skips the tests too slow or too disruptive for make test: they restart the
// Temporal server or stop the machine's PostgreSQL. `make faults` runs them.
func faultsOnly(t *testing.T) {
	t.Helper()
	if os.Getenv("FAULTS") != "1" {
		t.Skip("set FAULTS=1 (make faults): this test restarts servers the other tests share")
	}
}

// Restarting the Temporal dev server (with its persistent file) mid-load: the worker and the
// API reconnect, resent requests find their first outcome, nothing is lost.
func TestTemporalRestartMidLoadLosesNothing(t *testing.T) {
	faultsOnly(t)
	bin := filepath.Join(testenv.RepoRoot(), "bin", "temporal")
	dbFile := filepath.Join(t.TempDir(), "temporal.db")
	port := freePort(t)
	args := append([]string{"server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", port,
		"--db-filename", dbFile, "--log-level", "error"}, temporalx.SearchAttributeFlags()...)
	args = append(args, temporalx.DevServerTuning()...)
	startTemporal := func() *process { return start(t, bin, os.Environ(), args...) }
	server := startTemporal()
	addr := "127.0.0.1:" + port
	s := startStack(t, addr)
	ids, stats := runLoad(t, s.api, faultLetters, 16, "restart", func() {
		require.NoError(t, server.cmd.Process.Signal(syscall.SIGTERM))
		select {
		case <-server.done:
		case <-time.After(30 * time.Second):
			_ = server.cmd.Process.Kill()
			<-server.done
		}
		time.Sleep(3 * time.Second)
		server = startTemporal()
	})
	checkNothingLost(t, s.api, ids)
	t.Logf("Temporal restarted mid-load: %d letters; %d answered 202, %d resent", len(ids), stats.accepted202.Load(), stats.retried.Load())
}

// Stopping PostgreSQL for 30 seconds mid-load: /readyz says 503 naming it, activities retry,
// and nothing is lost once it is back.
func TestPostgresOutageMidLoadLosesNothing(t *testing.T) {
	faultsOnly(t)
	out, err := exec.Command("pg_lsclusters", "-h").Output()
	require.NoError(t, err, "pg_lsclusters")
	f := strings.Fields(string(out))
	require.GreaterOrEqual(t, len(f), 2)
	ctl := func(action string) {
		out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", f[0], f[1], action).CombinedOutput()
		require.NoError(t, err, "pg_ctlcluster %s: %s", action, out)
	}
	t.Cleanup(func() { _ = exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", f[0], f[1], "start").Run() })
	s := startStack(t, testenv.TemporalAddress(t))
	sawDown := false
	ids, stats := runLoad(t, s.api, faultLetters, 16, "pgdown", func() {
		ctl("stop")
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if readyz(s.api) == 503 {
				sawDown = true
			}
			time.Sleep(time.Second)
		}
		ctl("start")
	})
	require.True(t, sawDown, "/readyz never said 503 while PostgreSQL was down")
	waitReady(t, s.api, 200)
	checkNothingLost(t, s.api, ids)
	t.Logf("PostgreSQL down 30 s mid-load: %d letters; %d answered 202, %d resent", len(ids), stats.accepted202.Load(), stats.retried.Load())
}
