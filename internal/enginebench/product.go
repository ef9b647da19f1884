package enginebench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// API is the product's HTTP face as the benchmark drives it.
type API struct {
	Base         string
	OfficerToken string // receiving + handling officer of the body the letters go to
	AdminToken   string // changes the calendar
	HTTP         *http.Client
}

func (a *API) do(ctx context.Context, method, path, token string, body any, key string) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.Base, "/")+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := a.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return res.StatusCode, m, nil
}

// letterBody is a letter received on day: a recommendation, so its processing clock (10
// working days) keeps a timer running while it stays open.
func letterBody(day string, i int) map[string]any {
	return map[string]any{
		"kind": "recommendation", "channel": "post", "received_on": day, "body_id": "ubdngs",
		"senders":    []map[string]any{{"full_name": fmt.Sprintf("Công dân thử tải %d", i), "address": "Hà Nội"}},
		"subject":    fmt.Sprintf("Kiến nghị số %d về sửa chữa đường giao thông", i),
		"content":    "Đề nghị sửa chữa tuyến đường liên xã đã xuống cấp.",
		"respondent": "UBND xã",
	}
}

// RunIntake registers n letters through POST /v1/letters, c at a time; each call returns when
// the letter's row is stored (the intake Update answers after the first snapshot). It returns
// the letters' ids too.
func (a *API) RunIntake(ctx context.Context, day string, n, c int) (Throughput, []string) {
	ids := make([]string, n)
	prefix := "bench-" + uuid.NewString()[:8]
	t := parallel(n, c, func(i int) error {
		status, m, err := a.do(ctx, "POST", "/v1/letters", a.OfficerToken, letterBody(day, i), fmt.Sprintf("%s-%d", prefix, i))
		if err != nil {
			return err
		}
		if status != http.StatusCreated {
			return fmt.Errorf("intake answered %d: %v", status, m["detail"])
		}
		ids[i], _ = m["id"].(string)
		return nil
	})
	return t, ids
}

// RunActions sends one officer action (assign) to each letter, one at a time, and times the
// round trip through the API and the workflow's Update.
func (a *API) RunActions(ctx context.Context, ids []string) Throughput {
	return parallel(len(ids), 1, func(i int) error {
		status, m, err := a.do(ctx, "POST", "/v1/letters/"+ids[i]+"/assign", a.OfficerToken, map[string]any{"assignee": "bench-" + strconv.Itoa(i%7)}, "")
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("assign answered %d: %v", status, m["detail"])
		}
		return nil
	})
}

// Recompute is one calendar change over the open letters.
type Recompute struct {
	Day                             string
	Signalled, Expected, Recomputed int
	Took                            time.Duration
}

// RunRecompute declares day a holiday through the API and follows the change until every
// signalled letter has recomputed; then withdraws it the same way.
func (a *API) RunRecompute(ctx context.Context, day string) ([2]Recompute, error) {
	var out [2]Recompute
	for i, method := range []string{"PUT", "DELETE"} {
		var body any
		if method == "PUT" {
			body = map[string]any{"name": "Nghỉ thử tải (bench)", "kind": "holiday"}
		}
		start := time.Now()
		status, m, err := a.do(ctx, method, "/v1/calendar/holidays/"+day, a.AdminToken, body, "")
		if err != nil {
			return out, err
		}
		if status != http.StatusOK && status != http.StatusAccepted {
			return out, fmt.Errorf("%s holiday %s answered %d: %v", method, day, status, m["detail"])
		}
		// Until the fan-out has ended and every letter it expected to move has recorded it.
		for limit := time.Now().Add(10 * time.Minute); (m["recompute"] == "running" || m["recompute_complete"] == false) && time.Now().Before(limit); {
			links, _ := m["links"].(map[string]any)
			loc, _ := links["change"].(string)
			time.Sleep(250 * time.Millisecond)
			if _, m, err = a.do(ctx, "GET", loc, a.AdminToken, nil, ""); err != nil {
				return out, err
			}
		}
		num := func(k string) int { f, _ := m[k].(float64); return int(f) }
		out[i] = Recompute{Day: day, Signalled: num("cases_signalled"), Expected: num("cases_expected"), Recomputed: num("cases_recomputed"), Took: time.Since(start)}
	}
	return out, nil
}

// RSS reads a process's resident set size in bytes from /proc.
func RSS(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}
