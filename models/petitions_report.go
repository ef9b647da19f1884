package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// BodyAnswers is one row of a session's report: what one body was sent and how it answered
// (domain.md §9 item 5). Unanswered petitions are split into those past their due date and
// those still within it.
type BodyAnswers struct {
	BodyID            string `json:"body_id"`
	BodyName          string `json:"body_name"`
	Forwarded         int    `json:"forwarded"`
	Answered          int    `json:"answered"`
	AnsweredOnTime    int    `json:"answered_on_time"`
	AnsweredLate      int    `json:"answered_late"`
	Unanswered        int    `json:"unanswered"`
	UnansweredOverdue int    `json:"unanswered_overdue"`
	Resolved          int    `json:"resolved"`
	InProgress        int    `json:"in_progress"`
	Explained         int    `json:"explained"`
	Unresolved        int    `json:"unresolved"`
	Satisfied         int    `json:"evaluated_satisfied"`
	Unsatisfied       int    `json:"evaluated_unsatisfied"`
	CarriedOver       int    `json:"carried_over"`
}

// Add sums another row into r (for the totals).
func (r *BodyAnswers) Add(o BodyAnswers) {
	r.Forwarded += o.Forwarded
	r.Answered += o.Answered
	r.AnsweredOnTime += o.AnsweredOnTime
	r.AnsweredLate += o.AnsweredLate
	r.Unanswered += o.Unanswered
	r.UnansweredOverdue += o.UnansweredOverdue
	r.Resolved += o.Resolved
	r.InProgress += o.InProgress
	r.Explained += o.Explained
	r.Unresolved += o.Unresolved
	r.Satisfied += o.Satisfied
	r.Unsatisfied += o.Unsatisfied
	r.CarriedOver += o.CarriedOver
}

// DelegationCollected counts what one delegation raised in the session.
type DelegationCollected struct {
	DelegationID string `json:"delegation_id"` // "" for petitions that name no delegation
	Before       int    `json:"before"`
	After        int    `json:"after"`
	Unknown      int    `json:"phase_unknown"`
	Voters       int    `json:"voters"`
}

// SessionReport reads the per-body answers of a session's forwarded petitions at instant now,
// and what each delegation raised.
func SessionReport(ctx context.Context, db *gorm.DB, sessionID string, now time.Time) ([]BodyAnswers, []DelegationCollected, error) {
	var bodies []BodyAnswers
	err := db.WithContext(ctx).Raw(`
		SELECT v.body_id, coalesce(b.name, v.body_id) AS body_name,
			count(*) AS forwarded,
			count(*) FILTER (WHERE v.answered_on IS NOT NULL) AS answered,
			count(*) FILTER (WHERE v.answered_on IS NOT NULL AND NOT coalesce(v.answered_late, false)) AS answered_on_time,
			count(*) FILTER (WHERE v.answered_late) AS answered_late,
			count(*) FILTER (WHERE v.answered_on IS NULL) AS unanswered,
			count(*) FILTER (WHERE v.answered_on IS NULL AND (v.overdue OR v.due_at <= ?)) AS unanswered_overdue,
			count(*) FILTER (WHERE v.answer_class = 'resolved') AS resolved,
			count(*) FILTER (WHERE v.answer_class = 'in_progress') AS in_progress,
			count(*) FILTER (WHERE v.answer_class = 'explained') AS explained,
			count(*) FILTER (WHERE v.answer_class = 'unresolved') AS unresolved,
			count(*) FILTER (WHERE v.satisfied) AS satisfied,
			count(*) FILTER (WHERE v.satisfied = false) AS unsatisfied,
			count(*) FILTER (WHERE v.carried_over) AS carried_over
		FROM voter_petitions v LEFT JOIN bodies b ON b.id = v.body_id
		WHERE v.session_id = ? AND v.body_id IS NOT NULL AND v.status <> 'merged'
		GROUP BY v.body_id, b.name
		ORDER BY v.body_id`, now, sessionID).Scan(&bodies).Error
	if err != nil {
		return nil, nil, fmt.Errorf("report of %s: %w", sessionID, err)
	}
	var collected []DelegationCollected
	err = db.WithContext(ctx).Raw(`
		SELECT coalesce(delegation_id, '') AS delegation_id,
			count(*) FILTER (WHERE phase = 'before') AS before,
			count(*) FILTER (WHERE phase = 'after') AS after,
			count(*) FILTER (WHERE phase = '') AS unknown,
			coalesce(sum(voter_count), 0) AS voters
		FROM petitions WHERE session_id = ?
		GROUP BY 1 ORDER BY 1`, sessionID).Scan(&collected).Error
	if err != nil {
		return nil, nil, fmt.Errorf("collected of %s: %w", sessionID, err)
	}
	return bodies, collected, nil
}
