package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/temporalx"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// vpCases are the policy's views of a voter petition: received by the office that runs its
// session and by every delegation whose voters raised it, held by the body it was forwarded
// to. A caller may act when any of them allows it.
func vpCases(r models.VoterPetitionRow, office string) []policy.Case {
	held := ""
	if r.BodyID != nil {
		held = *r.BodyID
	}
	cases := []policy.Case{{ReceivingBodyID: office, HeldByBodyID: held}}
	for _, d := range r.DelegationIDs {
		cases = append(cases, policy.Case{ReceivingBodyID: d, HeldByBodyID: held})
	}
	return cases
}

func canOnAny(sub policy.Subject, action string, cases []policy.Case) bool {
	for _, c := range cases {
		if policy.Can(sub, action, c) {
			return true
		}
	}
	return false
}

// loadVoterPetitionFor reads the voter petition of the URL and checks the caller may do action
// on it; one the caller may not even read is a 404, so other bodies' ids are not confirmed.
func (s *Server) loadVoterPetitionFor(c *gin.Context, action string) (models.VoterPetitionRow, string, bool) {
	ctx := c.Request.Context()
	row, err := models.GetVoterPetition(ctx, s.DB, c.Param("id"))
	if err != nil {
		fail(c, err)
		return row, "", false
	}
	sess, err := models.GetSession(ctx, s.DB, row.SessionID)
	if err != nil {
		fail(c, err)
		return row, "", false
	}
	office := sess.OfficeID()
	if s.Verifier == nil {
		return row, office, true
	}
	sub, cases := subject(c), vpCases(row, office)
	if !canOnAny(sub, "voter-petitions.read", cases) && !canOnAny(sub, action, cases) {
		fail(c, apperr.New(apperr.NotFound, "no voter petition %q", row.ID))
		return row, office, false
	}
	if !canOnAny(sub, action, cases) {
		fail(c, apperr.New(apperr.Forbidden, "your roles and body do not allow %s on this petition", action))
		return row, office, false
	}
	return row, office, true
}

// VoterPetitionView is a voter petition as the API shows it.
type VoterPetitionView struct {
	ID             string               `json:"id"`
	Number         *string              `json:"number"`
	SessionID      string               `json:"session_id"`
	Status         string               `json:"status"`
	Version        int64                `json:"version"`
	Title          string               `json:"title"`
	Topic          string               `json:"topic"`
	Score          *float64             `json:"score"`
	PetitionCount  int                  `json:"petition_count"`
	VoterCount     int                  `json:"voter_count"`
	Delegations    []string             `json:"delegations"`
	DelegationIDs  []string             `json:"delegation_ids"`
	BodyID         *string              `json:"body_id"`
	ForwardedOn    *string              `json:"forwarded_on"`
	ReceivedOn     *string              `json:"received_on"`
	AnswerClass    *string              `json:"answer_class"`
	AnsweredOn     *string              `json:"answered_on"`
	AnsweredLate   *bool                `json:"answered_late"`
	PublishedOn    *string              `json:"published_on"`
	Satisfied      *bool                `json:"satisfied"`
	CarriedOver    bool                 `json:"carried_over"`
	CarriedTo      *string              `json:"carried_to"`
	MergedInto     *string              `json:"merged_into,omitempty"`
	Clocks         []ClockView          `json:"clocks"`
	Overdue        bool                 `json:"overdue"`
	DueAt          *time.Time           `json:"due_at"`
	Detail         json.RawMessage      `json:"detail"`
	Members        []models.PetitionRow `json:"members,omitempty"`
	AllowedActions []string             `json:"allowed_actions"`
	Links          map[string]string    `json:"links"`
	History        []models.EventRow    `json:"history,omitempty"`
	CreatedAt      time.Time            `json:"created_at"`
	UpdatedAt      time.Time            `json:"updated_at"`
	ClosedAt       *time.Time           `json:"closed_at"`
}

func vpAllowed(r models.VoterPetitionRow) []string {
	switch {
	case r.Status == workflows.VPSynthesised && !r.Claimed:
		return []string{"forward"}
	case !r.Claimed:
		return []string{}
	}
	return workflows.VPAllowedActions(r.Status)
}

func (s *Server) voterPetitionView(r models.VoterPetitionRow, now time.Time) (VoterPetitionView, error) {
	clocks, err := r.ClockList()
	if err != nil {
		return VoterPetitionView{}, err
	}
	base := "/v1/voter-petitions/" + r.ID
	v := VoterPetitionView{ID: r.ID, Number: r.Number, SessionID: r.SessionID, Status: r.Status, Version: r.Version, Title: r.Title,
		Topic: r.Topic, Score: r.Score, PetitionCount: r.PetitionCount, VoterCount: r.VoterCount, Delegations: orEmpty(r.Delegations),
		DelegationIDs: orEmpty(r.DelegationIDs), BodyID: r.BodyID, ForwardedOn: civilPtr(r.ForwardedOn), ReceivedOn: civilPtr(r.ReceivedOn),
		AnswerClass: r.AnswerClass, AnsweredOn: civilPtr(r.AnsweredOn), AnsweredLate: r.AnsweredLate, PublishedOn: civilPtr(r.PublishedOn),
		Satisfied: r.Satisfied, CarriedOver: r.CarriedOver, CarriedTo: r.CarriedTo, MergedInto: r.MergedInto, DueAt: r.DueAt,
		Detail: r.Detail, AllowedActions: vpAllowed(r), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ClosedAt: r.ClosedAt,
		Links: map[string]string{"self": base, "session": "/v1/sessions/" + r.SessionID,
			"workflow": s.TemporalUIURL + "/namespaces/default/workflows/" + workflows.VoterPetitionWorkflowID(r.ID)},
	}
	v.Clocks, v.Overdue = clockViews(clocks, now, base)
	return v, nil
}

func (s *Server) respondVoterPetition(c *gin.Context, status int, id string) {
	ctx := c.Request.Context()
	row, err := models.GetVoterPetition(ctx, s.DB, id)
	if err != nil {
		fail(c, err)
		return
	}
	v, err := s.voterPetitionView(row, s.now())
	if err != nil {
		fail(c, err)
		return
	}
	if v.Members, err = models.PetitionsOf(ctx, s.DB, row.SessionID, []string{row.ID}); err != nil {
		fail(c, err)
		return
	}
	if v.History, err = models.CaseEvents(ctx, s.DB, "voter_petition_events", "petition_id", row.ID); err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", `"`+strconv.FormatInt(v.Version, 10)+`"`)
	c.JSON(status, v)
}

func (s *Server) getVoterPetition(c *gin.Context) {
	if row, _, ok := s.loadVoterPetitionFor(c, "voter-petitions.read"); ok {
		s.respondVoterPetition(c, http.StatusOK, row.ID)
	}
}

func (s *Server) voterPetitionClockProof(c *gin.Context) {
	row, _, ok := s.loadVoterPetitionFor(c, "voter-petitions.read")
	if !ok {
		return
	}
	clocks, err := row.ClockList()
	if err != nil {
		fail(c, err)
		return
	}
	s.proofView(c, "voter_petition", row.ID, clocks)
}

// listVoterPetitions serves GET /v1/voter-petitions: the committee and supervisors see every
// petition, a delegation those its voters raised, an agency those it must answer.
func (s *Server) listVoterPetitions(c *gin.Context) {
	var v apperr.Validation
	f := models.VoterPetitionFilter{SessionID: c.Query("session_id"), BodyID: c.Query("body_id"), DelegationID: c.Query("delegation_id"),
		CarriedTo: c.Query("carried_to"), Cursor: c.Query("cursor"), Limit: 50, Now: s.now()}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		v.Check(err == nil && n >= 1 && n <= 500, "limit", "must be a whole number from 1 to 500")
		f.Limit = n
	}
	for _, st := range splitList(c.QueryArray("status")) {
		v.Check(slices.Contains(vpStatuses, st), "status", "must be one of %v", vpStatuses)
		f.Status = append(f.Status, st)
	}
	if o := c.Query("overdue"); o != "" {
		b, err := strconv.ParseBool(o)
		v.Check(err == nil, "overdue", "must be true or false")
		f.Overdue = &b
	}
	if q := c.Query("q"); q != "" {
		v.Check(utf8.RuneCountInString(q) <= 200 && textnorm.Problem(q) == "", "q", "at most 200 printable characters")
		f.Q = textnorm.Fold(q)
	}
	for name, val := range map[string]string{"session_id": f.SessionID, "body_id": f.BodyID, "delegation_id": f.DelegationID, "carried_to": f.CarriedTo} {
		v.Check(len(val) <= 100 && textnorm.Problem(val) == "", name, "at most 100 printable characters")
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	if sub := subject(c); s.Verifier != nil && !policy.ReadsAcrossBodies(sub, "voter-petitions.list") && sub.BodyID != models.PetitionsCommitteeID {
		f.VisibleTo, f.HeldOnly = sub.BodyID, policy.HeldOnly(sub, "voter-petitions.list")
	}
	rows, next, err := models.ListVoterPetitions(c.Request.Context(), s.DB, f)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]VoterPetitionView, 0, len(rows))
	for _, r := range rows {
		vv, err := s.voterPetitionView(r, f.Now)
		if err != nil {
			fail(c, err)
			return
		}
		items = append(items, vv)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}

type vpActionRequest struct {
	On         *string `json:"on"`
	ToBodyID   *string `json:"to_body_id"`
	ReceivedOn *string `json:"received_on"`
	Note       *string `json:"note"`
	AnsweredOn *string `json:"answered_on"`
	Class      *string `json:"class"`
	Reason     *string `json:"reason"`
	Summary    *string `json:"summary"`
	DocumentNo *string `json:"document_no"`
	Satisfied  *bool   `json:"satisfied"`
}

// vpFields: the fields of each action (api.md), the required ones marked with "!".
var vpFields = map[string][]string{
	"forward":   {"to_body_id!", "received_on", "note"},
	"answer":    {"class!", "answered_on", "reason", "summary", "document_no"},
	"evaluate":  {"satisfied!", "note"},
	"follow-up": {"note"},
}

// voterPetitionAction runs one action as an Update of the petition's workflow; the first
// forward starts that workflow (Update-With-Start), which takes the group over from the session.
func (s *Server) voterPetitionAction(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		row, _, ok := s.loadVoterPetitionFor(c, "voter-petitions."+name)
		if !ok {
			return
		}
		var req vpActionRequest
		if c.Request.ContentLength != 0 && !decodeJSON(c, &req) {
			return
		}
		switch {
		case row.Status == workflows.VPMerged:
			fail(c, apperr.New(apperr.Conflict, "this group was merged into %s", deref(row.MergedInto)).
				With("state", row.Status).With("allowed_actions", []string{}))
			return
		case !row.Claimed && row.Status != workflows.VPSynthesised:
			fail(c, apperr.New(apperr.Conflict, "%s is not allowed while the group is %s: confirm it first (POST /v1/sessions/%s/groups)", name, row.Status, row.SessionID).
				With("state", row.Status).With("allowed_actions", []string{}))
			return
		case !row.Claimed && name != "forward":
			fail(c, apperr.New(apperr.Conflict, "%s is not allowed before the petition is forwarded", name).
				With("state", row.Status).With("allowed_actions", []string{"forward"}))
			return
		}
		// A claimed petition's own workflow judges the transition: a retried Idempotency-Key
		// gets its first result back even though the state has moved on since.
		a, err := s.validateVPAction(c.Request.Context(), name, &req)
		if err != nil {
			fail(c, err)
			return
		}
		a.Actor = actorOf(c)
		if im := c.GetHeader("If-Match"); im != "" {
			v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(im, "W/"), `"`), 10, 64)
			if err != nil {
				fail(c, apperr.Fields([]apperr.FieldError{{Field: "If-Match", Message: "must be the petition's version, a whole number"}}))
				return
			}
			a.IfMatch = &v
		}
		updateID := uuid.NewString()
		if key := c.GetHeader("Idempotency-Key"); key != "" {
			if len(key) > 200 || textnorm.Problem(key) != "" {
				fail(c, apperr.Fields([]apperr.FieldError{{Field: "Idempotency-Key", Message: "at most 200 printable characters"}}))
				return
			}
			updateID = name + ":" + key
		}
		ctx := c.Request.Context()
		uctx, cancel := context.WithTimeout(ctx, s.UpdateTimeout)
		defer cancel()
		var res workflows.Result
		if row.Claimed {
			h, err := s.Temporal.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
				WorkflowID: workflows.VoterPetitionWorkflowID(row.ID), UpdateName: name, UpdateID: updateID,
				Args: []any{a}, WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			if err == nil {
				err = h.Get(uctx, &res)
			}
			if !s.answerUpdate(c, uctx, row, err) {
				return
			}
		} else {
			body := ""
			if row.BodyID != nil {
				body = *row.BodyID
			}
			op := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
				ID: workflows.VoterPetitionWorkflowID(row.ID), TaskQueue: s.TaskQueue,
				WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
				// A run whose claim failed (the group changed meanwhile) may be started again.
				WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
				TypedSearchAttributes: temporal.NewSearchAttributes(
					temporalx.CaseKind.ValueSet(workflows.CaseKindVoterPetition), temporalx.CaseStatus.ValueSet(row.Status),
					temporalx.BodyID.ValueSet(body), temporalx.Overdue.ValueSet(false)),
			}, workflows.VoterPetitionWorkflowName, workflows.VoterPetitionStart{ID: row.ID, Actor: a.Actor})
			h, err := s.Temporal.UpdateWithStartWorkflow(uctx, client.UpdateWithStartWorkflowOptions{
				StartWorkflowOperation: op,
				UpdateOptions: client.UpdateWorkflowOptions{UpdateName: name, UpdateID: updateID, Args: []any{a},
					WaitForStage: client.WorkflowUpdateStageCompleted},
			})
			if err == nil {
				err = h.Get(uctx, &res)
			}
			if !s.answerUpdate(c, uctx, row, err) {
				return
			}
		}
		s.respondVoterPetition(c, http.StatusOK, row.ID)
	}
}

// answerUpdate answers the request when the Update did not succeed: 202 past the wait budget,
// 409 when the petition's workflow has ended, the problem otherwise. It returns true when the
// caller should answer with the new view.
func (s *Server) answerUpdate(c *gin.Context, uctx context.Context, row models.VoterPetitionRow, err error) bool {
	if err == nil {
		return true
	}
	if outlived(uctx, err) && c.Request.Context().Err() == nil {
		c.Header("Location", "/v1/voter-petitions/"+row.ID)
		c.JSON(http.StatusAccepted, gin.H{"status": "pending", "detail": "the action is still running; GET the Location to see the petition"})
		return false
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	var gone *serviceerror.NotFound
	if errors.As(err, &started) || errors.As(err, &gone) {
		fail(c, apperr.New(apperr.Conflict, "the petition's case has ended (%s); no further action is possible", row.Status).
			With("state", row.Status).With("allowed_actions", []string{}))
		return false
	}
	fail(c, err)
	return false
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Server) validateVPAction(ctx context.Context, name string, r *vpActionRequest) (workflows.VPAction, error) {
	var v apperr.Validation
	var a workflows.VPAction
	present := map[string]bool{"to_body_id": r.ToBodyID != nil, "received_on": r.ReceivedOn != nil, "note": r.Note != nil,
		"answered_on": r.AnsweredOn != nil, "class": r.Class != nil, "reason": r.Reason != nil, "summary": r.Summary != nil,
		"document_no": r.DocumentNo != nil, "satisfied": r.Satisfied != nil}
	checkFieldSet(&v, name, vpFields[name], present)
	str := func(field string, p *string, maxRunes int) string {
		if p == nil {
			return ""
		}
		val := textnorm.NFC(*p)
		if utf8.RuneCountInString(val) > maxRunes {
			v.Add(field, "at most %d characters", maxRunes)
		} else if pr := textnorm.Problem(val); pr != "" {
			v.Add(field, "%s", pr)
		}
		return val
	}
	date := func(field string, p *string) *deadline.Date {
		if p == nil {
			return nil
		}
		d, err := deadline.ParseDate(*p)
		if err != nil {
			v.Add(field, "must be a date YYYY-MM-DD")
			return nil
		}
		return &d
	}
	if r.On != nil {
		a.On = date("on", r.On)
	}
	a.ToBodyID = str("to_body_id", r.ToBodyID, 100)
	a.ReceivedOn = date("received_on", r.ReceivedOn)
	a.Note = str("note", r.Note, 5000)
	a.AnsweredOn = date("answered_on", r.AnsweredOn)
	a.Class = str("class", r.Class, 50)
	a.Reason = str("reason", r.Reason, 50)
	a.Summary = str("summary", r.Summary, 20000)
	a.DocumentNo = str("document_no", r.DocumentNo, 100)
	a.Satisfied = r.Satisfied
	if r.Class != nil && !slices.Contains(workflows.AnswerClasses, a.Class) {
		v.Add("class", "must be one of %v", workflows.AnswerClasses)
	}
	if r.Reason != nil {
		if !slices.Contains(workflows.InProgressReason, a.Reason) {
			v.Add("reason", "must be one of %v", workflows.InProgressReason)
		} else if a.Class != "in_progress" {
			v.Add("reason", "only an in_progress answer has a reason")
		}
	}
	if r.ToBodyID != nil && a.ToBodyID == "" {
		v.Add("to_body_id", "must not be empty")
	}
	if err := v.Err(); err != nil {
		return a, err
	}
	if a.ToBodyID != "" {
		ok, err := models.BodyExists(ctx, s.DB, a.ToBodyID)
		if err != nil {
			return a, err
		}
		if !ok {
			v.Add("to_body_id", "no body %q; see GET /v1/bodies", a.ToBodyID)
		}
	}
	return a, v.Err()
}
