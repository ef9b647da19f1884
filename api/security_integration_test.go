package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/workflows"
)

const (
	canaryName = "Trần Thị Canary Bí Mật"
	canaryID   = "079123456789"
)

func denunciationBody(received string) map[string]any {
	return map[string]any{
		"kind": "denunciation", "channel": "post", "received_on": received,
		"senders":    []map[string]any{{"full_name": canaryName, "address": "Quận 3, Hồ Chí Minh", "id_number": canaryID, "phone": "0912345678"}},
		"subject":    "Tố cáo cán bộ nhận hối lộ khi cấp giấy phép xây dựng",
		"content":    "Cán bộ địa chính yêu cầu tiền để cấp giấy phép; có chứng cứ kèm theo.",
		"respondent": "Cán bộ địa chính phường", "body_id": "ubdngs",
	}
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDenouncerIdentityDoesNotLeak drives a denunciation with a canary name and ID number
// through intake, forwarding, an answer and every read, then searches the whole database
// dump, the raw Temporal history (without the codec) and the service's logs for the canary:
// it must be nowhere in clear (the vault holds it encrypted).
func TestDenouncerIdentityDoesNotLeak(t *testing.T) {
	logs := &syncBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	s := testenv.NewStack(t)
	today := time.Now().Format("2006-01-02")
	l := createLetter(t, s, denunciationBody(today))
	id := l["id"].(string)
	require.Equal(t, true, l["confidential"])
	require.Regexp(t, `^Người tố cáo #[A-Z]\d{2}$`, l["sender_display"])
	act(t, s, id, "classify", map[string]any{"kind": "denunciation", "field": "corruption"}, 200)
	act(t, s, id, "forward", map[string]any{"to_body_id": "ubnd-ho-chi-minh"}, 200)
	act(t, s, id, "record-response", map[string]any{"from_body_id": "ubnd-ho-chi-minh", "outcome": "in_progress"}, 200)
	reads := []string{
		testenv.Do(t, "GET", s.URL+"/v1/letters/"+id, nil).String(),
		testenv.Do(t, "GET", s.URL+"/v1/letters?q=hoi+lo", nil).String(),
		testenv.Do(t, "GET", s.URL+"/v1/letters/"+id+"/duplicates", nil).String(),
		testenv.Do(t, "GET", s.URL+"/v1/letters/"+id+"/deadlines/processing/proof", nil).String(),
		testenv.Do(t, "GET", s.URL+"/v1/letters?format=csv", nil).String(),
		xlsxText(t, testenv.Do(t, "GET", s.URL+"/v1/letters?format=xlsx", nil).Body),
		testenv.Do(t, "GET", s.URL+"/metrics", nil).String(),
	}
	require.Contains(t, reads[4], id, "the CSV export lists the letter")
	require.Contains(t, reads[5], id, "the XLSX export lists the letter")
	for _, body := range reads {
		require.NotContains(t, body, "Canary")
		require.NotContains(t, body, canaryID)
	}

	// The whole database, as pg_dump writes it.
	dump, err := exec.Command("pg_dump", "--data-only", s.DSN).CombinedOutput()
	require.NoError(t, err, string(dump))
	require.Contains(t, string(dump), id, "the dump holds the letter")
	require.NotContains(t, string(dump), "Canary")
	require.NotContains(t, string(dump), canaryID)

	// The raw Temporal history of the letter's workflow, read without the codec.
	raw, err := client.Dial(client.Options{HostPort: testenv.TemporalAddress(t)})
	require.NoError(t, err)
	defer raw.Close()
	it := raw.GetWorkflowHistory(context.Background(), workflows.LetterWorkflowID(id), "", false, 0)
	events := 0
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		b, err := protojson.Marshal(ev)
		require.NoError(t, err)
		require.NotContains(t, string(b), "Canary", "history event %d", ev.EventId)
		require.NotContains(t, string(b), canaryID, "history event %d", ev.EventId)
		events++
	}
	require.Greater(t, events, 5)

	// The service's logs.
	require.NotEmpty(t, logs.String())
	require.NotContains(t, logs.String(), "Canary")
	require.NotContains(t, logs.String(), canaryID)

	// And the intake officer (the default test token registered it) can still reveal it.
	res := testenv.Do(t, "GET", s.URL+"/v1/letters/"+id+"/identity?reason=x%C3%A1c+minh", nil)
	require.Equal(t, 200, res.Status, res.String())
	require.Contains(t, res.String(), canaryName)
	require.Contains(t, res.String(), canaryID)
}

// xlsxText is every cell of an XLSX file, for searching (the file itself is compressed).
func xlsxText(t *testing.T, b []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("Sheet1")
	require.NoError(t, err)
	var out strings.Builder
	for _, r := range rows {
		out.WriteString(strings.Join(r, "\t") + "\n")
	}
	return out.String()
}

// T39: a supervisor sees the denouncer as a pseudonym; a reveal without a grant is denied, a
// head's grant lets the data show, and both attempts are in the audit log.
func TestSupervisorRevealNeedsGrantT39(t *testing.T) {
	s := testenv.NewStack(t)
	l := createLetter(t, s, denunciationBody(time.Now().Format("2006-01-02")))
	id := l["id"].(string)
	supervisor := "Bearer " + testenv.Token(t, "sup-1", "ubdngs", "supervisor")
	head := "Bearer " + testenv.Token(t, "head-1", "ubdngs", "head")
	auditor := "Bearer " + testenv.Token(t, "aud-1", "ubdngs", "auditor")

	res := testenv.Do(t, "GET", s.URL+"/v1/letters/"+id, nil, "Authorization", supervisor)
	require.Equal(t, 200, res.Status)
	require.Regexp(t, `^Người tố cáo #`, res.Map(t)["sender_display"])
	require.NotContains(t, res.String(), "Canary")

	res = testenv.Do(t, "GET", s.URL+"/v1/letters/"+id+"/identity?reason=gi%C3%A1m+s%C3%A1t", nil, "Authorization", supervisor)
	require.Equal(t, 403, res.Status, res.String())
	require.NotContains(t, res.String(), "Canary")

	until := time.Now().Add(24 * time.Hour).Format(time.RFC3339)
	res = testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/identity-grants", map[string]any{"grantee": "sup-1", "reason": "phục vụ giám sát", "until": until}, "Authorization", supervisor)
	require.Equal(t, 403, res.Status, "a supervisor cannot grant")
	res = testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/identity-grants", map[string]any{"grantee": "sup-1", "reason": "phục vụ giám sát", "until": until}, "Authorization", head)
	require.Equal(t, 201, res.Status, res.String())

	res = testenv.Do(t, "GET", s.URL+"/v1/letters/"+id+"/identity?reason=gi%C3%A1m+s%C3%A1t", nil, "Authorization", supervisor)
	require.Equal(t, 200, res.Status, res.String())
	require.Contains(t, res.String(), canaryName)

	res = testenv.Do(t, "GET", s.URL+"/v1/audit?letter_id="+id, nil, "Authorization", auditor)
	require.Equal(t, 200, res.Status, res.String())
	var page struct {
		Items []struct {
			Actor, Action, Reason string
			Allowed               bool
		}
	}
	res.JSON(t, &page)
	var got []string
	for _, e := range page.Items {
		got = append(got, e.Action+"/"+e.Actor+"/"+map[bool]string{true: "allowed", false: "denied"}[e.Allowed])
	}
	require.Equal(t, []string{"identity.reveal/sup-1/allowed", "identity.grant/head-1/allowed", "identity.reveal/sup-1/denied"}, got)
	// The audit log cannot be edited, not even by the database owner through the app's pool.
	require.Error(t, s.DB.Exec("UPDATE audit_log SET allowed = true").Error)
	require.Error(t, s.DB.Exec("DELETE FROM audit_log").Error)

	// An auditor is not a supervisor: no letter lists.
	require.Equal(t, 403, testenv.Do(t, "GET", s.URL+"/v1/letters", nil, "Authorization", auditor).Status)
	// A reveal without a reason is refused before anything is shown.
	require.Equal(t, 422, testenv.Do(t, "GET", s.URL+"/v1/letters/"+id+"/identity", nil, "Authorization", supervisor).Status)
}

func TestTokensAreRequiredAndChecked(t *testing.T) {
	s := testenv.NewStack(t)
	for _, h := range []string{"", "Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz"} {
		res := testenv.Do(t, "GET", s.URL+"/v1/letters", nil, "Authorization", h)
		require.Equal(t, 401, res.Status, "Authorization %q", h)
		require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
		require.NotEmpty(t, res.Header.Get("WWW-Authenticate"))
	}
	// Public routes need no token.
	require.Equal(t, 200, testenv.Do(t, "GET", s.URL+"/healthz", nil, "Authorization", "").Status)
	require.Equal(t, 200, testenv.Do(t, "GET", s.URL+"/openapi.json", nil, "Authorization", "").Status)
	// An unknown route stays a 404 even without a token.
	require.Equal(t, 404, testenv.Do(t, "GET", s.URL+"/v1/nope", nil, "Authorization", "").Status)
}

func TestAgencySeesOnlyWhatIsForwardedToIt(t *testing.T) {
	s := testenv.NewStack(t)
	today := time.Now().Format("2006-01-02")
	forwarded := createLetter(t, s, letterBody(today))["id"].(string)
	other := createLetter(t, s, letterBody(today))["id"].(string)
	act(t, s, forwarded, "classify", map[string]any{"kind": "complaint"}, 200)
	act(t, s, forwarded, "forward", map[string]any{"to_body_id": "ubnd-ha-noi"}, 200)
	agency := "Bearer " + testenv.Token(t, "hn-1", "ubnd-ha-noi", "agency")

	res := testenv.Do(t, "GET", s.URL+"/v1/letters", nil, "Authorization", agency)
	require.Equal(t, 200, res.Status, res.String())
	var page struct{ Items []struct{ ID string } }
	res.JSON(t, &page)
	require.Len(t, page.Items, 1)
	require.Equal(t, forwarded, page.Items[0].ID)
	require.Equal(t, 404, testenv.Do(t, "GET", s.URL+"/v1/letters/"+other, nil, "Authorization", agency).Status)
	require.Equal(t, 200, testenv.Do(t, "GET", s.URL+"/v1/letters/"+forwarded, nil, "Authorization", agency).Status)
	// It may record its own answer, not classify, and not answer for another body.
	require.Equal(t, 403, testenv.Do(t, "POST", s.URL+"/v1/letters/"+forwarded+"/classify", map[string]any{"kind": "complaint"}, "Authorization", agency).Status)
	require.Equal(t, 422, testenv.Do(t, "POST", s.URL+"/v1/letters/"+forwarded+"/record-response", map[string]any{"from_body_id": "bo-tai-chinh", "outcome": "resolved"}, "Authorization", agency).Status)
	res = testenv.Do(t, "POST", s.URL+"/v1/letters/"+forwarded+"/record-response", map[string]any{"from_body_id": "ubnd-ha-noi", "outcome": "resolved"}, "Authorization", agency)
	require.Equal(t, 200, res.Status, res.String())
	require.True(t, strings.Contains(res.String(), "response_received"))
}
