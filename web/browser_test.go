package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

// chromiumPath finds Debian's chromium (CHROMIUM_PATH overrides); "" means skip.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// screenshotDir is where the PNGs go: DASHBOARD_SCREENSHOTS, or web/testdata/screenshots
// (ignored by git).
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("DASHBOARD_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	}
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(abs, 0o755))
	return abs
}

// TestDashboardInChromium logs in through the form in headless Chromium, opens every page,
// clicks through to a letter and its proof and to a session's answer table, downloads the
// CSVs and saves a screenshot of each page.
func TestDashboardInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real stack and a browser")
	}
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("chromium is not installed (apt-get install -y chromium; .ci/run installs it): browser tests skipped")
	}
	s := testenv.NewStack(t)
	data := seed(t, s)
	sess := seedSession(t, s)
	overdueNo := data.Overdue["number"].(string)
	denNo := data.Denunciation["number"].(string)
	pseudonym := data.Denunciation["sender_display"].(string)
	shots := screenshotDir(t)
	downloads := t.TempDir()
	t.Logf("screenshots in %s", shots)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.WindowSize(1366, 900), chromedp.Flag("lang", "vi-VN"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelTimeout()

	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644))
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return v
	}
	location := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Location())
		require.NoError(t, err)
		return v
	}

	// Without a session the browser lands on the login form; a wrong token stays there.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL+"/ui/overdue"), chromedp.WaitVisible(chromedp.CSS("#login-form"))))
	require.Contains(t, location(), "/ui/login?next=")
	shot("01-login")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#token"), "wrong"),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#login-error"))))

	// The supervisor pastes the token and arrives where they were going: the overdue list.
	token := testenv.Token(t, "sup-1", "ubdngs", policy.Supervisor)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#overdue-list"))))
	require.Contains(t, location(), "/ui/overdue")
	list := text("#overdue-list")
	require.Contains(t, list, overdueNo)
	require.NotContains(t, list, denNo, "a fresh denunciation is not overdue")
	shot("03-overdue")

	// The session cookie is not readable by scripts.
	cookies, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.cookie"))
	require.NoError(t, err)
	require.NotContains(t, cookies, "dn_session")

	// Overview: counts, the chart, the oldest overdue letters.
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#nav-overview")), chromedp.WaitVisible(chromedp.CSS("#week-chart"))))
	require.Equal(t, "3", text("#count-open"))
	require.Contains(t, text("#oldest-overdue"), overdueNo)
	shot("02-overview")

	// Click through to the overdue letter: clocks, proofs, timeline.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#oldest-overdue a.letter-link")),
		chromedp.WaitVisible(chromedp.CSS("#clocks"))))
	require.Contains(t, text("#letter-number"), overdueNo)
	require.Contains(t, text("#clocks"), "05/03/2026")
	require.NotEmpty(t, text("#timeline"))
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.querySelector('#temporal-link').href"))
	require.NoError(t, err)
	require.Contains(t, href, "/namespaces/default/workflows/")
	shot("04-letter")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("a.proof-link")), chromedp.WaitVisible(chromedp.CSS("#proof-due"))))
	require.Contains(t, text("#proof-due"), "05/03/2026")
	shot("05-proof")

	// The denunciation: a pseudonym, never the denouncer.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL+"/ui/letters/"+data.Denunciation["id"].(string)), chromedp.WaitVisible(chromedp.CSS("#protected"))))
	require.Equal(t, pseudonym, text("#sender"))
	page, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	require.NoError(t, err)
	require.NotContains(t, page, "Canary")
	require.NotContains(t, page, canaryID)
	shot("06-denunciation")

	// Download the CSV from the overdue list and check the file.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#nav-overdue")),
		chromedp.WaitVisible(chromedp.CSS("#download-csv")),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true)})
			return err
		})))
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#download-csv"))))
	var file string
	for ev, err := range progress {
		require.NoError(t, err)
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
	}
	csv, err := os.ReadFile(file)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(csv), "\ufeff"), "UTF-8 BOM for Excel")
	require.Contains(t, string(csv), overdueNo)
	require.NotContains(t, string(csv), "Canary")

	// Voters' petitions: the sessions list from the nav, the session page with its answer
	// table, and the report's CSV download.
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#nav-sessions")), chromedp.WaitVisible(chromedp.CSS("#session-list"))))
	require.Contains(t, text("#session-list"), sess.Title)
	shot("08-sessions")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a.session-link[href="/ui/sessions/`+sess.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#answer-table"))))
	require.Contains(t, text("#session-title"), sess.Title)
	require.Contains(t, text("#clocks"), "05/10/2026")
	require.Contains(t, text(`#answer-table tr[data-body="bo-y-te"]`), "Bộ Y tế")
	require.Contains(t, text(`#answer-table tr[data-body="so-thu-nghiem"]`), markupBody, "markup in a body's name shows as text")
	totals := strings.Fields(text("#answer-totals"))
	require.Equal(t, []string{"Tổng", "2", "1", "1", "0", "1", "0", "1", "0", "0", "0", "0", "0", "0"}, totals)
	shot("09-session")
	progress = chromedp.Events(ctx, browser.DownloadProgress)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#download-csv"))))
	file = ""
	for ev, err := range progress {
		require.NoError(t, err)
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
	}
	report, err := os.ReadFile(file)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(report), "\ufeffMã cơ quan,Cơ quan trả lời,Số kiến nghị đã chuyển"), "the report's header, with a BOM for Excel")
	require.Contains(t, string(report), "bo-y-te,Bộ Y tế,1,1,1,0,0,0,1,0,0,0,0,0,0")
	require.Contains(t, string(report), ",Tổng cộng,2,1,1,0,1,0,1,0,0,0,0,0,0")

	// English labels, then log out.
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#lang-en")), chromedp.WaitVisible(chromedp.CSS("#answer-table"))))
	require.Contains(t, text("main"), "Answers by body")
	require.Equal(t, "Total", strings.Fields(text("#answer-totals"))[0])
	shot("10-session-en")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#nav-overdue")), chromedp.WaitVisible(chromedp.CSS("#overdue-list"))))
	require.Contains(t, text("h1"), "Overdue letters")
	shot("07-overdue-en")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-form"))))
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#login-form"))))
}

func ptr[T any](v T) *T { return &v }
