package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/config"
	"github.com/dannguyen/dannguyen/internal/demo"
)

// runDemo drives the running stack (make run) through an office's first day on the shared
// real data and prints what a supervisor sees.
func runDemo(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	apiURL := fs.String("api", localURL(cfg.HTTPAddr), "base URL of the running API")
	realdata := fs.String("realdata", filepath.Join("..", "shared", "realdata"), "folder of the shared real data")
	small := fs.Bool("small", false, "a shorter run (the end-to-end test's)")
	figures := fs.String("figures", "", "also write the figures as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.AuthMode != "hs256" {
		return fmt.Errorf("AUTH_MODE=%s: the demo signs development tokens and needs AUTH_MODE=hs256", cfg.AuthMode)
	}
	if _, err := os.Stat(filepath.Join(*realdata, "letters.jsonl")); err != nil {
		return fmt.Errorf("the shared real data is not at %s (--realdata): %w", *realdata, err)
	}
	fmt.Printf("Dân Nguyện demo against %s (today %s)\n", *apiURL, deadline.DateOf(time.Now()))
	f, err := demo.Run(ctx, demo.Config{
		API: *apiURL, Signer: devSigner(cfg), RealData: *realdata, Today: deadline.DateOf(time.Now()),
		Small: *small, TemporalUI: cfg.TemporalUIURL, Out: os.Stdout,
	})
	if err != nil {
		return err
	}
	if *figures != "" {
		raw, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*figures, raw, 0o644)
	}
	return nil
}
