package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/rulebook"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

var (
	// receptionNS scopes visit ids derived from Idempotency-Key values.
	receptionNS = uuid.MustParse("4a3803f1-1f28-4395-afdb-46100003fb2f")
	// receptionLetterNS derives the id of the letter a visit creates from the visit's id, so
	// a retried visit finds its letter instead of creating a second one.
	receptionLetterNS = uuid.MustParse("b4e83702-8250-47c5-821d-09cfce85c6e4")
)

func receptionLetterID(visitID string) string {
	return uuid.NewSHA1(receptionLetterNS, []byte(visitID)).String()
}

func (s *Server) receptionRoutes(g *gin.RouterGroup) {
	g.POST("/receptions", s.createReception)
	g.GET("/receptions", s.listReceptions)
	g.GET("/receptions/:id", s.getReception)
	g.GET("/receptions/:id/deadlines/:clock/proof", s.receptionProof)
	g.GET("/receptions/:id/identity", s.revealReceptionIdentity)
	g.POST("/receptions/:id/refusal-notice", s.recordRefusalNotice)
	// Until /v1/reports/summary folds the reception table in.
	g.GET("/reports/receptions", s.receptionReport)
}

// createReception records a visit in the register. A visit whose content needs handling
// creates its letter (channel reception) through the letters' own intake, Update-With-Start
// of LetterWorkflow, before the visit row is stored with the link; a retried request with the
// same Idempotency-Key finds both and finishes what the first attempt could not.
func (s *Server) createReception(c *gin.Context) {
	var req receptionRequest
	if !decodeJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	actor := actorOf(c)
	key := c.GetHeader("Idempotency-Key")
	if len(key) > 200 || textnorm.Problem(key) != "" {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "Idempotency-Key", Message: "at most 200 printable characters"}}))
		return
	}
	in, err := s.validateReception(ctx, &req, actor)
	if err != nil {
		fail(c, err)
		return
	}
	if s.Verifier != nil {
		sub, body := subject(c), policy.Case{ReceivingBodyID: in.BodyID}
		if !policy.Can(sub, "receptions.create", body) {
			fail(c, apperr.New(apperr.Forbidden, "you may record visits only for your own body (%s)", actor.BodyID))
			return
		}
		if in.Outcome == "forwarded" && !policy.Can(sub, "letters.forward", body) {
			fail(c, apperr.New(apperr.Forbidden, "forwarding needs a handling officer or a head; record the outcome letter_created and let them forward the letter"))
			return
		}
	}
	id := uuid.NewString()
	if key != "" {
		id = uuid.NewSHA1(receptionNS, []byte(actor.Sub+"\x00"+key)).String()
	}
	raw, _ := json.Marshal(req) // normalised by the validation
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])

	if row, err := models.GetReception(ctx, s.DB, id); err == nil {
		if row.RequestHash != hash {
			fail(c, idempotencyMismatch())
			return
		}
		pending := false
		if row.LetterID != nil {
			if pending, err = s.ensureReceptionLetter(ctx, row.ID, *row.LetterID, in, actor); err != nil {
				fail(c, err)
				return
			}
		}
		if pending {
			respondPendingReception(c, row)
			return
		}
		s.respondReception(c, http.StatusCreated, row)
		return
	} else if apperr.KindOf(err) != apperr.NotFound {
		fail(c, err)
		return
	}

	row, err := s.receptionRow(ctx, id, hash, in, actor)
	if err != nil {
		fail(c, err)
		return
	}
	pending := false
	if row.LetterID != nil {
		if pending, err = s.ensureReceptionLetter(ctx, id, *row.LetterID, in, actor); err != nil {
			fail(c, err)
			return
		}
	}
	stored, created, err := models.CreateReception(ctx, s.DB, row)
	if err != nil {
		fail(c, err)
		return
	}
	if created {
		detail, _ := json.Marshal(map[string]any{"reception_id": stored.ID, "number": stored.Number, "outcome": stored.Outcome,
			"letter_id": stored.LetterID, "repeat_of": stored.RepeatOf, "body_id": stored.BodyID})
		if err := models.Audit(ctx, s.DB, models.AuditEntry{Actor: actor.Sub, Action: "reception.create",
			LetterID: models.ReceptionVaultKey(stored.ID), Allowed: true, Detail: detail}); err != nil {
			fail(c, err)
			return
		}
	}
	if pending {
		respondPendingReception(c, stored)
		return
	}
	c.Header("Location", "/v1/receptions/"+stored.ID)
	s.respondReception(c, http.StatusCreated, stored)
}

// respondPendingReception answers 202 when the visit's letter outlived the API's budget: the
// visit is stored and linked, and GET shows the letter once its workflow answers. Sending the
// same request with the same Idempotency-Key finishes whatever is left (the forwarding of a
// forwarded visit) and answers 201.
func respondPendingReception(c *gin.Context, r models.ReceptionRow) {
	c.Header("Location", "/v1/receptions/"+r.ID)
	c.JSON(http.StatusAccepted, gin.H{"id": r.ID, "number": r.Number, "letter_id": r.LetterID, "status": "pending",
		"detail": "the visit is recorded; its letter is taking longer than usual. GET the Location to see it; send the same request with the same Idempotency-Key to finish it"})
}

// receptionRow builds the register row: protected citizens go to the vault now, and a refusal
// on a repeat ground gets its written-notice due date (D35).
func (s *Server) receptionRow(ctx context.Context, id, hash string, in *receptionInput, actor workflows.Actor) (models.ReceptionRow, error) {
	row := models.ReceptionRow{
		ID: id, BodyID: in.BodyID, HeldAt: in.HeldAt, HeldOn: models.DateValue(in.HeldOn), Type: in.Type,
		Receiver: in.Receiver, PresidedBy: in.PresidedBy, Interpreter: in.Interpreter, PeopleCount: in.PeopleCount,
		Content: in.Content, Kind: in.Kind, Field: in.Field, Outcome: in.Outcome, RefusalGround: in.Ground.Code,
		Guidance: in.Guidance, GuidanceDocNo: in.GuidanceDocNo, ForwardedTo: in.ForwardedTo, ForwardingDocNo: in.ForwardingDocNo,
		MatterID: id, RequestHash: hash, CreatedBy: actor.Sub,
	}
	row.HandledBy, _ = json.Marshal(in.HandledBy)
	if in.RepeatOf != nil {
		row.RepeatOf, row.MatterID, row.RepeatCount = &in.RepeatOf.ID, in.RepeatOf.MatterID, in.RepeatOf.RepeatCount+1
	}
	vaultKey := models.ReceptionVaultKey(id)
	if in.needsLetter() {
		lid := receptionLetterID(id)
		row.LetterID, vaultKey = &lid, lid
	}
	people := map[string][]models.Person{"citizens": in.Citizens, "representatives": in.Representatives}
	if in.protected() {
		// The letter's pseudonym when there is a letter, so officers see one name for the
		// denouncer in the register and on the letter.
		row.Protected = true
		row.CitizenDisplay = models.Pseudonym(s.PseudonymKey, vaultKey, in.Kind)
		if err := models.SealIdentity(ctx, s.DB, s.VaultKeys, models.ReceptionVaultKey(id), row.CitizenDisplay, people); err != nil {
			return row, err
		}
		row.Citizens, row.Representatives = json.RawMessage("[]"), json.RawMessage("[]")
	} else {
		row.CitizenDisplay = citizenDisplay(in.Citizens, in.PeopleCount)
		row.Citizens, _ = json.Marshal(in.Citizens)
		row.Representatives, _ = json.Marshal(nonNil(in.Representatives))
	}
	if in.Ground.Repeat {
		if err := s.refusalNoticeDue(ctx, &row, in.HeldOn); err != nil {
			return row, err
		}
	}
	return row, nil
}

// refusalNoticeDue sets the 3-working-day written-notice clock of a refusal on a repeat ground
// (D35, ND154 art 4(3)), from the day the ground was established: the visit. Before the rule
// took effect (2026-07-01) the law asked for no written notice, and the visit has none.
func (s *Server) refusalNoticeDue(ctx context.Context, row *models.ReceptionRow, heldOn deadline.Date) error {
	if _, err := rulebook.Rules().Find("D35", heldOn); errors.Is(err, deadline.ErrNotInForce) {
		return nil
	}
	cal, err := models.LoadCalendar(ctx, s.DB)
	if err != nil {
		return err
	}
	res, rule, err := deadline.ComputeRule(cal, rulebook.Rules(), "D35", deadline.Normal, heldOn, deadline.Options{})
	if errors.Is(err, deadline.ErrOutOfCoverage) {
		return apperr.Fields([]apperr.FieldError{{Field: "held_at", Message: fmt.Sprintf(
			"the written refusal notice cannot be dated: %s is outside the holiday calendar (%s to %s)", heldOn, cal.CoverFrom(), cal.CoverTo())}})
	}
	if err != nil {
		return fmt.Errorf("refusal notice due date: %w", err)
	}
	start, due, at := models.DateValue(heldOn), models.DateValue(res.DueOn), res.DueAt
	row.NoticeRuleID, row.NoticeStartOn, row.NoticeDueOn, row.NoticeDueAt = rule.ID, &start, &due, &at
	return nil
}

// ensureReceptionLetter creates the visit's letter, and for a visit that forwarded the matter,
// classifies and forwards it as the officer did at the desk (on the visit's date). Every step
// is idempotent — the letter id is derived from the visit, the Updates have fixed ids — so a
// retry repeats none of them. pending is true when the letter outlived the API's budget.
func (s *Server) ensureReceptionLetter(ctx context.Context, visitID, letterID string, in *receptionInput, actor workflows.Actor) (pending bool, err error) {
	li := *in.Intake
	li.ReceptionVisitID = visitID
	raw, _ := json.Marshal(li)
	sum := sha256.Sum256(raw)
	li.RequestHash = hex.EncodeToString(sum[:])
	status, forwardedTo := workflows.StatusRegistered, ""
	row, err := models.GetLetter(ctx, s.DB, letterID)
	switch {
	case err == nil:
		status, forwardedTo = row.Status, row.ForwardedTo
	case apperr.KindOf(err) != apperr.NotFound:
		return false, err
	default:
		if err := s.protectIdentity(ctx, letterID, &li); err != nil {
			return false, err
		}
		if _, err := s.startLetter(ctx, letterID, li, actor); err != nil {
			if outlived(ctx, err) && ctx.Err() == nil {
				return true, nil
			}
			return false, err
		}
	}
	if in.Outcome != "forwarded" || forwardedTo != "" {
		return false, nil
	}
	on := in.HeldOn
	yes, no := true, false
	if status == workflows.StatusRegistered {
		a := workflows.Action{Actor: actor, On: &on, Kind: in.Kind, Field: in.Field, Eligible: &yes, Competent: &no}
		if pending, err := s.receptionLetterAction(ctx, letterID, "classify", a); pending || err != nil {
			return pending, err
		}
		status = workflows.StatusClassified
	}
	if status != workflows.StatusClassified {
		return false, nil // an officer has taken the letter elsewhere since
	}
	a := workflows.Action{Actor: actor, On: &on, ToBodyID: in.ForwardedTo, Note: in.ForwardingDocNo}
	return s.receptionLetterAction(ctx, letterID, "forward", a)
}

// receptionLetterAction runs one letter action for a visit; its Update id makes a retry
// return the first result.
func (s *Server) receptionLetterAction(ctx context.Context, letterID, name string, a workflows.Action) (pending bool, err error) {
	uctx, cancel := context.WithTimeout(ctx, s.UpdateTimeout)
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.LetterWorkflowID(letterID), UpdateName: name, UpdateID: "reception-" + name,
		Args: []any{a}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		var res workflows.Result
		err = h.Get(uctx, &res)
	}
	if err != nil && outlived(uctx, err) && ctx.Err() == nil {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s the visit's letter %s: %w", name, letterID, err)
	}
	return false, nil
}

func citizenDisplay(ps []models.Person, people int) string {
	switch {
	case len(ps) == 0:
		return ""
	case people <= 1:
		return ps[0].FullName
	default:
		return fmt.Sprintf("%s và %d người khác", ps[0].FullName, people-1)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
