// Package models holds the PostgreSQL read model: Gorm models, the queries behind lists,
// statistics and exports, and the embedded SQL migrations.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Open connects to PostgreSQL with a bounded pool. It does not fail when the server is down:
// the pool reconnects by itself, so /readyz can report the outage and recover without a restart.
func Open(dsn string, maxOpen int) (*gorm.DB, error) {
	db, err := gorm.Open(postgres.Open(withSessionDefaults(dsn)), &gorm.Config{
		TranslateError:         true,
		DisableAutomaticPing:   true, // start even when PostgreSQL is down; /readyz reports it
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(max(2, maxOpen/2))
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// withSessionDefaults turns PostgreSQL's JIT compiler off for the service's sessions unless
// the URL sets jit itself. JIT starts when a plan's estimated cost passes jit_above_cost, which
// a search over 1 M letters does: compiling took ~340 ms of a ~500 ms query, for short
// queries that never run long enough to pay it back.
func withSessionDefaults(dsn string) string {
	if strings.Contains(dsn, "jit=") {
		return dsn
	}
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("jit", "off")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " jit=off"
}

// Close closes the pool behind db.
func Close(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}

// Ping reports whether PostgreSQL answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// EnsureDatabase creates the database named in dsn when it does not exist, connecting to the
// server's maintenance database to do so. It is used by `dannguyen dev` and the tests.
func EnsureDatabase(ctx context.Context, dsn string) (created bool, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return false, fmt.Errorf("parse database url: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return false, errors.New("the database url names no database")
	}
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return false, fmt.Errorf("connect to %s: %w", admin.Redacted(), err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return false, fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return false, nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created by a concurrent caller
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create database %s: %w", name, err)
	}
	slog.Info("database created", "database", name)
	return true, nil
}

// SQL returns the *sql.DB behind db.
func SQL(db *gorm.DB) (*sql.DB, error) { return db.DB() }
