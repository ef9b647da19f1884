package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

func do(t *testing.T, h http.Handler, method, path, contentType, body string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var doc map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &doc)
	return rec, doc
}

func requireProblem(t *testing.T, rec *httptest.ResponseRecorder, doc map[string]any, status int) {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	require.EqualValues(t, status, doc["status"])
	require.NotEmpty(t, doc["title"])
	require.NotEmpty(t, doc["type"])
	require.NotEmpty(t, doc["request_id"])
}

func TestUnknownRouteIsProblem404(t *testing.T) {
	s := New(Deps{})
	rec, doc := do(t, s.Handler(), "GET", "/v1/nothing-here", "", "")
	requireProblem(t, rec, doc, 404)
	require.Contains(t, doc["detail"], "/v1/nothing-here")
}

func TestWrongMethodIsProblem405(t *testing.T) {
	s := New(Deps{})
	rec, doc := do(t, s.Handler(), "DELETE", "/healthz", "", "")
	requireProblem(t, rec, doc, 405)
}

func TestBadBodiesAreProblems(t *testing.T) {
	s := New(Deps{MaxBodyBytes: 2048})
	cases := []struct {
		name, contentType, body string
		status                  int
		field                   string
	}{
		{"malformed", "application/json", `{"note": `, 400, ""},
		{"syntax", "application/json", `{"note" "x"}`, 400, ""},
		{"not an object", "application/json", `[1,2]`, 400, ""},
		{"trailing data", "application/json", `{"note":"a"} {}`, 400, ""},
		{"invalid utf-8", "application/json", "{\"note\":\"\xff\xfe\"}", 400, ""},
		{"wrong type", "application/json", `{"note": 12}`, 422, "note"},
		{"unknown field", "application/json", `{"nota": "x"}`, 422, "nota"},
		{"too long", "application/json", `{"note": "` + strings.Repeat("đ", 201) + `"}`, 422, "note"},
		{"wrong content type", "text/plain", `{"note":"x"}`, 400, ""},
		{"too large", "application/json", `{"note": "` + strings.Repeat("a", 4096) + `"}`, 413, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, doc := do(t, s.Handler(), "POST", "/v1/ops/smoke", tc.contentType, tc.body)
			requireProblem(t, rec, doc, tc.status)
			if tc.field != "" {
				errs, _ := doc["errors"].([]any)
				require.NotEmpty(t, errs, "422 lists the bad fields")
				require.Equal(t, tc.field, errs[0].(map[string]any)["field"])
			}
		})
	}
}

func TestHealthzAnswersWithoutDependencies(t *testing.T) {
	s := New(Deps{})
	rec, doc := do(t, s.Handler(), "GET", "/healthz", "", "")
	require.Equal(t, 200, rec.Code)
	require.Equal(t, "ok", doc["status"])
	require.NotEmpty(t, rec.Header().Get("X-Request-ID"))
}

// TestOpenAPIMatchesRoutes keeps the hand-written contract honest: a valid OpenAPI document
// whose paths are exactly the routes served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapiJSON)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(loader.Context))

	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range New(Deps{}).Routes() {
		path := r.Path
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, ":") {
				path = strings.Replace(path, seg, "{"+seg[1:]+"}", 1)
			}
		}
		served[r.Method+" "+path] = true
	}
	require.Equal(t, sortedKeys(documented), sortedKeys(served))
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestDocsPageListsOperations(t *testing.T) {
	s := New(Deps{})
	rec, _ := do(t, s.Handler(), "GET", "/docs", "", "")
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Header().Get("Content-Type"), "text/html")
	require.Contains(t, rec.Body.String(), "/v1/ops/smoke")
	require.Contains(t, rec.Body.String(), "Dân Nguyện")
}
