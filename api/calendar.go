package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

const (
	// fanoutBudget bounds how long a holiday change waits for its fan-out and the letters'
	// recomputations; past it the answer is 202 with the change to poll.
	fanoutBudget = 30 * time.Second
	// recomputeWait bounds, inside fanoutBudget, the wait for the signalled letters to record
	// their recomputation.
	recomputeWait = 10 * time.Second
)

// Recompute states of a calendar change.
const (
	recomputeNotNeeded = "not_needed" // the day's working status did not change: no date can move
	recomputeRunning   = "running"
	recomputeCompleted = "completed"
	recomputeFailed    = "failed"
)

// calendarRoutes serves "Calendar and rules" of api.md.
func (s *Server) calendarRoutes(g *gin.RouterGroup) {
	g.GET("/calendar/holidays", s.listHolidays)
	g.PUT("/calendar/holidays/:date", s.putHoliday)       // authz: admin
	g.DELETE("/calendar/holidays/:date", s.deleteHoliday) // authz: admin
	g.GET("/calendar/holidays/:date/history", s.holidayHistory)
	g.GET("/calendar/changes/:id", s.getCalendarChange)
	g.GET("/calendar/deadline", s.calculateDeadline) // authz: public (api.md: no token)
	g.GET("/rules", s.listRules)
}

// holidayView is one calendar entry. Working is the day's status with the entry: true only
// for a weekend day made a working day (swap_work).
type holidayView struct {
	Date        deadline.Date `json:"date"`
	Weekday     string        `json:"weekday"`
	Name        string        `json:"name"`
	Kind        string        `json:"kind"`
	Working     bool          `json:"working"`
	Provisional bool          `json:"provisional"`
	Basis       string        `json:"basis"`
	UpdatedBy   string        `json:"updated_by,omitempty"`
	UpdatedAt   *time.Time    `json:"updated_at,omitempty"`
}

func viewOfHoliday(h deadline.Holiday) *holidayView {
	return &holidayView{Date: h.Date, Weekday: h.Date.Weekday().String(), Name: h.Name, Kind: string(h.Kind),
		Working: h.Kind == deadline.KindSwapWork, Provisional: h.Provisional, Basis: h.Basis}
}

func viewOfRow(r models.HolidayRow) *holidayView {
	v := viewOfHoliday(r.Holiday())
	at := r.UpdatedAt
	v.UpdatedBy, v.UpdatedAt = r.UpdatedBy, &at
	return v
}

func (s *Server) listHolidays(c *gin.Context) {
	if !onlyParams(c, "year") {
		return
	}
	year := deadline.DateOf(s.now()).Y
	if raw, ok := c.GetQuery("year"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1900 || n > 2199 {
			fail(c, apperr.Fields([]apperr.FieldError{{Field: "year", Message: "must be a year from 1900 to 2199"}}))
			return
		}
		year = n
	}
	ctx := c.Request.Context()
	rows, err := models.ListHolidays(ctx, s.DB, year)
	if err != nil {
		fail(c, err)
		return
	}
	cal, err := models.LoadCalendar(ctx, s.DB)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]*holidayView, len(rows))
	for i, r := range rows {
		items[i] = viewOfRow(r)
	}
	jan1, _ := deadline.NewDate(year, time.January, 1)
	c.JSON(http.StatusOK, gin.H{"year": year, "covered": cal.Covers(jan1),
		"coverage": gin.H{"from": cal.CoverFrom(), "to": cal.CoverTo()}, "items": items})
}

type holidayRequest struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Provisional bool   `json:"provisional"`
	Basis       string `json:"basis"`
}

func (s *Server) putHoliday(c *gin.Context) {
	day, ok := dateParam(c)
	if !ok {
		return
	}
	var req holidayRequest
	if !decodeJSON(c, &req) {
		return
	}
	h := deadline.Holiday{Date: day, Name: req.Name, Kind: deadline.DayKind(req.Kind), Provisional: req.Provisional, Basis: req.Basis}
	ch, changed, err := models.PutHoliday(c.Request.Context(), s.DB, h, actorOf(c).Sub)
	if err != nil {
		fail(c, err)
		return
	}
	s.answerChange(c, ch, !changed)
}

func (s *Server) deleteHoliday(c *gin.Context) {
	day, ok := dateParam(c)
	if !ok {
		return
	}
	ch, err := models.DeleteHoliday(c.Request.Context(), s.DB, day, actorOf(c).Sub)
	if err != nil {
		fail(c, err)
		return
	}
	s.answerChange(c, ch, false)
}

// changeView answers a holiday change: the entry as it now is, and what happened to the open
// cases. CasesRecomputed counts letters that recorded a clock_recomputed event for this change
// when the answer was written; RecomputeComplete says it had reached CasesExpected.
type changeView struct {
	ChangeID          int64             `json:"change_id"`
	Date              deadline.Date     `json:"date"`
	Action            string            `json:"action"`
	Holiday           *holidayView      `json:"holiday"`
	Before            *holidayView      `json:"before"`
	ChangedBy         string            `json:"changed_by"`
	ChangedAt         time.Time         `json:"changed_at"`
	Replayed          bool              `json:"replayed,omitempty"`
	Recompute         string            `json:"recompute"`
	CasesSignalled    *int              `json:"cases_signalled"`
	CasesExpected     *int              `json:"cases_expected"`
	CasesRecomputed   int               `json:"cases_recomputed"`
	RecomputeComplete bool              `json:"recompute_complete"`
	Links             map[string]string `json:"links"`
}

func newChangeView(ch models.HolidayChange) (changeView, error) {
	before, after, err := ch.Entries()
	if err != nil {
		return changeView{}, err
	}
	v := changeView{ChangeID: ch.ID, Date: ch.Date(), Action: ch.Action, ChangedBy: ch.ChangedBy, ChangedAt: ch.ChangedAt,
		Links: map[string]string{
			"change":  "/v1/calendar/changes/" + strconv.FormatInt(ch.ID, 10),
			"history": "/v1/calendar/holidays/" + ch.Date().String() + "/history",
		}}
	if before != nil {
		v.Before = viewOfHoliday(*before)
	}
	if after != nil {
		v.Holiday = viewOfHoliday(*after)
	}
	return v, nil
}

func (v *changeView) settle(res workflows.CalendarFanoutResult, recomputed int) {
	v.Recompute = recomputeCompleted
	v.CasesSignalled, v.CasesExpected = &res.Signalled, &res.Expected
	v.CasesRecomputed = recomputed
	v.RecomputeComplete = recomputed >= res.Expected
}

func (v *changeView) nothingToDo() {
	zero := 0
	v.Recompute, v.CasesSignalled, v.CasesExpected, v.RecomputeComplete = recomputeNotNeeded, &zero, &zero, true
}

// answerChange runs the fan-out of a committed change and waits, within fanoutBudget, for it
// and then for the letters it expects to move. replayed marks a PUT that found the entry
// already as requested: it answers with the day's latest change, whose fan-out it also makes
// sure ran (repairing a change whose fan-out could not be started the first time).
func (s *Server) answerChange(c *gin.Context, ch models.HolidayChange, replayed bool) {
	ctx := c.Request.Context()
	until := time.Now().Add(fanoutBudget)
	v, err := newChangeView(ch)
	if err != nil {
		fail(c, err)
		return
	}
	v.Replayed = replayed
	if ch.ID == 0 || !ch.MovesDeadlines() {
		v.nothingToDo()
		if ch.ID != 0 {
			if err := models.SetCasesRecomputed(ctx, s.DB, ch.ID, 0); err != nil {
				fail(c, err)
				return
			}
		}
		c.JSON(http.StatusOK, v)
		return
	}
	run, err := s.startFanout(ctx, ch)
	if err != nil {
		fail(c, s.fanoutProblem(ch, "could not be started", err))
		return
	}
	wctx, cancel := context.WithDeadline(ctx, until)
	defer cancel()
	var res workflows.CalendarFanoutResult
	if err := run.Get(wctx, &res); err != nil {
		if outlived(wctx, err) {
			v.Recompute = recomputeRunning
			c.Header("Location", v.Links["change"])
			c.JSON(http.StatusAccepted, v)
			return
		}
		fail(c, s.fanoutProblem(ch, "failed", err))
		return
	}
	n, err := s.awaitRecomputed(ctx, ch.ID, res.Expected, until)
	if err != nil {
		fail(c, err)
		return
	}
	if err := models.SetCasesRecomputed(ctx, s.DB, ch.ID, n); err != nil {
		fail(c, err)
		return
	}
	v.settle(res, n)
	c.JSON(http.StatusOK, v)
}

// outlived tells a wait that ran out of budget from a real failure. The long poll's gRPC
// deadline can fire a moment before the context reports it, so the error's shape counts too.
func outlived(ctx context.Context, err error) bool {
	var de *serviceerror.DeadlineExceeded
	return ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &de) ||
		status.Code(err) == codes.DeadlineExceeded
}

// fanoutProblem is a 503 that still tells the caller the change itself is saved, and where to
// look: GET on the change starts the fan-out again if it is missing or failed.
func (s *Server) fanoutProblem(ch models.HolidayChange, what string, err error) error {
	loc := "/v1/calendar/changes/" + strconv.FormatInt(ch.ID, 10)
	s.Logger.Error("calendar fan-out "+what, "change_id", ch.ID, "err", err)
	return apperr.New(apperr.Unavailable, "the calendar change %d is saved, but recomputing the open cases %s; GET %s to retry and follow it",
		ch.ID, what, loc).With("change_id", ch.ID).With("location", loc)
}

// startFanout starts the change's fan-out, or finds it: the id is derived from the change, a
// running one is joined, a finished one is read back, and only a failed one runs again.
func (s *Server) startFanout(ctx context.Context, ch models.HolidayChange) (client.WorkflowRun, error) {
	ctx, cancel := context.WithTimeout(ctx, s.UpdateTimeout)
	defer cancel()
	return s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.CalendarFanoutID(ch.ID, ch.ChangedAt), TaskQueue: s.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.CalendarFanoutWorkflowName, workflows.CalendarFanoutInput{Day: ch.Date(), ChangeID: ch.ID})
}

// awaitRecomputed polls letter_events until expected letters have recorded their
// recomputation, or until the bounded wait ends; it returns the count either way.
func (s *Server) awaitRecomputed(ctx context.Context, changeID int64, expected int, until time.Time) (int, error) {
	if limit := time.Now().Add(recomputeWait); limit.Before(until) {
		until = limit
	}
	pause := 50 * time.Millisecond
	for {
		n, err := models.CountRecomputed(ctx, s.DB, changeID)
		if err != nil || n >= expected || time.Now().Add(pause).After(until) {
			return n, err
		}
		select {
		case <-ctx.Done():
			return n, nil
		case <-time.After(pause):
		}
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// getCalendarChange is the Location of a 202: the change and where its recomputation stands.
func (s *Server) getCalendarChange(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		fail(c, apperr.New(apperr.NotFound, "no calendar change %q", c.Param("id")))
		return
	}
	ch, err := models.GetHolidayChange(ctx, s.DB, id)
	if err != nil {
		fail(c, err)
		return
	}
	v, err := newChangeView(ch)
	if err != nil {
		fail(c, err)
		return
	}
	if !ch.MovesDeadlines() {
		v.nothingToDo()
		c.JSON(http.StatusOK, v)
		return
	}
	run, err := s.startFanout(ctx, ch)
	if err != nil {
		fail(c, err)
		return
	}
	wctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var res workflows.CalendarFanoutResult
	n, cerr := models.CountRecomputed(ctx, s.DB, id)
	if cerr != nil {
		fail(c, cerr)
		return
	}
	switch err := run.Get(wctx, &res); {
	case err == nil:
		v.settle(res, n)
		if err := models.SetCasesRecomputed(ctx, s.DB, id, n); err != nil {
			fail(c, err)
			return
		}
	case outlived(wctx, err):
		v.Recompute, v.CasesRecomputed = recomputeRunning, n
	default:
		s.Logger.Warn("calendar fan-out failed", "change_id", id, "err", err)
		v.Recompute, v.CasesRecomputed = recomputeFailed, n
	}
	c.JSON(http.StatusOK, v)
}

// historyItem is one change of a day, as GET .../history lists them.
type historyItem struct {
	ChangeID        int64        `json:"change_id"`
	Action          string       `json:"action"`
	Before          *holidayView `json:"before"`
	After           *holidayView `json:"after"`
	ChangedBy       string       `json:"changed_by"`
	ChangedAt       time.Time    `json:"changed_at"`
	CasesRecomputed *int         `json:"cases_recomputed"`
}

// holidayHistory lists every change of a day, oldest first, so a due date computed at any
// moment can be explained with the calendar as it stood then. A day that was never changed
// has an empty history, not a 404: it has always been a plain weekday or weekend day.
func (s *Server) holidayHistory(c *gin.Context) {
	day, ok := dateParam(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	changes, err := models.HolidayHistory(ctx, s.DB, day)
	if err != nil {
		fail(c, err)
		return
	}
	var current *holidayView
	if row, err := models.GetHoliday(ctx, s.DB, day); err == nil {
		current = viewOfRow(row)
	} else if apperr.KindOf(err) != apperr.NotFound {
		fail(c, err)
		return
	}
	items := make([]historyItem, 0, len(changes))
	for _, ch := range changes {
		v, err := newChangeView(ch)
		if err != nil {
			fail(c, err)
			return
		}
		items = append(items, historyItem{ChangeID: ch.ID, Action: ch.Action, Before: v.Before, After: v.Holiday,
			ChangedBy: ch.ChangedBy, ChangedAt: ch.ChangedAt, CasesRecomputed: ch.CasesRecomputed})
	}
	c.JSON(http.StatusOK, gin.H{"date": day, "weekday": day.Weekday().String(), "current": current, "items": items})
}

func dateParam(c *gin.Context) (deadline.Date, bool) {
	d, err := deadline.ParseDate(c.Param("date"))
	if err != nil {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "date", Message: "must be a date YYYY-MM-DD"}}))
		return d, false
	}
	return d, true
}

// onlyParams refuses unknown and repeated query parameters: a misspelt "unti=working_days"
// silently ignored would give a lawful-looking answer to a question nobody asked.
func onlyParams(c *gin.Context, allowed ...string) bool {
	q := c.Request.URL.Query()
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	var v apperr.Validation
	for _, k := range names {
		switch {
		case !slices.Contains(allowed, k):
			v.Add(k, "unknown parameter; this endpoint takes %s", strings.Join(allowed, ", "))
		case len(q[k]) > 1:
			v.Add(k, "given more than once")
		}
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return false
	}
	return true
}
