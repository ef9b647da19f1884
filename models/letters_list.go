package models

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/internal/apperr"
)

// LetterFilter holds the list filters of GET /v1/letters; nil or empty means "any".
type LetterFilter struct {
	Status, Kind, BodyID, Assignee []string
	Overdue                        *bool
	DueBefore                      *time.Time // due_at strictly before
	ReceivedFrom, ReceivedTo       string     // dates, inclusive
	Q                              string     // already folded (textnorm.Fold)
	Sort                           string     // -received_on (default) | received_on | due_at
	// VisibleTo limits the list to letters received or held by that body; with HeldOnly, to
	// letters held by it (what was forwarded to an agency).
	VisibleTo string
	HeldOnly  bool
	Limit     int
	Cursor    string
	Now       time.Time
}

// cursor is the position after the last row of a page: its sort key and id. Keyset paging
// never repeats or skips a row while rows are inserted, unlike OFFSET.
type cursor struct {
	Sort string     `json:"s"`
	Key  *time.Time `json:"k"` // nil: no due date (sorts as infinity)
	ID   string     `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, sort string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return nil, apperr.Fields([]apperr.FieldError{{Field: "cursor", Message: "is not a cursor this API returned"}})
	}
	if c.Sort != sort {
		return nil, apperr.Fields([]apperr.FieldError{{Field: "cursor", Message: "belongs to another sort order; start again without a cursor"}})
	}
	return &c, nil
}

// sortKey is the SQL expression each sort orders by; due_at puts letters without a running
// clock last.
var sortKey = map[string]string{
	"-received_on": "received_on::timestamptz",
	"received_on":  "received_on::timestamptz",
	"due_at":       "coalesce(due_at, 'infinity'::timestamptz)",
}

// ListLetters returns one page of letters and the cursor of the next page ("" at the end).
func ListLetters(ctx context.Context, db *gorm.DB, f LetterFilter) ([]LetterRow, string, error) {
	if f.Sort == "" {
		f.Sort = "-received_on"
	}
	key, ok := sortKey[f.Sort]
	if !ok {
		return nil, "", apperr.Fields([]apperr.FieldError{{Field: "sort", Message: "must be due_at, received_on or -received_on"}})
	}
	cur, err := decodeCursor(f.Cursor, f.Sort)
	if err != nil {
		return nil, "", err
	}
	q := db.WithContext(ctx).Model(&LetterRow{})
	for col, vals := range map[string][]string{"status": f.Status, "kind": f.Kind, "body_id": f.BodyID, "assignee": f.Assignee} {
		if len(vals) > 0 {
			q = q.Where(col+" IN ?", vals)
		}
	}
	if f.VisibleTo != "" {
		if f.HeldOnly {
			q = q.Where("body_id = ?", f.VisibleTo)
		} else {
			q = q.Where("(receiving_body_id = ? OR body_id = ?)", f.VisibleTo, f.VisibleTo)
		}
	}
	if f.Overdue != nil {
		cond := "closed_at IS NULL AND (overdue OR due_at <= ?)"
		if *f.Overdue {
			q = q.Where(cond, f.Now)
		} else {
			q = q.Where("NOT ("+cond+")", f.Now)
		}
	}
	if f.DueBefore != nil {
		q = q.Where("due_at < ?", *f.DueBefore)
	}
	if f.ReceivedFrom != "" {
		q = q.Where("received_on >= ?", f.ReceivedFrom)
	}
	if f.ReceivedTo != "" {
		q = q.Where("received_on <= ?", f.ReceivedTo)
	}
	if f.Q != "" {
		q = q.Where("dn_norm(subject || ' ' || content || ' ' || respondent) LIKE ?", "%"+escapeLike(f.Q)+"%")
	}
	dir, cmp := "ASC", ">"
	if f.Sort == "-received_on" {
		dir, cmp = "DESC", "<"
	}
	if cur != nil {
		var k any = "infinity"
		if cur.Key != nil {
			k = *cur.Key
		}
		q = q.Where(fmt.Sprintf("(%s, id) %s (?::timestamptz, ?)", key, cmp), k, cur.ID)
	}
	var rows []LetterRow
	err = q.Order(fmt.Sprintf("%s %s, id %s", key, dir, dir)).Limit(f.Limit + 1).Find(&rows).Error
	if err != nil {
		return nil, "", fmt.Errorf("list letters: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		k := &last.ReceivedOn
		if f.Sort == "due_at" {
			k = last.DueAt
		}
		next = cursor{Sort: f.Sort, Key: k, ID: last.ID}.encode()
	}
	return rows, next, nil
}

func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
