package api_test

import (
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/testenv"
)

// randomTerm names a legislature term no other test (nor an earlier run against the same
// Temporal server) uses: session workflow ids derive from the term and number.
func randomTerm() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for _, x := range b {
		sb.WriteByte("IVXLC"[int(x)%5])
	}
	return sb.String()
}

func createSession(t *testing.T, s *testenv.Stack, term string, number int, opens, closes, next string) map[string]any {
	t.Helper()
	body := map[string]any{"term": term, "number": number, "opens_on": opens, "closes_on": closes}
	if next != "" {
		body["next_opens_on"] = next
	}
	res := testenv.Do(t, "POST", s.URL+"/v1/sessions", body)
	require.Equal(t, 201, res.Status, res.String())
	return res.Map(t)
}

// post sends a raw body with a content type.
func post(t *testing.T, url, contentType string, body []byte, headers ...string) testenv.Response {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(string(body)))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+testenv.DefaultToken(t))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return testenv.Response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

func realPetitionsFile(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "internal", "synthesis", "testdata", "voter_petitions.jsonl"))
	require.NoError(t, err)
	return raw
}

// eventually waits for a condition the worker makes true asynchronously (a signal applied).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func vpAct(t *testing.T, s *testenv.Stack, id, action string, body any, want int, headers ...string) map[string]any {
	t.Helper()
	res := testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+id+"/"+action, body, headers...)
	require.Equal(t, want, res.Status, "%s: %s", action, res.Body)
	return res.Map(t)
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
