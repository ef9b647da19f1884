// Package api is the HTTP face of the service: the Gin router, its middleware, the handlers,
// problem+json errors and the OpenAPI document.
package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/crypt"
)

// Deps are what the handlers need.
type Deps struct {
	DB               *gorm.DB
	Temporal         client.Client
	TaskQueue        string
	Logger           *slog.Logger
	MaxBodyBytes     int64
	UpdateTimeout    time.Duration
	TemporalUIURL    string
	PseudonymKey     string         // keyed hashes of sender identities (duplicate hints)
	Verifier         auth.Verifier  // bearer tokens; nil only in unit tests of routing
	VaultKeys        *crypt.Keyring // the identity vault
	PayloadKeys      *crypt.Keyring // the Temporal payload codec (/codec)
	CodecCORSOrigins string
	Now              func() time.Time // the clock; tests may fix it
	AtRiskWD         int              // reports: "at risk" = due within this many working days (LADDER_WARNING_WD; 0: 2)
}

// Server holds the router and its dependencies.
type Server struct {
	Deps
	router  *gin.Engine
	metrics *httpMetrics
}

func init() { gin.SetMode(gin.ReleaseMode) }

// New builds the router with every route registered.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.UpdateTimeout == 0 {
		d.UpdateTimeout = 5 * time.Second
	}
	if d.PseudonymKey == "" {
		d.PseudonymKey = "dev-only-pseudonym-key-change-me"
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{Deps: d, router: gin.New(), metrics: newHTTPMetrics()}
	r := s.router
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = false // handlers pass c.Request.Context(), never *gin.Context
	r.Use(withRequestID(d.Logger), recoverProblem(), accessLog(s.metrics), limitBody(d.MaxBodyBytes), rejectUnstorableText(), s.authenticate())
	r.NoRoute(func(c *gin.Context) {
		fail(c, apperr.New(apperr.NotFound, "no route %s %s; see /docs", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, Problem{
			Type: problemBase + "MethodNotAllowed", Title: http.StatusText(http.StatusMethodNotAllowed),
			Status: http.StatusMethodNotAllowed, Instance: c.Request.URL.Path, RequestID: requestID(c),
			Detail: c.Request.Method + " is not allowed on " + c.Request.URL.Path + "; see /docs",
		})
	})
	s.routes()
	return s
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.router }

func (s *Server) routes() {
	r := s.router
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", gin.WrapH(metricsHandler()))
	r.GET("/openapi.json", s.openapi)
	r.GET("/docs", s.docs)

	v1 := r.Group("/v1")
	v1.POST("/ops/smoke", s.smoke)
	s.letterRoutes(v1)
	v1.GET("/letters/:id/identity", s.revealIdentity)
	v1.POST("/letters/:id/identity-grants", s.grantIdentity)
	v1.GET("/audit", s.listAudit)
	s.codecRoutes(r)
	s.bodyRoutes(v1)
	s.calendarRoutes(v1)
	s.receptionRoutes(v1)
	s.petitionRoutes(v1)
	s.webRoutes(r)
	s.reportRoutes(v1)
}

// Routes lists the registered routes (for the authorization matrix test and the docs check).
// A literal colon in a path is registered escaped (petitions\:import); it is listed as served.
func (s *Server) Routes() gin.RoutesInfo {
	routes := s.router.Routes()
	for i := range routes {
		routes[i].Path = strings.ReplaceAll(routes[i].Path, `\:`, ":")
	}
	return routes
}

// RoutePolicy returns the policy action of a route ("public" for routes without a token), or
// "" when the route has none.
func RoutePolicy(method, path string) string { return routePolicy[method+" "+path] }
