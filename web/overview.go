package web

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/models"
)

// atRiskDays is how many working days ahead a running clock counts as at risk; the letters'
// own warning steps fire 2–3 working days before the due date.
const atRiskDays = 3

type bodyRow struct {
	BodyID, Name string
	Counts       []int64 // one per status column
	Total        int64
}

type oldRow struct {
	ID, Number, Subject, Kind, Status, Body string
	DueOn                                   string
	DaysLate                                int
}

type overviewData struct {
	Open     int64
	Due      models.DueCounts
	Statuses []string
	Bodies   []bodyRow
	Totals   []int64
	Chart    chart
	Oldest   []oldRow
}

// scopeOf limits aggregates the way GET /v1/letters limits the list.
func scopeOf(v viewer) models.DashboardScope {
	sub := v.subject()
	if policy.ReadsAcrossBodies(sub, "letters.list") {
		return models.DashboardScope{}
	}
	return models.DashboardScope{VisibleTo: sub.BodyID, HeldOnly: policy.HeldOnly(sub, "letters.list")}
}

func (h *Handler) overview(c *gin.Context, v viewer) {
	d, err := h.overviewData(c, v)
	if err != nil {
		h.Logger.Error("dashboard overview", "err", err)
		h.fail(c, v, http.StatusServiceUnavailable, "")
		return
	}
	h.render(c, http.StatusOK, "overview", v, d)
}

func (h *Handler) overviewData(c *gin.Context, v viewer) (overviewData, error) {
	ctx := c.Request.Context()
	now := h.Now()
	scope := scopeOf(v)
	var d overviewData
	counts, err := models.OpenLettersByStatusAndBody(ctx, h.DB, scope)
	if err != nil {
		return d, err
	}
	names, err := models.AllBodyNames(ctx, h.DB)
	if err != nil {
		return d, err
	}
	for _, sc := range counts {
		if !slices.Contains(d.Statuses, sc.Status) {
			d.Statuses = append(d.Statuses, sc.Status)
		}
	}
	order := []string{"received", "registered", "classified", "settling", "awaiting_response", "response_received", "watch", "guided", "filed"}
	slices.SortFunc(d.Statuses, func(a, b string) int {
		ia, ib := slices.Index(order, a), slices.Index(order, b)
		if ia < 0 {
			ia = len(order)
		}
		if ib < 0 {
			ib = len(order)
		}
		if ia != ib {
			return ia - ib
		}
		if a < b {
			return -1
		}
		return 1
	})
	d.Totals = make([]int64, len(d.Statuses)+1)
	byBody := map[string]int{}
	for _, sc := range counts {
		i, ok := byBody[sc.BodyID]
		if !ok {
			name := names[sc.BodyID]
			if name == "" {
				name = sc.BodyID
			}
			d.Bodies = append(d.Bodies, bodyRow{BodyID: sc.BodyID, Name: name, Counts: make([]int64, len(d.Statuses))})
			i = len(d.Bodies) - 1
			byBody[sc.BodyID] = i
		}
		col := slices.Index(d.Statuses, sc.Status)
		d.Bodies[i].Counts[col] += sc.N
		d.Bodies[i].Total += sc.N
		d.Totals[col] += sc.N
		d.Totals[len(d.Statuses)] += sc.N
		d.Open += sc.N
	}
	cal, err := models.LoadCalendar(ctx, h.DB)
	if err != nil {
		return d, err
	}
	risk, err := deadline.Compute(cal, deadline.Request{Start: deadline.DateOf(now), Days: atRiskDays, Unit: deadline.WorkingDays})
	if err != nil {
		return d, fmt.Errorf("at-risk horizon: %w", err)
	}
	if d.Due, err = models.CountDue(ctx, h.DB, scope, now, risk.DueAt); err != nil {
		return d, err
	}
	weeks, err := models.LettersPerWeek(ctx, h.DB, scope, now, 12)
	if err != nil {
		return d, err
	}
	d.Chart = weekChart(weeks, v.Lang)
	yes := true
	rows, _, err := models.ListLetters(ctx, h.DB, models.LetterFilter{Overdue: &yes, Sort: "due_at", Limit: 10, Now: now,
		VisibleTo: scope.VisibleTo, HeldOnly: scope.HeldOnly})
	if err != nil {
		return d, err
	}
	today := deadline.DateOf(now)
	for _, r := range rows {
		o := oldRow{ID: r.ID, Number: r.Number, Subject: r.Subject, Kind: r.Kind, Status: r.Status, Body: names[r.BodyID]}
		if o.Body == "" {
			o.Body = r.BodyID
		}
		if r.DueAt != nil {
			// due_at is the end of the due day (24:00), so the due date is the instant just before
			due := deadline.DateOf(r.DueAt.Add(-time.Nanosecond))
			o.DueOn = due.String()
			o.DaysLate = int(today.Sub(due))
		}
		d.Oldest = append(d.Oldest, o)
	}
	return d, nil
}
