package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// actionRequest lists every field any action accepts; actionFields says which one each
// action takes, so a field sent to the wrong action is refused instead of ignored.
type actionRequest struct {
	On               *string `json:"on"`
	Assignee         *string `json:"assignee"`
	Kind             *string `json:"kind"`
	Field            *string `json:"field"`
	Topic            *string `json:"topic"`
	Eligible         *bool   `json:"eligible"`
	IneligibleReason *string `json:"ineligible_reason"`
	Competent        *bool   `json:"competent"`
	DuplicateOf      *string `json:"duplicate_of"`
	ToBodyID         *string `json:"to_body_id"`
	Note             *string `json:"note"`
	Text             *string `json:"text"`
	Reason           *string `json:"reason"`
	FromBodyID       *string `json:"from_body_id"`
	ReceivedOn       *string `json:"received_on"`
	ResolvedOn       *string `json:"resolved_on"`
	Outcome          *string `json:"outcome"`
	Summary          *string `json:"summary"`
	Satisfied        *bool   `json:"satisfied"`
	Partial          *bool   `json:"partial"`

	// the settlement track (domain.md §4, §5)
	Level             *int           `json:"level"`
	Complex           *bool          `json:"complex"`
	RemoteArea        *bool          `json:"remote_area"`
	EspeciallyComplex *bool          `json:"especially_complex"`
	Days              *int           `json:"days"`
	DecisionNo        *string        `json:"decision_no"`
	DecidedOn         *string        `json:"decided_on"`
	DecisionKnownOn   *string        `json:"decision_known_on"`
	Disciplinary      *bool          `json:"disciplinary"`
	Tolling           []intervalJSON `json:"tolling"`
	Procedure         *string        `json:"procedure"`
	FirstInstanceOf   *string        `json:"first_instance_of"`
	Parts             []partJSON     `json:"parts"`
}

// partJSON is one part of a mixed letter to split.
type partJSON struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Content string `json:"content"`
}

// intervalJSON is a closed range of days, as officers send tolling periods.
type intervalJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// actionFields: the fields of each action (api.md), the required ones marked with "!".
var actionFields = map[string][]string{
	"assign":          {"assignee!"},
	"classify":        {"kind!", "field", "topic", "eligible", "ineligible_reason", "competent", "level", "decision_known_on", "disciplinary", "tolling", "procedure", "first_instance_of"},
	"split":           {"parts!"},
	"mark-duplicate":  {"duplicate_of!"},
	"forward":         {"to_body_id!", "note"},
	"guide":           {"text!"},
	"file":            {"reason!"},
	"watch":           {"note"},
	"follow-up":       {"note"},
	"record-response": {"from_body_id!", "received_on", "resolved_on", "outcome!", "summary"},
	"evaluate":        {"satisfied!", "note"},
	"withdraw":        {"partial"},
	"close":           {},
	"accept":          {"complex", "remote_area", "especially_complex"},
	"reject":          {"reason!", "note"},
	"mark-complex":    {"complex!", "remote_area"},
	"extend":          {"days", "reason!"},
	"suspend":         {"reason!"},
	"resume":          {},
	"decide":          {"outcome!", "decision_no", "decided_on", "summary"},
	"send-decision":   {},
}

var (
	letterFields      = []string{"administrative", "judicial", "party", "corruption", "other"}
	responseOutcomes  = []string{"resolved", "partly_resolved", "rejected", "explained", "in_progress", "not_competent"}
	ineligibleReasons = []string{"", "missing_identity", "vague", "duplicate", "already_guided", "sent_to_many", "not_competent_after_guidance", "other"}
)

// letterAction runs one officer action as a workflow Update and answers with the new view.
func (s *Server) letterAction(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		timing := startTiming()
		var req actionRequest
		if c.Request.ContentLength == 0 {
			req = actionRequest{}
		} else if !decodeJSON(c, &req) {
			return
		}
		ctx := c.Request.Context()
		id := c.Param("id")
		row, ok := s.loadLetterFor(c, "letters."+name)
		if !ok {
			return
		}
		if row.Status == workflows.StatusClosed {
			fail(c, apperr.New(apperr.Conflict, "%s is not allowed while the letter is closed", name).
				With("state", row.Status).With("allowed_actions", []string{}))
			return
		}
		a, err := s.validateAction(ctx, name, &req, id)
		if err != nil {
			fail(c, err)
			return
		}
		a.Actor = actorOf(c)
		if name == "record-response" && !slices.Contains(a.Actor.Roles, policy.HandlingOfficer) && !slices.Contains(a.Actor.Roles, policy.Head) &&
			a.FromBodyID != a.Actor.BodyID {
			// An agency answers only for itself.
			fail(c, apperr.Fields([]apperr.FieldError{{Field: "from_body_id", Message: "an agency records answers only from its own body (" + a.Actor.BodyID + ")"}}))
			return
		}
		if im := c.GetHeader("If-Match"); im != "" {
			v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(im, "W/"), `"`), 10, 64)
			if err != nil {
				fail(c, apperr.Fields([]apperr.FieldError{{Field: "If-Match", Message: "must be the letter's version, a whole number"}}))
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
		uctx, cancel := context.WithTimeout(ctx, s.UpdateTimeout)
		defer cancel()
		timing.mark("checks")
		var res workflows.Result
		for {
			h, uerr := s.Temporal.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
				WorkflowID: workflows.LetterWorkflowID(id), UpdateName: name, UpdateID: updateID,
				Args: []any{a}, WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			if err = uerr; err == nil {
				err = h.Get(uctx, &res)
			}
			// A letter whose registration is finishing (its first row is visible, the intake
			// Update not yet answered) refuses actions for a moment: wait, within the budget,
			// instead of handing the caller a 409 for a state it could not see.
			if err == nil || !strings.Contains(err.Error(), workflows.MsgStillRegistering) || !sleepCtx(uctx, 100*time.Millisecond) {
				break
			}
		}
		if err != nil && outlived(uctx, err) && ctx.Err() == nil {
			loc := "/v1/letters/" + id + "/updates/" + updateID
			c.Header("Location", loc)
			c.JSON(http.StatusAccepted, gin.H{"status": "pending", "update_id": updateID, "detail": "the action is still running; GET the Location for its outcome"})
			return
		}
		if err != nil {
			fail(c, err)
			return
		}
		timing.mark("workflow")
		s.respondLetterTimed(c, http.StatusOK, id, timing)
	}
}

// validateAction checks the shape of the request for this action and what needs the read
// model (bodies and letters that must exist); the workflow checks it against the state.
func (s *Server) validateAction(ctx context.Context, name string, r *actionRequest, letterID string) (workflows.Action, error) {
	var v apperr.Validation
	var a workflows.Action
	present := map[string]bool{
		"assignee": r.Assignee != nil, "kind": r.Kind != nil, "field": r.Field != nil, "topic": r.Topic != nil,
		"eligible": r.Eligible != nil, "ineligible_reason": r.IneligibleReason != nil, "competent": r.Competent != nil,
		"duplicate_of": r.DuplicateOf != nil, "to_body_id": r.ToBodyID != nil, "note": r.Note != nil, "text": r.Text != nil,
		"reason": r.Reason != nil, "from_body_id": r.FromBodyID != nil, "received_on": r.ReceivedOn != nil,
		"resolved_on": r.ResolvedOn != nil, "outcome": r.Outcome != nil, "summary": r.Summary != nil,
		"satisfied": r.Satisfied != nil, "partial": r.Partial != nil,
		"level": r.Level != nil, "complex": r.Complex != nil, "remote_area": r.RemoteArea != nil,
		"especially_complex": r.EspeciallyComplex != nil, "days": r.Days != nil, "decision_no": r.DecisionNo != nil,
		"decided_on": r.DecidedOn != nil, "decision_known_on": r.DecisionKnownOn != nil, "disciplinary": r.Disciplinary != nil,
		"tolling": r.Tolling != nil, "procedure": r.Procedure != nil, "first_instance_of": r.FirstInstanceOf != nil,
		"parts": r.Parts != nil,
	}
	checkFieldSet(&v, name, actionFields[name], present)
	str := func(field string, p *string, maxRunes int) string {
		if p == nil {
			return ""
		}
		val := textnorm.NFC(*p)
		if utf8.RuneCountInString(val) > maxRunes {
			v.Add(field, "at most %d characters", maxRunes)
		} else if pr := textnorm.Problem(val); pr != "" {
			v.Add(field, "%s", pr)
		} else if val == "" && strings.HasSuffix(strings.Join(actionFields[name], ","), field+"!") {
			v.Add(field, "must not be empty")
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
	a.On = date("on", r.On)
	a.Assignee = str("assignee", r.Assignee, 200)
	a.Kind = str("kind", r.Kind, 50)
	a.Field = str("field", r.Field, 50)
	a.Topic = str("topic", r.Topic, 100)
	a.IneligibleReason = str("ineligible_reason", r.IneligibleReason, 100)
	a.DuplicateOf = str("duplicate_of", r.DuplicateOf, 100)
	a.ToBodyID = str("to_body_id", r.ToBodyID, 100)
	a.Note = str("note", r.Note, 5000)
	a.Text = str("text", r.Text, 20000)
	a.Reason = str("reason", r.Reason, 2000)
	a.FromBodyID = str("from_body_id", r.FromBodyID, 100)
	a.Outcome = str("outcome", r.Outcome, 50)
	a.Summary = str("summary", r.Summary, 20000)
	a.ReceivedOn = date("received_on", r.ReceivedOn)
	a.ResolvedOn = date("resolved_on", r.ResolvedOn)
	a.Eligible, a.Competent, a.Satisfied = r.Eligible, r.Competent, r.Satisfied
	a.Partial = r.Partial != nil && *r.Partial
	if r.Kind != nil && !slices.Contains(letterKinds, a.Kind) {
		v.Add("kind", "must be one of %v", letterKinds)
	}
	if r.Field != nil && a.Field != "" && !slices.Contains(letterFields, a.Field) {
		v.Add("field", "must be one of %v", letterFields)
	}
	if r.IneligibleReason != nil && !slices.Contains(ineligibleReasons, a.IneligibleReason) {
		v.Add("ineligible_reason", "must be one of %v", ineligibleReasons[1:])
	}
	if r.Outcome != nil && name == "record-response" && !slices.Contains(responseOutcomes, a.Outcome) {
		v.Add("outcome", "must be one of %v", responseOutcomes)
	}
	validateSettlement(name, &v, r, &a, date, str)
	if err := v.Err(); err != nil {
		return a, err
	}
	for field, body := range map[string]string{"to_body_id": a.ToBodyID, "from_body_id": a.FromBodyID} {
		if body == "" {
			continue
		}
		ok, err := models.BodyExists(ctx, s.DB, body)
		if err != nil {
			return a, err
		}
		if !ok {
			v.Add(field, "no body %q; see GET /v1/bodies", body)
		}
	}
	if a.FirstInstanceOf != "" {
		if a.FirstInstanceOf == letterID {
			v.Add("first_instance_of", "a letter cannot be its own first instance")
		} else if ok, err := models.LetterExists(ctx, s.DB, a.FirstInstanceOf); err != nil {
			return a, err
		} else if !ok {
			v.Add("first_instance_of", "no letter %q", a.FirstInstanceOf)
		}
	}
	if a.DuplicateOf != "" {
		if a.DuplicateOf == letterID {
			v.Add("duplicate_of", "a letter cannot duplicate itself")
		} else if ok, err := models.LetterExists(ctx, s.DB, a.DuplicateOf); err != nil {
			return a, err
		} else if !ok {
			v.Add("duplicate_of", "no letter %q", a.DuplicateOf)
		}
	}
	return a, v.Err()
}

// sleepCtx waits d unless ctx ends first; it reports whether the full wait happened.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}
