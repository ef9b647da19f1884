package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

// answerRow reads one row of the answer table: the body's cell and its 13 counts.
func answerRow(t *testing.T, body, rowAttr string) []string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<tr ` + regexp.QuoteMeta(rowAttr) + `>(.*?)</tr>`)
	m := re.FindStringSubmatch(body)
	require.NotNil(t, m, "no row %s", rowAttr)
	cells := regexp.MustCompile(`(?s)<t[dh][^>]*>(.*?)</t[dh]>`).FindAllStringSubmatch(m[1], -1)
	out := make([]string, 0, len(cells))
	for _, c := range cells {
		out = append(out, strings.TrimSpace(c[1]))
	}
	return out
}

// TestDashboardSessionPages: the sessions list and the session page with its due dates, their
// proofs and the per-body answer table, the exports, escaping, and what each role sees — the
// same as the JSON API shows the same token.
func TestDashboardSessionPages(t *testing.T) {
	s := testenv.NewStack(t)
	ss := seedSession(t, s)
	sup := loggedIn(t, s.URL, testenv.Token(t, "sup-1", "ubdngs", policy.Supervisor))

	// No session: to the login form.
	anon := newClient(t)
	for _, path := range []string{"/ui/sessions", "/ui/sessions/" + ss.ID, "/ui/sessions/" + ss.ID + "/export?format=csv"} {
		p := get(t, anon, s.URL+path)
		require.Equal(t, http.StatusSeeOther, p.Status, path)
		require.True(t, strings.HasPrefix(p.Header.Get("Location"), "/ui/login?next="), path)
	}

	// The list: the session with its due dates (D41a 15 days before the opening, D41b 15 days
	// after the closing) and a link; the nav and the overview link to it.
	list := get(t, sup, s.URL+"/ui/sessions")
	require.Equal(t, 200, list.Status, list.Body)
	require.Contains(t, list.Body, `href="/ui/sessions/`+ss.ID+`"`)
	require.Contains(t, list.Body, ss.Title)
	require.Contains(t, list.Body, "05/10/2026", "pre-session synthesis due 15 days before 20/10/2026")
	require.Contains(t, list.Body, "Đang diễn ra")
	require.Contains(t, get(t, sup, s.URL+"/ui/").Body, `href="/ui/sessions" id="sessions-link"`)
	require.Contains(t, list.Body, `id="nav-sessions"`)
	require.Equal(t, 200, get(t, sup, s.URL+"/ui/sessions?status=closed").Status)
	bad := get(t, sup, s.URL+"/ui/sessions?status=nope&term=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
	require.Equal(t, 422, bad.Status)
	require.Contains(t, bad.Body, "status")
	require.NotContains(t, bad.Body, "<script>alert(1)")
	require.Contains(t, bad.Body, html.EscapeString(`"><script>alert(1)</script>`), "the filter's value is echoed escaped")

	// The session page: its clocks with proofs, and the answer table per body with totals.
	sp := get(t, sup, s.URL+"/ui/sessions/"+ss.ID)
	require.Equal(t, 200, sp.Status, sp.Body)
	require.Contains(t, sp.Body, ss.Title)
	require.Contains(t, sp.Body, `href="/ui/sessions/`+ss.ID+`/proof/pre_synthesis"`)
	require.Contains(t, sp.Body, "Tổng hợp kiến nghị trước kỳ họp")
	require.Contains(t, sp.Body, `id="petition-count">4<`)
	require.Contains(t, sp.Body, "/namespaces/default/workflows/session-"+ss.ID)
	//                         body, forwarded, answered, on time, late, unanswered, past due, resolved, in progress, explained, unresolved, satisfied, unsatisfied, carried over
	require.Equal(t, []string{"Bộ Y tế", "1", "1", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0", "0"}, answerRow(t, sp.Body, `data-body="bo-y-te"`))
	require.Equal(t, []string{html.EscapeString(markupBody), "1", "0", "0", "0", "1", "0", "0", "0", "0", "0", "0", "0", "0"},
		answerRow(t, sp.Body, `data-body="so-thu-nghiem"`), "the body's name is markup: escaped")
	require.NotContains(t, sp.Body, "<i>Thử</i>")
	require.Equal(t, []string{"Tổng", "2", "1", "1", "0", "1", "0", "1", "0", "0", "0", "0", "0", "0"}, answerRow(t, sp.Body, `id="answer-totals"`))
	require.Contains(t, sp.Body, `href="/ui/sessions/`+ss.ID+`/export?format=csv"`)
	proof := get(t, sup, s.URL+"/ui/sessions/"+ss.ID+"/proof/pre_synthesis")
	require.Equal(t, 200, proof.Status, proof.Body)
	require.Contains(t, proof.Body, "D41a")
	require.Contains(t, proof.Body, `href="/ui/sessions/`+ss.ID+`" id="back"`)
	require.Equal(t, 404, get(t, sup, s.URL+"/ui/sessions/"+ss.ID+"/proof/nope").Status)

	// The same table as the JSON API's report, as files.
	csv := get(t, sup, s.URL+"/ui/sessions/"+ss.ID+"/export?format=csv")
	require.Equal(t, 200, csv.Status, csv.Body)
	require.Contains(t, csv.Header.Get("Content-Type"), "text/csv")
	require.Contains(t, csv.Header.Get("Content-Disposition"), "kien-nghi-cu-tri-"+ss.ID)
	require.True(t, strings.HasPrefix(csv.Body, "\ufeff"))
	require.Contains(t, csv.Body, "bo-y-te,Bộ Y tế,1,1,1,0,0,0,1,0,0,0,0,0,0")
	require.Contains(t, csv.Body, ",Tổng cộng,2,1,1,0,1,0,1,0,0,0,0,0,0")
	xlsx := get(t, sup, s.URL+"/ui/sessions/"+ss.ID+"/export?format=xlsx")
	require.Equal(t, 200, xlsx.Status)
	require.True(t, strings.HasPrefix(xlsx.Body, "PK"), "an XLSX file is a zip")
	require.Equal(t, 422, get(t, sup, s.URL+"/ui/sessions/"+ss.ID+"/export?format=pdf").Status)
	audit := testenv.Do(t, "GET", s.URL+"/v1/audit?action=sessions.report.export", nil).Map(t)
	require.Len(t, audit["items"], 2, "each download is audited by the API")

	// Unknown session: a 404 page, for the page, its proof and its export.
	for _, path := range []string{"/ui/sessions/xv-99", "/ui/sessions/xv-99/proof/pre_synthesis", "/ui/sessions/xv-99/export?format=csv"} {
		p := get(t, sup, s.URL+path)
		require.Equal(t, 404, p.Status, path)
		require.Contains(t, p.Header.Get("Content-Type"), "text/html", path)
	}

	// Scope, as the JSON API: an agency reads the session but not the report (neither its own
	// row nor anyone else's); nor does a receiving officer; ops may not read sessions at all.
	for _, tok := range []string{testenv.Token(t, "yt-1", "bo-y-te", policy.Agency), testenv.Token(t, "ro-1", "ubdngs", policy.ReceivingOfficer)} {
		require.Equal(t, 403, testenv.Do(t, "GET", s.URL+"/v1/sessions/"+ss.ID+"/report", nil, "Authorization", "Bearer "+tok).Status)
		c := loggedIn(t, s.URL, tok)
		p := get(t, c, s.URL+"/ui/sessions/"+ss.ID)
		require.Equal(t, 200, p.Status, p.Body)
		require.Contains(t, p.Body, `id="report-hidden"`)
		require.NotContains(t, p.Body, `id="answer-table"`)
		require.NotContains(t, p.Body, "download-csv")
		require.Equal(t, 403, get(t, c, s.URL+"/ui/sessions/"+ss.ID+"/export?format=csv").Status)
		require.Equal(t, 200, get(t, c, s.URL+"/ui/sessions").Status)
	}
	ops := loggedIn(t, s.URL, testenv.Token(t, "ops-1", "", policy.Ops))
	require.Equal(t, 403, get(t, ops, s.URL+"/ui/sessions").Status)
	require.Equal(t, 403, get(t, ops, s.URL+"/ui/sessions/"+ss.ID).Status)

	// English labels.
	require.Equal(t, http.StatusSeeOther, get(t, sup, s.URL+"/ui/lang/en?next=/ui/sessions").Status)
	en := get(t, sup, s.URL+"/ui/sessions/"+ss.ID)
	require.Contains(t, en.Body, "Answers by body")
	require.Equal(t, "Total", answerRow(t, en.Body, `id="answer-totals"`)[0])
}
