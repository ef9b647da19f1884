package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/internal/policy"
)

// sessionView is the part of the API's session (GET /v1/sessions/{id}) the pages show.
type sessionView struct {
	ID               string      `json:"id"`
	Term             string      `json:"term"`
	Number           int         `json:"number"`
	OpensOn          string      `json:"opens_on"`
	ClosesOn         string      `json:"closes_on"`
	NextOpensOn      *string     `json:"next_opens_on"`
	Status           string      `json:"status"`
	PreSynthesisDue  *string     `json:"pre_synthesis_due"`
	PostSynthesisDue *string     `json:"post_synthesis_due"`
	ResultsReportDue *string     `json:"results_report_due"`
	Overdue          bool        `json:"overdue"`
	NextSessionID    *string     `json:"next_session_id"`
	Clocks           []clockView `json:"clocks"`
	Counts           struct {
		Petitions int            `json:"petitions"`
		Groups    map[string]int `json:"groups_by_status"`
		CarriedIn int            `json:"carried_in"`
	} `json:"counts"`
	Links map[string]string `json:"links"`
}

// answerRow is one body's row of GET /v1/sessions/{id}/report.
type answerRow struct {
	BodyID            string `json:"body_id"`
	BodyName          string `json:"body_name"`
	Forwarded         int    `json:"forwarded"`
	Answered          int    `json:"answered"`
	AnsweredOnTime    int    `json:"answered_on_time"`
	AnsweredLate      int    `json:"answered_late"`
	Unanswered        int    `json:"unanswered"`
	UnansweredOverdue int    `json:"unanswered_overdue"`
	Resolved          int    `json:"resolved"`
	InProgress        int    `json:"in_progress"`
	Explained         int    `json:"explained"`
	Unresolved        int    `json:"unresolved"`
	Satisfied         int    `json:"evaluated_satisfied"`
	Unsatisfied       int    `json:"evaluated_unsatisfied"`
	CarriedOver       int    `json:"carried_over"`
}

type sessionReport struct {
	Bodies []answerRow `json:"bodies"`
	Totals answerRow   `json:"totals"`
}

func sessionPath(id string) string { return "/v1/sessions/" + url.PathEscape(id) }

type sessionsPage struct {
	Filters  map[string]string
	Items    []sessionView
	NextURL  string
	FirstURL string
	Problem  *problem
}

// sessionList lists the session cycles through GET /v1/sessions, newest first, with its filters.
func (h *Handler) sessionList(c *gin.Context, v viewer) {
	q := url.Values{}
	for _, k := range []string{"term", "status", "limit", "cursor"} {
		if s := strings.TrimSpace(c.Query(k)); s != "" {
			q.Set(k, s)
		}
	}
	page := sessionsPage{Filters: map[string]string{}}
	for k := range q {
		page.Filters[k] = q.Get(k)
	}
	var res struct {
		Items      []sessionView `json:"items"`
		NextCursor string        `json:"next_cursor"`
	}
	status := http.StatusOK
	if p, ok := h.getJSON(c, v, "/v1/sessions", q, &res); !ok {
		if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusBadRequest {
			h.failProblem(c, v, p)
			return
		}
		page.Problem, status = p, p.Status
	}
	page.Items = res.Items
	q.Del("cursor")
	if c.Query("cursor") != "" {
		page.FirstURL = Prefix + "/sessions?" + q.Encode()
	}
	if res.NextCursor != "" {
		q.Set("cursor", res.NextCursor)
		page.NextURL = Prefix + "/sessions?" + q.Encode()
	}
	h.render(c, status, "sessions", v, page)
}

// sessionPage shows one cycle: its due dates with their proofs, and the per-body answer table of
// its report for the roles the API shows the report to (others see that they may not).
func (h *Handler) sessionPage(c *gin.Context, v viewer) {
	if !validParams(c, "id") {
		h.fail(c, v, http.StatusNotFound, "")
		return
	}
	id := c.Param("id")
	var s sessionView
	if p, ok := h.getJSON(c, v, sessionPath(id), nil, &s); !ok {
		h.failProblem(c, v, p)
		return
	}
	data := map[string]any{"S": s}
	if policy.CanAtAll(v.subject(), "sessions.report") {
		var r sessionReport
		if p, ok := h.getJSON(c, v, sessionPath(id)+"/report", nil, &r); ok {
			data["Report"] = r
		} else if p.Status != http.StatusForbidden {
			h.failProblem(c, v, p)
			return
		}
	}
	h.render(c, http.StatusOK, "session", v, data)
}

func (h *Handler) sessionProof(c *gin.Context, v viewer) {
	if !validParams(c, "id", "clock") {
		h.fail(c, v, http.StatusNotFound, "")
		return
	}
	var p proofView
	path := sessionPath(c.Param("id")) + "/deadlines/" + url.PathEscape(c.Param("clock")) + "/proof"
	if prob, ok := h.getJSON(c, v, path, nil, &p); !ok {
		h.failProblem(c, v, prob)
		return
	}
	h.render(c, http.StatusOK, "proof", v, map[string]any{"P": p, "Back": Prefix + "/sessions/" + url.PathEscape(c.Param("id")),
		"BackLabel": "back.session"})
}

// sessionExport streams the report as CSV or XLSX through GET /v1/sessions/{id}/report, which
// audits the export and names the file.
func (h *Handler) sessionExport(c *gin.Context, v viewer) {
	format := c.Query("format")
	if format != "csv" && format != "xlsx" {
		h.fail(c, v, http.StatusUnprocessableEntity, "format: csv | xlsx")
		return
	}
	if !validParams(c, "id") {
		h.fail(c, v, http.StatusNotFound, "")
		return
	}
	req, err := h.apiRequest(c, v, sessionPath(c.Param("id"))+"/report", url.Values{"format": {format}})
	if err != nil {
		h.fail(c, v, http.StatusBadRequest, err.Error())
		return
	}
	req.Header.Del("Accept")
	// a refusal comes back as the API's problem; an HTML page suits a browser better
	rec := &recorder{header: http.Header{}}
	h.API.ServeHTTP(rec, req)
	if rec.status != http.StatusOK {
		p := &problem{Status: rec.status}
		_ = json.Unmarshal(rec.body.Bytes(), p)
		h.failProblem(c, v, p)
		return
	}
	c.Writer.Header().Del("Cache-Control")
	for _, k := range []string{"Content-Type", "Content-Disposition"} {
		c.Header(k, rec.header.Get(k))
	}
	c.Data(http.StatusOK, rec.header.Get("Content-Type"), rec.body.Bytes())
}
