package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/api"
	"github.com/dannguyen/dannguyen/internal/config"
	"github.com/dannguyen/dannguyen/internal/crypt"
	"github.com/dannguyen/dannguyen/internal/outbox"
	"github.com/dannguyen/dannguyen/internal/temporalx"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/worker"
)

// deps are the connections shared by the API and the worker of one process.
type deps struct {
	db          *gorm.DB
	tc          client.Client
	payloadKeys *crypt.Keyring
	vaultKeys   *crypt.Keyring
}

func connect(ctx context.Context, cfg config.Config) (*deps, error) {
	db, err := models.Open(cfg.DatabaseURL, cfg.DBMaxOpenConns)
	if err != nil {
		return nil, err
	}
	payloadKeys, err := crypt.ParseKeyring(cfg.PayloadKeys)
	if err != nil {
		return nil, fmt.Errorf("PAYLOAD_KEYS: %w", err)
	}
	tc, err := temporalx.Dial(ctx, temporalx.Options{Address: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, PayloadKeys: payloadKeys})
	if err != nil {
		models.Close(db)
		return nil, err
	}
	vaultKeys, err := crypt.ParseKeyring(cfg.VaultKeys)
	if err != nil {
		models.Close(db)
		return nil, fmt.Errorf("VAULT_KEYS: %w", err)
	}
	return &deps{db: db, tc: tc, payloadKeys: payloadKeys, vaultKeys: vaultKeys}, nil
}

func (d *deps) close() {
	d.tc.Close()
	models.Close(d.db)
}

func runAPI(ctx context.Context, cfg config.Config) error {
	d, err := connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.close()
	slog.Info("api starting", "config", cfg.Redacted())
	return serveAPI(ctx, cfg, d)
}

func serveAPI(ctx context.Context, cfg config.Config, d *deps) error {
	verifier, err := api.VerifierFor(ctx, cfg.AuthMode, cfg.JWTSecret, cfg.JWTIssuer, cfg.JWTAudience, cfg.OIDCIssuer, cfg.OIDCAudience, cfg.OIDCJWKSURL)
	if err != nil {
		return err
	}
	srv := api.New(api.Deps{
		DB: d.db, Temporal: d.tc, TaskQueue: cfg.TaskQueue, Logger: slog.Default(),
		MaxBodyBytes: cfg.MaxBodyBytes, UpdateTimeout: cfg.UpdateTimeout, TemporalUIURL: cfg.TemporalUIURL,
		PseudonymKey: cfg.PseudonymKey, Verifier: verifier, VaultKeys: d.vaultKeys, PayloadKeys: d.payloadKeys,
		CodecCORSOrigins: cfg.CodecCORSOrigins, AtRiskWD: cfg.LadderWarningWD,
	})
	return serveHTTP(ctx, cfg.HTTPAddr, srv.Handler(), cfg.ShutdownTimeout, "api")
}

// serveHTTP serves until ctx ends, then lets in-flight requests finish within grace.
func serveHTTP(ctx context.Context, addr string, h http.Handler, grace time.Duration, name string) error {
	hs := &http.Server{
		Addr: addr, Handler: h,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 5 * time.Minute, // exports stream large files
		IdleTimeout:  2 * time.Minute,
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s listen on %s: %w", name, addr, err)
	}
	slog.Info("listening", "server", name, "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("%s server: %w", name, err)
	case <-ctx.Done():
	}
	slog.Info("shutting down", "server", name)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s shutdown: %w", name, err)
	}
	return nil
}

func runWorker(ctx context.Context, cfg config.Config) error {
	d, err := connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.close()
	slog.Info("worker starting", "config", cfg.Redacted())
	g, gctx := errgroup.WithContext(ctx)
	if cfg.WorkerMetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.Handler())
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
		g.Go(func() error {
			return serveHTTP(gctx, cfg.WorkerMetricsAddr, mux, cfg.ShutdownTimeout, "worker-metrics")
		})
	}
	g.Go(func() error { return runWorkerLoop(gctx, cfg, d) })
	return g.Wait()
}

func runWorkerLoop(ctx context.Context, cfg config.Config, d *deps) error {
	acts := &activities.Activities{DB: d.db, VaultKeys: d.vaultKeys, PseudonymKey: cfg.PseudonymKey, Ladder: activities.Ladder{
		WarningWD: cfg.LadderWarningWD, HeadWD: cfg.LadderHeadWD, SuperiorWD: cfg.LadderSuperiorWD,
	}}
	// The SDK's cache is process-wide and must be sized before the first worker starts.
	sdkworker.SetStickyWorkflowCacheSize(cfg.WorkerCacheSize)
	w := worker.New(d.tc, acts, worker.Options{TaskQueue: cfg.TaskQueue, DBMaxOpenConns: cfg.DBMaxOpenConns})
	// The deliverer lives with the worker because the workflows it runs fill the outbox; if the
	// worker cannot start, the group stops delivery too, so the process exits instead of half-running.
	deliverer := &outbox.Deliverer{DB: d.db, WebhookURL: cfg.WebhookURL}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return worker.Run(gctx, w) })
	g.Go(func() error { return deliverer.Run(gctx) })
	return g.Wait()
}

func runMigrate(ctx context.Context, cfg config.Config) error {
	if _, err := models.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	db, err := models.Open(cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer models.Close(db)
	sqlDB, err := models.SQL(db)
	if err != nil {
		return err
	}
	return models.Migrate(ctx, sqlDB)
}
