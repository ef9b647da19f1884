package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/rulebook"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
)

// listReceptions serves GET /v1/receptions, newest first: officers and heads see their
// body's register, supervisors every body's. Protected citizens show as their pseudonym.
func (s *Server) listReceptions(c *gin.Context) {
	var v apperr.Validation
	f := models.ReceptionFilter{Limit: 50, Cursor: c.Query("cursor")}
	multi := func(name string, allowed []string) []string {
		var out []string
		for _, raw := range c.QueryArray(name) {
			for _, p := range strings.Split(raw, ",") {
				if p = strings.TrimSpace(p); p == "" {
					continue
				}
				if allowed != nil && !slices.Contains(allowed, p) {
					v.Add(name, "%q is not one of %v", p, allowed)
				}
				out = append(out, p)
			}
		}
		return out
	}
	f.Type, f.Outcome, f.BodyID = multi("type", models.ReceptionTypes), multi("outcome", models.ReceptionOutcomes), multi("body_id", nil)
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		v.Check(err == nil && n >= 1 && n <= 500, "limit", "must be a whole number from 1 to 500")
		f.Limit = n
	}
	date := func(name string) string {
		raw := c.Query(name)
		if _, err := deadline.ParseDate(raw); raw != "" && err != nil {
			v.Add(name, "must be a date YYYY-MM-DD (the visit's held_on)")
			return ""
		}
		return raw
	}
	f.From, f.To = date("from"), date("to")
	if f.From != "" && f.To != "" && f.To < f.From {
		v.Add("to", "is before from")
	}
	boolean := func(name string) *bool {
		raw := c.Query(name)
		if raw == "" {
			return nil
		}
		b, err := strconv.ParseBool(raw)
		v.Check(err == nil, name, "must be true or false")
		return &b
	}
	f.Repeat, f.IsGroup = boolean("repeat"), boolean("is_group")
	if r := textnorm.NFC(c.Query("receiver")); r != "" {
		v.Check(utf8.RuneCountInString(r) <= 200 && textnorm.Problem(r) == "", "receiver", "at most 200 printable characters")
		f.Receiver = r
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	if sub := subject(c); s.Verifier != nil && !policy.ReadsAcrossBodies(sub, "receptions.list") {
		f.VisibleTo = sub.BodyID
	}
	rows, next, err := models.ListReceptions(c.Request.Context(), s.DB, f)
	if err != nil {
		fail(c, err)
		return
	}
	items, err := s.receptionViews(c.Request.Context(), rows)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}

// receptionProof rebuilds the day-by-day proof of the visit's written refusal notice (D35)
// against the calendar as it is now.
func (s *Server) receptionProof(c *gin.Context) {
	row, ok := s.loadReceptionFor(c, "receptions.read")
	if !ok {
		return
	}
	if c.Param("clock") != refusalNoticeClock || row.NoticeDueOn == nil {
		msg := "visit %s has no clock %q"
		if row.NoticeDueOn != nil {
			msg += "; it has refusal_notice"
		}
		if row.LetterID != nil {
			msg += "; the reception notice (D30) is its letter's: /v1/letters/" + *row.LetterID + "/deadlines/reception_notice/proof"
		}
		fail(c, apperr.New(apperr.NotFound, msg, row.ID, c.Param("clock")))
		return
	}
	cal, err := models.LoadCalendar(c.Request.Context(), s.DB)
	if err != nil {
		fail(c, err)
		return
	}
	start := models.Date(*row.NoticeStartOn)
	res, rule, err := deadline.ComputeRule(cal, rulebook.Rules(), row.NoticeRuleID, deadline.Normal, start, deadline.Options{Proof: true})
	if err != nil {
		fail(c, apperr.New(apperr.Invalid, "cannot rebuild the proof: %v", err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"reception_id": row.ID, "clock": refusalNoticeClock, "rule_id": rule.ID, "name": rule.Name,
		"legal_basis": rule.LegalBasis, "start_on": start, "due_on": res.DueOn, "due_at": res.DueAt,
		"stored_due_on": models.Date(*row.NoticeDueOn), "steps": res.Proof.Steps, "summary": res.Proof.Summary, "text": res.Proof.Text()})
}

type refusalNoticeRequest struct {
	SentOn string `json:"sent_on"`
	DocNo  string `json:"doc_no"`
}

// recordRefusalNotice records that the written refusal notice (form 01/TCD) was sent, which
// meets the D35 clock; sent after the due date it counts as late.
func (s *Server) recordRefusalNotice(c *gin.Context) {
	var req refusalNoticeRequest
	if !decodeJSON(c, &req) {
		return
	}
	row, ok := s.loadReceptionFor(c, "receptions.notice")
	if !ok {
		return
	}
	var v apperr.Validation
	today := deadline.DateOf(s.now())
	sent, err := deadline.ParseDate(req.SentOn)
	switch {
	case req.SentOn == "":
		v.Add("sent_on", "is required (YYYY-MM-DD)")
	case err != nil:
		v.Add("sent_on", "must be a date YYYY-MM-DD")
	case sent.After(today):
		v.Add("sent_on", "%s is in the future (today is %s)", sent, today)
	case sent.Before(models.Date(row.HeldOn)):
		v.Add("sent_on", "%s is before the visit (%s)", sent, models.Date(row.HeldOn))
	}
	req.DocNo = strings.TrimSpace(textnorm.NFC(req.DocNo))
	v.Check(req.DocNo != "" && utf8.RuneCountInString(req.DocNo) <= 100 && textnorm.Problem(req.DocNo) == "", "doc_no",
		"the notice's number (form 01/TCD) is required, at most 100 characters")
	if row.NoticeDueOn == nil {
		fail(c, apperr.New(apperr.Conflict, "this visit needs no written refusal notice (only a refusal on a repeat ground from %s does)", receptionReform).
			With("outcome", row.Outcome).With("refusal_ground", row.RefusalGround))
		return
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	before := row.NoticeSentOn
	row, err = models.RecordRefusalNotice(ctx, s.DB, row.ID, sent, req.DocNo)
	if err != nil {
		fail(c, err)
		return
	}
	if before == nil {
		detail, _ := json.Marshal(map[string]any{"reception_id": row.ID, "sent_on": sent.String(), "doc_no": req.DocNo,
			"due_on": models.Date(*row.NoticeDueOn).String()})
		if err := models.Audit(ctx, s.DB, models.AuditEntry{Actor: actorOf(c).Sub, Action: "reception.refusal_notice",
			LetterID: models.ReceptionVaultKey(row.ID), Allowed: true, Detail: detail}); err != nil {
			fail(c, err)
			return
		}
	}
	s.respondReception(c, http.StatusOK, row)
}

// revealReceptionIdentity shows a protected visit's citizens to those the denouncer rules
// allow (domain.md §8): the officer who recorded the visit, the head of the receiving body,
// or a grantee of the visit's letter. Every attempt is audited, allowed or not.
func (s *Server) revealReceptionIdentity(c *gin.Context) {
	row, ok := s.loadReceptionFor(c, "receptions.read")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if !row.Protected {
		c.JSON(http.StatusOK, gin.H{"reception_id": row.ID, "protected": false, "citizens": row.Citizens, "representatives": row.Representatives})
		return
	}
	reason := textnorm.NFC(c.Query("reason"))
	if reason == "" || utf8.RuneCountInString(reason) > 500 || textnorm.Problem(reason) != "" {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "reason", Message: "why you need the identity is required (at most 500 characters); it is audited"}}))
		return
	}
	actor := actorOf(c)
	granted := false
	if row.LetterID != nil {
		var err error
		if granted, err = models.HasGrant(ctx, s.DB, *row.LetterID, actor.Sub, s.now()); err != nil {
			fail(c, err)
			return
		}
	}
	allowed := policy.CanReveal(subject(c), actor.Sub, policy.IdentityFacts{IntakeSub: row.CreatedBy, ReceivingBodyID: row.BodyID, HasGrant: granted})
	key := models.ReceptionVaultKey(row.ID)
	if err := models.Audit(ctx, s.DB, models.AuditEntry{Actor: actor.Sub, Action: "identity.reveal", LetterID: key, Allowed: allowed, Reason: reason}); err != nil {
		fail(c, err) // no audit row, no reveal
		return
	}
	if !allowed {
		fail(c, apperr.New(apperr.Forbidden, "the identity of this citizen is protected (Law on Denunciations art 47); ask the head of the receiving body"))
		return
	}
	var people struct {
		Citizens        []models.Person `json:"citizens"`
		Representatives []models.Person `json:"representatives"`
	}
	pseudonym, err := models.OpenIdentity(ctx, s.DB, s.VaultKeys, key, &people)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"reception_id": row.ID, "protected": true, "pseudonym": pseudonym,
		"citizens": nonNil(people.Citizens), "representatives": nonNil(people.Representatives)})
}
