package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/dannguyen/dannguyen/internal/config"
	"github.com/dannguyen/dannguyen/internal/temporalx"
	"github.com/dannguyen/dannguyen/models"
)

// runDev brings up the whole stack for a developer: PostgreSQL must answer (make run starts
// it), the database is created and migrated, the Temporal dev server is started with its UI
// and a persistent SQLite file unless one already answers, then the worker and the API run in
// this process. Ctrl-C stops everything this command started and nothing else.
func runDev(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	temporalBin := fs.String("temporal", "bin/temporal", "path of the Temporal CLI")
	dataDir := fs.String("data", ".data", "folder for the Temporal SQLite file and logs")
	uiPort := fs.Int("ui-port", 8233, "Temporal Web UI port")
	if err := fs.Parse(args); err != nil {
		return err
	}

	if err := waitTCP(ctx, pgHostPort(cfg.DatabaseURL), 5*time.Second); err != nil {
		return fmt.Errorf("PostgreSQL does not answer at %s (make run starts the local cluster): %w", pgHostPort(cfg.DatabaseURL), err)
	}
	if _, err := models.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	if err := runMigrate(ctx, cfg); err != nil {
		return err
	}

	var temporal *exec.Cmd
	if waitTCP(ctx, cfg.TemporalAddress, 300*time.Millisecond) == nil {
		slog.Info("reusing the Temporal server already listening", "address", cfg.TemporalAddress)
	} else {
		var err error
		temporal, err = startTemporal(ctx, cfg, *temporalBin, *dataDir, *uiPort)
		if err != nil {
			return err
		}
		defer stopProcess(temporal, "temporal")
	}

	d, err := connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.close()
	if err := waitTemporal(ctx, d, 60*time.Second); err != nil {
		return err
	}
	printBanner(cfg)

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return runWorkerLoop(gctx, cfg, d) })
	g.Go(func() error { return serveAPI(gctx, cfg, d) })
	if temporal != nil {
		g.Go(func() error {
			done := make(chan error, 1)
			go func() { done <- temporal.Wait() }()
			select {
			case err := <-done:
				return fmt.Errorf("the Temporal dev server exited (see %s): %v", filepath.Join(*dataDir, "temporal.log"), err)
			case <-gctx.Done():
				return nil
			}
		})
	}
	return g.Wait()
}

func startTemporal(ctx context.Context, cfg config.Config, bin, dataDir string, uiPort int) (*exec.Cmd, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("the Temporal CLI is not at %s; `make run` builds it (go install github.com/temporalio/cli/cmd/temporal@v1.5.1)", bin)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	host, port, err := net.SplitHostPort(cfg.TemporalAddress)
	if err != nil {
		return nil, err
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	logPath := filepath.Join(dataDir, "temporal.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	args := []string{"server", "start-dev",
		"--ip", host, "--port", port, "--ui-port", fmt.Sprint(uiPort),
		"--namespace", cfg.TemporalNamespace,
		"--db-filename", filepath.Join(dataDir, "temporal.db"),
		"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
		"--log-level", "warn",
	}
	args = append(args, temporalx.SearchAttributeFlags()...)
	args = append(args, temporalx.DevServerTuning()...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Own process group: Ctrl-C in the terminal reaches us, and we stop the server ourselves
	// after the worker has drained.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the Temporal dev server: %w", err)
	}
	slog.Info("Temporal dev server started", "pid", cmd.Process.Pid, "address", cfg.TemporalAddress, "ui_port", uiPort, "log", logPath)
	return cmd, nil
}

func stopProcess(cmd *exec.Cmd, name string) {
	if cmd.Process == nil || cmd.ProcessState != nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _, _ = cmd.Process.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
	}
	slog.Info("stopped", "process", name)
}

func waitTemporal(ctx context.Context, d *deps, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := d.tc.CheckHealth(cctx, nil)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.Join(errors.New("the Temporal server did not become healthy"), err, ctx.Err())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func waitTCP(ctx context.Context, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		conn, err := (&net.Dialer{Timeout: 300 * time.Millisecond}).DialContext(ctx, "tcp", addr)
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func printBanner(cfg config.Config) {
	apiURL := "http://localhost" + portOf(cfg.HTTPAddr)
	fmt.Printf(`
  Dân Nguyện is up.
    API            %[1]s          (health: %[1]s/readyz)
    API docs       %[1]s/docs      (contract: %[1]s/openapi.json)
    Dashboard      %[1]s/ui/       (log in with a token below)
    Metrics        %[1]s/metrics
    Temporal UI    %[2]s
    Temporal gRPC  %[3]s  namespace %[4]s  task queue %[5]s
  Ctrl-C stops the API, the worker and the Temporal server this command started.
`, apiURL, cfg.TemporalUIURL, cfg.TemporalAddress, cfg.TemporalNamespace, cfg.TaskQueue)
	if toks := devTokens(cfg); len(toks) > 0 {
		fmt.Println("  Development tokens (24 h; send as Authorization: Bearer <token>):")
		fmt.Println(strings.Join(toks, "\n"))
		fmt.Println()
	}
}

func portOf(addr string) string {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return ":" + p
}
