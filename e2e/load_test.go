package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/policy"
)

// officerToken is a receiving and handling officer of the petitions committee.
func officerToken(t *testing.T) string {
	t.Helper()
	tok, err := (auth.HS256{Secret: []byte(jwtSecret), Issuer: "dannguyen-dev", Audience: "dannguyen"}).Mint(
		auth.Principal{Sub: "load-officer", Roles: []string{policy.ReceivingOfficer, policy.HandlingOfficer}, BodyID: "ubdngs"},
		2*time.Hour, time.Now())
	require.NoError(t, err)
	return tok
}

// loadStats counts what the load met while the fault was on.
type loadStats struct {
	retried, accepted202 atomic.Int64
}

// client is the load's HTTP side: every write carries its Idempotency-Key, so it can be
// resent after any failure; a 202 is followed to its outcome.
type client struct {
	base, token string
	http        *http.Client
	stats       *loadStats
	deadline    time.Time
}

func (c *client) send(method, path string, body any, key string) (int, map[string]any, http.Header, error) {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return res.StatusCode, m, res.Header, nil
}

// write sends a write until it has an outcome: 2xx (following a 202's Location until it is
// done) is success, 503 and transport errors are retried with the same key, anything else
// is a failure.
func (c *client) write(path string, body any, key string) (map[string]any, error) {
	for {
		if time.Now().After(c.deadline) {
			return nil, fmt.Errorf("POST %s: no outcome before the load's deadline", path)
		}
		status, m, h, err := c.send("POST", path, body, key)
		switch {
		case err != nil || status == http.StatusServiceUnavailable || status == http.StatusBadGateway:
			c.stats.retried.Add(1)
			time.Sleep(300 * time.Millisecond)
			continue
		case status == http.StatusAccepted:
			c.stats.accepted202.Add(1)
			if out, ok := c.follow(h.Get("Location")); ok {
				return out, nil
			}
			continue // resend: the same key finds the pending or finished work
		case status >= 200 && status < 300:
			return m, nil
		default:
			return m, fmt.Errorf("POST %s: %d %v", path, status, m)
		}
	}
}

// follow polls a 202's Location until it shows the outcome (or gives up for a resend).
func (c *client) follow(loc string) (map[string]any, bool) {
	for i := 0; i < 100 && time.Now().Before(c.deadline); i++ {
		time.Sleep(300 * time.Millisecond)
		status, m, _, err := c.send("GET", loc, nil, "")
		if err == nil && status == http.StatusOK {
			return m, true
		}
	}
	return nil, false
}

// runLoad registers n letters and classifies and forwards each one, with workers in flight;
// fault runs once a third of the letters have started.
func runLoad(t *testing.T, base string, n, workers int, prefix string, fault func()) ([]string, *loadStats) {
	t.Helper()
	stats := &loadStats{}
	c := &client{base: base, token: officerToken(t), http: &http.Client{Timeout: 20 * time.Second}, stats: stats,
		deadline: time.Now().Add(8 * time.Minute)}
	ids := make([]string, n)
	errs := make(chan error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs <- func() error {
					l, err := c.write("/v1/letters", map[string]any{
						"kind": "complaint", "channel": "post", "received_on": "2026-03-02",
						"senders":    []map[string]any{{"full_name": fmt.Sprintf("Công dân tải %d", i), "address": "Hà Nội"}},
						"subject":    fmt.Sprintf("Khiếu nại số %d về bồi thường", i),
						"content":    "Không đồng ý với giá bồi thường khi thu hồi đất.",
						"respondent": "UBND phường", "body_id": "ubdngs",
					}, fmt.Sprintf("%s-letter-%d", prefix, i))
					if err != nil {
						return err
					}
					id, _ := l["id"].(string)
					ids[i] = id
					if _, err := c.write("/v1/letters/"+id+"/classify", map[string]any{"kind": "complaint", "eligible": true, "competent": false},
						fmt.Sprintf("%s-classify-%d", prefix, i)); err != nil {
						return err
					}
					_, err = c.write("/v1/letters/"+id+"/forward", map[string]any{"to_body_id": "ubnd-ha-noi"}, fmt.Sprintf("%s-forward-%d", prefix, i))
					return err
				}()
			}
		}()
	}
	var faultDone sync.WaitGroup
	for i := 0; i < n; i++ {
		if i == n/3 && fault != nil {
			faultDone.Add(1)
			go func() { defer faultDone.Done(); fault() }()
		}
		next <- i
	}
	close(next)
	wg.Wait()
	faultDone.Wait()
	close(errs)
	var failed []string
	for err := range errs {
		if err != nil && len(failed) < 10 {
			failed = append(failed, err.Error())
		}
	}
	require.Empty(t, failed, "requests without an outcome")
	return ids, stats
}

// checkNothingLost reads every letter back: forwarded, with an audit trail numbered 1..n
// without gaps, and each step recorded exactly once.
func checkNothingLost(t *testing.T, base string, ids []string) {
	t.Helper()
	c := &client{base: base, token: officerToken(t), http: &http.Client{Timeout: 20 * time.Second}, stats: &loadStats{}}
	seen := map[string]bool{}
	for i, id := range ids {
		require.NotEmpty(t, id, "letter %d has no id", i)
		require.False(t, seen[id], "letter %d registered twice as %s", i, id)
		seen[id] = true
		var l map[string]any
		require.Eventually(t, func() bool {
			status, m, _, err := c.send("GET", "/v1/letters/"+id, nil, "")
			l = m
			return err == nil && status == 200 && m["status"] == "awaiting_response"
		}, 2*time.Minute, 250*time.Millisecond, "letter %d (%s) never reached awaiting_response: %v", i, id, l["status"])
		types := map[string]int{}
		for k, e := range l["history"].([]any) {
			ev := e.(map[string]any)
			require.EqualValues(t, k+1, ev["seq"], "letter %s: audit trail has a gap or a repeat", id)
			types[ev["type"].(string)]++
		}
		for _, typ := range []string{"received", "registered", "classified", "forwarded"} {
			require.Equal(t, 1, types[typ], "letter %s: %q events: %v", id, typ, types)
		}
	}
	// Nothing more than what was sent: the list holds exactly these letters.
	var numbers []string
	cursor := ""
	for {
		path := "/v1/letters?limit=500"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		status, m, _, err := c.send("GET", path, nil, "")
		require.NoError(t, err)
		require.Equal(t, 200, status)
		for _, it := range m["items"].([]any) {
			numbers = append(numbers, it.(map[string]any)["number"].(string))
		}
		cursor, _ = m["next_cursor"].(string)
		if cursor == "" {
			break
		}
	}
	require.Len(t, numbers, len(ids), "letters in the read model")
}
