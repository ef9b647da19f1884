package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/workflows"
)

type smokeRequest struct {
	Note string `json:"note"`
}

// smoke runs SmokeWorkflow and waits for its row, proving API -> Temporal -> worker ->
// PostgreSQL end to end.
func (s *Server) smoke(c *gin.Context) {
	var req smokeRequest
	if c.Request.ContentLength != 0 && !decodeJSON(c, &req) {
		return
	}
	if utf8.RuneCountInString(req.Note) > 200 {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "note", Message: "at most 200 characters"}}))
		return
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.UpdateTimeout*2)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "smoke-" + id, TaskQueue: s.TaskQueue,
	}, workflows.SmokeWorkflow, workflows.SmokeInput{ID: id, Note: req.Note})
	if err != nil {
		fail(c, err)
		return
	}
	var out workflows.SmokeResult
	if err := run.Get(ctx, &out); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
