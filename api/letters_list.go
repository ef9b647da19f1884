package api

import (
	"encoding/json"
	"net/http"
	"slices"
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

var letterSorts = []string{"-received_on", "received_on", "due_at"}

// listLetters serves GET /v1/letters from the read model.
func (s *Server) listLetters(c *gin.Context) {
	now := s.now()
	if t, ok := models.CursorTime(c.Query("cursor")); ok {
		now = t // every page of one listing judges "overdue" and "due within" at the same instant
	}
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
	if f.ReceivedFrom != "" && f.ReceivedTo != "" && f.ReceivedFrom > f.ReceivedTo {
		v.Add("received_to", "is before received_from")
	}
	// due_before and due_within_days both bound the due instant; together, the earlier wins.
	dueBy := func(t time.Time) {
		if f.DueBy == nil || t.Before(*f.DueBy) {
			f.DueBy = &t
		}
	}
	if d := date("due_before"); d != "" {
		dueBy(deadline.MustParseDate(d).AddDays(-1).EndAt()) // due on the day before at the latest
	}
	if raw := c.Query("due_within_days"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 365 {
			v.Add("due_within_days", "must be a whole number of working days from 0 to 365")
		} else if t, err := s.dueWithin(c, n, now); err != nil {
			v.Add("due_within_days", "%v", err)
		} else {
			dueBy(t)
		}
	}
	if q := c.Query("q"); q != "" {
		if len([]rune(q)) > 200 || textnorm.Problem(q) != "" {
			v.Add("q", "at most 200 printable characters")
		}
		f.Q = textnorm.Fold(q)
		f.IdentityKeys = s.searchKeys(q)
	}
	if f.Sort != "" && !slices.Contains(letterSorts, f.Sort) && (f.Sort != "relevance" || f.Q == "") {
		v.Add("sort", "must be one of %s (relevance, the default with q, only with q)", strings.Join(letterSorts, ", "))
	}
	format, asFile, ferr := export.Negotiate(c.Query("format"), c.GetHeader("Accept"))
	if ferr != nil {
		v.Add("format", "%v", ferr)
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	sub := subject(c)
	actor := actorOf(c)
	f.Searcher = models.Searcher{Sub: actor.Sub, BodyID: actor.BodyID, Head: slices.Contains(actor.Roles, policy.Head)}
	// Officers see their body's letters, agencies what is forwarded to them, supervisors all.
	if s.Verifier != nil && !policy.ReadsAcrossBodies(sub, "letters.list") {
		f.VisibleTo, f.HeldOnly = sub.BodyID, policy.HeldOnly(sub, "letters.list")
	}
	if asFile {
		s.exportLetters(c, f, format, now)
		return
	}
	page, err := models.ListLettersPage(c.Request.Context(), s.DB, f)
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.auditIdentityMatches(c, page.IdentityMatches); err != nil {
		fail(c, err)
		return
	}
	items := make([]LetterView, 0, len(page.Rows))
	for _, r := range page.Rows {
		lv, err := s.letterView(r, now)
		if err != nil {
			fail(c, err)
			return
		}
		items = append(items, lv)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": page.Next})
}

// searchKeys reads the search text as a sender's full name and, when it is 9 or 12 digits, an
// ID number, and returns the keyed hashes intake stored for such senders.
func (s *Server) searchKeys(q string) []string {
	p := senderIn{FullName: q}
	if d := textnorm.Digits(q); (len(d) == 9 || len(d) == 12) && strings.TrimSpace(strings.NewReplacer(" ", "", ".", "").Replace(q)) == d {
		p = senderIn{IDNumber: d}
	}
	return s.senderKeys(p)
}

// auditIdentityMatches writes one audit row per protected letter that a search found by its
// sender's identity: finding a denouncer by name tells as much as a reveal. The search text
// itself is not written, since it is the identity.
func (s *Server) auditIdentityMatches(c *gin.Context, ids []string) error {
	actor := actorOf(c)
	for _, id := range ids {
		detail, _ := json.Marshal(map[string]any{"via": "search"})
		if err := models.Audit(c.Request.Context(), s.DB, models.AuditEntry{Actor: actor.Sub, Action: "identity.search",
			LetterID: id, Allowed: true, Reason: "search by the sender's name or ID number", Detail: detail}); err != nil {
			return err
		}
	}
	return nil
}

// dueWithin is the end of the n-th working day from today: "due within n working days".
func (s *Server) dueWithin(c *gin.Context, n int, now time.Time) (time.Time, error) {
	cal, err := models.LoadCalendar(c.Request.Context(), s.DB)
	if err != nil {
		return time.Time{}, err
	}
	if n == 0 {
		return deadline.DateOf(now).EndAt(), nil
	}
	res, err := deadline.Compute(cal, deadline.Request{Start: deadline.DateOf(now), Days: n, Unit: deadline.WorkingDays})
	if err != nil {
		return time.Time{}, err
	}
	return res.DueAt, nil
}
