package models

import (
	"context"
	"fmt"
	"sort"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/deadline"
)

// SummaryFilter selects the period and the bodies of GET /v1/reports/summary.
type SummaryFilter struct {
	From, To  deadline.Date // the period, inclusive
	CutOff    deadline.Date // the date the letters' state is read at: To, or today if To is later
	BodyID    []string      // holders at the cut-off; empty: every body
	VisibleTo string        // a head's scope: letters the body received or holds at the cut-off
}

// Categories of the letters table (domain.md §9, item 2). Every letter falls in exactly one
// category of each breakdown, so each breakdown adds up to the row's total.
var (
	SummaryKinds       = []string{"complaint", "denunciation", "recommendation", "reflection", "mixed", "unclassified"}
	SummaryFields      = []string{"administrative", "judicial", "party", "corruption", "other", "unclassified"}
	SummarySenders     = []string{"one", "many", "anonymous"}
	SummaryEligibility = []string{"eligible", "ineligible", "duplicate", "unclassified"}
	SummaryCompetence  = []string{"competent", "not_competent", "unclassified"}
	// Outcomes are the office's last decision on or before the cut-off: forwarded, chased
	// (followed_up), answered by the competent body, guided, filed (duplicates included), kept
	// on watch, settled by the office itself, or none yet (pending).
	SummaryOutcomes = []string{"pending", "forwarded", "followed_up", "answered", "guided", "filed", "watch", "settling"}
)

// LetterCounts is one row of the letters table.
type LetterCounts struct {
	BroughtForward  int            `json:"brought_forward"` // received before From and still open at From
	New             int            `json:"new"`             // received From..To
	Total           int            `json:"total"`
	Closed          int            `json:"closed"`       // closed in the period
	CarriedOver     int            `json:"carried_over"` // still open at the cut-off
	OverdueOpen     int            `json:"overdue_open"` // open at the cut-off with a clock past due
	CompletedLate   int            `json:"completed_late"`
	Forwarded       int            `json:"forwarded"` // forwarded to a competent body by the cut-off
	AnswersReceived int            `json:"answers_received"`
	AnswerRate      *float64       `json:"answer_rate"` // answers_received / forwarded; null without forwarded letters
	BySender        map[string]int `json:"by_sender"`
	ByKind          map[string]int `json:"by_kind"`
	ByField         map[string]int `json:"by_field"`
	ByEligibility   map[string]int `json:"by_eligibility"`
	ByCompetence    map[string]int `json:"by_competence"`
	ByOutcome       map[string]int `json:"by_outcome"`
}

func newLetterCounts() LetterCounts {
	zero := func(keys []string) map[string]int {
		m := make(map[string]int, len(keys))
		for _, k := range keys {
			m[k] = 0
		}
		return m
	}
	return LetterCounts{BySender: zero(SummarySenders), ByKind: zero(SummaryKinds), ByField: zero(SummaryFields),
		ByEligibility: zero(SummaryEligibility), ByCompetence: zero(SummaryCompetence), ByOutcome: zero(SummaryOutcomes)}
}

func (c *LetterCounts) rate() {
	if c.Forwarded > 0 {
		r := float64(int(float64(c.AnswersReceived)/float64(c.Forwarded)*1000+0.5)) / 1000
		c.AnswerRate = &r
	}
}

// LetterSummaryRow is the letters table's row of one body.
type LetterSummaryRow struct {
	BodyID   string `json:"body_id"`
	BodyName string `json:"body_name"`
	LetterCounts
}

// LetterSummary is the letters table: a row per body holding letters at the cut-off, and the
// total of the rows.
type LetterSummary struct {
	Rows  []LetterSummaryRow `json:"rows"`
	Total LetterCounts       `json:"total"`
}

// safeDate casts a JSON text to a date, or NULL when it is not a date, so one malformed event
// cannot fail a report.
func safeDate(expr string) string {
	return fmt.Sprintf("(CASE WHEN (%[1]s) ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN (%[1]s)::date END)", expr)
}

// SummarizeLetters computes the letters table. The population is every letter received by the
// cut-off and not closed before From; each is attributed to the body that held it at the
// cut-off (letter_holdings), so a letter transferred between bodies counts once, under its
// holder then. Kind, field, eligibility and competence are the letter's classification as
// stored now; outcome, closure, forwarding, answers and clocks are read as of the cut-off.
func SummarizeLetters(ctx context.Context, db *gorm.DB, f SummaryFilter) (LetterSummary, error) {
	q := summaryQuery(f)
	groups, err := readQuery[summaryGroup](ctx, db, &q)
	if err != nil {
		return LetterSummary{}, fmt.Errorf("letters summary: %w", err)
	}
	return summaryOf(ctx, db, groups)
}

// ExplainSummary runs the summary's statement under EXPLAIN (ANALYZE, BUFFERS).
func ExplainSummary(ctx context.Context, db *gorm.DB, f SummaryFilter) (string, error) {
	q := summaryQuery(f)
	var plan sqlText
	plan.add("EXPLAIN (ANALYZE, BUFFERS) "+q.sql.String(), q.args...)
	return explain(ctx, db, &plan)
}

func summaryQuery(f SummaryFilter) sqlText {
	var q sqlText
	cut, from := f.CutOff.String(), f.From.String()
	q.add(`WITH base AS (
	SELECT l.id, l.received_on, l.kind, l.field, l.eligible, l.competent, l.duplicate_of, l.signer_count, l.anonymous,
	       l.clocks, l.detail, l.receiving_body_id,
	       coalesce(h.body_id, l.body_id) AS holder,
	       coalesce(h.seq > 0, false) AS forwarded,
	       CASE WHEN l.closed_at IS NOT NULL THEN coalesce(c.closed_on, (l.closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) END AS closed_on
	FROM letters l
	-- The holding at the cut-off; a letter never forwarded (no forwarded_to) is still with the
	-- body that received it, and needs no lookup. Holdings only move forward in time, so the
	-- latest one is a forwarding exactly when the letter was forwarded by the cut-off.
	LEFT JOIN LATERAL (SELECT hh.body_id, hh.seq FROM letter_holdings hh
	                   WHERE l.forwarded_to <> '' AND hh.letter_id = l.id AND hh.held_from <= ?::date
	                   ORDER BY hh.seq DESC LIMIT 1) h ON true
	LEFT JOIN LATERAL (SELECT `+safeDate("e.data->>'on'")+` AS closed_on FROM letter_events e
	                   WHERE l.closed_at IS NOT NULL AND e.letter_id = l.id AND e.type = 'closed' ORDER BY e.seq DESC LIMIT 1) c ON true
	WHERE l.received_on <= ?::date
	  -- closed_on is never after the day closed_at was written, so this drops most closed letters early
	  AND (l.closed_at IS NULL OR l.closed_at >= (?::date)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' - interval '1 day')`,
		cut, cut, from)
	if len(f.BodyID) > 0 {
		// Only letters some of these bodies held in the period's reach; the exact holder is
		// checked below. This lets the holdings index drive a one-body report.
		q.add(` AND l.id IN (SELECT letter_id FROM letter_holdings WHERE body_id = ANY(?) AND held_from <= ?::date)`, f.BodyID, cut)
	}
	q.add(`
), pop AS (
	SELECT * FROM base WHERE (closed_on IS NULL OR closed_on >= ?::date)`, from)
	if len(f.BodyID) > 0 {
		q.add(" AND holder = ANY(?)", f.BodyID)
	}
	if f.VisibleTo != "" {
		q.add(" AND (holder = ? OR receiving_body_id = ?)", f.VisibleTo, f.VisibleTo)
	}
	q.add(`
), facts AS (
	SELECT p.holder,
	       p.received_on < ?::date AS brought_forward,
	       CASE WHEN p.kind IN ('complaint', 'denunciation', 'recommendation', 'reflection', 'mixed') THEN p.kind ELSE 'unclassified' END AS kind,
	       CASE WHEN p.field IN ('administrative', 'judicial', 'party', 'corruption', 'other') THEN p.field ELSE 'unclassified' END AS field,
	       CASE WHEN p.anonymous THEN 'anonymous' WHEN p.signer_count > 1 THEN 'many' ELSE 'one' END AS sender,
	       CASE WHEN p.duplicate_of IS NOT NULL OR p.detail->'classification'->>'ineligible_reason' = 'duplicate' THEN 'duplicate'
	            WHEN p.eligible THEN 'eligible' WHEN NOT p.eligible THEN 'ineligible' ELSE 'unclassified' END AS eligibility,
	       CASE WHEN p.competent THEN 'competent' WHEN NOT p.competent THEN 'not_competent' ELSE 'unclassified' END AS competence,
	       coalesce(o.outcome, 'pending') AS outcome,
	       p.closed_on IS NOT NULL AND p.closed_on <= ?::date AS closed,
	       p.forwarded,
	       CASE WHEN p.forwarded THEN EXISTS (
	           SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.detail->'responses') = 'array' THEN p.detail->'responses' ELSE '[]' END) r
	           WHERE `+safeDate("r->>'received_on'")+` <= ?::date) ELSE false END AS answered,
	       -- The clocks in one pass, as two bits: 1 = overdue (a clock counting against the
	       -- office, started by the cut-off, due before it and not met by it), 2 = completed
	       -- late (met late within the period). A scalar subquery rather than a lateral join,
	       -- which the planner would wrap in a cache keyed by the whole clocks document.
	       (SELECT coalesce(bool_or(k->>'status' IN ('running', 'overdue', 'met')
	                        AND `+safeDate("k->>'start_on'")+` <= ?::date AND `+safeDate("k->>'due_on'")+` < ?::date
	                        AND coalesce(`+safeDate("k->>'met_on'")+` > ?::date, true)), false)::int
	             + 2 * coalesce(bool_or(k->>'status' = 'met' AND (k->>'late')::boolean IS TRUE
	                        AND `+safeDate("k->>'met_on'")+` BETWEEN ?::date AND ?::date), false)::int
	        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.clocks) = 'array' THEN p.clocks ELSE '[]' END) k) AS clock_bits
	FROM pop p
	LEFT JOIN LATERAL (
		SELECT CASE e.type WHEN 'classified' THEN 'settling' WHEN 'marked_duplicate' THEN 'filed'
		                   WHEN 'response_recorded' THEN 'answered' WHEN 'evaluated' THEN 'watch' ELSE e.type END AS outcome
		FROM letter_events e
		WHERE e.letter_id = p.id
		  AND (e.type IN ('forwarded', 'followed_up', 'response_recorded', 'guided', 'filed', 'marked_duplicate', 'watch')
		       OR (e.type = 'classified' AND e.data->>'competent' = 'true')
		       OR (e.type = 'evaluated' AND e.data->>'satisfied' = 'false'))
		  AND `+safeDate("coalesce(e.data->>'on', e.data->>'received_on')")+` <= ?::date
		ORDER BY e.seq DESC LIMIT 1) o ON true
)
SELECT holder, GROUPING(holder) = 1 AS is_total, brought_forward, kind, field, sender, eligibility, competence, outcome,
       count(*) AS n,
       count(*) FILTER (WHERE closed) AS closed,
       count(*) FILTER (WHERE clock_bits & 1 = 1 AND NOT closed) AS overdue_open,
       count(*) FILTER (WHERE clock_bits & 2 = 2) AS completed_late,
       count(*) FILTER (WHERE forwarded) AS forwarded,
       count(*) FILTER (WHERE forwarded AND answered) AS answered
FROM facts
-- The total is its own grouping set, aggregated by the database without the holder, so
-- "the rows add up to the total" is a check on the attribution, not a sum of itself.
GROUP BY GROUPING SETS ((holder, brought_forward, kind, field, sender, eligibility, competence, outcome),
                        (brought_forward, kind, field, sender, eligibility, competence, outcome))`,
		from, cut, cut, cut, cut, cut, from, cut, cut)

	return q
}

type summaryGroup = struct {
	Holder                                           *string
	IsTotal                                          bool
	BroughtForward                                   bool
	Kind, Field, Sender, Eligibility, Competence     string
	Outcome                                          string
	N, Closed, OverdueOpen, CompletedLate, Forwarded int
	Answered                                         int
}

// summaryOf folds the grouping rows into the table: a row per holder, and the total.
func summaryOf(ctx context.Context, db *gorm.DB, groups []summaryGroup) (LetterSummary, error) {
	rows := map[string]*LetterCounts{}
	total := newLetterCounts()
	for _, g := range groups {
		c := &total
		if !g.IsTotal {
			c = rows[deref(g.Holder)]
			if c == nil {
				nc := newLetterCounts()
				c = &nc
				rows[deref(g.Holder)] = c
			}
		}
		if g.BroughtForward {
			c.BroughtForward += g.N
		} else {
			c.New += g.N
		}
		c.Total += g.N
		c.Closed += g.Closed
		c.CarriedOver += g.N - g.Closed
		c.OverdueOpen += g.OverdueOpen
		c.CompletedLate += g.CompletedLate
		c.Forwarded += g.Forwarded
		c.AnswersReceived += g.Answered
		c.BySender[g.Sender] += g.N
		c.ByKind[g.Kind] += g.N
		c.ByField[g.Field] += g.N
		c.ByEligibility[g.Eligibility] += g.N
		c.ByCompetence[g.Competence] += g.N
		c.ByOutcome[g.Outcome] += g.N
	}
	ids := make([]string, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	names, err := BodyNames(ctx, db, ids)
	if err != nil {
		return LetterSummary{}, err
	}
	total.rate()
	out := LetterSummary{Rows: make([]LetterSummaryRow, 0, len(ids)), Total: total}
	for _, id := range ids {
		c := rows[id]
		c.rate()
		out.Rows = append(out.Rows, LetterSummaryRow{BodyID: id, BodyName: names[id], LetterCounts: *c})
	}
	return out, nil
}
