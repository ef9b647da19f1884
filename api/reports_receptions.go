package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/models"
)

// receptionReport serves the reception table of the periodic report (domain.md §9, item 1):
// supervisors for any body or all of them, officers and heads for their own body (the
// default when they name none). It is meant to be folded into /v1/reports/summary.
func (s *Server) receptionReport(c *gin.Context) {
	var v apperr.Validation
	date := func(name string) deadline.Date {
		raw := c.Query(name)
		if raw == "" {
			return deadline.Date{}
		}
		d, err := deadline.ParseDate(raw)
		if err != nil {
			v.Add(name, "must be a date YYYY-MM-DD (visits held from/to it, inclusive)")
		}
		return d
	}
	from, to := date("from"), date("to")
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		v.Add("to", "is before from")
	}
	ctx := c.Request.Context()
	body := c.Query("body_id")
	if body != "" {
		if ok, err := models.BodyExists(ctx, s.DB, body); err != nil {
			fail(c, err)
			return
		} else if !ok {
			v.Add("body_id", "no body %q; see GET /v1/bodies", body)
		}
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	if sub := subject(c); s.Verifier != nil && !policy.ReadsAcrossBodies(sub, "reports.receptions") {
		if body == "" {
			body = sub.BodyID
		}
		if !policy.Can(sub, "reports.receptions", policy.Case{ReceivingBodyID: body}) {
			fail(c, apperr.New(apperr.Forbidden, "you may read the reception report of your own body (%s) only", sub.BodyID))
			return
		}
	}
	var bodies []string
	if body != "" {
		bodies = []string{body}
	}
	stats, err := models.ReceptionSummary(ctx, s.DB, from, to, bodies...)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, stats)
}
