package api_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/dannguyen/dannguyen/api"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/models"
)

// TestSmokeRoundTrip drives the whole path with the real servers: API -> Temporal -> worker
// -> PostgreSQL, and checks the row the worker wrote.
func TestSmokeRoundTrip(t *testing.T) {
	s := testenv.NewStack(t)
	res := testenv.Do(t, "POST", s.URL+"/v1/ops/smoke", map[string]string{"note": "Kiểm tra đường ống"})
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct{ ID, WorkflowID, Note string }
	res.JSON(t, &out)
	require.Equal(t, "Kiểm tra đường ống", out.Note)

	var stored struct{ WorkflowID, Note string }
	require.NoError(t, s.DB.Table("smoke_runs").Where("id = ?", out.ID).Take(&stored).Error)
	require.Equal(t, "smoke-"+out.ID, stored.WorkflowID)
	require.Equal(t, "Kiểm tra đường ống", stored.Note)
}

func TestReadyWhenBothAnswer(t *testing.T) {
	s := testenv.NewStack(t)
	res := testenv.Do(t, "GET", s.URL+"/readyz", nil)
	require.Equal(t, 200, res.Status, string(res.Body))
	require.Equal(t, "ready", res.Map(t)["status"])
}

// TestNotReadyNamesTheDependency points the API at a PostgreSQL and a Temporal that do not
// listen (port 1), which is what a stopped server looks like to a client.
func TestNotReadyNamesTheDependency(t *testing.T) {
	db, err := models.Open("postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", 2)
	require.NoError(t, err)
	t.Cleanup(func() { models.Close(db) })
	deadTemporal, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	require.NoError(t, err)
	t.Cleanup(deadTemporal.Close)
	goodDB, _ := testenv.DB(t)
	goodTemporal := testenv.Client(t)

	cases := []struct {
		name string
		deps api.Deps
		down []any
	}{
		{"postgres down", api.Deps{DB: db, Temporal: goodTemporal}, []any{"postgres"}},
		{"temporal down", api.Deps{DB: goodDB, Temporal: deadTemporal}, []any{"temporal"}},
		{"both down", api.Deps{DB: db, Temporal: deadTemporal}, []any{"postgres", "temporal"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(api.New(tc.deps).Handler())
			defer srv.Close()
			res := testenv.Do(t, "GET", srv.URL+"/readyz", nil)
			require.Equal(t, 503, res.Status)
			require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
			doc := res.Map(t)
			require.Equal(t, tc.down, doc["unavailable"])
			for _, name := range tc.down {
				require.Contains(t, doc["detail"], name)
			}
		})
	}
}

// With PostgreSQL down, requests that need it answer 503 (retry later), not 500: the caller
// did nothing wrong and the request can be sent again.
func TestDatabaseDownIs503(t *testing.T) {
	db, err := models.Open("postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", 2)
	require.NoError(t, err)
	t.Cleanup(func() { models.Close(db) })
	srv := httptest.NewServer(api.New(api.Deps{DB: db, Temporal: testenv.Client(t)}).Handler())
	defer srv.Close()
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/letters/3f0c9c1e-0000-4000-8000-000000000000"},
		{"GET", "/v1/letters"},
		{"POST", "/v1/letters"},
		{"GET", "/v1/bodies"},
	} {
		var body any
		if r.method == "POST" {
			body = letterBody("2026-03-02")
		}
		res := testenv.Do(t, r.method, srv.URL+r.path, body)
		require.Equal(t, 503, res.Status, "%s %s: %s", r.method, r.path, res.Body)
		require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	}
}
