package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/export"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/models"
)

// reportRoutes are the supervisors' reports, read from the PostgreSQL read model.
func (s *Server) reportRoutes(v1 *gin.RouterGroup) {
	v1.GET("/reports/overdue", s.overdueReport)
	v1.GET("/reports/summary", s.summaryReport)
}

// defaultAtRiskWD is the warning step of the default ladder (LADDER_WARNING_WD).
const defaultAtRiskWD = 2

// reportScope is the body a caller's reports are limited to ("" for supervisors, who read
// across bodies): a head sees the letters the body received or holds.
func (s *Server) reportScope(c *gin.Context) string {
	sub := subject(c)
	if s.Verifier == nil || policy.ReadsAcrossBodies(sub, "reports.read") {
		return ""
	}
	return sub.BodyID
}

// reportBodies reads body_id (repeatable or comma-separated) and checks each id is a body.
func (s *Server) reportBodies(c *gin.Context, v *apperr.Validation) ([]string, error) {
	var ids []string
	for _, raw := range c.QueryArray("body_id") {
		for _, p := range strings.Split(raw, ",") {
			if p = strings.TrimSpace(p); p != "" {
				ids = append(ids, p)
			}
		}
	}
	if len(ids) > 100 {
		v.Add("body_id", "at most 100 bodies")
		return nil, nil
	}
	for _, id := range ids {
		ok, err := models.BodyExists(c.Request.Context(), s.DB, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			v.Add("body_id", "%q is not a body (see GET /v1/bodies)", id)
		}
	}
	return ids, nil
}

// overdueReport serves GET /v1/reports/overdue: overdue and at-risk letters (due within N
// working days, N = within_days or LADDER_WARNING_WD) per body and per assignee, with the
// oldest overdue letter of each.
func (s *Server) overdueReport(c *gin.Context) {
	now := s.now()
	var v apperr.Validation
	within := s.AtRiskWD
	if within <= 0 {
		within = defaultAtRiskWD
	}
	if raw := c.Query("within_days"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 60 {
			v.Add("within_days", "must be a whole number of working days from 0 to 60")
		}
		within = n
	}
	bodies, err := s.reportBodies(c, &v)
	if err != nil {
		fail(c, err)
		return
	}
	format, asFile, ferr := export.Negotiate(c.Query("format"), c.GetHeader("Accept"))
	if ferr != nil {
		v.Add("format", "%v", ferr)
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	// "Due within N working days" counts on the holiday calendar, like every deadline.
	horizon, err := s.dueWithin(c, within, now)
	if err != nil {
		fail(c, err)
		return
	}
	rep, err := models.ReportOverdue(c.Request.Context(), s.DB, models.OverdueFilter{
		BodyID: bodies, VisibleTo: s.reportScope(c), Now: now, AtRiskBy: horizon,
	})
	if err != nil {
		fail(c, err)
		return
	}
	atRiskUntil := deadline.DateOf(horizon.Add(-time.Nanosecond)).String()
	if asFile {
		s.writeReport(c, format, "qua-han-"+deadline.DateOf(now).String(), overdueColumns, overdueRecords(rep))
		return
	}
	c.JSON(http.StatusOK, gin.H{
		"as_of": now, "today": deadline.DateOf(now).String(), "within_days": within, "at_risk_until": atRiskUntil,
		"body_id": bodies, "total": rep.Total, "by_body": rep.ByBody, "by_assignee": rep.ByAssignee,
	})
}

// maxReportDays bounds a summary's period: five years, a term of the National Assembly.
const maxReportDays = 5*366 + 1

// summaryReport serves GET /v1/reports/summary?from&to&body_id: the letters table of
// domain.md §9. The response is keyed by table ("letters") so the reception table can sit
// next to it; a file export writes one table, chosen by ?table= (default letters).
func (s *Server) summaryReport(c *gin.Context) {
	now := s.now()
	today := deadline.DateOf(now)
	var v apperr.Validation
	date := func(name string) (deadline.Date, bool) {
		raw := c.Query(name)
		if raw == "" {
			v.Add(name, "is required (YYYY-MM-DD)")
			return deadline.Date{}, false
		}
		d, err := deadline.ParseDate(raw)
		if err != nil {
			v.Add(name, "must be a date YYYY-MM-DD")
			return deadline.Date{}, false
		}
		return d, true
	}
	from, okFrom := date("from")
	to, okTo := date("to")
	if okFrom && okTo {
		switch {
		case to.Before(from):
			v.Add("to", "is before from")
		case to.Sub(from)+1 > maxReportDays:
			v.Add("to", "the period is %d days; at most %d (five years)", to.Sub(from)+1, maxReportDays)
		}
	}
	if okFrom && from.After(today) {
		v.Add("from", "is after today (%s)", today)
	}
	bodies, err := s.reportBodies(c, &v)
	if err != nil {
		fail(c, err)
		return
	}
	table := c.DefaultQuery("table", "letters")
	if table != "letters" && table != "receptions" {
		v.Add("table", "must be letters or receptions (the table a CSV or XLSX export holds)")
	}
	format, asFile, ferr := export.Negotiate(c.Query("format"), c.GetHeader("Accept"))
	if ferr != nil {
		v.Add("format", "%v", ferr)
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	cut := to
	if cut.After(today) {
		cut = today // a period not over yet is read as of today
	}
	letters, err := models.SummarizeLetters(c.Request.Context(), s.DB, models.SummaryFilter{
		From: from, To: to, CutOff: cut, BodyID: bodies, VisibleTo: s.reportScope(c),
	})
	if err != nil {
		fail(c, err)
		return
	}
	// The reception table (domain.md §9 item 1) of the same period and scope: visits held
	// from..to at the bodies asked for, or at the caller's own body when it reads only that.
	recBodies := bodies
	if scope := s.reportScope(c); len(recBodies) == 0 && scope != "" {
		recBodies = []string{scope}
	}
	receptions, err := models.ReceptionSummary(c.Request.Context(), s.DB, from, to, recBodies...)
	if err != nil {
		fail(c, err)
		return
	}
	if asFile {
		if table == "receptions" {
			s.writeReport(c, format, fmt.Sprintf("bao-cao-tiep-cong-dan-%s_%s", from, to), receptionColumns, receptionRecords(receptions))
			return
		}
		s.writeReport(c, format, fmt.Sprintf("bao-cao-don-%s_%s", from, to), summaryColumns, summaryRecords(letters))
		return
	}
	c.JSON(http.StatusOK, gin.H{
		"from": from.String(), "to": to.String(), "cut_off": cut.String(), "body_id": bodies, "generated_at": now,
		"letters": letters, "receptions": receptions,
	})
}

// writeReport writes a report table as a CSV or XLSX attachment.
func (s *Server) writeReport(c *gin.Context, format export.Format, name string, cols []export.Column, records [][]string) {
	c.Header("Content-Type", format.ContentType())
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	c.Status(http.StatusOK)
	w, err := export.New(c.Writer, format, cols)
	if err == nil {
		for _, r := range records {
			if err = w.Row(r); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		s.Logger.Error("report export cut short", "report", name, "err", err)
	}
}
