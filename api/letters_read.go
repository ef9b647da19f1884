package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/rulebook"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// letterDuplicates lists earlier letters that look like this one, best first.
func (s *Server) letterDuplicates(c *gin.Context) {
	ctx := c.Request.Context()
	row, ok := s.loadLetterFor(c, "letters.read")
	if !ok {
		return
	}
	items, err := models.DuplicateCandidates(ctx, s.DB, row, 20)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]gin.H, 0, len(items))
	for _, d := range items {
		out = append(out, gin.H{"id": d.ID, "number": d.Number, "received_on": deadline.DateOf(d.ReceivedOn.Add(12 * time.Hour)).String(),
			"status": d.Status, "subject": d.Subject, "same_sender": d.SameSender, "content_similarity": d.Similarity,
			"score": d.Score, "duplicate_of": d.DuplicateOf})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

// clockProof rebuilds the day-by-day proof of one clock from its stored inputs against the
// calendar as it is now (a calendar change recomputes running clocks, so the two agree).
func (s *Server) clockProof(c *gin.Context) {
	ctx := c.Request.Context()
	row, ok := s.loadLetterFor(c, "letters.read")
	if !ok {
		return
	}
	clocks, err := row.ClockList()
	if err != nil {
		fail(c, err)
		return
	}
	var clock *workflows.Clock
	names := make([]string, 0, len(clocks))
	for i := range clocks {
		names = append(names, clocks[i].Name)
		if clocks[i].Name == c.Param("clock") {
			clock = &clocks[i]
		}
	}
	if clock == nil {
		fail(c, apperr.New(apperr.NotFound, "letter %s has no clock %q; it has %s", row.ID, c.Param("clock"), strings.Join(names, ", ")))
		return
	}
	cal, err := models.LoadCalendar(ctx, s.DB)
	if err != nil {
		fail(c, err)
		return
	}
	legs := make([]gin.H, 0, len(clock.Legs))
	var text []string
	for _, leg := range clock.Legs {
		v := deadline.Variant(leg.Variant)
		if v == "" {
			v = deadline.Normal
		}
		res, rule, err := deadline.ComputeRule(cal, rulebook.Rules(), leg.RuleID, v, leg.StartOn, deadline.Options{Proof: true})
		if err != nil {
			fail(c, apperr.New(apperr.Invalid, "cannot rebuild the proof: %v", err))
			return
		}
		legs = append(legs, gin.H{"rule_id": rule.ID, "name": rule.Name, "legal_basis": rule.LegalBasis, "start_on": leg.StartOn,
			"due_on": res.DueOn, "due_at": res.DueAt, "steps": res.Proof.Steps, "summary": res.Proof.Summary})
		text = append(text, res.Proof.Text())
	}
	c.JSON(http.StatusOK, gin.H{"letter_id": row.ID, "clock": clock.Name, "rule_id": clock.RuleID, "status": clock.Status,
		"start_on": clock.StartOn, "due_on": clock.DueOn, "due_at": clock.DueAt, "legal_basis": clock.LegalBasis,
		"legs": legs, "text": strings.Join(text, "\n\n")})
}

// letterUpdateStatus answers for an action that outlived the API's wait budget.
func (s *Server) letterUpdateStatus(c *gin.Context) {
	if _, ok := s.loadLetterFor(c, "letters.read"); !ok {
		return
	}
	id := c.Param("id")
	ctx, cancel := context.WithTimeout(c.Request.Context(), time.Second)
	defer cancel()
	h := s.Temporal.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{
		WorkflowID: workflows.LetterWorkflowID(id), UpdateID: c.Param("update_id"),
	})
	var res workflows.Result
	err := h.Get(ctx, &res)
	if err != nil && outlived(ctx, err) {
		c.JSON(http.StatusAccepted, gin.H{"status": "pending", "update_id": c.Param("update_id")})
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	s.respondLetter(c, http.StatusOK, id)
}

func (s *Server) letterRoutes(g *gin.RouterGroup) {
	g.POST("/letters", s.createLetter)
	g.GET("/letters", s.listLetters)
	g.GET("/letters/:id", s.getLetter)
	g.GET("/letters/:id/duplicates", s.letterDuplicates)
	g.GET("/letters/:id/deadlines/:clock/proof", s.clockProof)
	g.GET("/letters/:id/updates/:update_id", s.letterUpdateStatus)
	for _, name := range workflows.ActionNames() {
		g.POST("/letters/:id/"+name, s.letterAction(name))
	}
}
