package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// ClaimVoterPetition hands a confirmed group to its workflow: from now on the session no longer
// edits it. A retry finds it claimed already and answers the same; a group that is not
// confirmed (still a suggestion, merged away, unknown) is not found.
func (a *Activities) ClaimVoterPetition(ctx context.Context, id string) (workflows.Claim, error) {
	var out workflows.Claim
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []struct {
			Status        string
			Claimed       bool
			SessionID     string
			Number        *string
			Title         string
			DelegationIDs models.StringList
			Version       int64
			Office        string
		}
		if err := tx.Raw(`SELECT g.status, g.claimed, g.session_id, g.number, g.title, g.delegation_ids,
				g.version, coalesce(s.detail->>'office_id', '') AS office
			FROM voter_petitions g JOIN sessions s ON s.id = g.session_id WHERE g.id = ? FOR UPDATE OF g`, id).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		r := rows[0]
		out.Status = r.Status
		if !r.Claimed && (r.Status != workflows.VPSynthesised || r.Number == nil) {
			return nil
		}
		if !r.Claimed {
			if err := tx.Exec(`UPDATE voter_petitions SET claimed = true, updated_at = now() WHERE id = ?`, id).Error; err != nil {
				return err
			}
		}
		ids := []string(r.DelegationIDs)
		var seq int64
		if err := tx.Raw(`SELECT coalesce(max(seq), 0) FROM voter_petition_events WHERE petition_id = ?`, id).Scan(&seq).Error; err != nil {
			return err
		}
		out = workflows.Claim{Found: true, Status: r.Status, SessionID: r.SessionID, OfficeID: r.Office, Number: *r.Number,
			Title: r.Title, DelegationIDs: ids, Version: r.Version, Seq: seq}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("claim voter petition %s: %w", id, err)
	}
	return out, nil
}

// PersistVoterPetition writes the workflow's part of the row (only when its version is newer),
// its pending audit events and notifications. The group's own columns (title, members,
// counts) were settled by the session before the claim and are left alone.
func (a *Activities) PersistVoterPetition(ctx context.Context, st *workflows.VoterPetitionState) error {
	clocks, err := json.Marshal(st.Clocks)
	if err != nil {
		return err
	}
	detail, err := json.Marshal(map[string]any{
		"hops": st.Hops, "answer": st.Answer, "evaluation": st.Evaluation, "follow_ups": st.FollowUps,
		"escalation_level": st.EscalationLevel, "office_id": st.OfficeID,
	})
	if err != nil {
		return err
	}
	var forwardedOn, receivedOn, answerClass, answeredOn, answeredLate, publishedOn, satisfied, dueAt, carriedTo any
	if n := len(st.Hops); n > 0 {
		forwardedOn = st.Hops[n-1].On.String()
	}
	if st.ReceivedOn != nil {
		receivedOn = st.ReceivedOn.String()
	}
	if st.Answer != nil {
		answerClass, answeredOn, answeredLate = st.Answer.Class, st.Answer.AnsweredOn.String(), st.Answer.Late
	}
	if st.PublishedOn != nil {
		publishedOn = st.PublishedOn.String()
	}
	if st.Evaluation != nil {
		satisfied = st.Evaluation.Satisfied
	}
	if due, ok := st.NextDue(); ok {
		dueAt = due
	}
	if st.CarriedTo != "" {
		carriedTo = st.CarriedTo
	}
	var body any
	if st.BodyID != "" {
		body = st.BodyID
	}
	err = a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE voter_petitions SET status = ?, version = ?, body_id = ?, forwarded_on = ?, received_on = ?,
				answer_class = ?, answered_on = ?, answered_late = ?, published_on = ?, satisfied = ?, carried_over = ?,
				carried_to = ?, clocks = ?, due_at = ?, overdue = ?, detail = detail || ?::jsonb, updated_at = ?, closed_at = ?
			WHERE id = ? AND version < ?`,
			st.Status, st.Version, body, forwardedOn, receivedOn, answerClass, answeredOn, answeredLate, publishedOn,
			satisfied, st.CarriedOver, carriedTo, string(clocks), dueAt, st.Overdue(), string(detail), time.Now().UTC(),
			st.ClosedAt, st.ID, st.Version)
		if res.Error != nil {
			return fmt.Errorf("update snapshot: %w", res.Error)
		}
		if err := insertCaseEvents(tx, "voter_petition_events", "petition_id", st.ID, st.PendingEvents); err != nil {
			return err
		}
		return insertOutbox(tx, st.ID, st.PendingOutbox)
	})
	if err != nil {
		return fmt.Errorf("persist voter petition %s v%d: %w", st.ID, st.Version, err)
	}
	return nil
}
