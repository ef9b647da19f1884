package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/config"
	"github.com/dannguyen/dannguyen/internal/enginebench"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/models"
)

const benchEngineUsage = `Usage: dannguyen bench engine [flags]

Against the running Temporal server (make run), on a bench database of its own, with its own
worker and API processes on a fresh task queue:
  (a) the engine floor: bare workflows with one activity per second, bare Update p50/p99;
  (b) letter intake through the API to a stored row: letters/s and p50/p99;
  (c) an officer action through the API (an Update): p50/p99;
  (d) the worker's RSS with 1k, 10k and 100k open letters whose clocks have running timers;
  (e) a holiday added and withdrawn over the open letters (after 10k): cases and seconds.
Each product figure is printed next to its floor with the ratio and the target.
`

func runBenchEngine(ctx context.Context, cfg config.Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench engine", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, benchEngineUsage); fs.PrintDefaults() }
	dbURL := fs.String("database-url", benchEngineURL(cfg.DatabaseURL), "bench database (name must contain \"bench\"; dropped and created)")
	n := fs.Int("n", 500, "workflows and letters per throughput measurement (in 5 alternating rounds)")
	conc := fs.Int("concurrency", 8, "requests or workflows in flight for the throughput measurements")
	updates := fs.Int("updates", 500, "bare Updates and officer actions (alternating) for the latency measurements; at most --n")
	sizesFlag := fs.String("rss-sizes", "1000,10000,100000", "open-letter counts at which the worker's RSS is read, ascending")
	recomputeAt := fs.Int("recompute-at", 10000, "open letters when the calendar change is measured (0 skips it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var sizes []int
	for _, s := range strings.Split(*sizesFlag, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 1 || (len(sizes) > 0 && v <= sizes[len(sizes)-1]) {
			return fmt.Errorf("--rss-sizes: %q is not an ascending list of counts", *sizesFlag)
		}
		sizes = append(sizes, v)
	}
	switch {
	case *n < 1, *conc < 1, *updates < 1, *recomputeAt < 0:
		return fmt.Errorf("--n, --concurrency and --updates must be at least 1, --recompute-at at least 0")
	case *updates > *n:
		return fmt.Errorf("--updates (%d) must be at most --n (%d): the actions go to the letters the intake registered", *updates, *n)
	}
	u, err := url.Parse(*dbURL)
	if err == nil && (u.Query().Has("dbname") || u.Query().Has("database")) {
		return fmt.Errorf("--database-url must name its database in the path only, not in a dbname parameter: the benchmark drops it")
	}
	if err != nil || !strings.Contains(u.Path, "bench") {
		return fmt.Errorf("--database-url must name a database whose name contains \"bench\" (got %q): the benchmark drops it", *dbURL)
	}
	if err := recreateBenchDB(ctx, u); err != nil {
		return err
	}
	db, err := models.Open(*dbURL, 4)
	if err != nil {
		return err
	}
	sqlDB, _ := models.SQL(db)
	err = models.Migrate(ctx, sqlDB)
	models.Close(db)
	if err != nil {
		return fmt.Errorf("migrate the bench database: %w", err)
	}

	d, err := connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.close()
	tq := "bench-" + uuid.NewString()[:8]

	// The product's worker and API as processes of their own (so the worker's RSS is its own).
	self, err := os.Executable()
	if err != nil {
		return err
	}
	port, err := freeLocalPort()
	if err != nil {
		return err
	}
	metricsPort, err := freeLocalPort()
	if err != nil {
		return err
	}
	env := append(os.Environ(), "DATABASE_URL="+*dbURL, "TASK_QUEUE="+tq, "HTTP_ADDR=127.0.0.1:"+port,
		"WORKER_METRICS_ADDR=127.0.0.1:"+metricsPort, "LOG_LEVEL=warn", "UPDATE_TIMEOUT=30s")
	workerProc, err := startChild(self, env, "worker")
	if err != nil {
		return err
	}
	defer stopChild(workerProc)
	apiProc, err := startChild(self, env, "api")
	if err != nil {
		return err
	}
	defer stopChild(apiProc)
	apiURL := "http://127.0.0.1:" + port
	if err := waitHTTP(ctx, apiURL+"/readyz", time.Minute); err != nil {
		return err
	}

	// The floor: a worker in this process on its own queue, with the product worker's options.
	floorTQ := tq + "-floor"
	fw := sdkworker.New(d.tc, floorTQ, sdkworker.Options{MaxConcurrentActivityExecutionSize: max(2, cfg.DBMaxOpenConns-2)})
	enginebench.Register(fw)
	if err := fw.Start(); err != nil {
		return err
	}
	defer fw.Stop()

	signer := devSigner(cfg)
	mint := func(sub string, roles ...string) string {
		tok, _ := signer.Mint(auth.Principal{Sub: sub, Roles: roles, BodyID: "ubdngs"}, 4*time.Hour, time.Now())
		return tok
	}
	a := &enginebench.API{Base: apiURL, HTTP: &http.Client{Timeout: 60 * time.Second},
		OfficerToken: mint("bench-officer", policy.ReceivingOfficer, policy.HandlingOfficer), AdminToken: mint("bench-admin", policy.Admin)}
	today := deadline.DateOf(time.Now()).String()

	fmt.Fprintf(out, "dannguyen bench engine — Temporal %s, task queue %s, %d CPUs\n\n", cfg.TemporalAddress, tq, runtime.NumCPU())
	// Warm both paths so neither pays the first connection or compile.
	enginebench.RunFloorWorkflows(ctx, d.tc, floorTQ, 20, *conc)
	a.RunIntake(ctx, today, 20, *conc)
	a.Phases("intake")

	// Floor and intake in alternating rounds, so a slow minute of the machine weighs on both.
	// Each side's processor time is read around its rounds, to show where a case's time goes.
	var floor, intake enginebench.Throughput
	var ids []string
	floorCPU, intakeCPU := enginebench.CPU{}, enginebench.CPU{}
	cpu := func() enginebench.CPU {
		return enginebench.ReadCPU(map[string]int{"worker": workerProc.Process.Pid, "api": apiProc.Process.Pid, "bench": os.Getpid()},
			map[string]string{"temporal": "temporal", "postgres": "postgres"})
	}
	for r := range benchRounds {
		size := *n/benchRounds + boolInt(r < *n%benchRounds)
		c0 := cpu()
		floor = floor.Merge(enginebench.RunFloorWorkflows(ctx, d.tc, floorTQ, size, *conc))
		c1 := cpu()
		t, got := a.RunIntake(ctx, today, size, *conc)
		intakeCPU.Add(cpu(), c1)
		floorCPU.Add(c1, c0)
		intake = intake.Merge(t)
		ids = append(ids, got...)
	}
	fmt.Fprintf(out, "(a) floor: one-activity workflows  %7.1f /s   %s   (%d at %d in flight, %d errors)\n", floor.PerSecond(), floor.Lat, floor.N, *conc, floor.Errors)
	fmt.Fprintf(out, "    CPU per workflow: %s\n", floorCPU.PerOp(floor.N, "temporal", "bench"))
	fmt.Fprintf(out, "(b) letter intake via API          %7.1f /s   %s   ratio to floor %.2f (target ≥ 0.80)  %s\n",
		intake.PerSecond(), intake.Lat, intake.PerSecond()/floor.PerSecond(), metOrMissed(intake.PerSecond() >= 0.8*floor.PerSecond()))
	fmt.Fprintf(out, "    server phases p50/p99: %s\n", a.Phases("intake"))
	fmt.Fprintf(out, "    CPU per letter: %s\n", intakeCPU.PerOp(intake.N, "temporal", "postgres", "worker", "api", "bench"))
	bare, actions, err := enginebench.RunUpdatesAndActions(ctx, d.tc, floorTQ, a, ids[:min(len(ids), *updates)])
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "(a) floor: bare Update round trip             %s   (%d, one at a time, alternating with (c))\n", bare.Lat, bare.N)
	fmt.Fprintf(out, "(c) officer action via API                    %s   p99 ratio to bare Update %.2f (target ≤ 1.50)  %s\n",
		actions.Lat, ratio(actions.Lat.Pct(99), bare.Lat.Pct(99)), metOrMissed(ratio(actions.Lat.Pct(99), bare.Lat.Pct(99)) <= 1.5))
	fmt.Fprintf(out, "    server phases p50/p99: %s\n", a.Phases("action"))
	if intake.Errors+actions.Errors+floor.Errors+bare.Errors > 0 {
		fmt.Fprintf(out, "    errors: intake %d, actions %d, floor %d, updates %d\n", intake.Errors, actions.Errors, floor.Errors, bare.Errors)
	}

	open := len(ids) + 20
	var firstRSS int64
	fmt.Fprintf(out, "(d) worker RSS with open letters (running timers; WORKER_CACHE_SIZE=%d):\n", cfg.WorkerCacheSize)
	recomputed := false
	for _, size := range sizes {
		for open < size {
			batch := min(size-open, 1000)
			t, _ := a.RunIntake(ctx, today, batch, *conc)
			open += batch - t.Errors
			if t.Errors > 0 {
				fmt.Fprintf(out, "    %d intake errors while growing to %d\n", t.Errors, size)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		time.Sleep(5 * time.Second) // let the worker finish the last tasks and settle
		rss, err := enginebench.RSS(workerProc.Process.Pid)
		if err != nil {
			return err
		}
		if firstRSS == 0 {
			firstRSS = rss
		}
		growth := float64(rss)/float64(firstRSS) - 1
		fmt.Fprintf(out, "    %7d open letters: RSS %6.1f MiB   growth from the first %+6.1f %% (target ≤ +20 %%)  %s\n",
			open, float64(rss)/(1<<20), growth*100, metOrMissed(growth <= 0.2))
		// What the RSS holds, from the worker's own metrics: the Go heap and stacks in use, the
		// goroutines, and the workflows in the sticky cache (bounded by WORKER_CACHE_SIZE).
		if m, err := enginebench.ScrapeMetrics(ctx, "http://127.0.0.1:"+metricsPort+"/metrics", "go_memstats_heap_inuse_bytes",
			"go_memstats_stack_inuse_bytes", "go_goroutines", "temporal_sticky_cache_size"); err == nil {
			fmt.Fprintf(out, "                          heap in use %6.1f MiB, stacks %5.1f MiB, %6.0f goroutines, %5.0f workflows cached\n",
				m["go_memstats_heap_inuse_bytes"]/(1<<20), m["go_memstats_stack_inuse_bytes"]/(1<<20), m["go_goroutines"], m["temporal_sticky_cache_size"])
		}
		if !recomputed && *recomputeAt > 0 && open >= *recomputeAt {
			recomputed = true
			if err := benchRecompute(ctx, a, out, open); err != nil {
				return err
			}
		}
	}
	if !recomputed && *recomputeAt > 0 {
		fmt.Fprintf(out, "(e) skipped: fewer than --recompute-at=%d open letters\n", *recomputeAt)
	}
	return nil
}

// benchRecompute adds a holiday on a working day inside the open letters' 10-working-day
// clocks, then withdraws it.
func benchRecompute(ctx context.Context, a *enginebench.API, out io.Writer, open int) error {
	day := deadline.DateOf(time.Now()).AddDays(5)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDays(1)
	}
	res, err := a.RunRecompute(ctx, day.String())
	if err != nil {
		return err
	}
	for i, what := range []string{"added", "withdrawn"} {
		r := res[i]
		fmt.Fprintf(out, "(e) holiday %s %s over %d open letters: %d signalled, %d recomputed (predicted %d) in %.1f s\n",
			r.Day, what, open, r.Signalled, r.Recomputed, r.Expected, r.Took.Seconds())
	}
	return nil
}

// benchRounds is how many alternating rounds the floor and the intake are measured in.
const benchRounds = 5

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func metOrMissed(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func benchEngineURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/dannguyen_bench_engine"
	return u.String()
}

// recreateBenchDB drops and creates the bench database, so every run starts empty.
func recreateBenchDB(ctx context.Context, u *url.URL) error {
	name := strings.TrimPrefix(u.Path, "/")
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return nil
}

func freeLocalPort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

func startChild(bin string, env []string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", args[0], err)
	}
	return cmd, nil
}

func stopChild(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
	}
}

func waitHTTP(ctx context.Context, u string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if res, err := http.Get(u); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer 200 within %s", u, limit)
}
