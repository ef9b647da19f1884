package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// PersistSession writes a session's snapshot (only when its version is newer than the stored
// one), its pending audit events and notifications, each once.
func (a *Activities) PersistSession(ctx context.Context, st *workflows.SessionState) error {
	clocks, err := json.Marshal(st.Clocks)
	if err != nil {
		return err
	}
	detail, err := json.Marshal(map[string]any{
		"office_id": st.OfficeID, "created_by": st.CreatedBy.Sub, "request_hash": st.Plan.RequestHash,
		"finalized": st.Finalized, "results_reported_on": st.ResultsOn, "carried_over": st.CarriedOver,
		"synthesis_runs": st.Synthesised, "petitions": st.Petitions,
	})
	if err != nil {
		return err
	}
	var dueAt, next, nextOpens any
	if due, ok := st.NextDue(); ok {
		dueAt = due
	}
	if st.NextSessionID != "" {
		next = st.NextSessionID
	}
	if st.Plan.NextOpensOn != nil {
		nextOpens = st.Plan.NextOpensOn.String()
	}
	row := map[string]any{
		"id": st.ID, "term": st.Plan.Term, "number": st.Plan.Number, "opens_on": st.Plan.OpensOn.String(),
		"closes_on": st.Plan.ClosesOn.String(), "next_opens_on": nextOpens, "status": st.Status, "version": st.Version,
		"clocks": string(clocks), "due_at": dueAt, "overdue": st.Overdue(), "next_session_id": next,
		"detail": string(detail), "updated_at": time.Now().UTC(), "closed_at": st.ClosedAt,
	}
	cols := make([]string, 0, len(row))
	for k := range row {
		if k != "id" {
			cols = append(cols, k)
		}
	}
	err = a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Table("sessions").Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns(cols),
			Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "sessions.version < EXCLUDED.version"}}},
		}).Create(row)
		if res.Error != nil {
			return fmt.Errorf("upsert snapshot: %w", res.Error)
		}
		if err := insertCaseEvents(tx, "session_events", "session_id", st.ID, st.PendingEvents); err != nil {
			return err
		}
		return insertOutbox(tx, st.ID, st.PendingOutbox)
	})
	if err != nil {
		return fmt.Errorf("persist session %s v%d: %w", st.ID, st.Version, err)
	}
	return nil
}

// insertCaseEvents appends audit events to a case's event table, each once: (case, seq) is
// the key, so a retried activity never writes an event twice.
func insertCaseEvents(tx *gorm.DB, table, idCol, id string, events []workflows.Event) error {
	for _, e := range events {
		data, err := json.Marshal(e.Data)
		if err != nil {
			return err
		}
		q := fmt.Sprintf(`INSERT INTO %s (%s, seq, at, type, actor, data) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (%s, seq) DO NOTHING`, table, idCol, idCol)
		if err := tx.Exec(q, id, e.Seq, e.At, e.Type, e.Actor, string(data)).Error; err != nil {
			return fmt.Errorf("insert event %d of %s: %w", e.Seq, id, err)
		}
	}
	return nil
}

// appendCaseEvent adds one event after the last one of a case; callers hold the case row's
// lock, so two writers never pick the same sequence number.
func appendCaseEvent(tx *gorm.DB, table, idCol, id string, at time.Time, typ, actor string, data map[string]any) error {
	var seq int64
	if err := tx.Raw(fmt.Sprintf("SELECT coalesce(max(seq), 0) FROM %s WHERE %s = ?", table, idCol), id).Scan(&seq).Error; err != nil {
		return err
	}
	if actor == "" {
		actor = "system"
	}
	return insertCaseEvents(tx, table, idCol, id, []workflows.Event{{Seq: seq + 1, At: at, Type: typ, Actor: actor, Data: data}})
}

// StorePetitions stores a batch of raw petitions; one already stored (same id, or the same
// source_ref in the session) is reported as a duplicate and left as it was, so a retried or
// re-sent batch stores nothing twice.
func (a *Activities) StorePetitions(ctx context.Context, req workflows.StorePetitionsRequest) (workflows.CollectResult, error) {
	out := workflows.CollectResult{Received: len(req.Petitions)}
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, p := range req.Petitions {
			source, err := json.Marshal(p.Source)
			if err != nil {
				return err
			}
			if p.Source == nil {
				source = []byte("{}")
			}
			var meeting, delegationID, province, rePetition, line any
			if p.MeetingOn != nil {
				meeting = p.MeetingOn.String()
			}
			if p.DelegationID != "" {
				delegationID, province = p.DelegationID, p.Province
			}
			if p.RePetitionOf != "" {
				rePetition = p.RePetitionOf
			}
			if p.Line > 0 {
				line = p.Line
			}
			res := tx.Exec(`INSERT INTO petitions (id, session_id, source_ref, delegation, delegation_id, province, meeting_on,
					phase, locality, topic, text, voter_count, re_petition_of, source, import_line, created_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				p.ID, req.SessionID, p.SourceRef, p.Delegation, delegationID, province, meeting, p.Phase, p.Locality,
				p.Topic, p.Text, p.VoterCount, rePetition, string(source), line, req.By)
			if res.Error != nil {
				return fmt.Errorf("insert petition %s: %w", p.ID, res.Error)
			}
			if res.RowsAffected == 0 {
				out.Duplicates = append(out.Duplicates, p.ID)
			} else {
				out.Stored++
			}
		}
		return tx.Raw("SELECT count(*) FROM petitions WHERE session_id = ?", req.SessionID).Scan(&out.Total).Error
	})
	if err != nil {
		return out, fmt.Errorf("store petitions of %s: %w", req.SessionID, err)
	}
	return out, nil
}

// NextSession returns the session after this one ("" when none is registered yet).
func (a *Activities) NextSession(ctx context.Context, sessionID string) (string, error) {
	return models.NextSessionID(ctx, a.DB, sessionID)
}

// OpenVoterPetitions pages the session's forwarded petitions that are not settled: unanswered,
// answered but not evaluated, or carried over without a session to take them.
func (a *Activities) OpenVoterPetitions(ctx context.Context, req workflows.OpenVoterPetitionsRequest) ([]string, error) {
	var ids []string
	err := a.DB.WithContext(ctx).Raw(`SELECT id FROM voter_petitions
		WHERE session_id = ? AND claimed AND id > ?
		  AND (status IN ('awaiting_answer', 'answered', 'published') OR (status = 'carried_over' AND carried_to IS NULL))
		ORDER BY id LIMIT ?`, req.SessionID, req.After, req.Limit).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("open petitions of %s: %w", req.SessionID, err)
	}
	return ids, nil
}

// CarryOverUnforwarded links the session's confirmed groups that were never forwarded to the
// next session; they have no workflow yet, so the session writes them (once each).
func (a *Activities) CarryOverUnforwarded(ctx context.Context, req workflows.CarryOverRequest) (int, error) {
	n := 0
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []string
		if err := tx.Raw(`SELECT id FROM voter_petitions WHERE session_id = ? AND status = 'synthesised' AND NOT claimed
			AND carried_to IS NULL ORDER BY id FOR UPDATE`, req.SessionID).Scan(&ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.Exec(`UPDATE voter_petitions SET carried_over = true, carried_to = ?, updated_at = now() WHERE id = ?`,
				req.ToSessionID, id).Error; err != nil {
				return err
			}
			if err := appendCaseEvent(tx, "voter_petition_events", "petition_id", id, req.At, "carried_over", "",
				map[string]any{"to_session_id": req.ToSessionID, "reason": "the session cycle closed before it was forwarded"}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("carry over unforwarded groups of %s: %w", req.SessionID, err)
	}
	return n, nil
}
