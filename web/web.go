// Package web is the supervisors' dashboard: server-rendered HTML (html/template, embedded
// CSS, an SVG chart drawn on the server, no script) mounted by the API process under /ui.
//
// The browser holds the same bearer token as an API client, in an HttpOnly SameSite=Strict
// cookie. Every page verifies it with the API's auth.Verifier and checks the policy table.
// Letter reads, the overdue list, identity reveals, sessions and their answer tables, and
// exports go through the JSON API's own handlers in-process with that token, so the dashboard shows exactly what the API would —
// the same filters, body scoping, pseudonyms for protected senders, and audit rows — from
// the PostgreSQL read model, never by querying workflows.
package web

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/internal/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the dashboard needs from the API process.
type Deps struct {
	DB       *gorm.DB
	Verifier auth.Verifier
	// API is the JSON API's handler; the dashboard calls it in-process with the viewer's token.
	API    http.Handler
	Logger *slog.Logger
	Now    func() time.Time
}

// Handler serves the dashboard.
type Handler struct {
	Deps
	pages map[string]*template.Template
}

// Prefix is where the dashboard is mounted.
const Prefix = "/ui"

// RouteActions maps each dashboard route to the policy action its page reads under; "" marks
// the pages anyone may open (login, language, assets). The API router treats every /ui route
// as public because the browser sends a cookie, not a bearer header: these handlers enforce
// the session and the policy themselves (see the authorization matrix test).
var RouteActions = map[string]string{
	"GET " + Prefix + "/login":                    "",
	"POST " + Prefix + "/login":                   "",
	"GET " + Prefix + "/lang/:code":               "",
	"GET " + Prefix + "/static/:file":             "",
	"POST " + Prefix + "/logout":                  "",
	"GET " + Prefix + "/":                         "letters.list",
	"GET " + Prefix + "/overdue":                  "letters.list",
	"GET " + Prefix + "/overdue/export":           "letters.list",
	"GET " + Prefix + "/letters/:id":              "letters.read",
	"GET " + Prefix + "/letters/:id/proof/:clock": "letters.read",
	"GET " + Prefix + "/letters/:id/identity":     "letters.read",
	// voters' petitions: the session cycles and the per-body answer table
	"GET " + Prefix + "/sessions":                  "sessions.read",
	"GET " + Prefix + "/sessions/:id":              "sessions.read",
	"GET " + Prefix + "/sessions/:id/proof/:clock": "sessions.read",
	"GET " + Prefix + "/sessions/:id/export":       "sessions.report",
}

// New parses the templates; it panics on a template error, which the tests catch.
func New(d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	h := &Handler{Deps: d, pages: map[string]*template.Template{}}
	for _, page := range []string{"login", "overview", "overdue", "letter", "proof", "identity", "error", "sessions", "session"} {
		h.pages[page] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html"))
	}
	return h
}

// Mount registers the dashboard's routes on the router.
func (h *Handler) Mount(r *gin.Engine) {
	g := r.Group(Prefix, securityHeaders)
	g.GET("/static/:file", h.static)
	g.GET("/login", h.loginForm)
	g.POST("/login", h.login)
	g.POST("/logout", h.logout)
	g.GET("/lang/:code", h.setLang)
	g.GET("/", h.page("letters.list", h.overview))
	g.GET("/overdue", h.page("letters.list", h.overdue))
	g.GET("/overdue/export", h.page("letters.list", h.export))
	g.GET("/letters/:id", h.page("letters.read", h.letter))
	g.GET("/letters/:id/proof/:clock", h.page("letters.read", h.proof))
	g.GET("/letters/:id/identity", h.page("letters.read", h.identity))
	g.GET("/sessions", h.page("sessions.read", h.sessionList))
	g.GET("/sessions/:id", h.page("sessions.read", h.sessionPage))
	g.GET("/sessions/:id/proof/:clock", h.page("sessions.read", h.sessionProof))
	g.GET("/sessions/:id/export", h.page("sessions.report", h.sessionExport))
}

// securityHeaders: the pages load nothing but their own stylesheet, run no script, and may
// not be framed.
func securityHeaders(c *gin.Context) {
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Referrer-Policy", "same-origin")
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// static serves the embedded stylesheet; anything else is a 404 page.
func (h *Handler) static(c *gin.Context) {
	name := c.Param("file")
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil || !strings.HasSuffix(name, ".css") {
		h.fail(c, viewer{}, http.StatusNotFound, "")
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "text/css; charset=utf-8", b)
}
