package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/workflows"
)

// LetterRow is the letters read-model row as the API reads it.
type LetterRow struct {
	ID               string
	Number           string
	Version          int64
	Kind             string
	Channel          string
	Status           string
	BodyID           string
	ReceivingBodyID  string
	Assignee         string
	ReceivedOn       time.Time
	Subject          string
	Content          string
	Respondent       string
	SubjectProvince  string
	Anonymous        bool
	RemoteArea       bool
	Confidential     bool
	SenderDisplay    string
	Senders          json.RawMessage `gorm:"type:jsonb"`
	SignerCount      int
	Field            string
	Topic            string
	Eligible         *bool
	Competent        *bool
	DuplicateOf      *string
	DuplicateCount   int
	ForwardedTo      string
	FollowUpCount    int
	EscalationLevel  int
	Clocks           json.RawMessage `gorm:"type:jsonb"`
	DueAt            *time.Time
	Overdue          bool
	ReceptionVisitID string
	ForwardedBy      string
	Detail           json.RawMessage `gorm:"type:jsonb"`
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ClosedAt         *time.Time
}

func (LetterRow) TableName() string { return "letters" }

// ClockList decodes the clocks column.
func (r LetterRow) ClockList() ([]workflows.Clock, error) {
	var cs []workflows.Clock
	if len(r.Clocks) == 0 {
		return cs, nil
	}
	if err := json.Unmarshal(r.Clocks, &cs); err != nil {
		return nil, fmt.Errorf("letter %s clocks: %w", r.ID, err)
	}
	return cs, nil
}

// EventRow is one audit event.
type EventRow struct {
	Seq   int64           `json:"seq"`
	At    time.Time       `json:"at"`
	Type  string          `json:"type"`
	Actor string          `json:"actor"`
	Data  json.RawMessage `json:"data" gorm:"type:jsonb"`
}

// GetLetter reads one letter; a missing one is apperr.NotFound.
func GetLetter(ctx context.Context, db *gorm.DB, id string) (LetterRow, error) {
	var r LetterRow
	err := db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, apperr.New(apperr.NotFound, "no letter %s", id)
	}
	if err != nil {
		return r, fmt.Errorf("get letter %s: %w", id, err)
	}
	return r, nil
}

// LetterExists reports whether a letter is stored.
func LetterExists(ctx context.Context, db *gorm.DB, id string) (bool, error) {
	var n int64
	if err := db.WithContext(ctx).Table("letters").Where("id = ?", id).Count(&n).Error; err != nil {
		return false, fmt.Errorf("look up letter %s: %w", id, err)
	}
	return n > 0, nil
}

// LetterEvents returns the audit trail of a letter in order.
func LetterEvents(ctx context.Context, db *gorm.DB, id string) ([]EventRow, error) {
	var out []EventRow
	err := db.WithContext(ctx).Table("letter_events").Select("seq, at, type, actor, data").
		Where("letter_id = ?", id).Order("seq").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("events of letter %s: %w", id, err)
	}
	return out, nil
}

// DuplicateCandidate is an earlier letter that looks like a given one.
type DuplicateCandidate struct {
	ID          string    `json:"id"`
	Number      string    `json:"number"`
	ReceivedOn  time.Time `json:"-"`
	Status      string    `json:"status"`
	Subject     string    `json:"subject"`
	SameSender  bool      `json:"same_sender"`
	Similarity  float64   `json:"content_similarity"`
	Score       float64   `json:"score"`
	DuplicateOf *string   `json:"duplicate_of,omitempty"`
}

// DuplicateCandidates ranks earlier letters by a shared sender key (ID number or name) and
// by trigram similarity of the folded subject, opening of the content (400 characters) and
// respondent, stored as dup_text (domain.md §3.3).
func DuplicateCandidates(ctx context.Context, db *gorm.DB, r LetterRow, limit int) ([]DuplicateCandidate, error) {
	var out []DuplicateCandidate
	err := db.WithContext(ctx).Raw(`
		WITH me AS (SELECT sender_keys, dn_norm(respondent) AS resp,
		                   dup_text AS doc FROM letters WHERE id = ?),
		cand AS (
		SELECT l.id, l.number, l.received_on, l.status, l.subject, l.duplicate_of,
		       -- same ID number, or same name against the same respondent (domain.md §3.3)
		       EXISTS (SELECT 1 FROM unnest(l.sender_keys) k WHERE k = ANY(me.sender_keys)
		               AND (k LIKE 'i:%' OR similarity(dn_norm(l.respondent), me.resp) >= 0.5)) AS same_sender,
		       similarity(l.dup_text, me.doc) AS similarity
		FROM letters l, me
		WHERE l.id <> ? AND l.received_on <= ?)
		SELECT * FROM cand WHERE same_sender OR similarity >= 0.3
		ORDER BY same_sender DESC, similarity DESC, received_on DESC, id
		LIMIT ?`, r.ID, r.ID, r.ReceivedOn, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("duplicate candidates of %s: %w", r.ID, err)
	}
	for i := range out {
		score := out[i].Similarity
		if out[i].SameSender {
			score = 0.5 + score/2
		}
		out[i].Score = float64(int(score*1000)) / 1000
		out[i].Similarity = float64(int(out[i].Similarity*1000)) / 1000
	}
	return out, nil
}
