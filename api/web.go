package api

import (
	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/web"
)

// webRoutes mounts the supervisors' dashboard (package web) under /ui. Its routes are public
// to the bearer-token middleware because a browser sends a session cookie instead; the web
// handlers verify that cookie with the same verifier and check the same policy table, and
// read through this router's own JSON handlers in-process.
func (s *Server) webRoutes(r *gin.Engine) {
	web.New(web.Deps{DB: s.DB, Verifier: s.Verifier, API: r, Logger: s.Logger, Now: s.Now}).Mount(r)
}
