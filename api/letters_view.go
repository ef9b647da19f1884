package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// ClockView is a clock as the API shows it. Status is derived at read time too: a running
// clock past its due instant shows as overdue even while the worker is down.
type ClockView struct {
	Name       string               `json:"name"`
	RuleID     string               `json:"rule_id"`
	StartOn    deadline.Date        `json:"start_on"`
	DueOn      deadline.Date        `json:"due_on"`
	DueAt      time.Time            `json:"due_at"`
	Status     string               `json:"status"`
	LegalBasis string               `json:"legal_basis"`
	MetOn      *deadline.Date       `json:"met_on,omitempty"`
	Late       bool                 `json:"late,omitempty"`
	Legs       []workflows.ClockLeg `json:"legs,omitempty"`
	Proof      string               `json:"proof"`
}

// LetterView is the Letter of api.md.
type LetterView struct {
	ID               string            `json:"id"`
	Number           string            `json:"number"`
	Kind             string            `json:"kind"`
	Status           string            `json:"status"`
	BodyID           string            `json:"body_id"`
	ReceivingBodyID  string            `json:"receiving_body_id"`
	Assignee         string            `json:"assignee"`
	Version          int64             `json:"version"`
	Channel          string            `json:"channel"`
	ReceivedOn       string            `json:"received_on"`
	Subject          string            `json:"subject"`
	Content          string            `json:"content"`
	Respondent       string            `json:"respondent"`
	SubjectProvince  string            `json:"subject_province"`
	Anonymous        bool              `json:"anonymous"`
	RemoteArea       bool              `json:"remote_area"`
	Confidential     bool              `json:"confidential"`
	SenderDisplay    string            `json:"sender_display"`
	Senders          json.RawMessage   `json:"senders"`
	SignerCount      int               `json:"signer_count"`
	Field            string            `json:"field"`
	Topic            string            `json:"topic"`
	Eligible         *bool             `json:"eligible"`
	Competent        *bool             `json:"competent"`
	Clocks           []ClockView       `json:"clocks"`
	Overdue          bool              `json:"overdue"`
	DueAt            *time.Time        `json:"due_at"`
	DuplicateOf      *string           `json:"duplicate_of"`
	DuplicateCount   int               `json:"duplicate_count"`
	ForwardedTo      string            `json:"forwarded_to"`
	FollowUpCount    int               `json:"follow_up_count"`
	EscalationLevel  int               `json:"escalation_level"`
	ReceptionVisitID string            `json:"reception_visit_id,omitempty"`
	Detail           json.RawMessage   `json:"detail"`
	AllowedActions   []string          `json:"allowed_actions"`
	Links            map[string]string `json:"links"`
	History          []models.EventRow `json:"history,omitempty"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
	ClosedAt         *time.Time        `json:"closed_at"`
}

func (s *Server) letterView(r models.LetterRow, now time.Time) (LetterView, error) {
	clocks, err := r.ClockList()
	if err != nil {
		return LetterView{}, err
	}
	v := LetterView{
		ID: r.ID, Number: r.Number, Kind: r.Kind, Status: r.Status, BodyID: r.BodyID, ReceivingBodyID: r.ReceivingBodyID,
		Assignee: r.Assignee, Version: r.Version, Channel: r.Channel, ReceivedOn: deadline.DateOf(r.ReceivedOn.Add(12 * time.Hour)).String(),
		Subject: r.Subject, Content: r.Content, Respondent: r.Respondent, SubjectProvince: r.SubjectProvince,
		Anonymous: r.Anonymous, RemoteArea: r.RemoteArea, Confidential: r.Confidential, SenderDisplay: r.SenderDisplay,
		Senders: r.Senders, SignerCount: r.SignerCount, Field: r.Field, Topic: r.Topic, Eligible: r.Eligible, Competent: r.Competent,
		DueAt: r.DueAt, DuplicateOf: r.DuplicateOf, DuplicateCount: r.DuplicateCount, ForwardedTo: r.ForwardedTo,
		FollowUpCount: r.FollowUpCount, EscalationLevel: r.EscalationLevel, ReceptionVisitID: r.ReceptionVisitID,
		Detail: r.Detail, AllowedActions: workflows.AllowedActionsFor(r.Status, settlementStatus(r.Detail), sendPending(r.Clocks)), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ClosedAt: r.ClosedAt,
		Links: map[string]string{
			"self":       "/v1/letters/" + r.ID,
			"duplicates": "/v1/letters/" + r.ID + "/duplicates",
			"workflow":   s.TemporalUIURL + "/namespaces/default/workflows/" + workflows.LetterWorkflowID(r.ID),
		},
	}
	v.Clocks = make([]ClockView, 0, len(clocks))
	for _, c := range clocks {
		status := c.Status
		if c.Running() && !now.Before(c.DueAt) {
			status = "overdue"
		}
		v.Overdue = v.Overdue || status == "overdue"
		v.Clocks = append(v.Clocks, ClockView{Name: c.Name, RuleID: c.RuleID, StartOn: c.StartOn, DueOn: c.DueOn, DueAt: c.DueAt,
			Status: status, LegalBasis: c.LegalBasis, MetOn: c.MetOn, Late: c.Late, Legs: c.Legs,
			Proof: "/v1/letters/" + r.ID + "/deadlines/" + c.Name + "/proof"})
	}
	return v, nil
}

// loadLetterView reads the letter and its history from the read model.
func (s *Server) loadLetterView(ctx context.Context, id string) (LetterView, error) {
	row, err := models.GetLetter(ctx, s.DB, id)
	if err != nil {
		return LetterView{}, err
	}
	v, err := s.letterView(row, s.now())
	if err != nil {
		return LetterView{}, err
	}
	if v.History, err = models.LetterEvents(ctx, s.DB, id); err != nil {
		return LetterView{}, err
	}
	return v, nil
}

func (s *Server) respondLetter(c *gin.Context, status int, id string) {
	s.respondLetterTimed(c, status, id, nil)
}

// respondLetterTimed answers with the letter's view and, when t is set, the phases timed so
// far plus reading the view, in Server-Timing.
func (s *Server) respondLetterTimed(c *gin.Context, status int, id string, t *serverTiming) {
	v, err := s.loadLetterView(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	if t != nil {
		t.mark("view")
		c.Header("Server-Timing", t.header())
	}
	c.Header("ETag", `"`+strconv.FormatInt(v.Version, 10)+`"`)
	c.JSON(status, v)
}

func (s *Server) getLetter(c *gin.Context) {
	if _, ok := s.loadLetterFor(c, "letters.read"); ok {
		s.respondLetter(c, http.StatusOK, c.Param("id"))
	}
}

// settlementStatus is the state of the letter's settlement case ("" when it has none), read
// from the stored detail.
func settlementStatus(detail []byte) string {
	var d struct {
		Case *struct {
			Status string `json:"status"`
		} `json:"case"`
	}
	if json.Unmarshal(detail, &d) != nil || d.Case == nil {
		return ""
	}
	return d.Case.Status
}

// sendPending reports whether the stored clocks still wait for the decision (or conclusion)
// to be sent.
func sendPending(clocks []byte) bool {
	var cs []workflows.Clock
	if json.Unmarshal(clocks, &cs) != nil {
		return false
	}
	for _, c := range cs {
		if (c.Name == "send_decision" || c.Name == "conclusion_notice") && c.Running() {
			return true
		}
	}
	return false
}
