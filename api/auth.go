package api

import (
	"context"
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

const public = "public"

// routePolicy maps every route to its action in the policy table (or public). A route
// missing here is refused: new routes fail closed until someone decides who may call them.
var routePolicy = map[string]string{
	"GET /healthz":              public,
	"GET /readyz":               public,
	"GET /metrics":              public, // operations scrape it; it carries no case data
	"GET /openapi.json":         public,
	"GET /docs":                 public,
	"GET /v1/calendar/deadline": public,

	"POST /v1/ops/smoke": "ops.smoke",
	"POST /codec/encode": "codec.use",
	"POST /codec/decode": "codec.use",

	"POST /v1/letters":                           "letters.create",
	"GET /v1/letters":                            "letters.list",
	"GET /v1/letters/:id":                        "letters.read",
	"GET /v1/letters/:id/duplicates":             "letters.read",
	"GET /v1/letters/:id/deadlines/:clock/proof": "letters.read",
	"GET /v1/letters/:id/updates/:update_id":     "letters.read",
	"GET /v1/letters/:id/identity":               "letters.read",
	"POST /v1/letters/:id/identity-grants":       "identity.grant",
	"GET /v1/audit":                              "audit.read",

	"GET /v1/bodies":     "bodies.read",
	"GET /v1/bodies/:id": "bodies.read",
	"POST /v1/bodies":    "bodies.write",
	"PUT /v1/bodies/:id": "bodies.write",

	"GET /v1/calendar/holidays":               "calendar.read",
	"GET /v1/calendar/holidays/:date/history": "calendar.read",
	"PUT /v1/calendar/holidays/:date":         "calendar.write",
	"DELETE /v1/calendar/holidays/:date":      "calendar.write",
	"GET /v1/calendar/changes/:id":            "calendar.read",
	"GET /v1/rules":                           "rules.read",

	// citizen reception (module 1)
	"POST /v1/receptions":                           "receptions.create",
	"GET /v1/receptions":                            "receptions.list",
	"GET /v1/receptions/:id":                        "receptions.read",
	"GET /v1/receptions/:id/deadlines/:clock/proof": "receptions.read",
	"GET /v1/receptions/:id/identity":               "receptions.read",
	"POST /v1/receptions/:id/refusal-notice":        "receptions.notice",
	"GET /v1/reports/receptions":                    "reports.receptions",
	// voters' petitions (module 3); the actions of each voter petition are added in init
	"POST /v1/sessions":                                  "sessions.manage",
	"GET /v1/sessions":                                   "sessions.read",
	"GET /v1/sessions/:id":                               "sessions.read",
	"GET /v1/sessions/:id/deadlines/:clock/proof":        "sessions.read",
	"POST /v1/sessions/:id/petitions":                    "sessions.collect",
	"POST /v1/sessions/:id/petitions:import":             "sessions.collect",
	"POST /v1/sessions/:id/synthesize":                   "sessions.synthesize",
	"GET /v1/sessions/:id/groups":                        "sessions.read",
	"POST /v1/sessions/:id/groups":                       "sessions.synthesize",
	"POST /v1/sessions/:id/schedule":                     "sessions.manage",
	"POST /v1/sessions/:id/report-results":               "sessions.manage",
	"POST /v1/sessions/:id/close":                        "sessions.manage",
	"GET /v1/sessions/:id/report":                        "sessions.report",
	"GET /v1/voter-petitions":                            "voter-petitions.list",
	"GET /v1/voter-petitions/:id":                        "voter-petitions.read",
	"GET /v1/voter-petitions/:id/deadlines/:clock/proof": "voter-petitions.read",

	// supervisor dashboard (package web): the browser sends a session cookie, not a bearer
	// header, so these are public here and the web handlers enforce the session and the
	// policy themselves (web.RouteActions; tested in the authorization matrix)
	"GET /ui/":                         public,
	"GET /ui/login":                    public,
	"POST /ui/login":                   public,
	"POST /ui/logout":                  public,
	"GET /ui/lang/:code":               public,
	"GET /ui/static/:file":             public,
	"GET /ui/overdue":                  public,
	"GET /ui/overdue/export":           public,
	"GET /ui/letters/:id":              public,
	"GET /ui/letters/:id/proof/:clock": public,
	"GET /ui/letters/:id/identity":     public,
	// reports (issue 7): heads for their own body, supervisors across bodies
	"GET /v1/reports/overdue": "reports.read",
	"GET /v1/reports/summary": "reports.read",
	// dashboard pages of voters' petitions: sessions and the per-body answer table
	"GET /ui/sessions":                  public,
	"GET /ui/sessions/:id":              public,
	"GET /ui/sessions/:id/proof/:clock": public,
	"GET /ui/sessions/:id/export":       public,
}

func init() {
	for _, name := range workflows.ActionNames() {
		routePolicy["POST /v1/letters/:id/"+name] = "letters." + name
	}
	for _, name := range workflows.VPActionNames() {
		routePolicy["POST /v1/voter-petitions/:id/"+name] = "voter-petitions." + name
	}
}

// authenticate verifies the bearer token of every non-public route and checks the caller's
// roles against the route's action; per-case scope is checked where the case is loaded.
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		route := c.FullPath()
		if route == "" || c.Request.Method == "OPTIONS" { // unknown route: NoRoute answers 404
			c.Next()
			return
		}
		action, ok := routePolicy[c.Request.Method+" "+route]
		if !ok {
			logger(c).Error("route has no policy", "route", route)
			fail(c, apperr.New(apperr.Forbidden, "no access policy covers %s %s", c.Request.Method, route))
			return
		}
		if action == public {
			c.Next()
			return
		}
		if s.Verifier == nil {
			// Routing unit tests build the router without a verifier; every real process
			// (cmd/dannguyen) and the integration stack pass one.
			c.Next()
			return
		}
		raw, found := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !found || strings.TrimSpace(raw) == "" {
			c.Header("WWW-Authenticate", `Bearer realm="dannguyen"`)
			fail(c, apperr.New(apperr.Unauthorized, "send Authorization: Bearer <token>"))
			return
		}
		p, err := s.Verifier.Verify(c.Request.Context(), strings.TrimSpace(raw))
		if err != nil {
			logger(c).Info("token refused", "err", err)
			c.Header("WWW-Authenticate", `Bearer realm="dannguyen", error="invalid_token"`)
			fail(c, apperr.New(apperr.Unauthorized, "the token is invalid or expired"))
			return
		}
		c.Set(actorKey, workflows.Actor{Sub: p.Sub, Name: p.Name, Roles: p.Roles, BodyID: p.BodyID})
		c.Set(loggerKey, logger(c).With("sub", p.Sub))
		if !policy.CanAtAll(subject(c), action) {
			fail(c, apperr.New(apperr.Forbidden, "your roles %v do not allow %s", p.Roles, action))
			return
		}
		c.Set(actionKey, action)
		c.Next()
	}
}

const actionKey = "dn.action"

func subject(c *gin.Context) policy.Subject {
	a := actorOf(c)
	return policy.Subject{Roles: a.Roles, BodyID: a.BodyID}
}

// letterCase is the policy's view of a stored letter.
func letterCase(r models.LetterRow) policy.Case {
	return policy.Case{ReceivingBodyID: r.ReceivingBodyID, HeldByBodyID: r.BodyID}
}

// loadLetterFor reads a letter and checks the caller may do action on it. A caller who may
// not even read it gets 404, not 403, so letter ids of other bodies are not confirmed.
func (s *Server) loadLetterFor(c *gin.Context, action string) (models.LetterRow, bool) {
	row, err := models.GetLetter(c.Request.Context(), s.DB, c.Param("id"))
	if err != nil {
		fail(c, err)
		return row, false
	}
	sub := subject(c)
	if !policy.Can(sub, "letters.read", letterCase(row)) && !policy.Can(sub, action, letterCase(row)) {
		fail(c, apperr.New(apperr.NotFound, "no letter %s", row.ID))
		return row, false
	}
	if !policy.Can(sub, action, letterCase(row)) {
		fail(c, apperr.New(apperr.Forbidden, "your roles and body do not allow %s on this letter", action))
		return row, false
	}
	return row, true
}

// verifierFor builds the token verifier the configuration asks for.
func VerifierFor(ctx context.Context, mode, secret, issuer, audience, oidcIssuer, oidcAudience, jwks string) (auth.Verifier, error) {
	switch mode {
	case "hs256":
		return auth.HS256{Secret: []byte(secret), Issuer: issuer, Audience: audience}, nil
	case "oidc":
		return auth.NewOIDC(ctx, oidcIssuer, oidcAudience, jwks)
	}
	return nil, errors.New("unknown AUTH_MODE " + mode)
}
