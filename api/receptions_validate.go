package api

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

type personIn struct {
	FullName string `json:"full_name"`
	IDNumber string `json:"id_number"`
	Address  string `json:"address"`
}

// receptionRequest is the body of POST /v1/receptions (api.md, module 1).
type receptionRequest struct {
	HeldAt          string     `json:"held_at"`
	Type            string     `json:"type"`
	BodyID          string     `json:"body_id"`
	Receiver        string     `json:"receiver"`
	PresidedBy      string     `json:"presided_by"`
	Interpreter     string     `json:"interpreter"`
	Citizens        []personIn `json:"citizens"`
	PeopleCount     *int       `json:"people_count"`
	Representatives []personIn `json:"representatives"`
	Content         string     `json:"content"`
	Kind            string     `json:"kind"`
	Field           string     `json:"field"`
	HandledBy       []string   `json:"handled_by"`
	Confidential    bool       `json:"confidential"`
	RepeatOf        string     `json:"repeat_of"`
	Outcome         string     `json:"outcome"`
	RefusalGround   string     `json:"refusal_ground"`
	Guidance        string     `json:"guidance"`
	GuidanceDocNo   string     `json:"guidance_doc_no"`
	ForwardedTo     string     `json:"forwarded_to"`
	ForwardingDocNo string     `json:"forwarding_doc_no"`
	// Of the letter a visit creates (outcomes letter_created and forwarded).
	Subject         string `json:"subject"`
	Respondent      string `json:"respondent"`
	SubjectProvince string `json:"subject_province"`
	RemoteArea      bool   `json:"remote_area"`
}

// receptionInput is a validated visit.
type receptionInput struct {
	HeldAt                             time.Time
	HeldOn                             deadline.Date
	Type, BodyID, Receiver, PresidedBy string
	Interpreter                        string
	Citizens, Representatives          []models.Person
	PeopleCount                        int
	Content, Kind, Field               string
	HandledBy                          []string
	Confidential                       bool
	Outcome, Guidance, GuidanceDocNo   string
	ForwardedTo, ForwardingDocNo       string
	Ground                             refusalGround
	RepeatOf                           *models.ReceptionRow
	Intake                             *workflows.Intake // the letter to create, checked as POST /v1/letters checks it
}

func (in *receptionInput) needsLetter() bool {
	return in.Outcome == "letter_created" || in.Outcome == "forwarded"
}

// protected: a denunciation's citizens (and those of a mixed matter, which has a denunciation
// part, or of any visit marked confidential) go to the identity vault only (domain.md §5.3).
func (in *receptionInput) protected() bool {
	return in.Kind == "denunciation" || in.Kind == "mixed" || in.Confidential
}

// outcomeFields: the fields that belong to one outcome only, so a field sent with another
// outcome is refused instead of silently dropped.
var outcomeFields = map[string][]string{
	"refusal_ground":    {"refused"},
	"guidance":          {"guided_oral", "guided_written"},
	"guidance_doc_no":   {"guided_written"},
	"forwarded_to":      {"forwarded"},
	"forwarding_doc_no": {"forwarded"},
	"subject":           {"letter_created", "forwarded"},
	"respondent":        {"letter_created", "forwarded"},
	"subject_province":  {"letter_created", "forwarded"},
	"remote_area":       {"letter_created", "forwarded"},
}

// validateReception checks every rule of domain.md §6 and lists every bad field at once; a
// visit that creates a letter is also checked by the letters' own intake rules, with their
// field names translated to the visit's.
func (s *Server) validateReception(ctx context.Context, r *receptionRequest, actor workflows.Actor) (*receptionInput, error) {
	var v apperr.Validation
	in := &receptionInput{}
	text := func(field string, val *string, required bool, maxRunes int) {
		*val = strings.TrimSpace(textnorm.NFC(*val))
		switch {
		case *val == "" && required:
			v.Add(field, "is required")
		case utf8.RuneCountInString(*val) > maxRunes:
			v.Add(field, "at most %d characters", maxRunes)
		case textnorm.Problem(*val) != "":
			v.Add(field, "%s", textnorm.Problem(*val))
		}
	}
	now := s.now()

	held, err := time.Parse(time.RFC3339, r.HeldAt)
	heldOK := false
	switch {
	case r.HeldAt == "":
		v.Add("held_at", "is required: when the visit took place, RFC 3339 with offset (2026-02-09T09:30:00+07:00)")
	case err != nil:
		v.Add("held_at", "must be an RFC 3339 instant with offset, e.g. 2026-02-09T09:30:00+07:00")
	case held.After(now):
		v.Add("held_at", "%s is in the future", r.HeldAt)
	case deadline.DateOf(held).Before(ltcdInForce):
		v.Add("held_at", "is before %s, when the Law on Citizen Reception took effect", ltcdInForce)
	default:
		heldOK = true
		in.HeldAt, in.HeldOn = held, deadline.DateOf(held)
	}

	switch {
	case !slices.Contains(models.ReceptionTypes, r.Type):
		v.Add("type", "must be one of %v", models.ReceptionTypes)
	case r.Type == "online" && heldOK && in.HeldOn.Before(receptionReform):
		v.Add("type", "online reception exists from %s (LTCD art 3a, Law 136/2025)", receptionReform)
	}
	in.Type = r.Type

	r.BodyID = textnorm.NFC(r.BodyID)
	if r.BodyID == "" {
		v.Add("body_id", "is required: the receiving body")
	} else if ok, err := models.BodyExists(ctx, s.DB, r.BodyID); err != nil {
		return nil, err
	} else if !ok {
		v.Add("body_id", "no body %q; see GET /v1/bodies", r.BodyID)
	}
	in.BodyID = r.BodyID

	text("receiver", &r.Receiver, false, 200)
	text("presided_by", &r.PresidedBy, false, 200)
	switch {
	case r.Receiver != "":
	case r.Type == "deputy":
		v.Add("receiver", "is required for a deputy's reception: the deputy who received")
	default:
		// The officer recording the visit received it, unless someone else is named.
		r.Receiver = actor.Sub
	}
	if (r.Type == "periodic" || r.Type == "ad_hoc") && r.PresidedBy == "" {
		v.Add("presided_by", "is required: the head who presides over a periodic or ad hoc reception (LTCD arts 12, 15, 18)")
	}
	text("interpreter", &r.Interpreter, false, 200)
	in.Receiver, in.PresidedBy, in.Interpreter = r.Receiver, r.PresidedBy, r.Interpreter

	if !slices.Contains(models.ReceptionOutcomes, r.Outcome) {
		v.Add("outcome", "must be one of %v", models.ReceptionOutcomes)
	}
	in.Outcome = r.Outcome
	refused := r.Outcome == "refused"
	for field, val := range map[string]string{"refusal_ground": r.RefusalGround, "guidance": r.Guidance, "guidance_doc_no": r.GuidanceDocNo,
		"forwarded_to": r.ForwardedTo, "forwarding_doc_no": r.ForwardingDocNo, "subject": r.Subject, "respondent": r.Respondent,
		"subject_province": r.SubjectProvince, "remote_area": strconv.FormatBool(r.RemoteArea)} {
		if val != "" && val != "false" && slices.Contains(models.ReceptionOutcomes, r.Outcome) && !slices.Contains(outcomeFields[field], r.Outcome) {
			v.Add(field, "belongs to outcome %s, not %s", strings.Join(outcomeFields[field], " or "), r.Outcome)
		}
	}

	// A refused visit may end before its content is heard (domain.md §6.6: the identity check
	// or the citizen's behaviour decides it).
	text("content", &r.Content, !refused, 50000)
	switch {
	case r.Kind == "" && !refused:
		v.Add("kind", "is required: one of %v", models.ReceptionKinds)
	case r.Kind != "" && !slices.Contains(models.ReceptionKinds, r.Kind):
		v.Add("kind", "must be one of %v", models.ReceptionKinds)
	}
	if r.Field != "" && !slices.Contains(models.ReceptionFields, r.Field) {
		v.Add("field", "must be one of %v", models.ReceptionFields)
	}
	in.Content, in.Kind, in.Field, in.Confidential = r.Content, r.Kind, r.Field, r.Confidential
	if len(r.HandledBy) > 20 {
		v.Add("handled_by", "at most 20 bodies")
	}
	for i := range r.HandledBy {
		text(fmt.Sprintf("handled_by[%d]", i), &r.HandledBy[i], true, 300)
	}
	in.HandledBy = r.HandledBy
	if in.HandledBy == nil {
		in.HandledBy = []string{}
	}

	s.validatePeople(&v, r, in, heldOK, refused)

	switch r.Outcome {
	case "refused":
		s.validateRefusal(&v, r, in, heldOK)
	case "guided_written":
		text("guidance", &r.Guidance, true, 5000)
		text("guidance_doc_no", &r.GuidanceDocNo, false, 100)
	case "guided_oral":
		text("guidance", &r.Guidance, false, 5000)
	case "forwarded":
		r.ForwardedTo = textnorm.NFC(r.ForwardedTo)
		text("forwarding_doc_no", &r.ForwardingDocNo, false, 100)
		switch {
		case r.ForwardedTo == "":
			v.Add("forwarded_to", "is required: the competent body the matter is forwarded to")
		case r.ForwardedTo == r.BodyID:
			v.Add("forwarded_to", "is the receiving body itself; record the outcome letter_created instead")
		default:
			if ok, err := models.BodyExists(ctx, s.DB, r.ForwardedTo); err != nil {
				return nil, err
			} else if !ok {
				v.Add("forwarded_to", "no body %q; see GET /v1/bodies", r.ForwardedTo)
			}
		}
	}
	in.Guidance, in.GuidanceDocNo, in.ForwardedTo, in.ForwardingDocNo = r.Guidance, r.GuidanceDocNo, r.ForwardedTo, r.ForwardingDocNo

	if r.RepeatOf != "" {
		if err := s.validateRepeat(ctx, &v, r, in, heldOK); err != nil {
			return nil, err
		}
	}
	if in.needsLetter() && heldOK {
		if err := s.letterIntakeOf(ctx, &v, r, in); err != nil {
			return nil, err
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// validatePeople applies the register's rules for the citizens (ND154 art 12(1): name,
// address and ID number from 2026-07-01) and for group visits (LTCD art 29, T35).
func (s *Server) validatePeople(v *apperr.Validation, r *receptionRequest, in *receptionInput, heldOK, refused bool) {
	idRequired := heldOK && !in.HeldOn.Before(receptionReform) && !refused
	person := func(list string, i int, p *personIn) models.Person {
		f := func(name string) string { return list + "[" + strconv.Itoa(i) + "]." + name }
		for name, val := range map[string]*string{"full_name": &p.FullName, "address": &p.Address, "id_number": &p.IDNumber} {
			*val = strings.TrimSpace(textnorm.NFC(*val))
			if utf8.RuneCountInString(*val) > 300 {
				v.Add(f(name), "at most 300 characters")
			} else if pr := textnorm.Problem(*val); pr != "" {
				v.Add(f(name), "%s", pr)
			}
		}
		if p.FullName == "" {
			v.Add(f("full_name"), "is required")
		}
		if idRequired && p.Address == "" {
			v.Add(f("address"), "is required for visits from %s (Decree 154/2026 art 12(1))", receptionReform)
		}
		switch {
		case p.IDNumber != "":
			if d := textnorm.Digits(p.IDNumber); d != p.IDNumber || (len(d) != 9 && len(d) != 12) {
				v.Add(f("id_number"), "must be 9 or 12 digits (kept as text, leading zeros included)")
			}
		case idRequired:
			v.Add(f("id_number"), "is required for visits from %s (Decree 154/2026 art 12(1))", receptionReform)
		}
		return models.Person{FullName: p.FullName, IDNumber: p.IDNumber, Address: p.Address}
	}
	switch {
	case len(r.Citizens) == 0:
		v.Add("citizens", "at least one citizen is required: who came, as identified at the desk")
	case len(r.Citizens) > 500:
		v.Add("citizens", "at most 500 citizens")
	}
	if len(r.Representatives) > 500 {
		v.Add("representatives", "at most 500 representatives")
	}
	if len(r.Citizens) <= 500 && len(r.Representatives) <= 500 {
		for i := range r.Citizens {
			in.Citizens = append(in.Citizens, person("citizens", i, &r.Citizens[i]))
		}
		for i := range r.Representatives {
			in.Representatives = append(in.Representatives, person("representatives", i, &r.Representatives[i]))
		}
	}
	in.PeopleCount = max(len(r.Citizens), 1)
	if r.PeopleCount != nil {
		in.PeopleCount = *r.PeopleCount
	}
	switch {
	case in.PeopleCount < 1 || in.PeopleCount > 100000:
		v.Add("people_count", "must be from 1 to 100000")
		return
	case in.PeopleCount < len(r.Citizens):
		v.Add("people_count", "is %d but %d citizens are listed", in.PeopleCount, len(r.Citizens))
	case in.PeopleCount < len(r.Representatives):
		v.Add("people_count", "is %d but %d representatives are listed", in.PeopleCount, len(r.Representatives))
	}
	if in.PeopleCount >= groupSize {
		most := maxRepresentatives(in.PeopleCount)
		if n := len(r.Representatives); n < 1 || n > most {
			v.Add("representatives", "a group of %d people speaks through 1 to %d representatives (LTCD art 29); %d given", in.PeopleCount, most, n)
		}
	}
}

// validateRefusal checks the ground against the visit's date (the grounds of Decree 154/2026
// exist from 2026-07-01) and asks the repeat grounds for the earlier handling they rest on.
func (s *Server) validateRefusal(v *apperr.Validation, r *receptionRequest, in *receptionInput, heldOK bool) {
	g, ok := findGround(r.RefusalGround)
	switch {
	case r.RefusalGround == "":
		v.Add("refusal_ground", "is required for a refusal (LTCD art 9; Decree 154/2026 art 4)")
		return
	case !ok:
		all := make([]string, len(refusalGrounds))
		for i, g := range refusalGrounds {
			all[i] = g.Code
		}
		v.Add("refusal_ground", "must be one of %v", all)
		return
	case heldOK && !g.From.IsZero() && in.HeldOn.Before(g.From):
		v.Add("refusal_ground", "%s is a ground from %s (Decree 154/2026 art 4); on %s the grounds are %v", g.Code, g.From, in.HeldOn, groundsOn(in.HeldOn))
		return
	}
	if g.Repeat && r.RepeatOf == "" && len(r.HandledBy) == 0 {
		v.Add("refusal_ground", "%s rests on an earlier answer: give repeat_of (the earlier visit) or handled_by (the bodies that answered)", g.Code)
	}
	in.Ground = g
}

// validateRepeat links a visit to an earlier one on the same matter: same body, earlier.
func (s *Server) validateRepeat(ctx context.Context, v *apperr.Validation, r *receptionRequest, in *receptionInput, heldOK bool) error {
	prev, err := models.GetReception(ctx, s.DB, r.RepeatOf)
	if apperr.KindOf(err) == apperr.NotFound {
		v.Add("repeat_of", "no reception visit %q", r.RepeatOf)
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case prev.BodyID != r.BodyID:
		// Not confirmed across bodies: another body's register is not the caller's to read.
		v.Add("repeat_of", "no reception visit %q at %s", r.RepeatOf, r.BodyID)
	case heldOK && !prev.HeldAt.Before(in.HeldAt):
		v.Add("repeat_of", "the earlier visit %s was held at %s, not before this one", prev.Number, prev.HeldAt.In(deadline.Location()).Format(time.RFC3339))
	default:
		in.RepeatOf = &prev
	}
	return nil
}

// letterIntakeOf builds the letter a visit creates and checks it with the intake rules of
// POST /v1/letters, so a reception letter is held to the same form rules (LKN 8, LTC 23).
func (s *Server) letterIntakeOf(ctx context.Context, v *apperr.Validation, r *receptionRequest, in *receptionInput) error {
	req := intakeRequest{Kind: r.Kind, Channel: workflows.ChannelReception, ReceivedOn: in.HeldOn.String(),
		Subject: r.Subject, Content: r.Content, Respondent: r.Respondent, SubjectProvince: r.SubjectProvince,
		BodyID: r.BodyID, RemoteArea: r.RemoteArea, Confidential: r.Confidential}
	if req.Subject == "" {
		req.Subject = summaryOf(r.Content, 200)
	}
	// The letter's senders are the citizens; a representative who is not among them signs too.
	var fields []string
	for i, p := range r.Citizens {
		rep := slices.ContainsFunc(r.Representatives, func(q personIn) bool { return samePerson(p, q) })
		req.Senders = append(req.Senders, senderIn{FullName: p.FullName, IDNumber: p.IDNumber, Address: p.Address, IsRepresentative: rep})
		fields = append(fields, "citizens["+strconv.Itoa(i)+"]")
	}
	for i, q := range r.Representatives {
		if !slices.ContainsFunc(r.Citizens, func(p personIn) bool { return samePerson(p, q) }) {
			req.Senders = append(req.Senders, senderIn{FullName: q.FullName, IDNumber: q.IDNumber, Address: q.Address, IsRepresentative: true})
			fields = append(fields, "representatives["+strconv.Itoa(i)+"]")
		}
	}
	signers := max(in.PeopleCount, len(req.Senders))
	req.SignerCount = &signers
	intake, err := s.validateIntake(ctx, &req)
	if apperr.KindOf(err) == apperr.Invalid {
		have := map[string]bool{}
		if prev := v.Err(); prev != nil {
			for _, e := range toAppError(prev).Fields {
				have[e.Field] = true
			}
		}
		for _, e := range toAppError(err).Fields {
			f := visitField(e.Field, fields)
			if !have[f] {
				v.Add(f, "%s", e.Message)
				have[f] = true
			}
		}
		return nil
	}
	if err != nil {
		return err
	}
	in.Intake = &intake
	return nil
}

// visitField names a letter intake field as the visit calls it.
func visitField(f string, senders []string) string {
	switch {
	case f == "received_on":
		return "held_at"
	case f == "signer_count":
		return "people_count"
	case strings.HasPrefix(f, "senders["):
		end := strings.Index(f, "]")
		if i, err := strconv.Atoi(f[len("senders["):end]); err == nil && i < len(senders) {
			return senders[i] + f[end+1:]
		}
		return "citizens"
	}
	return f
}

func samePerson(a, b personIn) bool {
	if a.IDNumber != "" || b.IDNumber != "" {
		return a.IDNumber == b.IDNumber
	}
	return textnorm.Fold(a.FullName) == textnorm.Fold(b.FullName)
}

// summaryOf is the first line of text, cut at n characters: a letter's subject when the
// officer gave none.
func summaryOf(text string, n int) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) <= n {
		return line
	}
	return string([]rune(line)[:n-1]) + "…"
}
