package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/deadline"
)

// Reception register vocabularies (domain.md §6), shared by the API and the statistics.
var (
	ReceptionTypes    = []string{"regular", "periodic", "ad_hoc", "deputy", "online"}
	ReceptionOutcomes = []string{"guided_oral", "guided_written", "letter_created", "forwarded", "refused"}
	ReceptionKinds    = []string{"complaint", "denunciation", "recommendation", "reflection", "mixed"}
	ReceptionFields   = []string{"administrative", "judicial", "party", "corruption", "other"}
)

// VisitCount is a number of visits and the people who came to them.
type VisitCount struct {
	Visits int `json:"visits"`
	People int `json:"people"`
}

// ReceptionStats is the reception table of the periodic report (domain.md §9, item 1). Every
// breakdown lists all its keys, zeros included, so reports line up across periods.
type ReceptionStats struct {
	From   string `json:"from,omitempty"` // held_on, inclusive; empty = open
	To     string `json:"to,omitempty"`
	BodyID string `json:"body_id,omitempty"` // the one body asked for; empty = every body, or several (the summary lists them)

	Visits int `json:"visits"`
	People int `json:"people"`
	// Matters are distinct matters brought in the period (a matter is its first visit and
	// every repeat linked to it): new when first brought in the period, repeat when first
	// brought before it. RepeatVisits counts the visits that repeat an earlier one.
	Matters struct {
		Total  int `json:"total"`
		New    int `json:"new"`
		Repeat int `json:"repeat"`
	} `json:"matters"`
	RepeatVisits int        `json:"repeat_visits"`
	Groups       VisitCount `json:"groups"` // visits of 5 or more people (LTCD 29)
	// ByReceiverType: regular staff, heads' periodic and ad hoc receptions, deputies, online.
	ByReceiverType map[string]VisitCount `json:"by_receiver_type"`
	ByOutcome      map[string]int        `json:"by_outcome"`
	ByKind         map[string]int        `json:"by_kind"`  // "" = not recorded (a refused visit)
	ByField        map[string]int        `json:"by_field"` // "" = not recorded
	LettersCreated int                   `json:"letters_created"`
	// RefusalNotices are the written notices of refusals on a repeat ground (D35).
	RefusalNotices struct {
		Required    int `json:"required"`
		Sent        int `json:"sent"`
		SentLate    int `json:"sent_late"`
		OverdueOpen int `json:"overdue_open"`
	} `json:"refusal_notices"`
}

// ReceptionSummary counts the visits held from..to (zero dates: open) at the bodies (none:
// all) from the register rows. Protected citizens are never read: the counts need none.
func ReceptionSummary(ctx context.Context, db *gorm.DB, from, to deadline.Date, bodyIDs ...string) (ReceptionStats, error) {
	out := ReceptionStats{ByReceiverType: map[string]VisitCount{}, ByOutcome: map[string]int{},
		ByKind: map[string]int{}, ByField: map[string]int{}}
	if !from.IsZero() {
		out.From = from.String()
	}
	if !to.IsZero() {
		out.To = to.String()
	}
	if len(bodyIDs) == 1 {
		out.BodyID = bodyIDs[0]
	}
	for _, t := range ReceptionTypes {
		out.ByReceiverType[t] = VisitCount{}
	}
	for _, o := range ReceptionOutcomes {
		out.ByOutcome[o] = 0
	}
	for _, k := range ReceptionKinds {
		out.ByKind[k] = 0
	}
	for _, f := range ReceptionFields {
		out.ByField[f] = 0
	}
	where, args := "true", []any{}
	if !from.IsZero() {
		where += " AND v.held_on >= ?"
		args = append(args, from.String())
	}
	if !to.IsZero() {
		where += " AND v.held_on <= ?"
		args = append(args, to.String())
	}
	if len(bodyIDs) > 0 {
		where += " AND v.body_id IN ?"
		args = append(args, bodyIDs)
	}
	tx := db.WithContext(ctx)

	// A matter is "new" when its first visit falls in the period (the first visit's date is
	// never after a repeat's, so within the period that means on or after from).
	newMatter, totalArgs := "true", args
	if !from.IsZero() {
		newMatter, totalArgs = "m.held_on >= ?::date", append([]any{from.String()}, args...)
	}
	var totals struct {
		Visits, People, RepeatVisits, GroupVisits, GroupPeople, Letters int
		MattersTotal, MattersNew                                        int
		NoticesRequired, NoticesSent, NoticesLate, NoticesOverdue       int
	}
	err := tx.Raw(`SELECT count(*) AS visits, coalesce(sum(v.people_count), 0) AS people,
		count(*) FILTER (WHERE v.repeat_of IS NOT NULL) AS repeat_visits,
		count(*) FILTER (WHERE v.is_group) AS group_visits,
		coalesce(sum(v.people_count) FILTER (WHERE v.is_group), 0) AS group_people,
		count(*) FILTER (WHERE v.letter_id IS NOT NULL) AS letters,
		count(DISTINCT v.matter_id) AS matters_total,
		count(DISTINCT v.matter_id) FILTER (WHERE `+newMatter+`) AS matters_new,
		count(*) FILTER (WHERE v.notice_due_on IS NOT NULL) AS notices_required,
		count(*) FILTER (WHERE v.notice_sent_on IS NOT NULL) AS notices_sent,
		count(*) FILTER (WHERE v.notice_sent_on > v.notice_due_on) AS notices_late,
		count(*) FILTER (WHERE v.notice_due_on IS NOT NULL AND v.notice_sent_on IS NULL AND v.notice_due_at <= now()) AS notices_overdue
		FROM receptions v JOIN receptions m ON m.id = v.matter_id WHERE `+where, totalArgs...).Scan(&totals).Error
	if err != nil {
		return out, fmt.Errorf("reception summary: %w", err)
	}
	out.Visits, out.People, out.RepeatVisits, out.LettersCreated = totals.Visits, totals.People, totals.RepeatVisits, totals.Letters
	out.Groups = VisitCount{Visits: totals.GroupVisits, People: totals.GroupPeople}
	out.Matters.Total, out.Matters.New, out.Matters.Repeat = totals.MattersTotal, totals.MattersNew, totals.MattersTotal-totals.MattersNew
	out.RefusalNotices.Required, out.RefusalNotices.Sent = totals.NoticesRequired, totals.NoticesSent
	out.RefusalNotices.SentLate, out.RefusalNotices.OverdueOpen = totals.NoticesLate, totals.NoticesOverdue

	var groups []struct {
		Dim, Key       string
		Visits, People int
	}
	err = tx.Raw(`SELECT d.dim, d.key, count(*) AS visits, coalesce(sum(d.people), 0) AS people FROM (
		SELECT 'type' AS dim, v.type AS key, v.people_count AS people FROM receptions v WHERE `+where+`
		UNION ALL SELECT 'outcome', v.outcome, v.people_count FROM receptions v WHERE `+where+`
		UNION ALL SELECT 'kind', v.kind, v.people_count FROM receptions v WHERE `+where+`
		UNION ALL SELECT 'field', v.field, v.people_count FROM receptions v WHERE `+where+`
		) d GROUP BY d.dim, d.key`, append(append(append(append([]any{}, args...), args...), args...), args...)...).Scan(&groups).Error
	if err != nil {
		return out, fmt.Errorf("reception summary breakdowns: %w", err)
	}
	for _, g := range groups {
		switch g.Dim {
		case "type":
			out.ByReceiverType[g.Key] = VisitCount{Visits: g.Visits, People: g.People}
		case "outcome":
			out.ByOutcome[g.Key] = g.Visits
		case "kind":
			out.ByKind[g.Key] = g.Visits
		case "field":
			out.ByField[g.Key] = g.Visits
		}
	}
	return out, nil
}
