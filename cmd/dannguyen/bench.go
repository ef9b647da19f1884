package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/api"
	"github.com/dannguyen/dannguyen/internal/config"
	"github.com/dannguyen/dannguyen/internal/readbench"
	"github.com/dannguyen/dannguyen/models"
)

const benchUsage = `Usage: dannguyen bench reads [flags]

reads   seed letters in a dedicated database (generate_series, no workflows) and time the
        read side: the first and a deep page of overdue=true&body_id, a q= search, next to a
        50-row primary-key lookup in the same run, at each size; prints p50/p99 and the
        ratios against the targets (overdue page <= 3 x lookup, <= 1.5 x growth 100k -> 1M).
`

// runBench dispatches the benchmark subcommands.
func runBench(ctx context.Context, cfg config.Config, args []string) error {
	switch {
	case len(args) > 0 && args[0] == "reads":
		return runBenchReads(ctx, cfg, args[1:], os.Stdout)
	case len(args) > 0 && args[0] == "engine":
		return runBenchEngine(ctx, cfg, args[1:], os.Stdout)
	}
	fmt.Fprint(os.Stderr, benchUsage+"\n"+benchEngineUsage)
	return fmt.Errorf("bench: name a benchmark: reads or engine")
}

func runBenchReads(ctx context.Context, cfg config.Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench reads", flag.ContinueOnError)
	dbURL := fs.String("database-url", benchURL(cfg.DatabaseURL), "base of the bench databases: each size gets <name>_<size> (the name must contain \"bench\"; they are created, and dropped first with --fresh)")
	sizes := fs.String("sizes", "100000,1000000", "letter counts to measure, ascending")
	iterations := fs.Int("iterations", 300, "timed calls per query and size")
	deep := fs.Int("deep-pages", 200, "the deep page is the one after this many pages")
	q := fs.String("q", "nguyen van duc", "the search text")
	body := fs.String("body", readbench.DefaultShape.Body, "the body whose overdue list is measured")
	fresh := fs.Bool("fresh", false, "drop the bench databases first")
	explain := fs.Bool("explain", false, "print EXPLAIN (ANALYZE, BUFFERS) of the list queries at each size")
	exports := fs.Bool("exports", true, "at the first size, export every letter as CSV and XLSX and report the heap")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1000 || (len(ns) > 0 && n <= ns[len(ns)-1]) {
			return fmt.Errorf("--sizes: %q is not an ascending list of counts of at least 1000", *sizes)
		}
		ns = append(ns, n)
	}
	base, err := url.Parse(*dbURL)
	if err != nil || !strings.Contains(strings.TrimPrefix(base.Path, "/"), "bench") {
		return fmt.Errorf("--database-url must name a database whose name contains \"bench\" (got %q): the benchmark rewrites it", *dbURL)
	}
	shape := readbench.DefaultShape
	shape.Body = *body
	type size struct {
		n       int
		db      *gorm.DB
		handler http.Handler
		set     *readbench.Set
		letters int64
	}
	var all []*size
	defer func() {
		for _, z := range all {
			if z.set != nil {
				z.set.Close()
			}
			models.Close(z.db)
		}
	}()
	for i, n := range ns {
		// One database per size, so the sizes are timed side by side in one interleaved run:
		// a change of load on the machine during the run weighs on both alike.
		u := *base
		u.Path = fmt.Sprintf("%s_%d", base.Path, n)
		db, err := openBenchDB(ctx, &u, n, *fresh)
		if err != nil {
			return err
		}
		z := &size{n: n, db: db, handler: api.New(api.Deps{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()}
		all = append(all, z)
		if i == 0 {
			var version string
			_ = db.WithContext(ctx).Raw("SHOW server_version").Scan(&version).Error
			fmt.Fprintf(out, "read-side benchmark: PostgreSQL %s, %d CPUs, %d timed calls per query and size, interleaved across queries and sizes; deep page = page %d\n",
				version, runtime.NumCPU(), *iterations, *deep+1)
			fmt.Fprintf(out, "shape: %.0f%% of letters held by %s, %.0f%% open, %.0f%% of open ones overdue; received over the last 3 years\n",
				float64(shape.BodyShare)/10, shape.Body, float64(shape.OpenShare)/10, float64(shape.OverdueOpen)/10)
		}
		times, err := readbench.Seed(ctx, db, n, shape, func(s string) { slog.Info("seeding", "size", n, "step", s) })
		if err != nil {
			return err
		}
		var st struct{ Letters, Body, Overdue int64 }
		if err := db.WithContext(ctx).Raw(`SELECT count(*) AS letters, count(*) FILTER (WHERE body_id = ?) AS body,
			count(*) FILTER (WHERE body_id = ? AND closed_at IS NULL AND (overdue OR due_at <= now())) AS overdue FROM letters`,
			shape.Body, shape.Body).Scan(&st).Error; err != nil {
			return err
		}
		z.letters = st.Letters
		fmt.Fprintf(out, "%s: %d letters (seeded in %s); %s holds %d, %d of them overdue\n", u.Path[1:], st.Letters, times, shape.Body, st.Body, st.Overdue)
		if *explain {
			fmt.Fprintf(out, "\n== plans at %d letters\n", n)
		}
		if z.set, err = readbench.Prepare(ctx, db, shape, readbench.Options{DeepPages: *deep, Query: *q, Explain: *explain, HTTP: z.handler}, out); err != nil {
			return err
		}
	}
	sets := make([]*readbench.Set, len(all))
	for i, z := range all {
		sets[i] = z.set
	}
	if err := readbench.Run(ctx, sets, *iterations); err != nil {
		return err
	}
	results := map[int][]readbench.Result{}
	for i, z := range all {
		fmt.Fprintf(out, "\n%d letters\n", z.n)
		results[z.n] = z.set.Results()
		readbench.Print(out, results[z.n])
		if err := benchReports(ctx, out, z.handler, shape.Body); err != nil {
			return err
		}
		if *exports && i == 0 {
			for _, format := range []string{"csv", "xlsx"} {
				r, err := readbench.MeasureExport(ctx, z.handler, "", format)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "  export of all %d letters as %s through HTTP: %.1fs, %.1f MB; live heap %.1f MB before, at most %.1f MB during\n",
					z.letters, format, r.Duration.Seconds(), float64(r.Bytes)/1e6, float64(r.BaseHeap)/1e6, float64(r.PeakHeap)/1e6)
			}
		}
	}
	verdict(out, ns, results)
	return nil
}

// openBenchDB creates (or, with fresh, recreates) one size's database, migrates it and checks
// it holds no more letters than the size.
func openBenchDB(ctx context.Context, u *url.URL, n int, fresh bool) (*gorm.DB, error) {
	if fresh {
		if err := dropDatabase(ctx, u); err != nil {
			return nil, err
		}
	}
	if _, err := models.EnsureDatabase(ctx, u.String()); err != nil {
		return nil, err
	}
	db, err := models.Open(u.String(), 4)
	if err != nil {
		return nil, err
	}
	sqlDB, err := models.SQL(db)
	if err == nil {
		err = models.Migrate(ctx, sqlDB)
	}
	var have int64
	if err == nil {
		err = db.WithContext(ctx).Raw("SELECT count(*) FROM letters").Scan(&have).Error
	}
	if err == nil && int(have) > n {
		err = fmt.Errorf("%s already holds %d letters, more than %d: run with --fresh", u.Path[1:], have, n)
	}
	if err != nil {
		models.Close(db)
		return nil, err
	}
	return db, nil
}

// benchReports times the two reports through HTTP (median of 5): across bodies and for one.
func benchReports(ctx context.Context, out io.Writer, h http.Handler, body string) error {
	today := time.Now()
	quarter := fmt.Sprintf("from=%s&to=%s", today.AddDate(0, -3, 0).Format(time.DateOnly), today.Format(time.DateOnly))
	for _, path := range []string{"/v1/reports/overdue", "/v1/reports/overdue?body_id=" + body,
		"/v1/reports/summary?" + quarter, "/v1/reports/summary?" + quarter + "&body_id=" + body} {
		d, err := readbench.TimeGET(ctx, h, path, 5)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-70s median %8.1f ms\n", "HTTP GET "+path, float64(d)/float64(time.Millisecond))
	}
	return nil
}

// verdict prints the targets: each overdue page at most 3 x the lookup, and at most 1.5 x
// slower at the largest size than at the smallest.
func verdict(out io.Writer, ns []int, results map[int][]readbench.Result) {
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	fmt.Fprintln(out, "\ntargets")
	for _, n := range ns {
		r := results[n]
		pk := r[0]
		for _, i := range []int{1, 2} {
			x50, x99 := float64(r[i].P50)/float64(pk.P50), float64(r[i].P99)/float64(pk.P99)
			fmt.Fprintf(out, "  %8d: %-44s p50 %.2f× lookup, p99 %.2f× lookup (≤ 3×): %s\n", n, r[i].Name, x50, x99, mark(x50 <= 3 && x99 <= 3))
		}
	}
	if len(ns) > 1 {
		a, b := results[ns[0]], results[ns[len(ns)-1]]
		fmt.Fprintf(out, "  growth %d → %d (p50 and p99 of the same query at both sizes, timed side by side):\n", ns[0], ns[len(ns)-1])
		for i := range a {
			g50, g99 := float64(b[i].P50)/float64(a[i].P50), float64(b[i].P99)/float64(a[i].P99)
			line := fmt.Sprintf("    %-58s p50 %5.2f×, p99 %5.2f×", a[i].Name, g50, g99)
			if i == 1 || i == 2 {
				line += " (p50 ≤ 1.5×): " + mark(g50 <= 1.5)
			}
			fmt.Fprintln(out, line)
		}
	}
}

// benchURL is DATABASE_URL with the database renamed dannguyen_bench.
func benchURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://postgres@127.0.0.1:5432/dannguyen_bench?sslmode=disable"
	}
	u.Path = "/dannguyen_bench"
	return u.String()
}

func dropDatabase(ctx context.Context, u *url.URL) error {
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{strings.TrimPrefix(u.Path, "/")}.Sanitize()+" WITH (FORCE)")
	return err
}
