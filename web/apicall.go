package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
)

// problem is the API's problem+json document.
type problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// recorder collects an in-process API answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}

// apiRequest builds a GET to the JSON API carrying the viewer's token.
func (h *Handler) apiRequest(c *gin.Context, v viewer, path string, q url.Values) (*http.Request, error) {
	u := path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build API request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+v.Token)
	req.Header.Set("Accept", "application/json")
	if id := c.Writer.Header().Get("X-Request-ID"); id != "" {
		req.Header.Set("X-Request-ID", id)
	}
	return req, nil
}

// getJSON reads one API resource into out. A refusal or validation error comes back as the
// API's problem, which the page shows; ok is true only for a 200.
func (h *Handler) getJSON(c *gin.Context, v viewer, path string, q url.Values, out any) (*problem, bool) {
	req, err := h.apiRequest(c, v, path, q)
	if err != nil {
		return &problem{Status: http.StatusBadRequest, Detail: err.Error()}, false
	}
	rec := &recorder{header: http.Header{}}
	h.API.ServeHTTP(rec, req)
	if rec.status == http.StatusOK {
		if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
			h.Logger.Error("dashboard: undecodable API answer", "path", path, "err", err)
			return &problem{Status: http.StatusBadGateway, Detail: "unexpected answer from the API"}, false
		}
		return nil, true
	}
	p := &problem{Status: rec.status}
	_ = json.Unmarshal(rec.body.Bytes(), p)
	if p.Status == 0 {
		p.Status = rec.status
	}
	return p, false
}

// failProblem renders an API refusal as the matching page.
func (h *Handler) failProblem(c *gin.Context, v viewer, p *problem) {
	status := p.Status
	if status < 400 {
		status = http.StatusBadGateway
	}
	h.fail(c, v, status, p.Detail)
}
