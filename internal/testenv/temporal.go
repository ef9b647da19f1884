package testenv

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/dannguyen/dannguyen/internal/crypt"
	"github.com/dannguyen/dannguyen/internal/temporalx"
)

var (
	devOnce   sync.Once
	devServer *testsuite.DevServer
	devAddr   string
	devErr    error
)

// TemporalAddress returns the address of a real Temporal server for this test binary: the one
// at TEMPORAL_ADDRESS, or a dev server started on free ports from bin/temporal (in memory,
// stopped by Main).
func TemporalAddress(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a Temporal server; skipped with -short")
	}
	if v := os.Getenv("TEMPORAL_ADDRESS"); v != "" {
		return v
	}
	devOnce.Do(func() {
		bin := filepath.Join(RepoRoot(), "bin", "temporal")
		if _, err := os.Stat(bin); err != nil {
			devErr = fmt.Errorf("the Temporal CLI is not built at %s: run `make temporal-cli` (make test does it)", bin)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		devServer, devErr = testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
			ExistingPath:     bin,
			LogLevel:         "error",
			SearchAttributes: temporalx.SearchAttributes(),
			ClientOptions:    &client.Options{Logger: quietLogger()},
			ExtraArgs: append([]string{"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"},
				temporalx.DevServerTuning()...),
			Stdout: io.Discard,
			Stderr: io.Discard,
		})
		if devErr == nil {
			devAddr = devServer.FrontendHostPort()
		}
	})
	if devErr != nil {
		t.Fatalf("temporal dev server: %v", devErr)
	}
	return devAddr
}

// Client connects to the test Temporal server with the production data converter.
func Client(t testing.TB) client.Client {
	t.Helper()
	addr := TemporalAddress(t)
	c, err := client.Dial(client.Options{
		HostPort: addr, Namespace: "default", Logger: quietLogger(),
		DataConverter:    temporalx.DataConverter(PayloadKeys),
		FailureConverter: temporalx.FailureConverter(PayloadKeys),
	})
	if err != nil {
		t.Fatalf("dial temporal at %s: %v", addr, err)
	}
	t.Cleanup(c.Close)
	return c
}

// PayloadKeys and VaultKeys are the tests' keyrings (fixed, test-only).
var (
	PayloadKeys = crypt.MustParseKeyring("test1:dGVzdC1wYXlsb2FkLWtleS0zMi1ieXRlcy1sb25nISE=")
	VaultKeys   = crypt.MustParseKeyring("test1:dGVzdC12YXVsdC1rZXktLTMyLWJ5dGVzLWxvbmchISE=")
)

func quietLogger() sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// Main runs the tests and stops the dev server afterwards; call it from TestMain. Service logs
// are silenced unless TEST_LOG=1, so a failing test's output is its own.
func Main(m *testing.M) int {
	if os.Getenv("TEST_LOG") != "1" {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	code := m.Run()
	if devServer != nil {
		_ = devServer.Stop()
	}
	return code
}
