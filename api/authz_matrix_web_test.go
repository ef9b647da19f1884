package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/api"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/web"
)

// checkWebRoute is the authorization matrix of one dashboard route. The router lets /ui
// routes through as public (a browser sends a cookie, not a bearer header), so this checks
// what the web handlers enforce instead: without a session cookie — even with a valid bearer
// header — a page redirects to the login form; with one, each role × body gets the page
// exactly when the policy table allows the page's action (web.RouteActions) on the case.
// It returns how many combinations it checked.
func checkWebRoute(t *testing.T, s *testenv.Stack, method, route, path string, theCase policy.Case, bodies map[string][2]string) int {
	t.Helper()
	require.Equal(t, "public", api.RoutePolicy(method, route), "%s %s: dashboard routes are public to the bearer middleware", method, route)
	action, known := web.RouteActions[method+" "+route]
	require.True(t, known, "%s %s has no entry in web.RouteActions", method, route)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(header, value string) (int, string) {
		req, err := http.NewRequest(method, s.URL+path, nil)
		require.NoError(t, err)
		if header != "" {
			req.Header.Set(header, value)
		}
		res, err := noFollow.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, res.Header.Get("Location")
	}
	if action == "" {
		status, loc := call("", "")
		require.Less(t, status, 500, "%s %s", method, path)
		require.NotEqual(t, 403, status, "%s %s is open to anyone", method, path)
		require.False(t, strings.HasPrefix(loc, web.Prefix+"/login?"), "%s %s needs no session", method, path)
		return 1
	}
	status, loc := call("", "")
	require.Equal(t, http.StatusSeeOther, status, "%s %s without a session", method, path)
	require.True(t, strings.HasPrefix(loc, web.Prefix+"/login?next="), "%s %s sends to the login form: %s", method, path, loc)
	status, _ = call("Authorization", "Bearer "+testenv.DefaultToken(t))
	require.Equal(t, http.StatusSeeOther, status, "%s %s: a bearer header is not a session", method, path)
	status, _ = call("Cookie", web.SessionCookie+"=forged.token.value")
	require.Equal(t, http.StatusSeeOther, status, "%s %s with a forged cookie", method, path)
	checked := 3
	for _, role := range policy.Roles {
		for i, body := range bodies[role] {
			sub := policy.Subject{Roles: []string{role}, BodyID: body}
			allowed := policy.CanAtAll(sub, action)
			if strings.HasPrefix(route, web.Prefix+"/letters/:id") {
				allowed = policy.Can(sub, action, theCase)
			}
			status, _ := call("Cookie", web.SessionCookie+"="+testenv.Token(t, "m-"+role, body, role))
			where := method + " " + path + " as " + role + " of " + body
			if allowed {
				require.NotContains(t, []int{303, 401, 403, 404}, status, "%s (own=%v) should see the page", where, i == 0)
				require.Less(t, status, 500, where)
			} else {
				require.Contains(t, []int{403, 404}, status, "%s (own=%v) should be refused", where, i == 0)
			}
			checked++
		}
	}
	return checked
}
