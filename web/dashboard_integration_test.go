package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

// TestDashboardSessionAndPages drives the dashboard over plain HTTP against the real stack:
// the login form and its cookie, the redirect without a session, every page, the CSV export,
// escaping, the protected sender, the language toggle and logout.
func TestDashboardSessionAndPages(t *testing.T) {
	s := testenv.NewStack(t)
	data := seed(t, s)
	overdueID, overdueNo := data.Overdue["id"].(string), data.Overdue["number"].(string)
	denID := data.Denunciation["id"].(string)
	pseudonym := data.Denunciation["sender_display"].(string)
	require.NotEmpty(t, pseudonym)

	// No session: every page sends the browser to the login form, keeping where it was going,
	// and a bearer header does not count (the dashboard reads only its cookie).
	anon := newClient(t)
	for _, path := range []string{"/ui/", "/ui/overdue", "/ui/letters/" + overdueID} {
		p := get(t, anon, s.URL+path)
		require.Equal(t, http.StatusSeeOther, p.Status, path)
		require.True(t, strings.HasPrefix(p.Header.Get("Location"), "/ui/login?next="), p.Header.Get("Location"))
	}
	form := get(t, anon, s.URL+"/ui/login?next=/ui/overdue")
	require.Equal(t, 200, form.Status)
	require.Contains(t, form.Body, "Mã truy cập")
	require.Contains(t, form.Header.Get("Content-Security-Policy"), "default-src 'none'")

	// A bad token is refused on the form; a good one sets an HttpOnly, SameSite=Strict cookie
	// and goes where the viewer was going — never to another site.
	bad := login(t, anon, s.URL, "not-a-token", "/ui/overdue")
	require.Equal(t, http.StatusUnauthorized, bad.Status)
	require.Contains(t, bad.Body, "không hợp lệ")
	require.Empty(t, sessionCookie(bad.Header))
	req, err := http.NewRequest("POST", s.URL+"/ui/login", strings.NewReader("token="+testenv.Token(t, "sup-1", "ubdngs", policy.Supervisor)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	forged, err := anon.Do(req)
	require.NoError(t, err)
	forged.Body.Close()
	require.Equal(t, http.StatusForbidden, forged.StatusCode, "a login form posted from another site is refused")
	require.Empty(t, sessionCookie(forged.Header))
	sup := newClient(t)
	ok := login(t, sup, s.URL, testenv.Token(t, "sup-1", "ubdngs", policy.Supervisor), "https://evil.example/")
	require.Equal(t, http.StatusSeeOther, ok.Status, ok.Body)
	require.Equal(t, "/ui/", ok.Header.Get("Location"))
	cookie := sessionCookie(ok.Header)
	require.Contains(t, cookie, "HttpOnly")
	require.Contains(t, cookie, "SameSite=Strict")
	require.Contains(t, cookie, "Path=/ui/")

	// Overview: counts, the chart, the oldest overdue letter with its link.
	ov := get(t, sup, s.URL+"/ui/")
	require.Equal(t, 200, ov.Status, ov.Body)
	require.Contains(t, ov.Body, "Tổng quan")
	require.Contains(t, ov.Body, `id="week-chart"`)
	require.Contains(t, ov.Body, `href="/ui/letters/`+overdueID+`"`)
	require.Contains(t, ov.Body, overdueNo)
	require.Regexp(t, `id="count-open">3<`, ov.Body)
	require.Regexp(t, `id="count-overdue">[1-9]`, ov.Body)
	require.Contains(t, ov.Body, "Ủy ban") // body names, not only ids
	require.Contains(t, ov.Body, "Đã nhận: 2</title>", "this week's chart bar: the denunciation and the withdrawn letter")
	require.Contains(t, ov.Body, "Đã kết thúc: 1</title>", "this week's chart bar: the withdrawn letter")

	// Overdue list with the API's filters and their validation.
	list := get(t, sup, s.URL+"/ui/overdue")
	require.Equal(t, 200, list.Status)
	require.Contains(t, list.Body, overdueNo)
	require.NotContains(t, list.Body, data.Denunciation["number"].(string), "a fresh letter is not overdue")
	require.Contains(t, list.Body, html.EscapeString(`<script>alert("x")</script>`), "markup is escaped")
	require.NotContains(t, list.Body, `<script>alert`)
	filtered := get(t, sup, s.URL+"/ui/overdue?kind=denunciation")
	require.Equal(t, 200, filtered.Status)
	require.NotContains(t, filtered.Body, overdueNo)
	invalid := get(t, sup, s.URL+"/ui/overdue?received_from=2026-02-30&limit=0")
	require.Equal(t, 422, invalid.Status)
	require.Contains(t, invalid.Body, "received_from")
	require.Contains(t, invalid.Body, "limit")
	paged := get(t, sup, s.URL+"/ui/overdue?limit=1")
	require.Contains(t, paged.Body, `id="next-page"`, "two overdue letters, one per page")

	// The CSV download is the API's export (BOM, the letter, the pseudonym only).
	csv := get(t, sup, s.URL+"/ui/overdue/export?format=csv")
	require.Equal(t, 200, csv.Status, csv.Body)
	require.Contains(t, csv.Header.Get("Content-Type"), "text/csv")
	require.True(t, strings.HasPrefix(csv.Body, "\ufeff"))
	require.Contains(t, csv.Body, overdueNo)
	xlsx := get(t, sup, s.URL+"/ui/overdue/export?format=xlsx")
	require.Equal(t, 200, xlsx.Status)
	require.True(t, strings.HasPrefix(xlsx.Body, "PK"), "an XLSX file is a zip")
	require.Equal(t, 422, get(t, sup, s.URL+"/ui/overdue/export?format=pdf").Status)

	// Letter page: clocks with due dates and proofs, the timeline, the Temporal link.
	lp := get(t, sup, s.URL+"/ui/letters/"+overdueID)
	require.Equal(t, 200, lp.Status, lp.Body)
	require.Contains(t, lp.Body, `href="/ui/letters/`+overdueID+`/proof/processing"`)
	require.Contains(t, lp.Body, "05/03/2026", "the processing clock of a letter received 2026-02-12 is due 2026-03-05 (Tết skipped)")
	require.Contains(t, lp.Body, `id="timeline"`)
	require.Contains(t, lp.Body, "/namespaces/default/workflows/")
	require.Contains(t, lp.Body, "Nguyễn Văn Đức", "an unprotected sender is shown as the API shows it")
	proof := get(t, sup, s.URL+"/ui/letters/"+overdueID+"/proof/processing")
	require.Equal(t, 200, proof.Status, proof.Body)
	require.Contains(t, proof.Body, "D33")
	require.Contains(t, proof.Body, "Tết")
	require.Equal(t, 404, get(t, sup, s.URL+"/ui/letters/"+overdueID+"/proof/nope").Status)
	require.Equal(t, 404, get(t, sup, s.URL+"/ui/letters/00000000-0000-0000-0000-000000000000").Status)

	// A denunciation: the supervisor sees the pseudonym, not the denouncer, and may not reveal.
	dp := get(t, sup, s.URL+"/ui/letters/"+denID)
	require.Equal(t, 200, dp.Status)
	require.Contains(t, dp.Body, pseudonym)
	require.Contains(t, dp.Body, `id="protected"`)
	require.NotContains(t, dp.Body, "Canary")
	require.NotContains(t, dp.Body, canaryID)
	refused := get(t, sup, s.URL+"/ui/letters/"+denID+"/identity?reason=ki%E1%BB%83m+tra")
	require.Equal(t, 403, refused.Status)
	require.NotContains(t, refused.Body, "Canary")
	// The head of the receiving body may, with a reason (the API audits it).
	head := loggedIn(t, s.URL, testenv.Token(t, "head-1", "ubdngs", policy.Head))
	require.Equal(t, 422, get(t, head, s.URL+"/ui/letters/"+denID+"/identity").Status, "a reason is required")
	shown := get(t, head, s.URL+"/ui/letters/"+denID+"/identity?reason=x%C3%A1c+minh")
	require.Equal(t, 200, shown.Status, shown.Body)
	require.Contains(t, shown.Body, canaryName)
	audit := testenv.Do(t, "GET", s.URL+"/v1/audit?letter_id="+denID+"&action=identity.reveal", nil).Map(t)
	require.Len(t, audit["items"], 2, "the refused and the allowed reveal are both audited")

	// Scope: an agency of another body cannot open the letter; a role without letters.list
	// gets a 403 page for the overview.
	agency := loggedIn(t, s.URL, testenv.Token(t, "ag-1", "ubnd-hue", policy.Agency))
	require.Equal(t, 404, get(t, agency, s.URL+"/ui/letters/"+overdueID).Status)
	agencyOv := get(t, agency, s.URL+"/ui/")
	require.Equal(t, 200, agencyOv.Status)
	require.Regexp(t, `id="count-open">0<`, agencyOv.Body, "an agency counts only what is forwarded to it")
	ops := loggedIn(t, s.URL, testenv.Token(t, "ops-1", "", policy.Ops))
	require.Equal(t, 403, get(t, ops, s.URL+"/ui/").Status)

	// English labels on request; Vietnamese by default.
	en := get(t, sup, s.URL+"/ui/lang/en?next=/ui/overdue")
	require.Equal(t, http.StatusSeeOther, en.Status)
	require.Equal(t, "/ui/overdue", en.Header.Get("Location"))
	require.Contains(t, get(t, sup, s.URL+"/ui/").Body, "Overview")
	require.Equal(t, "/ui/", get(t, sup, s.URL+"/ui/lang/vi?next=//evil.example").Header.Get("Location"))
	require.Contains(t, get(t, sup, s.URL+"/ui/").Body, "Tổng quan")

	// Logout clears the cookie; the next page asks for the login again.
	res, err := sup.Post(s.URL+"/ui/logout", "application/x-www-form-urlencoded", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Contains(t, sessionCookie(res.Header), "Max-Age=0")
	require.Equal(t, http.StatusSeeOther, get(t, sup, s.URL+"/ui/").Status)
}
