package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/models"
)

// listFilters are the query parameters of GET /v1/letters the overdue page passes on.
var listFilters = []string{"status", "kind", "body_id", "assignee", "due_before", "due_within_days",
	"received_from", "received_to", "q", "sort", "limit", "cursor"}

type listItem struct {
	ID            string `json:"id"`
	Number        string `json:"number"`
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	BodyID        string `json:"body_id"`
	Subject       string `json:"subject"`
	ReceivedOn    string `json:"received_on"`
	SenderDisplay string `json:"sender_display"`
	Clocks        []struct {
		Name   string `json:"name"`
		DueOn  string `json:"due_on"`
		Status string `json:"status"`
	} `json:"clocks"`
}

// OverdueOn is the earliest due date among the overdue clocks.
func (l listItem) OverdueOn() string {
	due := ""
	for _, c := range l.Clocks {
		if c.Status == "overdue" && (due == "" || c.DueOn < due) {
			due = c.DueOn
		}
	}
	return due
}

type overduePage struct {
	Filters  map[string]string
	Items    []listItem
	NextURL  string // "" on the last page
	FirstURL string // "" on the first page
	CSVURL   string
	XLSXURL  string
	Problem  *problem
	Statuses []string
	Kinds    []string
	Bodies   map[string]string
}

// filterQuery keeps the known filters of the request (first value, trimmed) and forces the
// overdue filter: this page is the overdue list.
func filterQuery(c *gin.Context, withCursor bool) url.Values {
	q := url.Values{}
	for _, k := range listFilters {
		if k == "cursor" && !withCursor {
			continue
		}
		if v := strings.TrimSpace(c.Query(k)); v != "" {
			q.Set(k, v)
		}
	}
	q.Set("overdue", "true")
	return q
}

func (h *Handler) overdue(c *gin.Context, v viewer) {
	q := filterQuery(c, true)
	if q.Get("sort") == "" {
		q.Set("sort", "due_at")
	}
	page := overduePage{Filters: map[string]string{},
		Statuses: []string{"registered", "classified", "settling", "awaiting_response", "response_received", "watch"},
		Kinds:    []string{"complaint", "denunciation", "recommendation", "reflection"}}
	for k := range q {
		page.Filters[k] = q.Get(k)
	}
	first := filterQuery(c, false)
	first.Del("overdue")
	if q.Get("cursor") != "" {
		page.FirstURL = Prefix + "/overdue?" + first.Encode()
	}
	exp := filterQuery(c, false)
	exp.Del("limit")
	exp.Del("overdue")
	exp.Set("format", "csv")
	page.CSVURL = Prefix + "/overdue/export?" + exp.Encode()
	exp.Set("format", "xlsx")
	page.XLSXURL = Prefix + "/overdue/export?" + exp.Encode()
	var res struct {
		Items      []listItem `json:"items"`
		NextCursor string     `json:"next_cursor"`
	}
	var err error
	p, ok := h.getJSON(c, v, "/v1/letters", q, &res)
	status := http.StatusOK
	if !ok {
		if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusBadRequest {
			h.failProblem(c, v, p)
			return
		}
		page.Problem, status = p, p.Status
	}
	page.Items = res.Items
	if res.NextCursor != "" {
		next := filterQuery(c, false)
		next.Set("cursor", res.NextCursor)
		next.Del("overdue")
		page.NextURL = Prefix + "/overdue?" + next.Encode()
	}
	if page.Bodies, err = models.AllBodyNames(c.Request.Context(), h.DB); err != nil {
		h.Logger.Error("dashboard overdue list", "err", err)
		h.fail(c, v, http.StatusServiceUnavailable, "")
		return
	}
	h.render(c, status, "overdue", v, page)
}

// export streams the filtered overdue list as CSV or XLSX through the API's export, which
// writes the audit row and the pseudonyms exactly as GET /v1/letters?format=… does.
func (h *Handler) export(c *gin.Context, v viewer) {
	format := c.Query("format")
	if format != "csv" && format != "xlsx" {
		h.fail(c, v, http.StatusUnprocessableEntity, "format: csv | xlsx")
		return
	}
	q := filterQuery(c, false)
	q.Del("limit")
	q.Set("format", format)
	req, err := h.apiRequest(c, v, "/v1/letters", q)
	if err != nil {
		h.fail(c, v, http.StatusBadRequest, err.Error())
		return
	}
	req.Header.Del("Accept")
	// the API's headers win for the file (its own Content-Type and Content-Disposition)
	c.Writer.Header().Del("Cache-Control")
	h.API.ServeHTTP(c.Writer, req)
	c.Abort()
}
