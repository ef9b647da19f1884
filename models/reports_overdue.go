package models

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/deadline"
)

// OverdueFilter selects the open letters of the overdue report.
type OverdueFilter struct {
	BodyID    []string  // holders; empty: every body
	VisibleTo string    // a head's scope: letters the body received or holds
	Now       time.Time // overdue: a clock marked overdue, or a running clock due at or before Now
	AtRiskBy  time.Time // at risk: not overdue, due at or before AtRiskBy
}

// OldestOverdue is the letter that has been overdue the longest in a group.
type OldestOverdue struct {
	LetterID    string `json:"letter_id"`
	Number      string `json:"number"`
	BodyID      string `json:"body_id"`
	Assignee    string `json:"assignee"`
	DueOn       string `json:"due_on"`
	DaysOverdue int    `json:"days_overdue"` // calendar days since the due date
	dueAt       time.Time
}

// OverdueGroup is one row of the report: a body, or an assignee within a body.
type OverdueGroup struct {
	BodyID   string         `json:"body_id,omitempty"`
	BodyName string         `json:"body_name,omitempty"`
	Assignee *string        `json:"assignee,omitempty"` // "" for letters nobody is assigned
	Overdue  int            `json:"overdue"`
	AtRisk   int            `json:"at_risk"`
	Oldest   *OldestOverdue `json:"oldest_overdue"`
}

// OverdueReport is GET /v1/reports/overdue: overdue and at-risk letters per body and per
// assignee. Total is computed independently of the rows, so that the rows adding up to it is
// a check, not a tautology.
type OverdueReport struct {
	Total      OverdueGroup   `json:"total"`
	ByBody     []OverdueGroup `json:"by_body"`
	ByAssignee []OverdueGroup `json:"by_assignee"`
}

// ReportOverdue reads the overdue report from the read model. The index letters_open_due
// serves the range "open and due at or before the at-risk horizon".
func ReportOverdue(ctx context.Context, db *gorm.DB, f OverdueFilter) (OverdueReport, error) {
	var q sqlText
	q.add(`WITH o AS (
		SELECT l.id, l.number, l.body_id, l.assignee, l.due_at, (l.overdue OR l.due_at <= ?) AS is_overdue
		FROM letters l
		WHERE l.closed_at IS NULL AND (l.overdue OR l.due_at <= ?)`, f.Now, f.AtRiskBy)
	if len(f.BodyID) > 0 {
		q.add(" AND l.body_id = ANY(?)", f.BodyID)
	}
	if f.VisibleTo != "" {
		q.add(" AND (l.body_id = ? OR l.receiving_body_id = ?)", f.VisibleTo, f.VisibleTo)
	}
	q.add(`)
	SELECT 'g' AS part, body_id, assignee, GROUPING(body_id) AS no_body, GROUPING(assignee) AS no_assignee,
	       count(*) FILTER (WHERE is_overdue) AS overdue, count(*) FILTER (WHERE NOT is_overdue) AS at_risk,
	       NULL AS id, NULL AS number, NULL::timestamptz AS due_at
	FROM o GROUP BY GROUPING SETS ((body_id), (body_id, assignee), ())
	UNION ALL
	SELECT * FROM (SELECT DISTINCT ON (body_id, assignee) 'o', body_id, assignee, 0, 0, 0, 0, id, number, due_at
	               FROM o WHERE is_overdue ORDER BY body_id, assignee, due_at, id) oldest`)
	rows, err := readQuery[struct {
		Part               string
		BodyID, Assignee   *string
		NoBody, NoAssignee int
		Overdue, AtRisk    int
		ID, Number         *string
		DueAt              *time.Time
	}](ctx, db, &q)
	if err != nil {
		return OverdueReport{}, fmt.Errorf("overdue report: %w", err)
	}
	today := deadline.DateOf(f.Now)
	var rep OverdueReport
	bodies := map[string]*OverdueGroup{}
	people := map[[2]string]*OverdueGroup{}
	oldest := func(o **OldestOverdue, cand *OldestOverdue) {
		if *o == nil || cand.dueAt.Before((*o).dueAt) || cand.dueAt.Equal((*o).dueAt) && cand.LetterID < (*o).LetterID {
			c := *cand
			*o = &c
		}
	}
	for _, raw := range rows {
		r := struct {
			Part, BodyID, Assignee string
			NoBody, NoAssignee     int
			Overdue, AtRisk        int
			ID, Number             *string
			DueAt                  *time.Time
		}{raw.Part, deref(raw.BodyID), deref(raw.Assignee), raw.NoBody, raw.NoAssignee, raw.Overdue, raw.AtRisk, raw.ID, raw.Number, raw.DueAt}
		switch {
		case r.Part == "o":
			due := deadline.DateOf(r.DueAt.Add(-time.Nanosecond)) // the legal day that ends at due_at
			cand := &OldestOverdue{LetterID: *r.ID, Number: *r.Number, BodyID: r.BodyID, Assignee: r.Assignee,
				DueOn: due.String(), DaysOverdue: max(0, today.Sub(due)), dueAt: *r.DueAt}
			oldest(&rep.Total.Oldest, cand)
			if g := bodies[r.BodyID]; g != nil {
				oldest(&g.Oldest, cand)
			} else {
				bodies[r.BodyID] = &OverdueGroup{BodyID: r.BodyID, Oldest: cand}
			}
			k := [2]string{r.BodyID, r.Assignee}
			if g := people[k]; g != nil {
				oldest(&g.Oldest, cand)
			} else {
				a := r.Assignee
				people[k] = &OverdueGroup{BodyID: r.BodyID, Assignee: &a, Oldest: cand}
			}
		case r.NoBody == 1:
			rep.Total.Overdue, rep.Total.AtRisk = r.Overdue, r.AtRisk
		case r.NoAssignee == 1:
			g := bodies[r.BodyID]
			if g == nil {
				g = &OverdueGroup{BodyID: r.BodyID}
				bodies[r.BodyID] = g
			}
			g.Overdue, g.AtRisk = r.Overdue, r.AtRisk
		default:
			k := [2]string{r.BodyID, r.Assignee}
			g := people[k]
			if g == nil {
				a := r.Assignee
				g = &OverdueGroup{BodyID: r.BodyID, Assignee: &a}
				people[k] = g
			}
			g.Overdue, g.AtRisk = r.Overdue, r.AtRisk
		}
	}
	rep.ByBody, rep.ByAssignee = make([]OverdueGroup, 0, len(bodies)), make([]OverdueGroup, 0, len(people))
	for _, g := range bodies {
		rep.ByBody = append(rep.ByBody, *g)
	}
	for _, g := range people {
		rep.ByAssignee = append(rep.ByAssignee, *g)
	}
	// The worst first: most overdue, then most at risk; ids keep the order stable.
	for _, list := range [][]OverdueGroup{rep.ByBody, rep.ByAssignee} {
		sort.Slice(list, func(i, j int) bool {
			a, b := list[i], list[j]
			if a.Overdue != b.Overdue {
				return a.Overdue > b.Overdue
			}
			if a.AtRisk != b.AtRisk {
				return a.AtRisk > b.AtRisk
			}
			if a.BodyID != b.BodyID {
				return a.BodyID < b.BodyID
			}
			return a.Assignee != nil && b.Assignee != nil && *a.Assignee < *b.Assignee
		})
	}
	names, err := BodyNames(ctx, db, rep.bodyIDs())
	if err != nil {
		return rep, err
	}
	for i := range rep.ByBody {
		rep.ByBody[i].BodyName = names[rep.ByBody[i].BodyID]
	}
	for i := range rep.ByAssignee {
		rep.ByAssignee[i].BodyName = names[rep.ByAssignee[i].BodyID]
	}
	return rep, nil
}

func (r OverdueReport) bodyIDs() []string {
	ids := make([]string, 0, len(r.ByBody))
	for _, g := range r.ByBody {
		ids = append(ids, g.BodyID)
	}
	return ids
}

// BodyNames maps body ids to their names; an id that is not in the registry is left out.
func BodyNames(ctx context.Context, db *gorm.DB, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var q sqlText
	q.add("SELECT id, name FROM bodies WHERE id = ANY(?)", ids)
	rows, err := readQuery[struct{ ID, Name string }](ctx, db, &q)
	if err != nil {
		return nil, fmt.Errorf("body names: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
