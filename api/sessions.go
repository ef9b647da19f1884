package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/rulebook"
	"github.com/dannguyen/dannguyen/internal/temporalx"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// petitionRoutes are the voters' petitions routes (module 3, api.md).
func (s *Server) petitionRoutes(g *gin.RouterGroup) {
	g.POST("/sessions", s.createSession)
	g.GET("/sessions", s.listSessions)
	g.GET("/sessions/:id", s.getSession)
	g.GET("/sessions/:id/deadlines/:clock/proof", s.sessionClockProof)
	g.POST("/sessions/:id/petitions", s.submitPetitions)
	// Gin reads ':' as a parameter; the escaped colon makes "petitions:import" a literal
	// segment, so both URLs route (router_test and the petitions tests check it).
	g.POST("/sessions/:id/petitions\\:import", s.importPetitions)
	g.POST("/sessions/:id/synthesize", s.synthesize)
	g.GET("/sessions/:id/groups", s.listGroups)
	g.POST("/sessions/:id/groups", s.editGroups)
	g.POST("/sessions/:id/schedule", s.sessionSchedule)
	g.POST("/sessions/:id/report-results", s.sessionReportResults)
	g.POST("/sessions/:id/close", s.sessionClose)
	g.GET("/sessions/:id/report", s.sessionReport)
	g.GET("/voter-petitions", s.listVoterPetitions)
	g.GET("/voter-petitions/:id", s.getVoterPetition)
	g.GET("/voter-petitions/:id/deadlines/:clock/proof", s.voterPetitionClockProof)
	for _, name := range workflows.VPActionNames() {
		g.POST("/voter-petitions/:id/"+name, s.voterPetitionAction(name))
	}
}

type sessionRequest struct {
	Term        string  `json:"term"`
	Number      *int    `json:"number"`
	OpensOn     string  `json:"opens_on"`
	ClosesOn    string  `json:"closes_on"`
	NextOpensOn *string `json:"next_opens_on"`
}

var termPattern = regexp.MustCompile(`^[IVXLC]{1,8}$`)

// sessionCase is the policy's view of a session: the office running its cycle received it.
func sessionCase(office string) policy.Case { return policy.Case{ReceivingBodyID: office} }

// createSession registers a session cycle: its id is the term and number ("xv-11"), its due
// dates are computed by the workflow (D41a, D41b, D43) and returned with their proofs' links.
func (s *Server) createSession(c *gin.Context) {
	if s.Verifier != nil && !policy.Can(subject(c), "sessions.manage", sessionCase(models.PetitionsCommitteeID)) {
		fail(c, apperr.New(apperr.Forbidden, "only the petitions committee's heads and supervisors register sessions"))
		return
	}
	var req sessionRequest
	if !decodeJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	plan, err := s.validateSession(ctx, &req)
	if err != nil {
		fail(c, err)
		return
	}
	id := strings.ToLower(plan.Term) + "-" + strconv.Itoa(plan.Number)
	raw, _ := json.Marshal(plan)
	sum := sha256.Sum256(raw)
	plan.RequestHash = hex.EncodeToString(sum[:])
	if row, err := models.GetSession(ctx, s.DB, id); err == nil {
		var d struct {
			RequestHash string `json:"request_hash"`
		}
		_ = json.Unmarshal(row.Detail, &d)
		if d.RequestHash != plan.RequestHash {
			fail(c, apperr.New(apperr.Conflict, "session %s %d is already registered with other dates", plan.Term, plan.Number).With("id", id))
			return
		}
		s.respondSession(c, http.StatusOK, id)
		return
	} else if apperr.KindOf(err) != apperr.NotFound {
		fail(c, err)
		return
	}
	actor := actorOf(c)
	if actor.BodyID == "" {
		actor.BodyID = models.PetitionsCommitteeID
	}
	uctx, cancel := context.WithTimeout(ctx, s.UpdateTimeout)
	defer cancel()
	op := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: workflows.SessionWorkflowID(id), TaskQueue: s.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporalx.CaseKind.ValueSet(workflows.CaseKindSession), temporalx.CaseStatus.ValueSet(workflows.SessionCollecting),
			temporalx.BodyID.ValueSet(actor.BodyID), temporalx.Overdue.ValueSet(false)),
	}, workflows.SessionWorkflowName, workflows.SessionStart{ID: id, Plan: &plan, Actor: actor})
	h, err := s.Temporal.UpdateWithStartWorkflow(uctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: workflows.UpdateOpenSession, UpdateID: workflows.UpdateOpenSession,
			WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	var res workflows.SessionResult
	if err == nil {
		err = h.Get(uctx, &res)
	}
	if err != nil && outlived(uctx, err) && ctx.Err() == nil {
		c.Header("Location", "/v1/sessions/"+id)
		c.JSON(http.StatusAccepted, gin.H{"id": id, "status": "pending", "detail": "opening the session is taking longer than usual; GET the Location"})
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	if res.RequestHash != plan.RequestHash {
		fail(c, apperr.New(apperr.Conflict, "session %s %d is already registered with other dates", plan.Term, plan.Number).With("id", id))
		return
	}
	c.Header("Location", "/v1/sessions/"+id)
	s.respondSession(c, http.StatusCreated, id)
}

func (s *Server) validateSession(ctx context.Context, r *sessionRequest) (workflows.SessionPlan, error) {
	var v apperr.Validation
	var p workflows.SessionPlan
	p.Term = strings.ToUpper(textnorm.NFC(r.Term))
	if !termPattern.MatchString(p.Term) {
		v.Add("term", "must be the legislature's term in Roman numerals, e.g. XV")
	}
	if r.Number == nil || *r.Number < 1 || *r.Number > 99 {
		v.Add("number", "must be the session's number, 1 to 99")
	} else {
		p.Number = *r.Number
	}
	date := func(field, raw string, required bool) (deadline.Date, bool) {
		if raw == "" {
			if required {
				v.Add(field, "is required (YYYY-MM-DD)")
			}
			return deadline.Date{}, false
		}
		d, err := deadline.ParseDate(raw)
		if err != nil {
			v.Add(field, "must be a date YYYY-MM-DD")
			return d, false
		}
		return d, true
	}
	opens, okO := date("opens_on", r.OpensOn, true)
	closes, okC := date("closes_on", r.ClosesOn, true)
	p.OpensOn, p.ClosesOn = opens, closes
	if okO && okC && (closes.Before(opens) || closes.Sub(opens) > 180) {
		v.Add("closes_on", "must be on or after opens_on and at most 180 days later")
	}
	if r.NextOpensOn != nil {
		if next, ok := date("next_opens_on", *r.NextOpensOn, true); ok {
			if okC && !next.After(closes) {
				v.Add("next_opens_on", "must be after closes_on")
			}
			p.NextOpensOn = &next
		}
	}
	if err := v.Err(); err != nil {
		return p, err
	}
	// The due dates must be computable: the rules in force and the calendar covering them.
	cal, err := models.LoadCalendar(ctx, s.DB)
	if err != nil {
		return p, err
	}
	checks := []struct {
		field, rule string
		start       deadline.Date
	}{{"opens_on", "D41a", p.OpensOn}, {"closes_on", "D41b", p.ClosesOn}}
	if p.NextOpensOn != nil {
		checks = append(checks, struct {
			field, rule string
			start       deadline.Date
		}{"next_opens_on", "D43", *p.NextOpensOn})
	}
	for _, ch := range checks {
		if _, _, err := deadline.ComputeRule(cal, rulebook.Rules(), ch.rule, deadline.Normal, ch.start, deadline.Options{}); err != nil {
			v.Add(ch.field, "its deadline (%s) cannot be computed: %v", ch.rule, err)
		}
	}
	return p, v.Err()
}

// SessionView is a session cycle as the API shows it.
type SessionView struct {
	ID               string               `json:"id"`
	Term             string               `json:"term"`
	Number           int                  `json:"number"`
	OpensOn          string               `json:"opens_on"`
	ClosesOn         string               `json:"closes_on"`
	NextOpensOn      *string              `json:"next_opens_on"`
	Status           string               `json:"status"`
	Version          int64                `json:"version"`
	OfficeID         string               `json:"office_id"`
	PreSynthesisDue  *string              `json:"pre_synthesis_due"`
	PostSynthesisDue *string              `json:"post_synthesis_due"`
	ResultsReportDue *string              `json:"results_report_due"`
	Clocks           []ClockView          `json:"clocks"`
	Overdue          bool                 `json:"overdue"`
	DueAt            *time.Time           `json:"due_at"`
	NextSessionID    *string              `json:"next_session_id"`
	Counts           models.SessionCounts `json:"counts"`
	Detail           json.RawMessage      `json:"detail"`
	AllowedActions   []string             `json:"allowed_actions"`
	Links            map[string]string    `json:"links"`
	History          []models.EventRow    `json:"history,omitempty"`
	CreatedAt        time.Time            `json:"created_at"`
	UpdatedAt        time.Time            `json:"updated_at"`
	ClosedAt         *time.Time           `json:"closed_at"`
}

func civil(t time.Time) string { return deadline.DateOf(t.Add(12 * time.Hour)).String() }

func civilPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format("2006-01-02")
	return &s
}

// clockViews shows clocks with their status derived at read time and their proof's link.
func clockViews(clocks []workflows.Clock, now time.Time, base string) ([]ClockView, bool) {
	out := make([]ClockView, 0, len(clocks))
	overdue := false
	for _, c := range clocks {
		status := c.Status
		if c.Running() && !now.Before(c.DueAt) {
			status = "overdue"
		}
		overdue = overdue || status == "overdue"
		out = append(out, ClockView{Name: c.Name, RuleID: c.RuleID, StartOn: c.StartOn, DueOn: c.DueOn, DueAt: c.DueAt,
			Status: status, LegalBasis: c.LegalBasis, MetOn: c.MetOn, Late: c.Late, Legs: c.Legs,
			Proof: base + "/deadlines/" + c.Name + "/proof"})
	}
	return out, overdue
}

func (s *Server) sessionView(ctx context.Context, r models.SessionRow, now time.Time, history bool) (SessionView, error) {
	clocks, err := r.ClockList()
	if err != nil {
		return SessionView{}, err
	}
	base := "/v1/sessions/" + r.ID
	v := SessionView{ID: r.ID, Term: r.Term, Number: r.Number, OpensOn: civil(r.OpensOn), ClosesOn: civil(r.ClosesOn),
		NextOpensOn: civilPtr(r.NextOpensOn), Status: r.Status, Version: r.Version, OfficeID: r.OfficeID(), DueAt: r.DueAt,
		NextSessionID: r.NextSessionID, Detail: r.Detail, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ClosedAt: r.ClosedAt,
		AllowedActions: []string{},
		Links: map[string]string{"self": base, "petitions": base + "/petitions", "import": base + "/petitions:import",
			"groups": base + "/groups", "report": base + "/report", "voter_petitions": "/v1/voter-petitions?session_id=" + r.ID,
			"workflow": s.TemporalUIURL + "/namespaces/default/workflows/" + workflows.SessionWorkflowID(r.ID)},
	}
	if r.Status == workflows.SessionCollecting {
		v.AllowedActions = []string{"petitions", "petitions:import", "synthesize", "groups", "schedule", "report-results", "close"}
	}
	v.Clocks, v.Overdue = clockViews(clocks, now, base)
	for _, c := range clocks {
		due := c.DueOn.String()
		switch c.Name {
		case "pre_synthesis":
			v.PreSynthesisDue = &due
		case "post_synthesis":
			v.PostSynthesisDue = &due
		case "results_report":
			v.ResultsReportDue = &due
		}
	}
	if v.Counts, err = models.CountSession(ctx, s.DB, r.ID); err != nil {
		return v, err
	}
	if history {
		if v.History, err = models.CaseEvents(ctx, s.DB, "session_events", "session_id", r.ID); err != nil {
			return v, err
		}
	}
	return v, nil
}

func (s *Server) respondSession(c *gin.Context, status int, id string) {
	ctx := c.Request.Context()
	row, err := models.GetSession(ctx, s.DB, id)
	if err != nil {
		fail(c, err)
		return
	}
	v, err := s.sessionView(ctx, row, s.now(), true)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", `"`+strconv.FormatInt(v.Version, 10)+`"`)
	c.JSON(status, v)
}

func (s *Server) getSession(c *gin.Context) {
	if _, ok := s.loadSessionFor(c, "sessions.read"); ok {
		s.respondSession(c, http.StatusOK, c.Param("id"))
	}
}

// loadSessionFor reads the session of the URL and checks the caller may do action on it.
func (s *Server) loadSessionFor(c *gin.Context, action string) (models.SessionRow, bool) {
	row, err := models.GetSession(c.Request.Context(), s.DB, c.Param("id"))
	if err != nil {
		fail(c, err)
		return row, false
	}
	if s.Verifier != nil && !policy.Can(subject(c), action, sessionCase(row.OfficeID())) {
		fail(c, apperr.New(apperr.Forbidden, "your roles and body do not allow %s on this session", action))
		return row, false
	}
	return row, true
}

func (s *Server) listSessions(c *gin.Context) {
	var v apperr.Validation
	f := models.SessionFilter{Term: strings.ToUpper(c.Query("term")), Status: c.Query("status"), Cursor: c.Query("cursor"), Limit: 50}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			v.Add("limit", "must be a whole number from 1 to 500")
		}
		f.Limit = n
	}
	if f.Status != "" && f.Status != workflows.SessionCollecting && f.Status != workflows.SessionClosed {
		v.Add("status", "must be collecting or closed")
	}
	if f.Term != "" && !termPattern.MatchString(f.Term) {
		v.Add("term", "must be a term in Roman numerals, e.g. XV")
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	rows, next, err := models.ListSessions(ctx, s.DB, f)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]SessionView, 0, len(rows))
	for _, r := range rows {
		sv, err := s.sessionView(ctx, r, s.now(), false)
		if err != nil {
			fail(c, err)
			return
		}
		items = append(items, sv)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}

// sessionUpdate runs one session Update for the caller and returns its result; false when it
// has answered the request itself (an error, or 202 past the wait budget).
func (s *Server) sessionUpdate(c *gin.Context, id, name string, a workflows.SessionAction) (workflows.SessionResult, bool) {
	ctx := c.Request.Context()
	a.Actor = actorOf(c)
	if im := c.GetHeader("If-Match"); im != "" {
		v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(im, "W/"), `"`), 10, 64)
		if err != nil {
			fail(c, apperr.Fields([]apperr.FieldError{{Field: "If-Match", Message: "must be the session's version, a whole number"}}))
			return workflows.SessionResult{}, false
		}
		a.IfMatch = &v
	}
	updateID := uuid.NewString()
	if key := c.GetHeader("Idempotency-Key"); key != "" {
		if len(key) > 200 || textnorm.Problem(key) != "" {
			fail(c, apperr.Fields([]apperr.FieldError{{Field: "Idempotency-Key", Message: "at most 200 printable characters"}}))
			return workflows.SessionResult{}, false
		}
		updateID = name + ":" + key
	}
	uctx, cancel := context.WithTimeout(ctx, s.UpdateTimeout)
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.SessionWorkflowID(id), UpdateName: name, UpdateID: updateID,
		Args: []any{a}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var res workflows.SessionResult
	if err == nil {
		err = h.Get(uctx, &res)
	}
	if err != nil && outlived(uctx, err) && ctx.Err() == nil {
		c.Header("Location", "/v1/sessions/"+id)
		c.JSON(http.StatusAccepted, gin.H{"status": "pending", "update_id": updateID, "detail": "the action is still running; GET the Location to see the session"})
		return res, false
	}
	if err != nil {
		fail(c, err)
		return res, false
	}
	return res, true
}

// openSession checks the session is still collecting before an action is sent to it.
func openSession(c *gin.Context, row models.SessionRow, name string) bool {
	if row.Status != workflows.SessionCollecting {
		fail(c, apperr.New(apperr.Conflict, "%s is not allowed: the session cycle is %s", name, row.Status).
			With("state", row.Status).With("allowed_actions", []string{}))
		return false
	}
	return true
}

type sessionActionRequest struct {
	On            *string `json:"on"`
	NextOpensOn   *string `json:"next_opens_on"`
	NextSessionID *string `json:"next_session_id"`
}

// sessionAction decodes the small body of schedule, report-results and close: only the fields
// named are accepted.
func sessionAction(c *gin.Context, fields ...string) (sessionActionRequest, workflows.SessionAction, bool) {
	var req sessionActionRequest
	var a workflows.SessionAction
	if c.Request.ContentLength != 0 && !decodeJSON(c, &req) {
		return req, a, false
	}
	var v apperr.Validation
	allowed := map[string]bool{"on": true}
	for _, f := range fields {
		allowed[f] = true
	}
	for f, present := range map[string]bool{"next_opens_on": req.NextOpensOn != nil, "next_session_id": req.NextSessionID != nil} {
		if present && !allowed[f] {
			v.Add(f, "is not a field of this action")
		}
	}
	if req.On != nil {
		d, err := deadline.ParseDate(*req.On)
		if err != nil {
			v.Add("on", "must be a date YYYY-MM-DD")
		}
		a.On = &d
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return req, a, false
	}
	return req, a, true
}

// sessionSchedule sets (or moves) the next session's opening; the results report counts back
// from it (D43).
func (s *Server) sessionSchedule(c *gin.Context) {
	row, ok := s.loadSessionFor(c, "sessions.manage")
	if !ok || !openSession(c, row, "schedule") {
		return
	}
	req, a, ok := sessionAction(c, "next_opens_on")
	if !ok {
		return
	}
	if req.NextOpensOn == nil {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "next_opens_on", Message: "is required"}}))
		return
	}
	next, err := deadline.ParseDate(*req.NextOpensOn)
	if err != nil {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "next_opens_on", Message: "must be a date YYYY-MM-DD"}}))
		return
	}
	cal, err := models.LoadCalendar(c.Request.Context(), s.DB)
	if err != nil {
		fail(c, err)
		return
	}
	if _, _, err := deadline.ComputeRule(cal, rulebook.Rules(), "D43", deadline.Normal, next, deadline.Options{}); err != nil {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "next_opens_on", Message: fmt.Sprintf("its deadline (D43) cannot be computed: %v", err)}}))
		return
	}
	a.NextOpensOn = &next
	if _, ok := s.sessionUpdate(c, row.ID, "schedule", a); ok {
		s.respondSession(c, http.StatusOK, row.ID)
	}
}

// sessionReportResults records the consolidated results report sent to the Standing
// Committee: the D43 clock is met, late when after its due date.
func (s *Server) sessionReportResults(c *gin.Context) {
	row, ok := s.loadSessionFor(c, "sessions.manage")
	if !ok || !openSession(c, row, "report-results") {
		return
	}
	_, a, ok := sessionAction(c)
	if !ok {
		return
	}
	if _, ok := s.sessionUpdate(c, row.ID, "report-results", a); ok {
		s.respondSession(c, http.StatusOK, row.ID)
	}
}

// sessionClose closes the cycle and carries every open petition over to the next session: the
// one named, or the one registered after this one.
func (s *Server) sessionClose(c *gin.Context) {
	row, ok := s.loadSessionFor(c, "sessions.manage")
	if !ok || !openSession(c, row, "close") {
		return
	}
	req, a, ok := sessionAction(c, "next_session_id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if req.NextSessionID != nil {
		next, err := models.GetSession(ctx, s.DB, *req.NextSessionID)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
			fail(c, apperr.Fields([]apperr.FieldError{{Field: "next_session_id", Message: fmt.Sprintf("no session %q", *req.NextSessionID)}}))
			return
		case err != nil:
			fail(c, err)
			return
		case !next.OpensOn.After(row.ClosesOn):
			fail(c, apperr.Fields([]apperr.FieldError{{Field: "next_session_id", Message: "must open after this session closes"}}))
			return
		}
		a.NextSessionID = next.ID
	} else {
		id, err := models.NextSessionID(ctx, s.DB, row.ID)
		if err != nil {
			fail(c, err)
			return
		}
		if id == "" {
			fail(c, apperr.New(apperr.Conflict, "no later session is registered to carry the open petitions over to; register it first (POST /v1/sessions)").
				With("state", row.Status))
			return
		}
		a.NextSessionID = id
	}
	if _, ok := s.sessionUpdate(c, row.ID, "close", a); ok {
		s.respondSession(c, http.StatusOK, row.ID)
	}
}

// proofView rebuilds the day-by-day proof of a stored clock against the calendar as it is now.
func (s *Server) proofView(c *gin.Context, owner, id string, clocks []workflows.Clock) {
	var clock *workflows.Clock
	names := make([]string, 0, len(clocks))
	for i := range clocks {
		names = append(names, clocks[i].Name)
		if clocks[i].Name == c.Param("clock") {
			clock = &clocks[i]
		}
	}
	if clock == nil {
		fail(c, apperr.New(apperr.NotFound, "%s %s has no clock %q; it has %s", owner, id, c.Param("clock"), strings.Join(names, ", ")))
		return
	}
	cal, err := models.LoadCalendar(c.Request.Context(), s.DB)
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
	c.JSON(http.StatusOK, gin.H{owner + "_id": id, "clock": clock.Name, "rule_id": clock.RuleID, "status": clock.Status,
		"start_on": clock.StartOn, "due_on": clock.DueOn, "due_at": clock.DueAt, "legal_basis": clock.LegalBasis,
		"legs": legs, "text": strings.Join(text, "\n\n")})
}

func (s *Server) sessionClockProof(c *gin.Context) {
	row, ok := s.loadSessionFor(c, "sessions.read")
	if !ok {
		return
	}
	clocks, err := row.ClockList()
	if err != nil {
		fail(c, err)
		return
	}
	s.proofView(c, "session", row.ID, clocks)
}
