// Package demo drives a running stack through an office's first day on real material: it
// imports the public-source letters, records reception visits, does a day of officer work
// through the API, changes the calendar, and reads back what a supervisor sees. `dannguyen
// demo` (make demo) prints it; the end-to-end test runs it against freshly started processes.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/policy"
)

// caller is one user of the demo: a token with roles in a body.
type caller struct {
	name  string
	token string
}

type api struct {
	base string
	http *http.Client
}

// mint signs development tokens for the demo's users.
func mint(s auth.HS256, sub, body string, roles ...string) (caller, error) {
	tok, err := s.Mint(auth.Principal{Sub: sub, Name: sub, Roles: roles, BodyID: body}, 2*time.Hour, time.Now())
	return caller{name: sub, token: tok}, err
}

type users struct {
	officer, head, admin, supervisor, agency caller
}

func newUsers(s auth.HS256, agencyBody string) (users, error) {
	var u users
	var err error
	mk := func(dst *caller, sub, body string, roles ...string) {
		if err == nil {
			*dst, err = mint(s, sub, body, roles...)
		}
	}
	mk(&u.officer, "demo-officer", "ubdngs", policy.ReceivingOfficer, policy.HandlingOfficer)
	mk(&u.head, "demo-head", "ubdngs", policy.Head, policy.HandlingOfficer)
	mk(&u.admin, "demo-admin", "ubdngs", policy.Admin)
	mk(&u.supervisor, "demo-supervisor", "ubdngs", policy.Supervisor)
	mk(&u.agency, "demo-agency", agencyBody, policy.Agency)
	return u, err
}

// apiError is a non-2xx answer, with the problem document's detail.
type apiError struct {
	Status int
	Detail string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d: %s", e.Status, e.Detail) }

// call sends one request and decodes a JSON object answer.
func (a *api) call(ctx context.Context, who caller, method, path string, body any, key string) (map[string]any, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.base, "/")+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+who.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("%s %s: %d answer is not a JSON object: %.200s", method, path, res.StatusCode, raw)
		}
	}
	if res.StatusCode >= 300 {
		detail, _ := m["detail"].(string)
		if errs, ok := m["errors"].([]any); ok && len(errs) > 0 {
			detail += fmt.Sprintf(" %v", errs)
		}
		return m, &apiError{Status: res.StatusCode, Detail: detail}
	}
	return m, nil
}

// list pages through a list endpoint and returns every item.
func (a *api) list(ctx context.Context, who caller, path string) ([]map[string]any, error) {
	var out []map[string]any
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	cursor := ""
	for page := 0; page < 1000; page++ {
		p := path + sep + "limit=500"
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		m, err := a.call(ctx, who, "GET", p, nil, "")
		if err != nil {
			return nil, err
		}
		items, _ := m["items"].([]any)
		for _, it := range items {
			if obj, ok := it.(map[string]any); ok {
				out = append(out, obj)
			}
		}
		cursor, _ = m["next_cursor"].(string)
		if cursor == "" {
			return out, nil
		}
	}
	return out, fmt.Errorf("%s: more than 1000 pages", path)
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func num(m map[string]any, k string) int {
	switch v := m[k].(type) {
	case float64:
		return int(v)
	case int:
		return v
	}
	return 0
}
