// Command dannguyen is the single binary of the service: `api`, `worker`, `dev` (the whole
// stack for development), `migrate` and `config`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/dannguyen/dannguyen/internal/config"
)

const usage = `dannguyen — people's petition office service

Usage: dannguyen <command> [flags]

Commands:
  api       serve the HTTP API (needs PostgreSQL and Temporal)
  worker    run the Temporal worker (workflows and activities)
  dev       the whole stack for development: Temporal dev server with UI, migrations,
            worker and API in one process; Ctrl-C stops everything it started
  migrate   apply the SQL migrations and exit
  demo      drive the running stack through a day of office work on shared/realdata (make demo)
  token     mint a development token: dannguyen token --sub u1 --roles handling_officer --body ubdngs
  bench     benchmarks: 'bench reads' seeds 100 k and 1 M letters and times lists and search;
            'bench engine' measures the engine floor, intake, actions, worker memory and a
            calendar recompute against the running stack
  import    import letters from a JSON Lines or CSV file through the API:
            dannguyen import letters FILE; dannguyen import petitions --session ID FILE
  config    print every configuration variable, its default and its effective value

Configuration comes from environment variables; run 'dannguyen config' to list them.
`

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		fmt.Fprint(os.Stderr, usage)
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	cmd, args := os.Args[1], os.Args[2:]
	if cmd == "config" {
		printConfig()
		return
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dannguyen:", err)
		os.Exit(2)
	}
	setupLogging(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "api":
		err = runAPI(ctx, cfg)
	case "worker":
		err = runWorker(ctx, cfg)
	case "dev":
		err = runDev(ctx, cfg, args)
	case "migrate":
		err = runMigrate(ctx, cfg)
	case "token":
		err = runToken(cfg, args)
	case "import":
		err = runImport(ctx, cfg, args)
	case "demo":
		err = runDemo(ctx, cfg, args)
	case "bench":
		err = runBench(ctx, cfg, args)
	default:
		fmt.Fprintf(os.Stderr, "dannguyen: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		return // -h: the usage is printed, nothing failed
	}
	if errors.Is(err, errRowsRejected) {
		os.Exit(1) // the summary above says which rows and why
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		slog.Error("command failed", "command", cmd, "err", err)
		os.Exit(1)
	}
}

func setupLogging(cfg config.Config) {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(os.Stderr, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(os.Stderr, opts)
	}
	slog.SetDefault(slog.New(h))
}

func printConfig() {
	cfg, err := config.Load()
	eff := map[string]string{}
	if err == nil {
		eff = cfg.Redacted()
	}
	for _, v := range config.Vars {
		fmt.Printf("%-22s default %-12q now %q\n    %s\n", v.Name, short(v.Default), eff[v.Name], v.Doc)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dannguyen:", err)
		os.Exit(2)
	}
}

func short(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
