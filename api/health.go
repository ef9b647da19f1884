package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/models"
)

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 only when PostgreSQL and Temporal both answer; otherwise 503 naming the
// one that does not. Both checks run at once so a hung dependency costs one timeout, not two.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	pg := make(chan error, 1)
	tm := make(chan error, 1)
	go func() { pg <- models.Ping(ctx, s.DB) }()
	go func() {
		_, err := s.Temporal.CheckHealth(ctx, nil)
		tm <- err
	}()
	checks := map[string]string{"postgres": "ok", "temporal": "ok"}
	var down []string
	if err := <-pg; err != nil {
		checks["postgres"] = "unreachable"
		down = append(down, "postgres")
		logger(c).Warn("readiness: postgres down", "err", err)
	}
	if err := <-tm; err != nil {
		checks["temporal"] = "unreachable"
		down = append(down, "temporal")
		logger(c).Warn("readiness: temporal down", "err", err)
	}
	if len(down) > 0 {
		detail := down[0] + " does not answer"
		if len(down) == 2 {
			detail = "postgres and temporal do not answer"
		}
		writeProblem(c, Problem{
			Type: problemBase + "Unavailable", Title: http.StatusText(http.StatusServiceUnavailable),
			Status: http.StatusServiceUnavailable, Detail: detail, Instance: c.Request.URL.Path,
			RequestID: requestID(c), Extra: map[string]any{"checks": checks, "unavailable": down},
		})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": checks})
}
