package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/web"
)

// Hostile values: what a careless client, a scanner or an attacker sends.
var hostileStrings = []string{
	"", " ", "\x00", "a\x00b", "\xff\xfe\xfd", "\xc3\x28", "' OR 1=1 --", "'; DROP TABLE letters; --",
	`" OR ""="`, "=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
	"<script>alert(1)</script>", "../../etc/passwd", "%00", "%s%s%n", "{{.}}", "${jndi:ldap://x}",
	"2099-12-31", "2026-02-30", "0000-00-00", "1900-01-01", "yesterday", "-1", "0", "99999999999999999999",
	"1e309", "NaN", "true", "null", "[]", "{}", "Nguyễn Văn Đức", "Nguye\u0302\u0303n", "\u202eevil", "\ufeff",
	strings.Repeat("ư", 5000), strings.Repeat("A", 70000),
}

var hostileQueryKeys = []string{"limit", "cursor", "status", "kind", "body_id", "assignee", "overdue", "due_before",
	"due_within_days", "received_from", "received_to", "q", "sort", "format", "year", "start", "days", "unit",
	"direction", "from", "to", "within_days", "reason", "type", "outcome", "atomic", "parent_id", "province"}

// hostileValue is a JSON value of a random, usually wrong, type.
func hostileValue(r *rand.Rand) any {
	switch r.IntN(9) {
	case 0:
		return r.IntN(1<<31) - 1<<30
	case 1:
		return r.Float64() * 1e300
	case 2:
		return r.IntN(2) == 0
	case 3:
		return nil
	case 4:
		return []any{hostileStrings[r.IntN(len(hostileStrings))], 1}
	case 5:
		return map[string]any{"x": hostileStrings[r.IntN(len(hostileStrings))]}
	default:
		return hostileStrings[r.IntN(len(hostileStrings))]
	}
}

// hostileBody builds a request body: a plausible one with a few fields broken, or bytes that
// are not JSON at all, or a body past the size limit.
func hostileBody(r *rand.Rand, template map[string]any) []byte {
	switch r.IntN(12) {
	case 0:
		cuts := []string{`{"kind":`, `[`, `nul`, `{"a":1,}`, `{"a":"\u00"}`, "{\"a\":\"\xff\"}", `"just a string"`, `123`, `{}{}`, ``}
		return []byte(cuts[r.IntN(len(cuts))])
	case 1:
		b := make([]byte, 1+r.IntN(512))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	case 2:
		if r.IntN(20) == 0 { // past MAX_BODY_BYTES: 413
			return append([]byte(`{"subject":"`), append(bytes.Repeat([]byte("x"), 1<<20+10), '"', '}')...)
		}
	}
	body := map[string]any{}
	for k, v := range template {
		body[k] = v
	}
	for n := 1 + r.IntN(3); n > 0; n-- {
		keys := make([]string, 0, len(body))
		for k := range body {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) > 0 && r.IntN(4) != 0 {
			body[keys[r.IntN(len(keys))]] = hostileValue(r)
		} else {
			body[hostileStrings[r.IntN(len(hostileStrings))]] = hostileValue(r)
		}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return []byte(`{"unencodable":`)
	}
	if r.IntN(6) == 0 { // invalid UTF-8 inside a JSON string, which json.Marshal would have escaped
		raw = bytes.Replace(raw, []byte(`":"`), []byte("\":\"\xff\xfe"), 1)
	}
	return raw
}

// TestHostileRequestsNeverFail5xx sends ≥ 10,000 malformed or hostile requests to every route
// (broken JSON, wrong types, huge strings, invalid UTF-8, NUL bytes, SQL and formula payloads,
// future and impossible dates, unknown enum values, bad path and query values, missing, forged
// or under-privileged tokens) and checks that none gets a 5xx and that every error is a
// problem+json document. HOSTILE_REQUESTS sets the count; HOSTILE_SEED the seed.
func TestHostileRequestsNeverFail5xx(t *testing.T) {
	if testing.Short() {
		t.Skip("sends ten thousand requests to the real stack")
	}
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("HOSTILE_REQUESTS")); err == nil && v > 0 {
		n = v
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("HOSTILE_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (HOSTILE_SEED=%d reproduces this run)", seed, seed)
	s := testenv.NewStack(t)
	letter := createLetter(t, s, letterBody(time.Now().Format("2006-01-02")))["id"].(string)
	templates := map[string]map[string]any{
		"letter": letterBody("2026-03-02"),
		"action": {"kind": "complaint", "to_body_id": "ubnd-ha-noi", "assignee": "u1", "text": "x", "reason": "x",
			"from_body_id": "ubnd-ha-noi", "outcome": "resolved", "satisfied": true, "days": 10, "on": "2026-03-03"},
		"other": {"name": "Cơ quan", "kind": "ministry", "id": "bo-x", "parent_id": "ubdngs", "grantee": "u2",
			"reason": "x", "until": "2026-12-31", "payloads": []any{}, "note": "x"},
	}
	tokens := []string{
		"", "Bearer", "Bearer x.y.z", "Basic dXNlcjpwYXNz", "Bearer " + strings.Repeat("A", 5000),
		"Bearer " + testenv.DefaultToken(t),
		"Bearer " + testenv.Token(t, "agency-1", "ubnd-hue", policy.Agency),
		"Bearer " + testenv.Token(t, "sup-1", "ubdngs", policy.Supervisor),
		"Bearer " + testenv.Token(t, "auditor-x", "bo-x", policy.Auditor),
	}
	pathValues := func(r *rand.Rand, name string) string {
		if r.IntN(3) == 0 {
			switch name {
			case "id":
				return letter
			case "date":
				return "2026-09-03"
			case "clock":
				return "processing"
			}
		}
		return url.PathEscape(hostileStrings[r.IntN(len(hostileStrings))])
	}
	routes := s.API.Routes()
	type job struct {
		method, path, auth string
		body               []byte
	}
	jobs := make(chan job)
	var mu sync.Mutex
	counts := map[int]int{}
	var failures []string
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var rd io.Reader
				if j.body != nil {
					rd = bytes.NewReader(j.body)
				}
				req, err := http.NewRequest(j.method, s.URL+j.path, rd)
				if err != nil {
					mu.Lock()
					counts[0]++ // the client refused to build it: not a request the server saw
					mu.Unlock()
					continue
				}
				req.Header.Set("Content-Type", "application/json")
				if j.auth != "" {
					req.Header.Set("Authorization", j.auth)
					if strings.HasPrefix(j.path, web.Prefix+"/") { // the dashboard reads the token from its cookie
						req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: strings.TrimPrefix(j.auth, "Bearer ")})
					}
				}
				res, err := client.Do(req)
				if err != nil {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s %s: %v", j.method, j.path, err))
					mu.Unlock()
					continue
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				problem := ""
				switch {
				case res.StatusCode >= 500:
					problem = "server error"
				case res.StatusCode >= 400 && strings.HasPrefix(j.path, web.Prefix+"/") && strings.HasPrefix(res.Header.Get("Content-Type"), "text/html"):
					// the dashboard answers a browser with an HTML error page
				case res.StatusCode >= 400 && res.Header.Get("Content-Type") != "application/problem+json":
					problem = "error without problem+json: " + res.Header.Get("Content-Type")
				case res.StatusCode >= 400:
					var doc map[string]any
					if json.Unmarshal(raw, &doc) != nil || doc["status"] != float64(res.StatusCode) || doc["title"] == nil {
						problem = "malformed problem document"
					}
				}
				mu.Lock()
				counts[res.StatusCode]++
				if problem != "" && len(failures) < 50 {
					body := string(j.body)
					if len(body) > 200 {
						body = body[:200] + "…"
					}
					failures = append(failures, fmt.Sprintf("%s: %s %s body=%q → %d %.300s", problem, j.method, j.path, body, res.StatusCode, raw))
				}
				mu.Unlock()
			}
		}()
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := 0; i < n; i++ {
		route := routes[r.IntN(len(routes))]
		if route.Method == "OPTIONS" {
			i--
			continue
		}
		segs := strings.Split(route.Path, "/")
		for k, seg := range segs {
			if strings.HasPrefix(seg, ":") || strings.HasPrefix(seg, "*") {
				segs[k] = pathValues(r, seg[1:])
			}
		}
		path := strings.Join(segs, "/")
		if r.IntN(2) == 0 {
			q := url.Values{}
			for m := 1 + r.IntN(3); m > 0; m-- {
				q.Add(hostileQueryKeys[r.IntN(len(hostileQueryKeys))], hostileStrings[r.IntN(len(hostileStrings))])
			}
			path += "?" + q.Encode()
		}
		var body []byte
		if route.Method == "POST" || route.Method == "PUT" || r.IntN(10) == 0 {
			tpl := templates["other"]
			switch {
			case route.Path == "/v1/letters":
				tpl = templates["letter"]
			case strings.HasPrefix(route.Path, "/v1/letters/:id/"):
				tpl = templates["action"]
			}
			body = hostileBody(r, tpl)
		}
		auth := tokens[5] // half of the requests carry every office role, to get past authorization
		if r.IntN(2) == 0 {
			auth = tokens[r.IntN(len(tokens))]
		}
		jobs <- job{method: route.Method, path: path, auth: auth, body: body}
	}
	close(jobs)
	wg.Wait()

	statuses := make([]int, 0, len(counts))
	for st := range counts {
		statuses = append(statuses, st)
	}
	sort.Ints(statuses)
	summary := []string{}
	for _, st := range statuses {
		summary = append(summary, fmt.Sprintf("%d×%d", st, counts[st]))
	}
	t.Logf("%d hostile requests over %d routes: %s", n, len(routes), strings.Join(summary, " "))
	require.Empty(t, failures, "%d bad answers (first 50 shown)", len(failures))
	require.Zero(t, counts[0], "every generated request must be sendable")
	for st := range counts {
		require.Less(t, st, 500)
	}
	// Nothing hostile changed the letter the requests aimed at into something invalid: it
	// still reads back as a letter.
	res := testenv.Do(t, "GET", s.URL+"/v1/letters/"+letter, nil)
	require.Equal(t, 200, res.Status, res.String())
}

// Cursors are opaque to clients but decoded by the server: a forged one is never a server
// error — one whose decoded text PostgreSQL cannot hold (invalid UTF-8, NUL) or whose date
// does not parse is refused as the caller's mistake, and one that decodes to plain text is at
// most a page past the end.
func TestForgedCursorsAreRefused(t *testing.T) {
	s := testenv.NewStack(t)
	enc := func(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }
	forged := []string{
		enc("\xff\xfe\xfd"), enc("a\x00b"), enc(`{"i":"a\u0000b","k":"2026-01-01T00:00:00Z"}`),
		enc(`{"id":"x\u0000","opens_on":"2026-01-01"}`), enc(`{"id":"x","opens_on":"not-a-date"}`), "1900-01-01", "%%%",
	}
	for _, list := range []string{"/v1/letters", "/v1/receptions", "/v1/sessions", "/v1/voter-petitions", "/v1/bodies"} {
		for _, c := range forged {
			res := testenv.Do(t, "GET", s.URL+list+"?cursor="+url.QueryEscape(c), nil)
			require.Contains(t, []int{200, 400, 422}, res.Status, "%s cursor %q: %s", list, c, res.Body)
			if res.Status != 200 {
				require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
			} else {
				require.Empty(t, res.Map(t)["items"], "%s: a forged cursor is past the end", list)
			}
		}
	}
}

// Letters' cursors carry a sort, a filter hash, an instant, a date and an id: a forged one
// with an impossible date or a NUL in the id is the caller's mistake.
func TestForgedLetterCursorsAreRefused(t *testing.T) {
	s := testenv.NewStack(t)
	for _, raw := range []string{
		`{"s":"received_on","f":"","n":"2026-12-01T00:00:00Z","d":"2026-13-45","i":"x"}`,
		`{"s":"received_on","f":"","n":"2026-12-01T00:00:00Z","d":"2026-12-01","i":"a\u0000b"}`,
	} {
		c := base64.RawURLEncoding.EncodeToString([]byte(raw))
		res := testenv.Do(t, "GET", s.URL+"/v1/letters?sort=received_on&cursor="+c, nil)
		require.Contains(t, []int{400, 422}, res.Status, "%s: %s", raw, res.Body)
	}
}
