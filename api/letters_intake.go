package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
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

var (
	letterKinds    = []string{"complaint", "denunciation", "recommendation", "reflection", "mixed"}
	letterChannels = []string{"post", "in_person", "reception", "online", "email", "forwarded", "press"}
	// idempotencyNS scopes letter ids derived from Idempotency-Key values.
	idempotencyNS = uuid.MustParse("6f0d8e8a-3c57-4b43-9a53-0d2d4b8f7e11")
)

type senderIn struct {
	FullName         string `json:"full_name"`
	IDNumber         string `json:"id_number"`
	Phone            string `json:"phone"`
	Address          string `json:"address"`
	IsRepresentative bool   `json:"is_representative"`
}

type intakeRequest struct {
	Kind             string     `json:"kind"`
	Channel          string     `json:"channel"`
	ReceivedOn       string     `json:"received_on"`
	Senders          []senderIn `json:"senders"`
	SignerCount      *int       `json:"signer_count"`
	Anonymous        bool       `json:"anonymous"`
	Subject          string     `json:"subject"`
	Content          string     `json:"content"`
	Respondent       string     `json:"respondent"`
	SubjectProvince  string     `json:"subject_province"`
	BodyID           string     `json:"body_id"`
	RemoteArea       bool       `json:"remote_area"`
	Confidential     bool       `json:"confidential"`
	ReceptionVisitID string     `json:"reception_visit_id"`
	ForwardedBy      string     `json:"forwarded_by"`
}

// createLetter registers a letter: it validates the body, then starts LetterWorkflow with
// Update-With-Start and answers with the registered letter (number, state, clocks).
func (s *Server) createLetter(c *gin.Context) {
	timing := startTiming()
	var req intakeRequest
	if !decodeJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	in, err := s.validateIntake(ctx, &req)
	if err != nil {
		fail(c, err)
		return
	}
	if s.Verifier != nil && !policy.Can(subject(c), "letters.create", policy.Case{ReceivingBodyID: in.BodyID}) {
		fail(c, apperr.New(apperr.Forbidden, "you may register letters only for your own body (%s)", actorOf(c).BodyID))
		return
	}
	key := c.GetHeader("Idempotency-Key")
	if len(key) > 200 || textnorm.Problem(key) != "" {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "Idempotency-Key", Message: "at most 200 printable characters"}}))
		return
	}
	id := uuid.NewString()
	if key != "" {
		id = uuid.NewSHA1(idempotencyNS, []byte(actorOf(c).Sub+"\x00"+key)).String()
	}
	raw, _ := json.Marshal(in)
	sum := sha256.Sum256(raw)
	in.RequestHash = hex.EncodeToString(sum[:])
	if err := s.protectIdentity(ctx, id, &in); err != nil {
		fail(c, err)
		return
	}

	// A retry of a letter already stored (perhaps closed since) is answered from the read model.
	if row, err := models.GetLetter(ctx, s.DB, id); err == nil {
		if !sameRequest(row, in.RequestHash) {
			fail(c, idempotencyMismatch())
			return
		}
		// Tells a retrying client (and the importer) that this letter was registered before.
		c.Header("Idempotent-Replayed", "true")
		timing.mark("checks")
		s.respondLetterTimed(c, http.StatusCreated, id, timing)
		return
	} else if apperr.KindOf(err) != apperr.NotFound {
		fail(c, err)
		return
	}

	timing.mark("checks")
	res, err := s.startLetter(ctx, id, in, actorOf(c))
	if err != nil && outlived(ctx, err) {
		c.Header("Location", "/v1/letters/"+id)
		c.JSON(http.StatusAccepted, gin.H{"id": id, "status": "pending", "detail": "registration is taking longer than usual; GET the Location to see the letter"})
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	if res.RequestHash != in.RequestHash {
		fail(c, idempotencyMismatch())
		return
	}
	timing.mark("workflow")
	c.Header("Location", "/v1/letters/"+id)
	s.respondLetterTimed(c, http.StatusCreated, id, timing)
}

func idempotencyMismatch() error {
	return apperr.Fields([]apperr.FieldError{{Field: "Idempotency-Key", Message: "this key was already used with a different request body"}})
}

func sameRequest(row models.LetterRow, hash string) bool {
	var d struct {
		RequestHash string `json:"request_hash"`
	}
	_ = json.Unmarshal(row.Detail, &d)
	return d.RequestHash == "" || d.RequestHash == hash
}

func (s *Server) startLetter(ctx context.Context, id string, in workflows.Intake, actor workflows.Actor) (workflows.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.UpdateTimeout)
	defer cancel()
	kind := in.Kind
	if kind == "" {
		kind = "unclassified"
	}
	op := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: workflows.LetterWorkflowID(id), TaskQueue: s.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporalx.CaseKind.ValueSet(kind), temporalx.CaseStatus.ValueSet(workflows.StatusReceived),
			temporalx.BodyID.ValueSet(in.BodyID), temporalx.Overdue.ValueSet(false)),
	}, workflows.LetterWorkflowName, workflows.LetterStart{ID: id, Intake: &in, Actor: actor})
	h, err := s.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName: workflows.UpdateIntake, UpdateID: workflows.UpdateIntake,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return workflows.Result{}, err
	}
	var res workflows.Result
	err = h.Get(ctx, &res)
	return res, err
}

// validateIntake checks every field against domain.md §3.1 and returns the normalised intake;
// all bad fields are reported together.
func (s *Server) validateIntake(ctx context.Context, r *intakeRequest) (workflows.Intake, error) {
	var v apperr.Validation
	text := func(field string, val *string, required bool, maxRunes int) {
		*val = textnorm.NFC(*val)
		switch {
		case *val == "" && required:
			v.Add(field, "is required")
		case utf8.RuneCountInString(*val) > maxRunes:
			v.Add(field, "at most %d characters", maxRunes)
		case textnorm.Problem(*val) != "":
			v.Add(field, "%s", textnorm.Problem(*val))
		}
	}
	if r.Kind != "" && !slices.Contains(letterKinds, r.Kind) {
		v.Add("kind", "must be one of %v (or omitted until classification)", letterKinds)
	}
	if !slices.Contains(letterChannels, r.Channel) {
		v.Add("channel", "must be one of %v", letterChannels)
	}
	today := deadline.DateOf(s.now())
	received, err := deadline.ParseDate(r.ReceivedOn)
	switch {
	case r.ReceivedOn == "":
		v.Add("received_on", "is required (YYYY-MM-DD)")
	case err != nil:
		v.Add("received_on", "must be a date YYYY-MM-DD")
	case received.After(today):
		v.Add("received_on", "%s is in the future (today is %s)", received, today)
	default:
		if cal, err := models.LoadCalendar(ctx, s.DB); err != nil {
			return workflows.Intake{}, err
		} else if !cal.Covers(received) || !cal.Covers(today) {
			v.Add("received_on", "%s is outside the holiday calendar (%s to %s); an admin must enter that year's holidays first", received, cal.CoverFrom(), cal.CoverTo())
		}
	}
	text("subject", &r.Subject, true, 500)
	text("content", &r.Content, true, 50000)
	text("respondent", &r.Respondent, r.Kind == "complaint" || r.Kind == "denunciation", 500)
	text("subject_province", &r.SubjectProvince, false, 100)
	text("reception_visit_id", &r.ReceptionVisitID, false, 100)
	text("forwarded_by", &r.ForwardedBy, false, 300)
	r.BodyID = textnorm.NFC(r.BodyID)
	if r.BodyID == "" {
		v.Add("body_id", "is required")
	} else if ok, err := models.BodyExists(ctx, s.DB, r.BodyID); err != nil {
		return workflows.Intake{}, err
	} else if !ok {
		v.Add("body_id", "no body %q; see GET /v1/bodies", r.BodyID)
	}
	s.validateSenders(&v, r, received)
	if err := v.Err(); err != nil {
		return workflows.Intake{}, err
	}
	in := workflows.Intake{
		Kind: r.Kind, Channel: r.Channel, ReceivedOn: received, SignerCount: len(r.Senders), Anonymous: r.Anonymous,
		Subject: r.Subject, Content: r.Content, Respondent: r.Respondent, SubjectProvince: r.SubjectProvince,
		BodyID: r.BodyID, RemoteArea: r.RemoteArea, ReceptionVisitID: r.ReceptionVisitID, ForwardedBy: r.ForwardedBy,
		Confidential: r.Confidential,
	}
	if r.SignerCount != nil {
		in.SignerCount = *r.SignerCount
	}
	for _, p := range r.Senders {
		in.Senders = append(in.Senders, workflows.Sender{FullName: p.FullName, IDNumber: p.IDNumber, Phone: p.Phone, Address: p.Address, IsRepresentative: p.IsRepresentative})
		in.SenderKeys = append(in.SenderKeys, s.senderKeys(p)...)
	}
	return in, nil
}

// validateSenders applies the form rules: a complaint names the complainant and an address
// (LKN 8(2); an ID number too from 1 Jul 2026, ND155 form 01); a denunciation names the
// denouncer, an address and a way to contact them (LTC 23(1)); an anonymous letter has none.
func (s *Server) validateSenders(v *apperr.Validation, r *intakeRequest, received deadline.Date) {
	if r.Anonymous {
		if len(r.Senders) > 0 {
			v.Add("senders", "an anonymous letter has no senders")
		}
		return
	}
	if len(r.Senders) == 0 {
		v.Add("senders", "at least one sender is required unless the letter is anonymous")
	}
	if len(r.Senders) > 500 {
		v.Add("senders", "at most 500 senders")
		return
	}
	if r.SignerCount != nil && (*r.SignerCount < len(r.Senders) || *r.SignerCount > 100000) {
		v.Add("signer_count", "must be at least the number of senders (%d) and at most 100000", len(r.Senders))
	}
	idFrom := deadline.MustParseDate("2026-07-01")
	for i := range r.Senders {
		p := &r.Senders[i]
		f := func(name string) string { return "senders[" + strconv.Itoa(i) + "]." + name }
		for name, val := range map[string]*string{"full_name": &p.FullName, "address": &p.Address, "id_number": &p.IDNumber, "phone": &p.Phone} {
			*val = textnorm.NFC(*val)
			if utf8.RuneCountInString(*val) > 300 {
				v.Add(f(name), "at most 300 characters")
			} else if pr := textnorm.Problem(*val); pr != "" {
				v.Add(f(name), "%s", pr)
			}
		}
		if p.FullName == "" {
			v.Add(f("full_name"), "is required")
		}
		if (r.Kind == "complaint" || r.Kind == "denunciation") && p.Address == "" {
			v.Add(f("address"), "is required for a %s", r.Kind)
		}
		if r.Kind == "denunciation" && p.Phone == "" && p.Address == "" {
			v.Add(f("phone"), "a denunciation needs a way to contact the denouncer")
		}
		if r.Kind == "complaint" && !received.Before(idFrom) && p.IDNumber == "" {
			v.Add(f("id_number"), "is required for complaints received from 2026-07-01 (Decree 155/2026)")
		}
		if p.IDNumber != "" {
			if d := textnorm.Digits(p.IDNumber); d != p.IDNumber || (len(d) != 9 && len(d) != 12) {
				v.Add(f("id_number"), "must be 9 or 12 digits (kept as text, leading zeros included)")
			}
		}
		if p.Phone != "" {
			if d := textnorm.Digits(p.Phone); len(d) < 8 || len(d) > 15 {
				v.Add(f("phone"), "must have 8 to 15 digits")
			}
		}
	}
}

// senderKeys are keyed hashes of the sender's ID number and folded name, so duplicates can be
// matched without storing ID numbers in the clear.
func (s *Server) senderKeys(p senderIn) []string {
	// The prefix tells an ID-number match (strong) from a name match (strong only together with
	// the same respondent).
	mac := func(kind, v string) string {
		h := hmac.New(sha256.New, []byte(s.PseudonymKey))
		h.Write([]byte(kind + ":" + v))
		return kind + ":" + hex.EncodeToString(h.Sum(nil))[:32]
	}
	var keys []string
	if id := textnorm.Digits(p.IDNumber); id != "" {
		keys = append(keys, mac("i", id))
	}
	if name := textnorm.Fold(p.FullName); name != "" {
		keys = append(keys, mac("n", name))
	}
	return keys
}

// protectIdentity moves the senders of a denunciation, a mixed letter or a letter marked
// confidential into the encrypted vault before anything else sees them: the workflow, its
// history, the read model and the logs get only the pseudonym (domain.md §5.3, §8).
func (s *Server) protectIdentity(ctx context.Context, letterID string, in *workflows.Intake) error {
	if !in.NeedsProtection() || len(in.Senders) == 0 {
		return nil
	}
	in.Pseudonym = models.Pseudonym(s.PseudonymKey, letterID, in.Kind)
	if err := models.SealIdentity(ctx, s.DB, s.VaultKeys, letterID, in.Pseudonym, in.Senders); err != nil {
		return err
	}
	in.Protected = true
	in.Senders = nil
	return nil
}
