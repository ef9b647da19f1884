package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// revealIdentity shows a letter's senders. For a protected letter (a denunciation, a mixed
// letter, or one marked confidential) only the intake officer, the assigned handler, the head
// of the receiving body, or a grantee may see them, and every attempt — allowed or not — is
// written to the append-only audit log with its reason.
func (s *Server) revealIdentity(c *gin.Context) {
	row, ok := s.loadLetterFor(c, "letters.read")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if !row.Confidential {
		c.JSON(http.StatusOK, gin.H{"letter_id": row.ID, "protected": false, "senders": row.Senders})
		return
	}
	reason := textnorm.NFC(c.Query("reason"))
	if reason == "" || utf8.RuneCountInString(reason) > 500 || textnorm.Problem(reason) != "" {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "reason", Message: "why you need the identity is required (at most 500 characters); it is audited"}}))
		return
	}
	actor := actorOf(c)
	granted, err := models.HasGrant(ctx, s.DB, row.ID, actor.Sub, s.now())
	if err != nil {
		fail(c, err)
		return
	}
	var detail struct {
		CreatedBy string `json:"created_by"`
	}
	_ = json.Unmarshal(row.Detail, &detail)
	allowed := policy.CanReveal(subject(c), actor.Sub, policy.IdentityFacts{
		IntakeSub: detail.CreatedBy, Assignee: row.Assignee, ReceivingBodyID: row.ReceivingBodyID, HasGrant: granted,
	})
	entry := models.AuditEntry{Actor: actor.Sub, Action: "identity.reveal", LetterID: row.ID, Allowed: allowed, Reason: reason}
	if err := models.Audit(ctx, s.DB, entry); err != nil {
		fail(c, err) // no audit row, no reveal
		return
	}
	if !allowed {
		fail(c, apperr.New(apperr.Forbidden, "the identity of this sender is protected (Law on Denunciations art 47); ask the head of the receiving body for a grant"))
		return
	}
	var senders []workflows.Sender
	pseudonym, err := models.OpenIdentity(ctx, s.DB, s.VaultKeys, row.ID, &senders)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"letter_id": row.ID, "protected": true, "pseudonym": pseudonym, "senders": senders})
}

type grantRequest struct {
	Grantee string `json:"grantee"`
	Reason  string `json:"reason"`
	Until   string `json:"until"`
}

// grantIdentity lets the head of the receiving body grant one person access to a protected
// identity, for a reason and until a time.
func (s *Server) grantIdentity(c *gin.Context) {
	var req grantRequest
	if !decodeJSON(c, &req) {
		return
	}
	row, ok := s.loadLetterFor(c, "identity.grant")
	if !ok {
		return
	}
	var v apperr.Validation
	req.Grantee, req.Reason = textnorm.NFC(req.Grantee), textnorm.NFC(req.Reason)
	v.Check(req.Grantee != "" && len(req.Grantee) <= 200 && textnorm.Problem(req.Grantee) == "", "grantee", "the user id (token sub) to grant, at most 200 characters")
	v.Check(req.Reason != "" && utf8.RuneCountInString(req.Reason) <= 500 && textnorm.Problem(req.Reason) == "", "reason", "is required, at most 500 characters")
	until, err := time.Parse(time.RFC3339, req.Until)
	now := s.now()
	switch {
	case err != nil:
		v.Add("until", "must be an RFC 3339 instant, e.g. 2026-12-31T17:00:00+07:00")
	case !until.After(now):
		v.Add("until", "must be in the future")
	case until.After(now.AddDate(1, 0, 0)):
		v.Add("until", "at most one year ahead")
	}
	if !row.Confidential {
		v.Add("letter", "this letter's senders are not protected; no grant is needed")
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	g, err := models.AddGrant(c.Request.Context(), s.DB, models.Grant{LetterID: row.ID, Grantee: req.Grantee, Reason: req.Reason, Until: until, GrantedBy: actorOf(c).Sub})
	if err != nil {
		fail(c, err)
		return
	}
	detail, _ := json.Marshal(map[string]any{"grantee": g.Grantee, "until": g.Until})
	if err := models.Audit(c.Request.Context(), s.DB, models.AuditEntry{Actor: g.GrantedBy, Action: "identity.grant", LetterID: row.ID, Allowed: true, Reason: g.Reason, Detail: detail}); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, g)
}

// listAudit serves GET /v1/audit to auditors, newest first.
func (s *Server) listAudit(c *gin.Context) {
	var v apperr.Validation
	f := models.AuditFilter{LetterID: c.Query("letter_id"), Actor: c.Query("actor"), Action: c.Query("action"), Limit: 50}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		v.Check(err == nil && n >= 1 && n <= 500, "limit", "must be a whole number from 1 to 500")
		f.Limit = n
	}
	if cur := c.Query("cursor"); cur != "" {
		n, err := strconv.ParseInt(cur, 10, 64)
		v.Check(err == nil && n > 0, "cursor", "is not a cursor this API returned")
		f.BeforeID = n
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	items, err := models.ListAudit(c.Request.Context(), s.DB, f)
	if err != nil {
		fail(c, err)
		return
	}
	next := ""
	if len(items) == f.Limit {
		next = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}
