// Package e2e runs the product as its users do: the built binary started as separate
// migrate, worker and API processes against the real PostgreSQL and a real Temporal server,
// driven by the demo over HTTP, with its figures checked against what the API returns.
package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestDemoEndToEnd builds the binary, starts migrate, worker and API as processes, runs the
// demo's shorter version through the API and checks that its printed figures are what the
// API answers.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the service as processes")
	}
	realdata := filepath.Join(testenv.RepoRoot(), "..", "shared", "realdata")
	if _, err := os.Stat(filepath.Join(realdata, "letters.jsonl")); err != nil {
		t.Skipf("shared/realdata is not beside the repository: %v", err)
	}
	bin := buildBinary(t)

	port := freePort(t)
	apiURL := "http://127.0.0.1:" + port
	env := append(os.Environ(),
		"DATABASE_URL="+testenv.EmptyDB(t),
		"TEMPORAL_ADDRESS="+testenv.TemporalAddress(t),
		"TASK_QUEUE="+testenv.Name("e2e"),
		"HTTP_ADDR=127.0.0.1:"+port,
		"WORKER_METRICS_ADDR=127.0.0.1:"+freePort(t),
		"AUTH_MODE=hs256", "JWT_SECRET="+jwtSecret, "LOG_FORMAT=json",
	)

	migrate(t, bin, env)

	worker := start(t, bin, env, "worker")
	api := start(t, bin, env, "api")
	require.Eventually(t, func() bool {
		res, err := http.Get(apiURL + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 60*time.Second, 200*time.Millisecond, "the API never became ready")

	figuresFile := filepath.Join(t.TempDir(), "figures.json")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	demo := exec.CommandContext(ctx, bin, "demo", "--small", "--api", apiURL, "--realdata", realdata, "--figures", figuresFile)
	demo.Env = env
	printed, err := demo.CombinedOutput()
	t.Logf("demo output:\n%s", printed)
	require.NoError(t, err, "the demo failed")

	var fig struct {
		Imported          int            `json:"imported"`
		ImportedOverdue   int            `json:"imported_overdue"`
		Visits            int            `json:"visits"`
		LettersFromVisits int            `json:"letters_from_visits"`
		Actions           map[string]int `json:"actions"`
		HolidayRecomputed int            `json:"holiday_recomputed"`
		HolidayRestored   int            `json:"holiday_restored"`
		OpenLetters       int            `json:"open_letters"`
		OverdueLetters    int            `json:"overdue_letters"`
		OverdueByBody     map[string]int `json:"overdue_by_body"`
		SampleLetter      string         `json:"sample_letter"`
		SessionID         string         `json:"session_id"`
		SessionForwarded  int            `json:"session_forwarded"`
		SessionReportFwd  int            `json:"session_report_forwarded"`
	}
	raw, err := os.ReadFile(figuresFile)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &fig))
	text := string(printed)

	// What the demo did, against what it was given.
	require.Equal(t, 8, fig.Imported, "the short demo imports the first 8 public-source letters")
	require.Contains(t, text, "8 rows in")
	require.Equal(t, 3, fig.Visits)
	require.Equal(t, 1, fig.LettersFromVisits)
	require.Positive(t, fig.Actions["forward"])
	require.Equal(t, 1, fig.Actions["extend"], "the head extends one denunciation")
	require.Equal(t, fig.HolidayRecomputed, fig.HolidayRestored, "withdrawing the holiday moves back what adding it moved")
	require.Contains(t, text, fmt.Sprintf("open letters: %d, overdue: %d", fig.OpenLetters, fig.OverdueLetters))

	// What the supervisor was shown, against the API now.
	sup, err := (auth.HS256{Secret: []byte(jwtSecret), Issuer: "dannguyen-dev", Audience: "dannguyen"}).
		Mint(auth.Principal{Sub: "e2e-supervisor", Roles: []string{policy.Supervisor}, BodyID: "ubdngs"}, time.Hour, time.Now())
	require.NoError(t, err)
	letters := listAll(t, apiURL+"/v1/letters?limit=500", sup)
	require.Len(t, letters, fig.Imported+fig.LettersFromVisits, "every imported letter and the visit's letter, nothing more")
	open, overdue, byBody := 0, 0, map[string]int{}
	for _, l := range letters {
		if l["status"] == "closed" {
			continue
		}
		open++
		if l["overdue"] == true {
			overdue++
			byBody[l["body_id"].(string)]++
		}
	}
	require.Equal(t, fig.OpenLetters, open)
	require.Equal(t, fig.OverdueLetters, overdue)
	require.Equal(t, fig.OverdueByBody, byBody)
	receptions := listAll(t, apiURL+"/v1/receptions?limit=500", sup)
	require.Len(t, receptions, fig.Visits)

	// Voters' petitions: the six largest groups forwarded, as the session report says.
	require.Equal(t, 6, fig.SessionForwarded)
	var report struct {
		Bodies []struct {
			Forwarded int `json:"forwarded"`
		} `json:"bodies"`
	}
	getJSON(t, apiURL+"/v1/sessions/"+fig.SessionID+"/report", sup, &report)
	reported := 0
	for _, b := range report.Bodies {
		reported += b.Forwarded
	}
	require.Equal(t, fig.SessionForwarded, reported)
	require.Equal(t, reported, fig.SessionReportFwd)
	require.Contains(t, text, "per answering body")

	// The sample letter's history went through the worker process into PostgreSQL.
	var sample map[string]any
	getJSON(t, apiURL+"/v1/letters/"+fig.SampleLetter, sup, &sample)
	require.Equal(t, "awaiting_response", sample["status"])

	// A second run finds everything instead of registering it again.
	againFile := filepath.Join(t.TempDir(), "again.json")
	again := exec.CommandContext(ctx, bin, "demo", "--small", "--api", apiURL, "--realdata", realdata, "--figures", againFile)
	again.Env = env
	printed, err = again.CombinedOutput()
	require.NoError(t, err, "second demo run: %s", printed)
	require.Contains(t, string(printed), "8 already imported")
	raw, err = os.ReadFile(againFile)
	require.NoError(t, err)
	var second struct {
		SessionForwarded int `json:"session_forwarded"`
		Visits           int `json:"visits"`
	}
	require.NoError(t, json.Unmarshal(raw, &second))
	require.Zero(t, second.SessionForwarded, "the same six petitions, already forwarded")
	receptions = listAll(t, apiURL+"/v1/receptions?limit=500", sup)
	require.Len(t, receptions, fig.Visits, "the visits are found again, not recorded twice")
	require.Len(t, listAll(t, apiURL+"/v1/letters?limit=500", sup), fig.Imported+fig.LettersFromVisits)

	api.stop(t)
	worker.stop(t)
	require.False(t, strings.Contains(api.out.String(), `"level":"ERROR"`), "the API logged an error")
}

func getJSON(t *testing.T, url, token string, v any) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, 200, res.StatusCode, url)
	require.NoError(t, json.NewDecoder(res.Body).Decode(v))
}

func listAll(t *testing.T, url, token string) []map[string]any {
	t.Helper()
	var page struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	getJSON(t, url, token, &page)
	require.Empty(t, page.NextCursor, "more than one page")
	return page.Items
}
