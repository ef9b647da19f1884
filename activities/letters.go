package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// letterRow maps the workflow state to the letters read-model row.
func letterRow(st *workflows.LetterState) (map[string]any, error) {
	in := st.Intake
	kind := in.Kind
	var field, topic string
	var eligible, competent *bool
	if c := st.Classification; c != nil {
		if c.Kind != "" {
			kind = c.Kind
		}
		field, topic, eligible, competent = c.Field, c.Topic, c.Eligible, c.Competent
	}
	clocks, err := json.Marshal(st.Clocks)
	if err != nil {
		return nil, err
	}
	senders, err := json.Marshal(in.Senders)
	if err != nil {
		return nil, err
	}
	detail, err := json.Marshal(map[string]any{
		"classification": st.Classification, "hops": st.Hops, "responses": st.Responses,
		"evaluation": st.Evaluation, "guidance": st.Guidance, "filed_reason": st.FiledReason,
		"duplicates": st.DuplicatesSeen, "created_by": st.CreatedBy.Sub, "request_hash": in.RequestHash,
		"follow_ups": st.FollowUps, "case": st.Case, "parts": st.Parts, "split_from": in.SplitFrom,
		"first_instance_of": st.FirstInstanceOf,
	})
	if err != nil {
		return nil, err
	}
	var forwardedTo string
	if n := len(st.Hops); n > 0 {
		forwardedTo = st.Hops[n-1].To
	}
	var dueAt any
	if due, ok := st.NextDue(); ok {
		dueAt = due
	}
	var dupOf any
	if st.DuplicateOf != "" {
		dupOf = st.DuplicateOf
	}
	return map[string]any{
		"id": st.ID, "number": st.Number, "version": st.Version, "kind": kind, "channel": in.Channel,
		"status": st.Status, "body_id": st.BodyID, "receiving_body_id": in.BodyID, "assignee": st.Assignee,
		"received_on": in.ReceivedOn.String(), "subject": in.Subject, "content": in.Content,
		"respondent": in.Respondent, "subject_province": in.SubjectProvince, "anonymous": in.Anonymous,
		"remote_area": in.RemoteArea, "confidential": in.Protected || in.NeedsProtection() || kind == "denunciation" || kind == "mixed",
		"sender_display": senderDisplay(in), "senders": string(senders), "sender_keys": pgTextArray(in.SenderKeys),
		"signer_count": in.SignerCount, "field": field, "topic": topic, "eligible": eligible, "competent": competent,
		"duplicate_of": dupOf, "duplicate_count": st.DuplicateCount, "forwarded_to": forwardedTo,
		"follow_up_count": st.FollowUps, "escalation_level": st.EscalationLevel, "clocks": string(clocks),
		"due_at": dueAt, "overdue": st.Overdue(), "reception_visit_id": in.ReceptionVisitID,
		"forwarded_by": in.ForwardedBy, "detail": string(detail), "updated_at": time.Now().UTC(), "closed_at": st.ClosedAt,
	}, nil
}

func senderDisplay(in workflows.Intake) string {
	switch {
	case in.Protected:
		return in.Pseudonym
	case in.Anonymous || len(in.Senders) == 0:
		return "Ẩn danh"
	case len(in.Senders) == 1:
		return in.Senders[0].FullName
	default:
		return fmt.Sprintf("%s và %d người khác", in.Senders[0].FullName, len(in.Senders)-1)
	}
}

func pgTextArray(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return "{" + strings.Join(quoted, ",") + "}"
}

// RegisterLetter stores a new letter and gives it the next number of its registration year,
// in one transaction: the number and the row exist together or not at all, so numbers have no
// gaps. A retry finds the row and returns the number it already has.
func (a *Activities) RegisterLetter(ctx context.Context, st *workflows.LetterState) (workflows.RegisterResult, error) {
	var out workflows.RegisterResult
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing string
		err := tx.Raw("SELECT number FROM letters WHERE id = ?", st.ID).Scan(&existing).Error
		if err != nil {
			return err
		}
		if existing != "" {
			out.Number = existing
			return nil
		}
		year := registrationYear(st)
		var n int
		if err := tx.Raw(`INSERT INTO letter_numbers (year, last) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET last = letter_numbers.last + 1 RETURNING last`, year).Scan(&n).Error; err != nil {
			return fmt.Errorf("allocate number: %w", err)
		}
		out.Number = fmt.Sprintf("DN-%d-%06d", year, n)
		copy := *st
		copy.Number = out.Number
		row, err := letterRow(&copy)
		if err != nil {
			return err
		}
		if err := tx.Table("letters").Create(row).Error; err != nil {
			return fmt.Errorf("insert letter: %w", err)
		}
		return insertEvents(tx, st.ID, st.PendingEvents)
	})
	if err != nil {
		return out, fmt.Errorf("register letter %s: %w", st.ID, err)
	}
	hints, err := a.duplicateHints(ctx, st)
	if err != nil {
		return out, err
	}
	out.DuplicateHints = hints
	return out, nil
}

// registrationYear is the year of the received event in local time: stable across retries.
func registrationYear(st *workflows.LetterState) int {
	for _, e := range st.PendingEvents {
		if e.Type == "received" {
			return deadline.DateOf(e.At).Y
		}
	}
	return deadline.DateOf(time.Now()).Y
}

// duplicateHints lists earlier letters that look like this one: a shared sender key (ID
// number or name), or similar subject, opening of the content and respondent (domain.md §3.3).
//
// It runs on every registration, so each half must read a bounded part of an index, never
// compare the letter with every stored one: the sender keys their GIN index (&&); the text the
// GiST trigram index on dup_text (migration 00040), walked nearest first (<->) and cut at five,
// so a campaign of alike letters costs no more than five. % uses the similarity threshold of
// this transaction, set just under the 0.6 the hint needs (% is "greater than"; the explicit
// >= keeps 0.6 in).
func (a *Activities) duplicateHints(ctx context.Context, st *workflows.LetterState) ([]string, error) {
	var ids []string
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The planner prices % as a cheap operator, but it extracts and compares the trigrams
		// of each row's text: on a table of a few hundred letters (a new office, right after an
		// import, before ANALYZE) it would rather compare them all than use the index.
		for _, set := range []string{"SET LOCAL pg_trgm.similarity_threshold = 0.59", "SET LOCAL enable_seqscan = off"} {
			if err := tx.Exec(set).Error; err != nil {
				return err
			}
		}
		return tx.Raw(`
		WITH me AS MATERIALIZED (SELECT dn_dup_text(?, ?, ?) AS doc)
		SELECT id FROM (
			SELECT id, received_on FROM letters
			WHERE id <> ? AND sender_keys && ?::text[]
			  AND EXISTS (SELECT 1 FROM unnest(sender_keys) k WHERE k = ANY(?::text[])
			              AND (k LIKE 'i:%' OR similarity(dn_norm(respondent), dn_norm(?)) >= 0.5))
			UNION
			(SELECT id, received_on FROM (
				SELECT id, received_on, dup_text FROM letters
				WHERE id <> ? AND dup_text % (SELECT doc FROM me)
				ORDER BY dup_text <-> (SELECT doc FROM me) LIMIT 5) nearest
			 WHERE similarity(dup_text, (SELECT doc FROM me)) >= 0.6)
		) hints
		ORDER BY received_on DESC, id LIMIT 5`,
			st.Intake.Subject, st.Intake.Content, st.Intake.Respondent,
			st.ID, pgTextArray(st.Intake.SenderKeys), pgTextArray(st.Intake.SenderKeys), st.Intake.Respondent, st.ID).
			Scan(&ids).Error
	})
	if err != nil {
		return nil, fmt.Errorf("duplicate hints for %s: %w", st.ID, err)
	}
	return ids, nil
}

// PersistLetter writes the snapshot (only when its version is newer than the stored one),
// the pending audit events (once each) and the pending notifications (once each).
func (a *Activities) PersistLetter(ctx context.Context, st *workflows.LetterState) error {
	row, err := letterRow(st)
	if err != nil {
		return err
	}
	cols := make([]string, 0, len(row))
	for k := range row {
		if k != "id" {
			cols = append(cols, k)
		}
	}
	err = a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Table("letters").Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns(cols),
			Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "letters.version < EXCLUDED.version"}}},
		}).Create(row)
		if res.Error != nil {
			return fmt.Errorf("upsert snapshot: %w", res.Error)
		}
		if err := insertEvents(tx, st.ID, st.PendingEvents); err != nil {
			return err
		}
		return insertOutbox(tx, st.ID, st.PendingOutbox)
	})
	if err != nil {
		return fmt.Errorf("persist letter %s v%d: %w", st.ID, st.Version, err)
	}
	return nil
}

func insertEvents(tx *gorm.DB, letterID string, events []workflows.Event) error {
	for _, e := range events {
		data, err := json.Marshal(e.Data)
		if err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO letter_events (letter_id, seq, at, type, actor, data) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (letter_id, seq) DO NOTHING`, letterID, e.Seq, e.At, e.Type, e.Actor, string(data)).Error; err != nil {
			return fmt.Errorf("insert event %d: %w", e.Seq, err)
		}
	}
	return nil
}

func insertOutbox(tx *gorm.DB, letterID string, items []workflows.Notification) error {
	for _, n := range items {
		payload, err := json.Marshal(n.Payload)
		if err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO outbox (dedupe_key, letter_id, kind, target, payload) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (dedupe_key) DO NOTHING`, n.DedupeKey, letterID, n.Kind, n.Target, string(payload)).Error; err != nil {
			return fmt.Errorf("insert notification %s: %w", n.DedupeKey, err)
		}
	}
	return nil
}

// SuperiorBody returns the parent of a body, the target of the last escalation step; a body
// without a parent escalates to itself (its own head).
func (a *Activities) SuperiorBody(ctx context.Context, bodyID string) (string, error) {
	var parent *string
	err := a.DB.WithContext(ctx).Raw("SELECT parent_id FROM bodies WHERE id = ?", bodyID).Row().Scan(&parent)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err != nil && strings.Contains(err.Error(), "no rows")) || (err == nil && parent == nil) {
		return bodyID, nil
	}
	if err != nil {
		return "", fmt.Errorf("superior of %s: %w", bodyID, err)
	}
	return *parent, nil
}

// NoteDuplicateOnClosedLetter counts a duplicate against a letter whose workflow has already
// completed; the event is written once even when the activity is retried.
func (a *Activities) NoteDuplicateOnClosedLetter(ctx context.Context, n workflows.DuplicateNote) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var seq int64
		if err := tx.Raw("SELECT coalesce(max(seq), 0) FROM letter_events WHERE letter_id = ?", n.OriginalID).Scan(&seq).Error; err != nil {
			return err
		}
		var seen int64
		if err := tx.Raw(`SELECT count(*) FROM letter_events WHERE letter_id = ? AND type = 'duplicate_linked' AND data->>'duplicate_id' = ?`,
			n.OriginalID, n.DuplicateID).Scan(&seen).Error; err != nil {
			return err
		}
		if seen > 0 {
			return nil
		}
		if err := tx.Exec("UPDATE letters SET duplicate_count = duplicate_count + 1, version = version + 1, updated_at = now() WHERE id = ?", n.OriginalID).Error; err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{"duplicate_id": n.DuplicateID, "note": "original already closed"})
		return tx.Exec(`INSERT INTO letter_events (letter_id, seq, at, type, actor, data) VALUES (?, ?, ?, 'duplicate_linked', 'system', ?)`,
			n.OriginalID, seq+1, n.At, string(data)).Error
	})
}

// ProtectIdentity seals the senders in the vault (once) and returns the pseudonym that
// stands for them from now on.
func (a *Activities) ProtectIdentity(ctx context.Context, req workflows.ProtectRequest) (string, error) {
	if a.VaultKeys == nil {
		return "", temporal.NewNonRetryableApplicationError("the worker has no VAULT_KEYS", "Internal", nil)
	}
	p := models.Pseudonym(a.PseudonymKey, req.LetterID, req.Kind)
	if err := models.SealIdentity(ctx, a.DB, a.VaultKeys, req.LetterID, p, req.Senders); err != nil {
		return "", err
	}
	return p, nil
}

// CopyIdentity seals a split letter's protected senders again under one of its parts and
// returns the part's pseudonym; a retry finds the part's sealed copy already there.
func (a *Activities) CopyIdentity(ctx context.Context, req workflows.CopyIdentityRequest) (string, error) {
	if a.VaultKeys == nil {
		return "", temporal.NewNonRetryableApplicationError("the worker has no VAULT_KEYS", "Internal", nil)
	}
	var senders []workflows.Sender
	if _, err := models.OpenIdentity(ctx, a.DB, a.VaultKeys, req.From, &senders); err != nil {
		return "", fmt.Errorf("open the senders of %s: %w", req.From, err)
	}
	p := models.Pseudonym(a.PseudonymKey, req.To, req.Kind)
	if err := models.SealIdentity(ctx, a.DB, a.VaultKeys, req.To, p, senders); err != nil {
		return "", err
	}
	return p, nil
}

// FirstInstanceCheck reads, from the read model, the first-instance complaint a second
// instance names: its case status and the window to lodge the second instance.
func (a *Activities) FirstInstanceCheck(ctx context.Context, letterID string) (workflows.FirstInstance, error) {
	row, err := models.GetLetter(ctx, a.DB, letterID)
	if apperr.KindOf(err) == apperr.NotFound {
		return workflows.FirstInstance{}, nil
	}
	if err != nil {
		return workflows.FirstInstance{}, fmt.Errorf("first instance %s: %w", letterID, err)
	}
	fi := workflows.FirstInstance{Found: true, Kind: row.Kind}
	clocks, err := row.ClockList()
	if err != nil {
		return fi, err
	}
	for _, c := range clocks {
		switch c.Name {
		case "appeal_window":
			due := c.DueOn
			fi.WindowDueOn = &due
		case "settlement":
			due := c.DueOn
			fi.SettlementOn = &due
		}
	}
	var detail struct {
		Case *workflows.Case `json:"case"`
	}
	if json.Unmarshal(row.Detail, &detail) == nil && detail.Case != nil {
		fi.CaseStatus = detail.Case.Status
	}
	return fi, nil
}
