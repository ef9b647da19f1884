package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// goMigrations are migrations written in Go (data seeds that read embedded files). Seed files
// register them from init with their own version number, which must not collide with a SQL
// file's: they run once, in version order with the SQL ones, so an admin's later edits to the
// seeded rows are never overwritten.
var (
	goMigrations []*goose.Migration
	seedData     [][]byte // what the Go migrations seed from, for SchemaFingerprint
)

// registerGoMigration registers a Go migration; data is the embedded file it seeds from.
func registerGoMigration(version int64, data []byte, up func(ctx context.Context, tx *sql.Tx) error) {
	goMigrations = append(goMigrations, goose.NewGoMigration(version, &goose.GoFunc{RunTx: up}, nil))
	seedData = append(seedData, data)
}

// SchemaFingerprint changes whenever a migration or seed file changes, so tests never reuse a
// template database built from older files.
func SchemaFingerprint() string {
	h := sha256.New()
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := migrationFiles.ReadFile(n)
		h.Write([]byte(n))
		h.Write(b)
	}
	for _, d := range seedData {
		h.Write(d)
	}
	return hex.EncodeToString(h.Sum(nil))[:10]
}

// Migrate applies every pending migration. A Postgres advisory lock serialises concurrent
// callers (the worker, the API and parallel test packages may all start at once).
func Migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker), goose.WithGoMigrations(goMigrations...))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		slog.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration_ms", r.Duration.Milliseconds())
	}
	return nil
}

// MigrationVersion returns the newest migration version embedded in this binary; tests use it
// to name a template database per schema version.
func MigrationVersion() (int64, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return 0, err
	}
	var newest int64
	for _, n := range names {
		v, err := goose.NumericComponent(n)
		if err != nil {
			return 0, fmt.Errorf("migration %s: %w", n, err)
		}
		newest = max(newest, v)
	}
	for _, m := range goMigrations {
		newest = max(newest, m.Version)
	}
	return newest, nil
}
