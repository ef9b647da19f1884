package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/api"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/web"
)

// TestAuthorizationMatrix calls every route as every role, from the body that holds the case
// and from another body, and checks the status against the policy table: a denied call gets
// 401/403/404 and an allowed one gets past authorization (any other status; the bodies sent
// are made to fail validation after the check, so no call changes what the next one sees).
func TestAuthorizationMatrix(t *testing.T) {
	s := testenv.NewStack(t)
	today := time.Now().Format("2006-01-02")
	letter := createLetter(t, s, letterBody(today))["id"].(string)
	act(t, s, letter, "classify", map[string]any{"kind": "complaint"}, 200)
	act(t, s, letter, "forward", map[string]any{"to_body_id": "ubnd-ha-noi"}, 200)
	theCase := policy.Case{ReceivingBodyID: "ubdngs", HeldByBodyID: "ubnd-ha-noi"}
	visit := func() map[string]any {
		return visitBody(today, "guided_oral", map[string]any{"held_at": time.Now().Add(-time.Hour).Format(time.RFC3339)})
	}
	reception := createVisit(t, s, visit())["id"].(string)
	receptionCase := policy.Case{ReceivingBodyID: "ubdngs", HeldByBodyID: "ubdngs"}
	petitions := newPetitionMatrix(t, s) // voters' petitions: a session and a forwarded petition

	bodies := map[string][2]string{} // role -> own body, other body
	for _, r := range policy.Roles {
		bodies[r] = [2]string{"ubdngs", "bo-tai-chinh"}
	}
	bodies[policy.Agency] = [2]string{"ubnd-ha-noi", "ubnd-hue"}

	checked := 0
	for _, route := range s.API.Routes() {
		if route.Method == "OPTIONS" {
			continue
		}
		action := api.RoutePolicy(route.Method, route.Path)
		require.NotEmpty(t, action, "route %s %s has no entry in the policy", route.Method, route.Path)
		path := strings.NewReplacer(":id", letter, ":clock", "processing", ":update_id", "none", ":date", "2026-09-03").Replace(route.Path)
		if strings.HasPrefix(route.Path, web.Prefix+"/") { // the dashboard: session cookie, see checkWebRoute
			path = strings.NewReplacer(":code", "en", ":file", "app.css").Replace(path)
			if strings.HasPrefix(route.Path, web.Prefix+"/sessions/") {
				path = strings.NewReplacer(":id", petitions.session, ":clock", "pre_synthesis").Replace(route.Path)
			}
			checked += checkWebRoute(t, s, route.Method, route.Path, path, theCase, bodies)
			continue
		}
		if strings.HasPrefix(route.Path, "/v1/bodies/") {
			path = "/v1/bodies/ubdngs"
		}
		if strings.HasPrefix(route.Path, "/v1/receptions/:id") {
			path = strings.NewReplacer(":id", reception, ":clock", "refusal_notice").Replace(route.Path)
		}
		if petitions.covers(route.Path) {
			path = petitions.url(route.Path)
		}
		if action == "public" {
			res := testenv.Do(t, route.Method, s.URL+path, nil, "Authorization", "")
			require.NotContains(t, []int{401, 403}, res.Status, "%s %s is public", route.Method, path)
			continue
		}
		res := testenv.Do(t, route.Method, s.URL+path, nil, "Authorization", "")
		require.Equal(t, 401, res.Status, "%s %s without a token", route.Method, path)
		for _, role := range policy.Roles {
			for i, body := range bodies[role] {
				sub := policy.Subject{Roles: []string{role}, BodyID: body}
				tok := "Bearer " + testenv.Token(t, "m-"+role, body, role)
				var reqBody any
				allowed := policy.CanAtAll(sub, action)
				switch {
				case route.Method == "POST" && route.Path == "/v1/letters":
					// a valid letter for ubdngs: only ubdngs's own officers may register it
					reqBody = letterBody(today)
					allowed = policy.Can(sub, action, policy.Case{ReceivingBodyID: "ubdngs"})
				case route.Method == "POST" && route.Path == "/v1/receptions":
					// a valid visit to ubdngs: only ubdngs's own officers may record it
					reqBody = visit()
					allowed = policy.Can(sub, action, policy.Case{ReceivingBodyID: "ubdngs"})
				case strings.HasPrefix(route.Path, "/v1/receptions/:id"):
					allowed = policy.Can(sub, action, receptionCase)
					reqBody = map[string]any{"sent_on": "not-a-date"}
				case petitions.covers(route.Path):
					allowed = petitions.allowed(sub, route.Path, action)
					if route.Method == "POST" {
						reqBody = map[string]any{"on": "not-a-date"}
					}
				case strings.HasPrefix(route.Path, "/v1/letters/:id"):
					allowed = policy.Can(sub, action, theCase)
					reqBody = map[string]any{"on": "not-a-date"}
					if route.Path == "/v1/letters/:id/identity-grants" {
						reqBody = map[string]any{"reason": "x"}
					}
				case route.Method == "POST" || route.Method == "PUT":
					reqBody = map[string]any{}
				}
				if route.Path == "/codec/encode" || route.Path == "/codec/decode" {
					reqBody = map[string]any{"payloads": []any{}}
				}
				res := testenv.Do(t, route.Method, s.URL+path, reqBody, "Authorization", tok)
				where := fmt.Sprintf("%s %s as %s of %s (own=%v)", route.Method, path, role, body, i == 0)
				if allowed {
					require.NotContains(t, []int{401, 403}, res.Status, "%s should pass authorization: %s", where, res.String())
				} else {
					require.Contains(t, []int{403, 404}, res.Status, "%s should be refused: %s", where, res.String())
				}
				checked++
			}
		}
	}
	t.Logf("checked %d route × role × body combinations", checked)
	require.Greater(t, checked, 300)
}
