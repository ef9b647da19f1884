package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

const (
	canaryName = "Trần Thị Canary Bí Mật"
	canaryID   = "079123456789"
)

// seeded is what the dashboard tests put into a fresh stack through the JSON API.
type seeded struct {
	Overdue, Denunciation, Hostile map[string]any
}

// seed registers an overdue complaint (received in February, so its processing clock ran
// out long ago), a fresh denunciation whose sender is protected, a letter whose subject is
// markup, and a letter withdrawn today, all through the API as an officer of ubdngs.
func seed(t *testing.T, s *testenv.Stack) seeded {
	t.Helper()
	create := func(body map[string]any) map[string]any {
		res := testenv.Do(t, "POST", s.URL+"/v1/letters", body)
		require.Equal(t, 201, res.Status, res.String())
		return res.Map(t)
	}
	letter := func(kind, received, subject string, sender map[string]any) map[string]any {
		return map[string]any{"kind": kind, "channel": "post", "received_on": received, "senders": []any{sender},
			"subject": subject, "content": "Nội dung: gia đình tôi không đồng ý với giá bồi thường.",
			"respondent": "UBND phường Ba Đình", "body_id": "ubdngs"}
	}
	// one more received today and withdrawn at once: closed this week, not open
	withdrawn := create(letter("reflection", vnToday(), "Phản ánh về đèn đường hỏng",
		map[string]any{"full_name": "Phạm Văn Minh", "address": "Cầu Giấy, Hà Nội"}))
	res := testenv.Do(t, "POST", s.URL+"/v1/letters/"+withdrawn["id"].(string)+"/withdraw", map[string]any{})
	require.Equal(t, 200, res.Status, res.String())
	require.Equal(t, "closed", res.Map(t)["status"])
	return seeded{
		Overdue: create(letter("complaint", "2026-02-12", "Khiếu nại giá bồi thường khi thu hồi đất",
			map[string]any{"full_name": "Nguyễn Văn Đức", "address": "Ba Đình, Hà Nội", "id_number": "001203004567"})),
		Denunciation: create(letter("denunciation", vnToday(), "Tố cáo cán bộ nhận hối lộ khi cấp giấy phép xây dựng",
			map[string]any{"full_name": canaryName, "address": "Quận 3, Hồ Chí Minh", "id_number": canaryID})),
		Hostile: create(letter("complaint", "2026-03-02", `<script>alert("x")</script> & "quotes"`,
			map[string]any{"full_name": "Lê Thị Hoa", "address": "Huế"})),
	}
}

// newClient is an HTTP client with a cookie jar that does not follow redirects, so a test
// sees each 303.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type page struct {
	Status int
	Header http.Header
	Body   string
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	res, err := c.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return page{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// login posts the form as a browser would.
func login(t *testing.T, c *http.Client, base, token, next string) page {
	t.Helper()
	res, err := c.PostForm(base+"/ui/login", url.Values{"token": {token}, "next": {next}})
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return page{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// loggedIn is a client holding a session for a token.
func loggedIn(t *testing.T, base, token string) *http.Client {
	t.Helper()
	c := newClient(t)
	p := login(t, c, base, token, "/ui/")
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	return c
}

func sessionCookie(h http.Header) string {
	for _, c := range h.Values("Set-Cookie") {
		if strings.HasPrefix(c, "dn_session=") {
			return c
		}
	}
	return ""
}

// vnToday is today's date in Vietnam, where the office's days (and the chart's weeks) are.
func vnToday() string { return deadline.DateOf(time.Now()).String() }
