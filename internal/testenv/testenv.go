// Package testenv gives tests the real servers: a fresh PostgreSQL database per test, cloned
// from a migrated template, and one Temporal dev server per test binary (or the one at
// TEMPORAL_ADDRESS when it is set).
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"testing"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/models"
)

// BaseDatabaseURL is the server the tests use; the database part is replaced per test.
func BaseDatabaseURL() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(fmt.Sprintf("TEST_DATABASE_URL %q: %v", base, err))
	}
	u.Path = "/" + name
	return u.String()
}

// RepoRoot finds the module root, where bin/temporal lives.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("testenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// template returns the name of a database migrated to this binary's schema version, creating
// it once. An advisory lock makes parallel test binaries wait for one creator.
func template(ctx context.Context) (string, error) {
	version, err := models.MigrationVersion()
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("dannguyen_tpl_v%d_%s", version, models.SchemaFingerprint())
	conn, err := pgx.Connect(ctx, BaseDatabaseURL())
	if err != nil {
		return "", fmt.Errorf("connect to the test PostgreSQL (%s): %w", BaseDatabaseURL(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(872341)"); err != nil {
		return "", err
	}
	defer conn.Exec(ctx, "SELECT pg_advisory_unlock(872341)") //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname=$1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	db, err := models.Open(withDatabase(BaseDatabaseURL(), building), 2)
	if err != nil {
		return "", err
	}
	sqlDB, _ := models.SQL(db)
	err = models.Migrate(ctx, sqlDB)
	models.Close(db)
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", fmt.Errorf("publish template: %w", err)
	}
	return name, nil
}

// DB returns a connection to a new, migrated database that is dropped when the test ends.
func DB(t testing.TB) (*gorm.DB, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs PostgreSQL; skipped with -short")
	}
	ctx := context.Background()
	tpl, err := template(ctx)
	if err != nil {
		t.Fatalf("test database template: %v", err)
	}
	name := "t_" + randomHex(6)
	conn, err := pgx.Connect(ctx, BaseDatabaseURL())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tpl)); err != nil {
		conn.Close(ctx)
		t.Fatalf("create test database: %v", err)
	}
	conn.Close(ctx)
	dsn := withDatabase(BaseDatabaseURL(), name)
	db, err := models.Open(dsn, 10)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		models.Close(db)
		c, err := pgx.Connect(context.Background(), BaseDatabaseURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return db, dsn
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Name returns a short unique name for task queues and ids.
func Name(prefix string) string { return prefix + "-" + randomHex(4) }

// EmptyDB creates a new, empty database (no migrations) dropped when the test ends, for
// tests that run the migrate command themselves; it returns its URL.
func EmptyDB(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs PostgreSQL; skipped with -short")
	}
	ctx := context.Background()
	name := "e_" + randomHex(6)
	conn, err := pgx.Connect(ctx, BaseDatabaseURL())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), BaseDatabaseURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDatabase(BaseDatabaseURL(), name)
}
