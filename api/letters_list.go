package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/export"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
)

// listLetters serves GET /v1/letters from the read model.
func (s *Server) listLetters(c *gin.Context) {
	now := s.now()
	f := models.LetterFilter{Now: now, Sort: c.Query("sort"), Cursor: c.Query("cursor")}
	var v apperr.Validation
	multi := func(name string) []string {
		var out []string
		for _, raw := range c.QueryArray(name) {
			for _, p := range strings.Split(raw, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
		return out
	}
	f.Status, f.Kind, f.BodyID, f.Assignee = multi("status"), multi("kind"), multi("body_id"), multi("assignee")
	f.Limit = 50
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			v.Add("limit", "must be a whole number from 1 to 500")
		}
		f.Limit = n
	}
	if o := c.Query("overdue"); o != "" {
		b, err := strconv.ParseBool(o)
		if err != nil {
			v.Add("overdue", "must be true or false")
		}
		f.Overdue = &b
	}
	date := func(name string) string {
		raw := c.Query(name)
		if raw == "" {
			return ""
		}
		if _, err := deadline.ParseDate(raw); err != nil {
			v.Add(name, "must be a date YYYY-MM-DD")
			return ""
		}
		return raw
	}
	f.ReceivedFrom, f.ReceivedTo = date("received_from"), date("received_to")
	if d := date("due_before"); d != "" {
		t := deadline.MustParseDate(d).AddDays(-1).EndAt()
		f.DueBefore = &t
	}
	if raw := c.Query("due_within_days"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 365 {
			v.Add("due_within_days", "must be a whole number of working days from 0 to 365")
		} else if t, err := s.dueWithin(c, n, now); err != nil {
			v.Add("due_within_days", "%v", err)
		} else {
			f.DueBefore = &t
		}
	}
	if q := c.Query("q"); q != "" {
		if len([]rune(q)) > 200 || textnorm.Problem(q) != "" {
			v.Add("q", "at most 200 printable characters")
		}
		f.Q = textnorm.Fold(q)
	}
	format, asFile, ferr := export.Negotiate(c.Query("format"), c.GetHeader("Accept"))
	if ferr != nil {
		v.Add("format", "%v", ferr)
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	// Officers see their body's letters, agencies what is forwarded to them, supervisors all.
	if sub := subject(c); s.Verifier != nil && !policy.ReadsAcrossBodies(sub, "letters.list") {
		f.VisibleTo, f.HeldOnly = sub.BodyID, policy.HeldOnly(sub, "letters.list")
	}
	if asFile {
		s.exportLetters(c, f, format, now)
		return
	}
	rows, next, err := models.ListLetters(c.Request.Context(), s.DB, f)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]LetterView, 0, len(rows))
	for _, r := range rows {
		lv, err := s.letterView(r, now)
		if err != nil {
			fail(c, err)
			return
		}
		items = append(items, lv)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}

// dueWithin is the end of the n-th working day from today: "due within n working days".
func (s *Server) dueWithin(c *gin.Context, n int, now time.Time) (time.Time, error) {
	cal, err := models.LoadCalendar(c.Request.Context(), s.DB)
	if err != nil {
		return time.Time{}, err
	}
	res, err := deadline.Compute(cal, deadline.Request{Start: deadline.DateOf(now), Days: n, Unit: deadline.WorkingDays})
	if err != nil {
		return time.Time{}, err
	}
	return res.DueAt, nil
}
