package testenv

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/api"
	"github.com/dannguyen/dannguyen/worker"
)

// Stack is the whole service in one test: its own database, a worker on its own task queue
// against the real Temporal server, and the API behind an httptest server.
type Stack struct {
	URL       string
	DB        *gorm.DB
	DSN       string
	Temporal  client.Client
	TaskQueue string
	Worker    sdkworker.Worker
	API       *api.Server
}

// NewStack starts the stack and stops it when the test ends.
func NewStack(t testing.TB) *Stack {
	t.Helper()
	db, dsn := DB(t)
	tc := Client(t)
	s := &Stack{DB: db, DSN: dsn, Temporal: tc, TaskQueue: Name("tq")}
	s.Worker = worker.New(tc, &activities.Activities{DB: db, VaultKeys: VaultKeys}, worker.Options{TaskQueue: s.TaskQueue, DBMaxOpenConns: 10})
	if err := s.Worker.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	t.Cleanup(s.Worker.Stop)
	s.API = api.New(api.Deps{DB: db, Temporal: tc, TaskQueue: s.TaskQueue, UpdateTimeout: 10 * time.Second,
		Verifier: Tokens, VaultKeys: VaultKeys, PayloadKeys: PayloadKeys})
	srv := httptest.NewServer(s.API.Handler())
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Context returns a context bounded for one test step.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
