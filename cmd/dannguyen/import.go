package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/config"
	"github.com/dannguyen/dannguyen/internal/importer"
	"github.com/dannguyen/dannguyen/internal/policy"
)

const importUsage = `Usage:
  dannguyen import letters [flags] FILE
  dannguyen import petitions --session ID [flags] FILE

Registers every row of FILE as a letter through the API (POST /v1/letters), so each goes
through validation, its workflow and the audit trail. FILE is JSON Lines (one intake object a
line, or a public-source record of shared/realdata/letters.jsonl) or CSV with a header row
naming the intake fields (one sender per row: sender_full_name, sender_id_number,
sender_phone, sender_address). Each row's Idempotency-Key comes from the file name and the
row, so running the same import again finds the letters instead of registering them twice.
Exits 1 when any row was rejected; the summary lists each with its line and reasons.

'import petitions' sends raw voters' petitions (JSON Lines or CSV, e.g.
shared/realdata/voter_petitions.jsonl as it is) to the session's petitions:import, in chunks
with progress; bad rows are reported with their line in FILE and the good ones load, or with
--atomic the whole file is refused when any row is bad.

Flags:
`

// errRowsRejected makes the process exit 1 without a second error line.
var errRowsRejected = errors.New("some rows were rejected")

func runImport(ctx context.Context, cfg config.Config, args []string) error {
	if len(args) > 0 && args[0] == "petitions" {
		return runImportPetitions(ctx, cfg, args[1:])
	}
	if len(args) == 0 || args[0] != "letters" {
		fmt.Fprint(os.Stderr, importUsage)
		return fmt.Errorf("import: say what to import: letters or petitions")
	}
	fs := flag.NewFlagSet("import letters", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, importUsage); fs.PrintDefaults() }
	apiURL := fs.String("api", localURL(cfg.HTTPAddr), "base URL of the API")
	token := fs.String("token", os.Getenv("DANNGUYEN_TOKEN"), "bearer token (default $DANNGUYEN_TOKEN, or a development token minted with JWT_SECRET)")
	body := fs.String("body", "ubdngs", "receiving body for rows that name none, and of the development token")
	format := fs.String("format", "", "jsonl or csv (default: from the file extension)")
	workers := fs.Int("workers", 4, "requests in flight")
	today := fs.String("today", "", "date public-source rows count back from (default today, Asia/Ho_Chi_Minh)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("import letters: give exactly one FILE")
	}
	path := fs.Arg(0)
	f, err := importer.Format(path, *format)
	if err != nil {
		return err
	}
	day := deadline.DateOf(time.Now())
	if *today != "" {
		if day, err = deadline.ParseDate(*today); err != nil {
			return fmt.Errorf("--today: %w", err)
		}
	}
	if *token == "" {
		if cfg.AuthMode != "hs256" {
			return fmt.Errorf("AUTH_MODE=%s: pass --token (or DANNGUYEN_TOKEN) from the identity provider", cfg.AuthMode)
		}
		if *token, err = devSigner(cfg).Mint(auth.Principal{Sub: importer.DevSub, Name: "dannguyen import",
			Roles: []string{policy.ReceivingOfficer}, BodyID: *body}, time.Hour, time.Now()); err != nil {
			return err
		}
	}
	in, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import letters: %w", err)
	}
	defer in.Close()
	prefix := "import-" + strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	rows, err := importer.ReadLetters(in, f, importer.Options{BodyID: *body, Today: day, KeyPrefix: prefix})
	if err != nil {
		return fmt.Errorf("import letters from %s: %w", path, err)
	}
	fmt.Fprintf(os.Stderr, "importing %d rows from %s into %s\n", len(rows), path, *apiURL)
	c := &importer.Client{BaseURL: *apiURL, Token: *token}
	sum := c.ImportLetters(ctx, rows, *workers, os.Stderr)
	sum.Print(os.Stdout)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if sum.Failed() {
		return errRowsRejected
	}
	return nil
}

// localURL is the URL of the API this machine serves on addr (":8080" → http://localhost:8080).
func localURL(addr string) string {
	if strings.HasPrefix(addr, ":") || strings.HasPrefix(addr, "0.0.0.0:") || strings.HasPrefix(addr, "[::]:") {
		return "http://localhost:" + addr[strings.LastIndex(addr, ":")+1:]
	}
	return "http://" + addr
}

func runImportPetitions(ctx context.Context, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("import petitions", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, importUsage); fs.PrintDefaults() }
	session := fs.String("session", "", "the NA session's id, e.g. xv-11 (required; see GET /v1/sessions)")
	apiURL := fs.String("api", localURL(cfg.HTTPAddr), "base URL of the API")
	token := fs.String("token", os.Getenv("DANNGUYEN_TOKEN"), "bearer token (default $DANNGUYEN_TOKEN, or a development token of the petitions committee)")
	format := fs.String("format", "", "jsonl or csv (default: from the file extension)")
	atomic := fs.Bool("atomic", false, "import all rows or none")
	chunk := fs.Int("chunk", 200, "JSON Lines rows per request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *session == "" {
		fs.Usage()
		return fmt.Errorf("import petitions: give --session and exactly one FILE")
	}
	path := fs.Arg(0)
	f, err := importer.Format(path, *format)
	if err != nil {
		return err
	}
	if *token == "" {
		if cfg.AuthMode != "hs256" {
			return fmt.Errorf("AUTH_MODE=%s: pass --token (or DANNGUYEN_TOKEN) from the identity provider", cfg.AuthMode)
		}
		if *token, err = devSigner(cfg).Mint(auth.Principal{Sub: importer.DevSub, Name: "dannguyen import",
			Roles: []string{policy.HandlingOfficer}, BodyID: "ubdngs"}, time.Hour, time.Now()); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("import petitions: %w", err)
	}
	fmt.Fprintf(os.Stderr, "importing %s into session %s at %s\n", path, *session, *apiURL)
	c := &importer.Client{BaseURL: *apiURL, Token: *token}
	sum, err := c.ImportPetitions(ctx, *session, data, f, *atomic, *chunk, os.Stderr)
	if err != nil {
		return fmt.Errorf("import petitions from %s: %w", path, err)
	}
	sum.Print(os.Stdout)
	if sum.Failed() {
		return errRowsRejected
	}
	return nil
}
