package models

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/dannguyen/dannguyen/internal/apperr"
)

// LetterFilter holds the list filters of GET /v1/letters; nil or empty means "any".
type LetterFilter struct {
	Status, Kind, BodyID, Assignee []string
	Overdue                        *bool
	DueBy                          *time.Time // due_at at or before (the end of a legal day)
	ReceivedFrom, ReceivedTo       string     // dates, inclusive
	Q                              string     // already folded (textnorm.Fold)
	// IdentityKeys are keyed hashes of Q read as a sender's full name or ID number (the
	// sender_keys of intake). They find a protected letter only for a Searcher allowed to see
	// its sender's identity (policy.CanReveal); everyone else finds it by its text alone.
	IdentityKeys []string
	Searcher     Searcher
	Sort         string // -received_on (default) | received_on | due_at | relevance (default with Q)
	// VisibleTo limits the list to letters received or held by that body; with HeldOnly, to
	// letters held by it (what was forwarded to an agency).
	VisibleTo string
	HeldOnly  bool
	Limit     int
	Cursor    string
	Now       time.Time
}

// Searcher is who runs a search, as the reveal rule of a protected identity needs it.
type Searcher struct {
	Sub    string
	BodyID string
	Head   bool
}

// LetterPage is one page of a list.
type LetterPage struct {
	Rows []LetterRow
	Next string // "" on the last page
	// IdentityMatches are the protected letters of this page that the search found by their
	// sender's identity; the caller audits them like a reveal.
	IdentityMatches []string
}

// Sorts of GET /v1/letters.
var letterSorts = map[string]struct{ order, after, afterNull string }{
	"-received_on": {order: "s.received_on DESC, s.id DESC", after: "(s.received_on, s.id) < (?::date, ?)"},
	"received_on":  {order: "s.received_on, s.id", after: "(s.received_on, s.id) > (?::date, ?)"},
	// Letters without a running clock come last; the keyset must step over the NULLs itself,
	// because a row comparison with NULL is unknown.
	"due_at": {order: "s.due_at ASC NULLS LAST, s.id", after: "((s.due_at, s.id) > (?::timestamptz, ?) OR s.due_at IS NULL)",
		afterNull: "(s.due_at IS NULL AND s.id > ?)"},
	"relevance": {order: "s.rank DESC, s.id", after: "(s.rank < ?::real OR (s.rank = ?::real AND s.id > ?))"},
}

// cursor is the position after the last row of a page: its sort key and id. Keyset paging
// never repeats or skips a row while rows are inserted, unlike OFFSET. It also carries the
// instant the first page was read, so "overdue" means the same on every page, and a hash of
// the filters, so a cursor is not replayed against another query.
type cursor struct {
	Sort   string     `json:"s"`
	Filter string     `json:"f"`
	Now    time.Time  `json:"n"`
	Date   string     `json:"d,omitempty"`
	Due    *time.Time `json:"t,omitempty"`
	Rank   *float32   `json:"r,omitempty"`
	ID     string     `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func badCursor(msg string) error {
	return apperr.Fields([]apperr.FieldError{{Field: "cursor", Message: msg}})
}

func decodeCursor(s string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err == nil && c.Date != "" {
		_, err = time.Parse("2006-01-02", c.Date) // compared as a date in SQL
	}
	// An id with NUL is text PostgreSQL cannot hold: a forged cursor, not a database error.
	if err != nil || c.ID == "" || c.Now.IsZero() || strings.IndexByte(c.ID, 0) >= 0 {
		return nil, badCursor("is not a cursor this API returned")
	}
	return &c, nil
}

// CursorTime returns the instant the first page of a listing was read, so the handler can
// derive its relative filters (due within N working days) from the same "now" on every page.
func CursorTime(s string) (time.Time, bool) {
	c, err := decodeCursor(s)
	if err != nil || c == nil {
		return time.Time{}, false
	}
	return c.Now, true
}

// filterHash identifies the filters a cursor was made for.
func (f LetterFilter) filterHash() string {
	b, _ := json.Marshal([]any{f.Status, f.Kind, f.BodyID, f.Assignee, f.Overdue, f.DueBy, f.ReceivedFrom,
		f.ReceivedTo, f.Q, f.IdentityKeys, f.Searcher, f.VisibleTo, f.HeldOnly})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

var (
	letterColsOnce sync.Once
	letterCols     string
	letterColsErr  error
)

// letterColumns lists the columns of LetterRow, so lists read what the row needs and not the
// search vector; it follows LetterRow when a field is added.
func letterColumns(db *gorm.DB) (string, error) {
	letterColsOnce.Do(func() {
		s, err := schema.Parse(&LetterRow{}, &sync.Map{}, db.NamingStrategy)
		if err != nil {
			letterColsErr = fmt.Errorf("letters columns: %w", err)
			return
		}
		cols := make([]string, len(s.DBNames))
		for i, n := range s.DBNames {
			cols[i] = "l." + n
		}
		letterCols = strings.Join(cols, ", ")
	})
	return letterCols, letterColsErr
}

// ListLetters returns one page of letters and the cursor of the next page ("" at the end).
func ListLetters(ctx context.Context, db *gorm.DB, f LetterFilter) ([]LetterRow, string, error) {
	p, err := ListLettersPage(ctx, db, f)
	return p.Rows, p.Next, err
}

// ListLettersPage returns one page of letters with what the search matched.
func ListLettersPage(ctx context.Context, db *gorm.DB, f LetterFilter) (LetterPage, error) {
	q, f, hash, err := prepareList(db, f)
	if err != nil {
		return LetterPage{}, err
	}
	rows, err := readQuery[struct {
		LetterRow     `gorm:"embedded"`
		Rank          float32
		IdentityMatch bool
	}](ctx, db, &q)
	if err != nil {
		return LetterPage{}, fmt.Errorf("list letters: %w", err)
	}
	var page LetterPage
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		c := cursor{Sort: f.Sort, Filter: hash, Now: f.Now, ID: last.ID}
		switch f.Sort {
		case "due_at":
			c.Due = last.DueAt
		case "relevance":
			r := last.Rank
			c.Rank = &r
		default:
			c.Date = last.ReceivedOn.Format(time.DateOnly)
		}
		page.Next = c.encode()
	}
	page.Rows = make([]LetterRow, len(rows))
	for i, r := range rows {
		page.Rows[i] = r.LetterRow
		if r.IdentityMatch {
			page.IdentityMatches = append(page.IdentityMatches, r.ID)
		}
	}
	return page, nil
}

// ExplainList runs the list query of f under EXPLAIN (ANALYZE, BUFFERS) and returns the plan.
func ExplainList(ctx context.Context, db *gorm.DB, f LetterFilter) (string, error) {
	q, _, _, err := prepareList(db, f)
	if err != nil {
		return "", err
	}
	var plan sqlText
	plan.add("EXPLAIN (ANALYZE, BUFFERS) "+q.sql.String(), q.args...)
	return explain(ctx, db, &plan)
}

// prepareList validates the filter and cursor and writes the list statement; it returns the
// filter with its defaults (sort, limit, the cursor's instant) and the filter hash.
func prepareList(db *gorm.DB, f LetterFilter) (sqlText, LetterFilter, string, error) {
	var q sqlText
	if f.Sort == "" {
		f.Sort = "-received_on"
		if f.Q != "" {
			f.Sort = "relevance"
		}
	}
	srt, ok := letterSorts[f.Sort]
	if !ok || (f.Sort == "relevance" && f.Q == "") {
		msg := "must be due_at, received_on or -received_on"
		if f.Q != "" {
			msg = "must be relevance, due_at, received_on or -received_on"
		}
		return q, f, "", apperr.Fields([]apperr.FieldError{{Field: "sort", Message: msg}})
	}
	cur, err := decodeCursor(f.Cursor)
	if err != nil {
		return q, f, "", err
	}
	hash := f.filterHash()
	if cur != nil {
		if cur.Sort != f.Sort {
			return q, f, "", badCursor("belongs to another sort order; start again without a cursor")
		}
		if cur.Filter != hash {
			return q, f, "", badCursor("belongs to other filters; start again without a cursor")
		}
		f.Now = cur.Now
	}
	if f.Limit < 1 {
		f.Limit = 50
	}
	cols, err := letterColumns(db)
	if err != nil {
		return q, f, "", err
	}

	// page writes one ordered, limited page over a branch: the keyset condition and the order
	// apply to the branch's output, so the planner can walk an index in order and stop early.
	page := func(visible string, args ...any) {
		q.add("SELECT * FROM (")
		f.branch(&q, cols, visible, args...)
		q.add(") s")
		if cur != nil {
			switch {
			case f.Sort == "relevance":
				var r float32
				if cur.Rank != nil {
					r = *cur.Rank
				}
				q.add(" WHERE "+srt.after, r, r, cur.ID)
			case f.Sort == "due_at" && cur.Due == nil:
				q.add(" WHERE "+srt.afterNull, cur.ID)
			case f.Sort == "due_at":
				after := srt.after
				if (f.Overdue != nil && *f.Overdue) || f.DueBy != nil {
					after = "(s.due_at, s.id) > (?::timestamptz, ?)" // no NULL can match: a plain range
				}
				q.add(" WHERE "+after, *cur.Due, cur.ID)
			default:
				q.add(" WHERE "+srt.after, cur.Date, cur.ID)
			}
		}
		q.add(fmt.Sprintf(" ORDER BY %s LIMIT %d", srt.order, f.Limit+1))
	}
	switch {
	case f.VisibleTo != "" && !f.HeldOnly:
		// An officer sees what the body holds and what it received and forwarded elsewhere. As
		// one OR, the planner must sort every such letter for each page; as two pages merged
		// (PostgreSQL 15 plans no ordered merge of a UNION ALL here), each walks its own index.
		q.add("SELECT * FROM ((")
		page("l.body_id = ?", f.VisibleTo)
		q.add(") UNION ALL (")
		// "Received here and held elsewhere", written so the planner matches the partial
		// index letters_forwarded_received.
		page("l.receiving_body_id = ? AND l.receiving_body_id <> l.body_id", f.VisibleTo)
		q.add(fmt.Sprintf(")) s ORDER BY %s LIMIT %d", srt.order, f.Limit+1))
	case f.VisibleTo != "":
		page("l.body_id = ?", f.VisibleTo)
	default:
		page("")
	}
	return q, f, hash, nil
}

// branch writes one SELECT over letters with every filter, plus the visibility condition.
func (f LetterFilter) branch(q *sqlText, cols, visible string, visibleArgs ...any) {
	if f.Q == "" {
		q.add("SELECT " + cols + ", 0::real AS rank, false AS identity_match FROM letters l WHERE true")
	} else {
		// Relevance is ts_rank with the column's weights (subject above respondent and sender
		// above content); ts_rank_cd, which also rewards proximity, cost 1.5–4× more per match
		// on 1 M letters. A hit on the sender's identity (exact full name or ID number, through
		// the keyed hashes of intake) ranks above any text hit; for a protected letter it counts
		// only when the searcher may see that identity. The identity hits are found first (an
		// InitPlan, a handful of ids), so the text match stays a pure index condition.
		q.add("SELECT " + cols + ", (ts_rank(l.search, tq.q) + CASE WHEN l.id = ANY(")
		f.identityMatches(q)
		q.add(") THEN 10 ELSE 0 END)::real AS rank, (l.confidential AND l.id = ANY(")
		f.identityMatches(q)
		q.add(")) AS identity_match FROM letters l CROSS JOIN plainto_tsquery('simple', dn_norm(?)) AS tq(q) WHERE (l.search @@ tq.q OR l.number = ? OR l.id = ANY(",
			f.Q, strings.ToUpper(f.Q))
		f.identityMatches(q)
		q.add("))")
	}
	if visible != "" {
		q.add(" AND "+visible, visibleArgs...)
	}
	for _, in := range []struct {
		col  string
		vals []string
	}{{"status", f.Status}, {"kind", f.Kind}, {"body_id", f.BodyID}, {"assignee", f.Assignee}} {
		switch len(in.vals) {
		case 0:
		case 1:
			// An equality, not "= ANY": only then can an index on (col, sort key) return the
			// rows already in order.
			q.add(" AND l."+in.col+" = ?", in.vals[0])
		default:
			q.add(" AND l."+in.col+" = ANY(?)", in.vals)
		}
	}
	if f.Overdue != nil {
		// Overdue as the letter view shows it: a clock marked overdue, or a running clock
		// whose due instant has passed (derived at read time, right even while the worker is down).
		if *f.Overdue {
			q.add(" AND l.closed_at IS NULL AND (l.overdue OR l.due_at <= ?)", f.Now)
		} else {
			q.add(" AND (l.closed_at IS NOT NULL OR (NOT l.overdue AND (l.due_at IS NULL OR l.due_at > ?)))", f.Now)
		}
	}
	if f.DueBy != nil {
		q.add(" AND l.due_at <= ?", *f.DueBy)
	}
	if f.ReceivedFrom != "" {
		q.add(" AND l.received_on >= ?::date", f.ReceivedFrom)
	}
	if f.ReceivedTo != "" {
		q.add(" AND l.received_on <= ?::date", f.ReceivedTo)
	}
}

// identityMatches writes an array of the ids of the letters whose senders have one of the
// identity keys and whose identity the searcher may see. It mirrors policy.CanReveal: anyone
// for a letter that is not protected; for a protected one the intake officer, the assigned
// handler, the head of the receiving body, or the holder of an unexpired grant.
func (f LetterFilter) identityMatches(q *sqlText) {
	if len(f.IdentityKeys) == 0 {
		q.add("'{}'::text[]")
		return
	}
	s := f.Searcher
	q.add(`ARRAY(SELECT i.id FROM letters i WHERE i.sender_keys && ?::text[] AND (NOT i.confidential
		OR (? <> '' AND (i.assignee = ? OR i.detail->>'created_by' = ?))
		OR (? AND ? <> '' AND i.receiving_body_id = ?)
		OR EXISTS (SELECT 1 FROM identity_grants g WHERE g.letter_id = i.id AND g.grantee = ? AND ? <> '' AND g.until > ?)))`,
		f.IdentityKeys, s.Sub, s.Sub, s.Sub, s.Head, s.BodyID, s.BodyID, s.Sub, s.Sub, f.Now)
}

// LettersByIDs reads the letters with these ids (in no particular order), with the same
// columns as a list page.
func LettersByIDs(ctx context.Context, db *gorm.DB, ids []string) ([]LetterRow, error) {
	cols, err := letterColumns(db)
	if err != nil {
		return nil, err
	}
	var q sqlText
	q.add("SELECT "+cols+" FROM letters l WHERE l.id = ANY(?)", ids)
	rows, err := readQuery[LetterRow](ctx, db, &q)
	if err != nil {
		return nil, fmt.Errorf("letters by id: %w", err)
	}
	return rows, nil
}
