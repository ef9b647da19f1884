package readbench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
)

// Options of one run.
type Options struct {
	DeepPages int    // the deep page is the one after this many pages
	Query     string // the q= search
	Explain   bool   // print EXPLAIN (ANALYZE, BUFFERS) of each query
	// HTTP, when set, also times the list endpoint through the real handler (JSON included).
	HTTP http.Handler
}

// Result is the figures of one query.
type Result struct {
	Name     string
	P50, P99 time.Duration
	Rows     int
}

type probe struct {
	name  string
	run   func(ctx context.Context) (int, error)
	times []time.Duration
	rows  int
}

// Set is the prepared queries of one database (one size).
type Set struct {
	probes []*probe
	close  []func()
}

// Close releases what Prepare started.
func (s *Set) Close() {
	for _, c := range s.close {
		c()
	}
}

// Results returns p50/p99 per query, the 50-row lookup first.
func (s *Set) Results() []Result {
	res := make([]Result, len(s.probes))
	for i, p := range s.probes {
		t := slices.Clone(p.times)
		slices.Sort(t)
		res[i] = Result{Name: p.name, P50: t[len(t)/2], P99: t[(len(t)*99+99)/100-1], Rows: p.rows}
	}
	return res
}

// Run times every query of every set Iterations times, interleaved round-robin across the
// queries and the sizes, so background load on a shared machine weighs on all of them alike:
// the ratios to the lookup and the growth from one size to the next compare like with like.
func Run(ctx context.Context, sets []*Set, iterations int) error {
	for i := range iterations + 10 {
		for _, s := range sets {
			for _, p := range s.probes {
				start := time.Now()
				n, err := p.run(ctx)
				d := time.Since(start)
				if err != nil {
					return fmt.Errorf("%s: %w", p.name, err)
				}
				if i >= 10 { // the first rounds warm the caches
					p.times = append(p.times, d)
					p.rows = n
				}
			}
		}
	}
	return nil
}

// Prepare builds the queries of one database: it pages to the deep page once to get its
// cursor, samples ids for the lookup and, with Explain, prints the plans.
func Prepare(ctx context.Context, db *gorm.DB, shape Shape, o Options, out io.Writer) (*Set, error) {
	set := &Set{}
	now := time.Now()
	overdue := true
	base := models.LetterFilter{Overdue: &overdue, BodyID: []string{shape.Body}, Limit: 50, Now: now}
	byDue := base
	byDue.Sort = "due_at"
	deepCursor := func(f models.LetterFilter) (string, error) {
		for range o.DeepPages {
			p, err := models.ListLettersPage(ctx, db, f)
			if err != nil {
				return "", err
			}
			if p.Next == "" {
				return "", fmt.Errorf("the list ends before page %d; seed more letters", o.DeepPages+1)
			}
			f.Cursor = p.Next
		}
		return f.Cursor, nil
	}
	deep, err := deepCursor(base)
	if err != nil {
		return nil, err
	}
	deepDue, err := deepCursor(byDue)
	if err != nil {
		return nil, err
	}
	var sample []string
	if err := db.WithContext(ctx).Raw("SELECT id FROM letters TABLESAMPLE SYSTEM (1) LIMIT 5000").Scan(&sample).Error; err != nil {
		return nil, err
	}
	if len(sample) < 50 {
		return nil, fmt.Errorf("only %d letters sampled", len(sample))
	}
	list := func(f models.LetterFilter) func(context.Context) (int, error) {
		return func(ctx context.Context) (int, error) {
			p, err := models.ListLettersPage(ctx, db, f)
			return len(p.Rows), err
		}
	}
	at := func(f models.LetterFilter, cursor string) models.LetterFilter { f.Cursor = cursor; return f }
	// The handler also looks the text up as a sender's identity (a keyed hash); a key that
	// matches nobody costs the same as a real one.
	search := models.LetterFilter{Q: textnorm.Fold(o.Query), IdentityKeys: []string{"n:" + strings.Repeat("0", 32)}, Limit: 50, Now: now}
	var number string
	if err := db.WithContext(ctx).Raw("SELECT number FROM letters WHERE id = ?", sample[len(sample)/2]).Scan(&number).Error; err != nil {
		return nil, err
	}
	byNumber := search
	byNumber.Q = textnorm.Fold(number)
	// An officer of the receiving office sees what it holds and what it forwarded (the union
	// of two index walks); most seeded letters were received there.
	officer := models.LetterFilter{VisibleTo: "ubdngs", Limit: 50, Now: now}
	officerSearch := search
	officerSearch.VisibleTo = "ubdngs"
	officerDeep, err := deepCursor(officer)
	if err != nil {
		return nil, err
	}
	next := 0
	probes := []*probe{
		{name: "50-row primary-key lookup", run: func(ctx context.Context) (int, error) {
			ids := make([]string, 50)
			for i := range ids {
				ids[i] = sample[(next+i*97)%len(sample)]
			}
			next += 50
			rows, err := models.LettersByIDs(ctx, db, ids)
			return len(rows), err
		}},
		{name: "overdue=true&body_id, first page", run: list(base)},
		{name: fmt.Sprintf("overdue=true&body_id, page %d", o.DeepPages+1), run: list(at(base, deep))},
		{name: "overdue=true&body_id&sort=due_at, first page", run: list(byDue)},
		{name: fmt.Sprintf("overdue=true&body_id&sort=due_at, page %d", o.DeepPages+1), run: list(at(byDue, deepDue))},
		{name: fmt.Sprintf("q=%s, first page by relevance", o.Query), run: list(search)},
		{name: "q=<a letter number>", run: list(byNumber)},
		{name: fmt.Sprintf("officer of ubdngs: own letters, page %d", o.DeepPages+1), run: list(at(officer, officerDeep))},
		{name: fmt.Sprintf("officer of ubdngs: q=%s", o.Query), run: list(officerSearch)},
	}
	if o.HTTP != nil {
		srv := httptest.NewServer(o.HTTP)
		set.close = append(set.close, srv.Close)
		get := func(query string) func(context.Context) (int, error) {
			return func(ctx context.Context) (int, error) {
				req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/letters?"+query, nil)
				if err != nil {
					return 0, err
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return 0, err
				}
				defer res.Body.Close()
				n, _ := io.Copy(io.Discard, res.Body)
				if res.StatusCode != 200 {
					return 0, fmt.Errorf("GET %s: %d", query, res.StatusCode)
				}
				return int(n), nil
			}
		}
		q := "overdue=true&body_id=" + url.QueryEscape(shape.Body) + "&limit=50"
		probes = append(probes,
			&probe{name: "HTTP GET /v1/letters?overdue=true&body_id (JSON bytes)", run: get(q)},
			&probe{name: "HTTP GET /v1/letters?q= (JSON bytes)", run: get("q=" + url.QueryEscape(o.Query) + "&limit=50")})
	}
	if o.Explain {
		for _, f := range []struct {
			name string
			f    models.LetterFilter
		}{{"overdue first page", base}, {"overdue deep page", at(base, deep)}, {"overdue by due_at, deep page", at(byDue, deepDue)}, {"search", search}} {
			plan, err := models.ExplainList(ctx, db, f.f)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(out, "\n-- EXPLAIN ANALYZE: %s\n%s\n", f.name, plan)
		}
	}
	set.probes = probes
	return set, nil
}

// Print writes one size's table: p50/p99 of each query and its ratio to the lookup.
func Print(out io.Writer, res []Result) {
	fmt.Fprintf(out, "  %-58s %9s %9s %7s %9s %9s\n", "query", "p50 ms", "p99 ms", "rows", "p50/pk", "p99/pk")
	pk := res[0]
	for _, r := range res {
		ratio := func(a, b time.Duration) string { return fmt.Sprintf("%.2f×", float64(a)/float64(b)) }
		rows := fmt.Sprint(r.Rows)
		if strings.HasPrefix(r.Name, "HTTP") {
			rows = fmt.Sprintf("%dk", r.Rows/1000)
		}
		fmt.Fprintf(out, "  %-58s %9.3f %9.3f %7s %9s %9s\n", r.Name, ms(r.P50), ms(r.P99), rows, ratio(r.P50, pk.P50), ratio(r.P99, pk.P99))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
