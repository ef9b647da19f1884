package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/rulebook"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// ReceptionView is a visit of the register as the API shows it.
type ReceptionView struct {
	ID          string    `json:"id"`
	Number      string    `json:"number"`
	BodyID      string    `json:"body_id"`
	HeldAt      time.Time `json:"held_at"`
	HeldOn      string    `json:"held_on"`
	Type        string    `json:"type"`
	Receiver    string    `json:"receiver"`
	PresidedBy  string    `json:"presided_by"`
	Interpreter string    `json:"interpreter"`
	// Protected: the citizens are in the identity vault; CitizenDisplay is their pseudonym
	// and the lists are empty (GET .../identity reveals them to those allowed).
	Protected       bool             `json:"protected"`
	CitizenDisplay  string           `json:"citizen_display"`
	Citizens        json.RawMessage  `json:"citizens"`
	Representatives json.RawMessage  `json:"representatives"`
	PeopleCount     int              `json:"people_count"`
	IsGroup         bool             `json:"is_group"`
	Content         string           `json:"content"`
	Kind            string           `json:"kind"`
	Field           string           `json:"field"`
	HandledBy       json.RawMessage  `json:"handled_by"`
	Outcome         string           `json:"outcome"`
	RefusalGround   string           `json:"refusal_ground"`
	RefusalBasis    string           `json:"refusal_basis,omitempty"`
	Guidance        string           `json:"guidance"`
	GuidanceDocNo   string           `json:"guidance_doc_no"`
	ForwardedTo     string           `json:"forwarded_to"`
	ForwardingDocNo string           `json:"forwarding_doc_no"`
	LetterID        *string          `json:"letter_id"`
	Letter          *ReceptionLetter `json:"letter,omitempty"`
	RepeatOf        *string          `json:"repeat_of"`
	MatterID        string           `json:"matter_id"`
	RepeatCount     int              `json:"repeat_count"`
	Repeats         []string         `json:"repeats,omitempty"` // later visits on this one (detail view)
	RefusalNotice   *NoticeView      `json:"refusal_notice"`
	// Overdue: a notice owed to the citizen of this visit is late — the written refusal
	// notice, or the letter's reception notice (D30).
	Overdue   bool              `json:"overdue"`
	CreatedBy string            `json:"created_by"`
	CreatedAt time.Time         `json:"created_at"`
	Links     map[string]string `json:"links"`
}

// ReceptionLetter is the letter a visit created, as the register shows it.
type ReceptionLetter struct {
	ID     string `json:"id"`
	Number string `json:"number,omitempty"`
	Status string `json:"status"` // "pending" until the letter's workflow has registered it
	// Notice is the D30 clock of the letter: tell the citizen within 10 working days.
	Notice *ClockView `json:"reception_notice,omitempty"`
}

// NoticeView is the written refusal notice clock of a visit (D35).
type NoticeView struct {
	Name       string         `json:"name"`
	RuleID     string         `json:"rule_id"`
	LegalBasis string         `json:"legal_basis"`
	StartOn    deadline.Date  `json:"start_on"`
	DueOn      deadline.Date  `json:"due_on"`
	DueAt      time.Time      `json:"due_at"`
	Status     string         `json:"status"` // running | overdue | met
	SentOn     *deadline.Date `json:"sent_on,omitempty"`
	DocNo      string         `json:"doc_no,omitempty"`
	Late       bool           `json:"late,omitempty"`
	Proof      string         `json:"proof"`
}

const refusalNoticeClock = "refusal_notice"

func (s *Server) receptionView(r models.ReceptionRow, letter *models.LetterRow, now time.Time) (ReceptionView, error) {
	v := ReceptionView{
		ID: r.ID, Number: r.Number, BodyID: r.BodyID, HeldAt: r.HeldAt.In(deadline.Location()), HeldOn: models.Date(r.HeldOn).String(),
		Type: r.Type, Receiver: r.Receiver, PresidedBy: r.PresidedBy, Interpreter: r.Interpreter, Protected: r.Protected,
		CitizenDisplay: r.CitizenDisplay, Citizens: r.Citizens, Representatives: r.Representatives, PeopleCount: r.PeopleCount,
		IsGroup: r.IsGroup, Content: r.Content, Kind: r.Kind, Field: r.Field, HandledBy: r.HandledBy, Outcome: r.Outcome,
		RefusalGround: r.RefusalGround, Guidance: r.Guidance, GuidanceDocNo: r.GuidanceDocNo, ForwardedTo: r.ForwardedTo,
		ForwardingDocNo: r.ForwardingDocNo, LetterID: r.LetterID, RepeatOf: r.RepeatOf, MatterID: r.MatterID,
		RepeatCount: r.RepeatCount, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		Links: map[string]string{"self": "/v1/receptions/" + r.ID},
	}
	if g, ok := findGround(r.RefusalGround); ok {
		v.RefusalBasis = g.Basis
	}
	if r.Protected {
		v.Links["identity"] = "/v1/receptions/" + r.ID + "/identity"
	}
	if r.RepeatOf != nil {
		v.Links["repeat_of"] = "/v1/receptions/" + *r.RepeatOf
	}
	if r.NoticeDueOn != nil {
		n := &NoticeView{Name: refusalNoticeClock, RuleID: r.NoticeRuleID, StartOn: models.Date(*r.NoticeStartOn),
			DueOn: models.Date(*r.NoticeDueOn), DueAt: r.NoticeDueAt.In(deadline.Location()), Status: "running",
			SentOn: models.DatePtr(r.NoticeSentOn), DocNo: r.NoticeDocNo,
			Proof: "/v1/receptions/" + r.ID + "/deadlines/" + refusalNoticeClock + "/proof"}
		if rule, err := rulebook.Rules().Find(r.NoticeRuleID, n.StartOn); err == nil {
			n.LegalBasis = rule.LegalBasis
		}
		switch {
		case n.SentOn != nil:
			n.Status, n.Late = "met", n.SentOn.After(n.DueOn)
		case !now.Before(n.DueAt):
			n.Status = "overdue"
		}
		v.RefusalNotice = n
		v.Overdue = n.Status == "overdue"
	}
	if r.LetterID != nil {
		v.Links["letter"] = "/v1/letters/" + *r.LetterID
		v.Letter = &ReceptionLetter{ID: *r.LetterID, Status: "pending"}
		if letter != nil {
			lv, err := s.letterView(*letter, now)
			if err != nil {
				return v, err
			}
			v.Letter.Number, v.Letter.Status = lv.Number, lv.Status
			for i := range lv.Clocks {
				if lv.Clocks[i].Name == workflows.ClockReceptionNotice {
					v.Letter.Notice = &lv.Clocks[i]
					v.Overdue = v.Overdue || lv.Clocks[i].Status == "overdue"
				}
			}
		}
	}
	return v, nil
}

// receptionViews reads the letters of a page of visits in one query.
func (s *Server) receptionViews(ctx context.Context, rows []models.ReceptionRow) ([]ReceptionView, error) {
	var ids []string
	for _, r := range rows {
		if r.LetterID != nil {
			ids = append(ids, *r.LetterID)
		}
	}
	letters, err := models.LettersByID(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]ReceptionView, 0, len(rows))
	for _, r := range rows {
		var l *models.LetterRow
		if r.LetterID != nil {
			if row, ok := letters[*r.LetterID]; ok {
				l = &row
			}
		}
		v, err := s.receptionView(r, l, now)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Server) respondReception(c *gin.Context, status int, r models.ReceptionRow) {
	ctx := c.Request.Context()
	views, err := s.receptionViews(ctx, []models.ReceptionRow{r})
	if err != nil {
		fail(c, err)
		return
	}
	v := views[0]
	if v.Repeats, err = models.ReceptionRepeats(ctx, s.DB, r.ID); err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, v)
}

func receptionCase(r models.ReceptionRow) policy.Case {
	return policy.Case{ReceivingBodyID: r.BodyID, HeldByBodyID: r.BodyID}
}

// loadReceptionFor reads a visit and checks the caller may do action on it. A caller who may
// not read it gets 404, so other bodies' visit ids are not confirmed.
func (s *Server) loadReceptionFor(c *gin.Context, action string) (models.ReceptionRow, bool) {
	row, err := models.GetReception(c.Request.Context(), s.DB, c.Param("id"))
	if err != nil {
		fail(c, err)
		return row, false
	}
	if s.Verifier == nil {
		return row, true
	}
	sub := subject(c)
	if !policy.Can(sub, "receptions.read", receptionCase(row)) && !policy.Can(sub, action, receptionCase(row)) {
		fail(c, apperr.New(apperr.NotFound, "no reception visit %s", row.ID))
		return row, false
	}
	if !policy.Can(sub, action, receptionCase(row)) {
		fail(c, apperr.New(apperr.Forbidden, "your roles and body do not allow %s on this visit", action))
		return row, false
	}
	return row, true
}

func (s *Server) getReception(c *gin.Context) {
	if row, ok := s.loadReceptionFor(c, "receptions.read"); ok {
		s.respondReception(c, http.StatusOK, row)
	}
}
