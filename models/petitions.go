package models

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/workflows"
)

// PetitionsCommitteeID is the Committee for People's Aspirations and Supervision, which runs
// the voters' petition cycle of every session (domain.md §7.1).
const PetitionsCommitteeID = idPetitionCommittee

// SessionRow is a session cycle as the API reads it.
type SessionRow struct {
	ID            string
	Term          string
	Number        int
	OpensOn       time.Time
	ClosesOn      time.Time
	NextOpensOn   *time.Time
	Status        string
	Version       int64
	Clocks        json.RawMessage `gorm:"type:jsonb"`
	DueAt         *time.Time
	Overdue       bool
	NextSessionID *string
	Detail        json.RawMessage `gorm:"type:jsonb"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ClosedAt      *time.Time
}

func (SessionRow) TableName() string { return "sessions" }

// OfficeID is the body running the cycle.
func (r SessionRow) OfficeID() string {
	var d struct {
		OfficeID string `json:"office_id"`
	}
	_ = json.Unmarshal(r.Detail, &d)
	if d.OfficeID == "" {
		return PetitionsCommitteeID
	}
	return d.OfficeID
}

// ClockList decodes the clocks column.
func (r SessionRow) ClockList() ([]workflows.Clock, error) { return decodeClocks(r.ID, r.Clocks) }

func decodeClocks(id string, raw json.RawMessage) ([]workflows.Clock, error) {
	var cs []workflows.Clock
	if len(raw) == 0 {
		return cs, nil
	}
	if err := json.Unmarshal(raw, &cs); err != nil {
		return nil, fmt.Errorf("clocks of %s: %w", id, err)
	}
	return cs, nil
}

// GetSession reads a session; a missing one is apperr.NotFound.
func GetSession(ctx context.Context, db *gorm.DB, id string) (SessionRow, error) {
	var r SessionRow
	if len(id) > 40 || textnorm.Problem(id) != "" {
		return r, apperr.New(apperr.NotFound, "no session %q", id)
	}
	err := db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, apperr.New(apperr.NotFound, "no session %q", id)
	}
	if err != nil {
		return r, fmt.Errorf("get session %s: %w", id, err)
	}
	return r, nil
}

// SessionFilter selects sessions; paging is by keyset on (opens_on, id), newest first.
type SessionFilter struct {
	Term   string
	Status string
	Limit  int
	Cursor string
}

type sessionCursor struct {
	OpensOn string `json:"o"`
	ID      string `json:"i"`
}

// ListSessions returns one page of sessions, newest opening first.
func ListSessions(ctx context.Context, db *gorm.DB, f SessionFilter) ([]SessionRow, string, error) {
	q := db.WithContext(ctx).Model(&SessionRow{})
	if f.Term != "" {
		q = q.Where("term = ?", f.Term)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Cursor != "" {
		var c sessionCursor
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err == nil {
			err = json.Unmarshal(b, &c)
		}
		if err == nil {
			_, err = time.Parse("2006-01-02", c.OpensOn) // cast to date below: a bad one would fail in the database
		}
		if err != nil || c.ID == "" || !utf8.ValidString(c.ID) || strings.IndexByte(c.ID, 0) >= 0 {
			return nil, "", apperr.Fields([]apperr.FieldError{{Field: "cursor", Message: "is not a cursor this API returned"}})
		}
		q = q.Where("(opens_on, id) < (?::date, ?)", c.OpensOn, c.ID)
	}
	var rows []SessionRow
	if err := q.Order("opens_on DESC, id DESC").Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list sessions: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		b, _ := json.Marshal(sessionCursor{OpensOn: last.OpensOn.Format("2006-01-02"), ID: last.ID})
		next = base64.RawURLEncoding.EncodeToString(b)
	}
	return rows, next, nil
}

// SessionCounts sums up a session's petitions and groups.
type SessionCounts struct {
	Petitions      int            `json:"petitions"`
	ByPhase        map[string]int `json:"petitions_by_phase"`
	Ungrouped      int            `json:"ungrouped"`
	Groups         map[string]int `json:"groups_by_status"`
	CarriedIn      int            `json:"carried_in"` // petitions of earlier sessions monitored in this one
	Delegations    int            `json:"delegations"`
	UnresolvedRows int            `json:"petitions_without_delegation"`
}

// CountSession reads the counts of a session.
func CountSession(ctx context.Context, db *gorm.DB, id string) (SessionCounts, error) {
	c := SessionCounts{ByPhase: map[string]int{}, Groups: map[string]int{}}
	var phases []struct {
		Phase string
		N     int
	}
	tx := db.WithContext(ctx)
	if err := tx.Raw(`SELECT phase, count(*) AS n FROM petitions WHERE session_id = ? GROUP BY phase`, id).Scan(&phases).Error; err != nil {
		return c, fmt.Errorf("count petitions of %s: %w", id, err)
	}
	for _, p := range phases {
		name := p.Phase
		if name == "" {
			name = "unknown"
		}
		c.ByPhase[name] = p.N
		c.Petitions += p.N
	}
	var groups []struct {
		Status string
		N      int
	}
	if err := tx.Raw(`SELECT status, count(*) AS n FROM voter_petitions WHERE session_id = ? GROUP BY status`, id).Scan(&groups).Error; err != nil {
		return c, fmt.Errorf("count groups of %s: %w", id, err)
	}
	for _, g := range groups {
		c.Groups[g.Status] = g.N
	}
	err := tx.Raw(`SELECT
			(SELECT count(*) FROM petitions WHERE session_id = ? AND group_id IS NULL) AS ungrouped,
			(SELECT count(*) FROM voter_petitions WHERE carried_to = ? AND session_id <> ?) AS carried_in,
			(SELECT count(DISTINCT delegation_id) FROM petitions WHERE session_id = ?) AS delegations,
			(SELECT count(*) FROM petitions WHERE session_id = ? AND delegation_id IS NULL) AS unresolved_rows`,
		id, id, id, id, id).Row().Scan(&c.Ungrouped, &c.CarriedIn, &c.Delegations, &c.UnresolvedRows)
	if err != nil {
		return c, fmt.Errorf("count session %s: %w", id, err)
	}
	return c, nil
}

// PetitionRow is one raw petition.
type PetitionRow struct {
	ID           string          `json:"id"`
	SessionID    string          `json:"session_id"`
	SourceRef    string          `json:"source_ref,omitempty"`
	Delegation   string          `json:"delegation"`
	DelegationID *string         `json:"delegation_id"`
	Province     *string         `json:"province"`
	MeetingOn    *time.Time      `json:"-"`
	Phase        string          `json:"phase"`
	Locality     string          `json:"locality"`
	Topic        string          `json:"topic"`
	Text         string          `json:"text"`
	VoterCount   *int            `json:"voter_count"`
	RePetitionOf *string         `json:"re_petition_of,omitempty"`
	Source       json.RawMessage `json:"source,omitempty" gorm:"type:jsonb"`
	GroupID      *string         `json:"group_id"`
	ImportLine   *int            `json:"import_line,omitempty"`
	CreatedBy    string          `json:"created_by"`
	CreatedAt    time.Time       `json:"created_at"`
}

func (PetitionRow) TableName() string { return "petitions" }

// MarshalJSON writes meeting_on as a legal date.
func (p PetitionRow) MarshalJSON() ([]byte, error) {
	type plain PetitionRow
	var meeting *string
	if p.MeetingOn != nil {
		s := p.MeetingOn.Format("2006-01-02")
		meeting = &s
	}
	return json.Marshal(struct {
		plain
		MeetingOn *string `json:"meeting_on"`
	}{plain(p), meeting})
}

// PetitionsOf lists the raw petitions of the given groups (or, with no group, of the session
// that are not grouped yet), in the order they were collected.
func PetitionsOf(ctx context.Context, db *gorm.DB, sessionID string, groupIDs []string) ([]PetitionRow, error) {
	q := db.WithContext(ctx).Where("session_id = ?", sessionID)
	if len(groupIDs) > 0 {
		q = q.Where("group_id IN ?", groupIDs)
	} else {
		q = q.Where("group_id IS NULL")
	}
	var out []PetitionRow
	if err := q.Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("petitions of %s: %w", sessionID, err)
	}
	return out, nil
}

// PetitionsExist reports which of the ids are petitions of the session.
func PetitionsExist(ctx context.Context, db *gorm.DB, sessionID string, ids []string) (map[string]string, error) {
	var rows []struct {
		ID      string
		GroupID *string
	}
	if err := db.WithContext(ctx).Raw(`SELECT id, group_id FROM petitions WHERE session_id = ? AND id IN ?`, sessionID, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.ID] = ""
		if r.GroupID != nil {
			out[r.ID] = *r.GroupID
		}
	}
	return out, nil
}

// VoterPetitionRow is a group of petitions about one matter: a voter petition.
type VoterPetitionRow struct {
	ID            string
	SessionID     string
	Number        *string
	Status        string
	Claimed       bool
	Version       int64
	Title         string
	Topic         string
	Score         *float64
	Delegations   StringList
	DelegationIDs StringList
	PetitionCount int
	VoterCount    int
	MergedInto    *string
	BodyID        *string
	ForwardedOn   *time.Time
	ReceivedOn    *time.Time
	AnswerClass   *string
	AnsweredOn    *time.Time
	AnsweredLate  *bool
	PublishedOn   *time.Time
	Satisfied     *bool
	CarriedOver   bool
	CarriedTo     *string
	Clocks        json.RawMessage `gorm:"type:jsonb"`
	DueAt         *time.Time
	Overdue       bool
	Detail        json.RawMessage `gorm:"type:jsonb"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ClosedAt      *time.Time
}

func (VoterPetitionRow) TableName() string { return "voter_petitions" }

// ClockList decodes the clocks column.
func (r VoterPetitionRow) ClockList() ([]workflows.Clock, error) { return decodeClocks(r.ID, r.Clocks) }

// GetVoterPetition reads a voter petition; a missing one is apperr.NotFound.
func GetVoterPetition(ctx context.Context, db *gorm.DB, id string) (VoterPetitionRow, error) {
	var r VoterPetitionRow
	if len(id) > 100 || textnorm.Problem(id) != "" {
		return r, apperr.New(apperr.NotFound, "no voter petition %q", id)
	}
	err := db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, apperr.New(apperr.NotFound, "no voter petition %q", id)
	}
	if err != nil {
		return r, fmt.Errorf("get voter petition %s: %w", id, err)
	}
	return r, nil
}

// GroupsOf reads the given voter petitions of a session, in the order given; an id that is
// not one of the session's is left out.
func GroupsOf(ctx context.Context, db *gorm.DB, sessionID string, ids []string) ([]VoterPetitionRow, error) {
	var rows []VoterPetitionRow
	if err := db.WithContext(ctx).Where("session_id = ? AND id IN ?", sessionID, ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("groups of %s: %w", sessionID, err)
	}
	byID := map[string]VoterPetitionRow{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	out := make([]VoterPetitionRow, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// VoterPetitionFilter selects voter petitions; empty fields do not filter.
type VoterPetitionFilter struct {
	SessionID    string
	Status       []string
	BodyID       string
	DelegationID string
	CarriedTo    string
	Overdue      *bool
	Q            string // folded
	// VisibleTo limits the list to what that body may see: petitions its delegation raised or
	// it answers (HeldOnly: only what it answers).
	VisibleTo string
	HeldOnly  bool
	Limit     int
	Cursor    string
	Now       time.Time
}

// ListVoterPetitions returns one page ordered by id (merged groups never show) and the cursor
// of the next page.
func ListVoterPetitions(ctx context.Context, db *gorm.DB, f VoterPetitionFilter) ([]VoterPetitionRow, string, error) {
	q := db.WithContext(ctx).Model(&VoterPetitionRow{}).Where("status <> 'merged'")
	if f.SessionID != "" {
		q = q.Where("session_id = ?", f.SessionID)
	}
	if len(f.Status) > 0 {
		q = q.Where("status IN ?", f.Status)
	}
	if f.BodyID != "" {
		q = q.Where("body_id = ?", f.BodyID)
	}
	if f.DelegationID != "" {
		q = q.Where("? = ANY(delegation_ids)", f.DelegationID)
	}
	if f.CarriedTo != "" {
		q = q.Where("carried_to = ?", f.CarriedTo)
	}
	if f.Overdue != nil {
		cond := "answered_on IS NULL AND body_id IS NOT NULL AND (overdue OR due_at <= ?)"
		if *f.Overdue {
			q = q.Where(cond, f.Now)
		} else {
			q = q.Where("NOT ("+cond+")", f.Now)
		}
	}
	if f.Q != "" {
		q = q.Where("dn_norm(title || ' ' || topic) LIKE ?", "%"+escapeLikePattern(f.Q)+"%")
	}
	if f.VisibleTo != "" {
		if f.HeldOnly {
			q = q.Where("body_id = ?", f.VisibleTo)
		} else {
			q = q.Where("(body_id = ? OR ? = ANY(delegation_ids))", f.VisibleTo, f.VisibleTo)
		}
	}
	if f.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		// Decoded bytes go into a text comparison: anything PostgreSQL cannot hold as text
		// would be a database error, not the caller's 422.
		if err != nil || len(b) == 0 || !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
			return nil, "", apperr.Fields([]apperr.FieldError{{Field: "cursor", Message: "is not a cursor this API returned"}})
		}
		q = q.Where("id > ?", string(b))
	}
	var rows []VoterPetitionRow
	if err := q.Order("id").Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list voter petitions: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(rows[len(rows)-1].ID))
	}
	return rows, next, nil
}

// CaseEvents returns the audit trail of a session or a voter petition in order.
func CaseEvents(ctx context.Context, db *gorm.DB, table, idCol, id string) ([]EventRow, error) {
	var out []EventRow
	if table != "session_events" && table != "voter_petition_events" {
		return nil, fmt.Errorf("no event table %q", table)
	}
	err := db.WithContext(ctx).Table(table).Select("seq, at, type, actor, data").Where(idCol+" = ?", id).Order("seq").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", id, err)
	}
	return out, nil
}

// DelegationResolver maps what a petition names as its delegation (a delegation's id, a
// current province, a pre-2025 province, with or without "Đoàn ĐBQH", "tỉnh", "TP.") to the
// current delegation. It reads the registry once, so an import of thousands of rows makes one
// query.
type DelegationResolver struct {
	byID       map[string]Delegation
	byProvince map[string]Delegation   // key of the current province
	byFormer   map[string][]Delegation // key of a former province
}

// Delegation is a provincial NA delegation of the registry.
type Delegation struct {
	ID       string
	Province string
}

// NewDelegationResolver loads the delegations of the registry.
func NewDelegationResolver(ctx context.Context, db *gorm.DB) (*DelegationResolver, error) {
	var rows []struct {
		ID              string
		Province        *string
		FormerProvinces StringList
	}
	if err := db.WithContext(ctx).Raw(`SELECT id, province, former_provinces FROM bodies WHERE kind = ? ORDER BY id`, BodyNADelegation).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load delegations: %w", err)
	}
	r := &DelegationResolver{byID: map[string]Delegation{}, byProvince: map[string]Delegation{}, byFormer: map[string][]Delegation{}}
	for _, row := range rows {
		if row.Province == nil {
			continue
		}
		d := Delegation{ID: row.ID, Province: *row.Province}
		r.byID[row.ID] = d
		r.byProvince[provinceKey(d.Province)] = d
		for _, f := range row.FormerProvinces {
			r.byFormer[provinceKey(f)] = append(r.byFormer[provinceKey(f)], d)
		}
	}
	return r, nil
}

// delegationPrefixes are what petitions put before the province (folded).
var delegationPrefixes = []string{"doan dai bieu quoc hoi", "doan dbqh", "doan"}

// Resolve returns the current delegation a name stands for; ok is false when it names none (a
// national synthesis, an unknown place) or an old province split between two delegations.
func (r *DelegationResolver) Resolve(name string) (Delegation, bool) {
	if d, ok := r.byID[strings.TrimSpace(name)]; ok {
		return d, true
	}
	folded := textnorm.Fold(name)
	for _, p := range delegationPrefixes {
		if rest, ok := strings.CutPrefix(folded, p+" "); ok {
			folded = rest
			break
		}
	}
	key := provinceKey(folded)
	if key == "" {
		return Delegation{}, false
	}
	if d, ok := r.byProvince[key]; ok {
		return d, true
	}
	if ds := r.byFormer[key]; len(ds) == 1 {
		return ds[0], true
	}
	return Delegation{}, false
}

// IsDelegation reports whether a body is a provincial NA delegation.
func (r *DelegationResolver) IsDelegation(bodyID string) bool {
	_, ok := r.byID[bodyID]
	return ok
}

// NextSessionID returns the session after this one: the one opening on its next_opens_on, or
// else the earliest opening after it closes ("" when none is registered).
func NextSessionID(ctx context.Context, db *gorm.DB, sessionID string) (string, error) {
	var ids []string
	err := db.WithContext(ctx).Raw(`SELECT n.id FROM sessions s JOIN sessions n ON n.opens_on > s.closes_on
		WHERE s.id = ? ORDER BY (n.opens_on IS NOT DISTINCT FROM s.next_opens_on) DESC, n.opens_on, n.id LIMIT 1`, sessionID).Scan(&ids).Error
	if err != nil {
		return "", fmt.Errorf("next session of %s: %w", sessionID, err)
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}
