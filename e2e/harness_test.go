package e2e_test

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/testenv"
)

const jwtSecret = "e2e-only-jwt-secret-0123456789abcdef"

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

// process is one started command whose output is kept for the failure message.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan error
}

func start(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{name: args[0], out: &bytes.Buffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	require.NoError(t, p.cmd.Start())
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("--- %s output (last 3000 bytes):\n%s", p.name, tail(p.out.String(), 3000))
		}
	})
	return p
}

// stop sends SIGTERM and expects a clean exit within the grace period.
func (p *process) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-p.done:
		require.NoError(t, err, "%s did not exit cleanly on SIGTERM", p.name)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not stop within 30 s of SIGTERM", p.name)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// buildBinary builds cmd/dannguyen once per test into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dannguyen")
	build := exec.Command("go", "build", "-o", bin, "./cmd/dannguyen")
	build.Dir = testenv.RepoRoot()
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// migrate runs the migrate command as a process.
func migrate(t *testing.T, bin string, env []string) {
	t.Helper()
	cmd := exec.Command(bin, "migrate")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "migrate: %s", out)
	require.Contains(t, string(out), "migration applied")
}
