package web_test

import (
	"crypto/rand"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/policy"
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

// markupBody is an answering body whose name is markup, to check the answer table escapes it.
const markupBody = `Sở <i>Thử</i> & "Nghiệm"`

// seededSession is a session cycle seeded through the API: its id and the voter petitions
// forwarded to each body.
type seededSession struct {
	ID        string
	Title     string            // "Kỳ họp 11 · Khóa XV" as the page writes it
	Forwarded map[string]string // body id -> voter petition id
}

// seedSession registers a session, imports four petitions by file (two delegations raising
// the same flooding matter), synthesises and confirms the groups, forwards one petition to the
// Ministry of Health and one to a body whose name is markup, and has the ministry answer its
// one (resolved, on time).
func seedSession(t *testing.T, s *testenv.Stack) seededSession {
	t.Helper()
	res := testenv.Do(t, "POST", s.URL+"/v1/bodies", map[string]any{"id": "so-thu-nghiem", "name": markupBody, "kind": "ministry"})
	require.Equal(t, 201, res.Status, res.String())
	term := randomTerm()
	res = testenv.Do(t, "POST", s.URL+"/v1/sessions", map[string]any{"term": term, "number": 11,
		"opens_on": "2026-10-20", "closes_on": "2026-12-10", "next_opens_on": "2027-05-20"})
	require.Equal(t, 201, res.Status, res.String())
	id := res.Map(t)["id"].(string)
	file := strings.Join([]string{
		`{"delegation":"Hà Nội","phase":"after","topic":"ngập úng","text":"Cử tri phản ánh ngập úng nội đô mỗi khi mưa lớn."}`,
		`{"delegation":"Hải Phòng","phase":"after","topic":"ngập úng","text":"Cử tri phản ánh tình trạng ngập úng khi mưa lớn kéo dài."}`,
		`{"delegation":"Thừa Thiên Huế","phase":"after","topic":"y tế","text":"Cử tri đề nghị khắc phục tình trạng thiếu thuốc, vật tư y tế tại bệnh viện tuyến huyện."}`,
		`{"delegation":"Khánh Hòa","phase":"after","topic":"giao thông","text":"Cử tri kiến nghị sớm nâng cấp quốc lộ 27C đoạn qua huyện Khánh Vĩnh."}`,
	}, "\n")
	req, err := http.NewRequest("POST", s.URL+"/v1/sessions/"+id+"/petitions:import", strings.NewReader(file))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+testenv.DefaultToken(t))
	imp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(imp.Body)
	imp.Body.Close()
	require.Equal(t, 201, imp.StatusCode, string(body))
	require.Regexp(t, `"imported":\s*4[,}]`, string(body))

	res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/synthesize", nil)
	require.Equal(t, 200, res.Status, res.String())
	require.Len(t, res.Map(t)["suggested"], 1, "the two flooding petitions are one group")
	res = testenv.Do(t, "GET", s.URL+"/v1/sessions/"+id+"/groups?status=suggested&limit=500", nil)
	require.Equal(t, 200, res.Status, res.String())
	var ids []string
	for _, g := range res.Map(t)["items"].([]any) {
		ids = append(ids, g.(map[string]any)["id"].(string))
	}
	require.Len(t, ids, 3, "one group of two, two of one")
	res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+id+"/groups", map[string]any{"action": "confirm", "group_ids": ids})
	require.Equal(t, 200, res.Status, res.String())

	find := func(q string) string {
		res := testenv.Do(t, "GET", s.URL+"/v1/voter-petitions?session_id="+id+"&q="+url.QueryEscape(q), nil)
		require.Equal(t, 200, res.Status, res.String())
		items := res.Map(t)["items"].([]any)
		require.Len(t, items, 1, q)
		return items[0].(map[string]any)["id"].(string)
	}
	out := seededSession{ID: id, Title: "Kỳ họp 11 · Khóa " + term, Forwarded: map[string]string{
		"bo-y-te": find("thiếu thuốc"), "so-thu-nghiem": find("ngập úng")}}
	for to, vp := range out.Forwarded {
		res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+vp+"/forward", map[string]any{"to_body_id": to})
		require.Equal(t, 200, res.Status, res.String())
	}
	res = testenv.Do(t, "POST", s.URL+"/v1/voter-petitions/"+out.Forwarded["bo-y-te"]+"/answer",
		map[string]any{"class": "resolved", "answered_on": vnToday(), "summary": "Đã bổ sung thuốc cho bệnh viện tuyến huyện."},
		"Authorization", "Bearer "+testenv.Token(t, "yt-1", "bo-y-te", policy.Agency))
	require.Equal(t, 200, res.Status, res.String())
	return out
}
