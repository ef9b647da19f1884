package outbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/internal/outbox"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// A sender as the README's example letter names him; none of it may leave through a log line
// or last_error.
const (
	personName = "Nguyễn Văn Đức"
	personID   = "001203004567"
)

func insert(t *testing.T, db *gorm.DB, key string, payload map[string]any) {
	t.Helper()
	raw, err := json.Marshal(payload)
	require.NoError(t, err)
	require.NoError(t, db.Exec(`INSERT INTO outbox (dedupe_key, letter_id, kind, target, payload) VALUES (?, ?, ?, ?, ?)`,
		key, "L-"+key, "warning", "officer:ubdngs", string(raw)).Error)
}

type state struct {
	Attempts  int
	LastError string
	Sent      bool
	Due       bool // next_try_at <= now()
	WaitsMin  bool // next_try_at at least 50 s from now
}

func stateOf(t *testing.T, db *gorm.DB, key string) state {
	t.Helper()
	var s state
	require.NoError(t, db.Raw(`SELECT attempts, last_error, sent_at IS NOT NULL AS sent, next_try_at <= now() AS due,
		next_try_at >= now() + interval '50 seconds' AS waits_min FROM outbox WHERE dedupe_key = ?`, key).Scan(&s).Error)
	return s
}

// receiver is a webhook that counts deliveries per Idempotency-Key.
type receiver struct {
	mu     sync.Mutex
	hits   map[string]int
	bodies []map[string]any
	status func(n int) int // answer to the n-th request, from 1
	total  int
}

func newReceiver(t *testing.T, status func(n int) int) (*receiver, *httptest.Server) {
	rc := &receiver{hits: map[string]int{}, status: status}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		rc.mu.Lock()
		rc.total++
		n := rc.total
		rc.hits[r.Header.Get("Idempotency-Key")]++
		rc.bodies = append(rc.bodies, body)
		rc.mu.Unlock()
		code := http.StatusNoContent
		if rc.status != nil {
			code = rc.status(n)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	return rc, srv
}

// seen returns the hits per key and the total; the handler runs on the server's goroutines.
func (rc *receiver) seen() (map[string]int, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return maps.Clone(rc.hits), rc.total
}

func (rc *receiver) body(i int) map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.bodies[i]
}

func TestWebhookDeliversOnceWithIdempotencyKey(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	insert(t, db, "k1", map[string]any{"clock": "processing", "number": "DN-2026-000001"})
	insert(t, db, "k2", map[string]any{"clock": "answer"})
	rc, srv := newReceiver(t, nil)
	d := &outbox.Deliverer{DB: db, WebhookURL: srv.URL}

	sent, failed, err := d.DeliverDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, [2]int{2, 0}, [2]int{sent, failed})
	hits, _ := rc.seen()
	require.Equal(t, map[string]int{"k1": 1, "k2": 1}, hits)
	first := rc.body(0)
	require.Equal(t, "k1", first["dedupe_key"])
	require.Equal(t, "L-k1", first["letter_id"])
	require.Equal(t, "warning", first["kind"])
	require.Equal(t, "officer:ubdngs", first["target"])
	require.Equal(t, map[string]any{"clock": "processing", "number": "DN-2026-000001"}, first["payload"])
	require.NotZero(t, first["id"])
	_, err = time.Parse(time.RFC3339Nano, first["created_at"].(string))
	require.NoError(t, err)
	require.True(t, stateOf(t, db, "k1").Sent)

	sent, failed, err = d.DeliverDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, [2]int{0, 0}, [2]int{sent, failed}, "a sent row is never claimed again")
	_, total := rc.seen()
	require.Equal(t, 2, total)
}

func TestWebhookFailureBacksOffThenRetries(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	insert(t, db, "k1", map[string]any{"full_name": personName, "id_number": personID})
	rc, srv := newReceiver(t, func(n int) int {
		if n == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	var logs bytes.Buffer
	d := &outbox.Deliverer{DB: db, WebhookURL: srv.URL, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}

	sent, failed, err := d.DeliverDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, [2]int{0, 1}, [2]int{sent, failed})
	s := stateOf(t, db, "k1")
	require.False(t, s.Sent)
	require.Equal(t, 1, s.Attempts)
	require.Contains(t, s.LastError, "500")
	require.True(t, s.WaitsMin, "the first retry waits the base backoff of a minute")
	for _, secret := range []string{personName, personID} {
		require.NotContains(t, s.LastError, secret)
		require.NotContains(t, logs.String(), secret)
	}

	sent, failed, err = d.DeliverDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, [2]int{0, 0}, [2]int{sent, failed}, "not due before next_try_at")

	require.NoError(t, db.Exec(`UPDATE outbox SET next_try_at = now() - interval '1 second'`).Error)
	sent, failed, err = d.DeliverDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, [2]int{1, 0}, [2]int{sent, failed})
	require.True(t, stateOf(t, db, "k1").Sent)
	hits, _ := rc.seen()
	require.Equal(t, map[string]int{"k1": 2}, hits, "the retry carries the same Idempotency-Key")
}

func TestConcurrentPassesNeverSendARowTwice(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	const rows = 300
	for i := range rows {
		insert(t, db, fmt.Sprintf("k%03d", i), map[string]any{"i": i})
	}
	rc, srv := newReceiver(t, nil)

	var wg sync.WaitGroup
	var mu sync.Mutex
	sentTotal := 0
	for range 4 { // as if four worker processes polled the same table
		d := &outbox.Deliverer{DB: db, WebhookURL: srv.URL, Batch: 20}
		wg.Go(func() {
			for {
				sent, failed, err := d.DeliverDue(context.Background())
				if !assert.NoError(t, err) || !assert.Zero(t, failed) {
					return
				}
				mu.Lock()
				sentTotal += sent
				mu.Unlock()
				if sent == 0 {
					return
				}
			}
		})
	}
	wg.Wait()

	hits, total := rc.seen()
	require.Equal(t, rows, sentTotal)
	require.Equal(t, rows, total)
	require.Len(t, hits, rows)
	for key, n := range hits {
		require.Equal(t, 1, n, "row %s delivered %d times", key, n)
	}
	var unsent int64
	require.NoError(t, db.Raw(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&unsent).Error)
	require.Zero(t, unsent)
}

func TestLogModeMarksSentAndKeepsThePayloadOut(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	insert(t, db, "L-1/citizen_notice/guided", map[string]any{"full_name": personName, "id_number": personID, "event": "guided"})
	var logs bytes.Buffer
	d := &outbox.Deliverer{DB: db, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}

	sent, failed, err := d.DeliverDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, [2]int{1, 0}, [2]int{sent, failed})
	require.True(t, stateOf(t, db, "L-1/citizen_notice/guided").Sent)

	out := logs.String()
	require.Contains(t, out, `"dedupe_key":"L-1/citizen_notice/guided"`)
	require.Contains(t, out, `"kind":"warning"`)
	require.Contains(t, out, `"target":"officer:ubdngs"`)
	for _, secret := range []string{personName, "Nguy", personID, "full_name", "id_number"} {
		require.NotContains(t, out, secret)
	}
}

func TestShutdownMidDeliveryReleasesTheRow(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	insert(t, db, "k1", nil)
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body first: only then does the server notice the client hanging up.
		_, _ = io.Copy(io.Discard, r.Body)
		cancel() // the worker is told to stop while this request is in flight
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	d := &outbox.Deliverer{DB: db, WebhookURL: srv.URL}

	sent, failed, err := d.DeliverDue(ctx)
	require.NoError(t, err)
	require.Equal(t, [2]int{0, 0}, [2]int{sent, failed})
	s := stateOf(t, db, "k1")
	require.False(t, s.Sent)
	require.Zero(t, s.Attempts, "an interrupted request is not a failed attempt")
	require.True(t, s.Due, "the next process picks it up at once, not after the lease")
}

func TestRunDeliversUntilCancelled(t *testing.T) {
	t.Parallel()
	db, _ := testenv.DB(t)
	rc, srv := newReceiver(t, nil)
	d := &outbox.Deliverer{DB: db, WebhookURL: srv.URL, Interval: 20 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()

	insert(t, db, "k1", nil) // queued after Run started: found by a later poll
	require.Eventually(t, func() bool { return stateOf(t, db, "k1").Sent }, 5*time.Second, 10*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	hits, _ := rc.seen()
	require.Equal(t, map[string]int{"k1": 1}, hits)
}

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]time.Duration{
		1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 6: 32 * time.Minute,
		7: time.Hour, 40: time.Hour, 1 << 30: time.Hour,
	} {
		require.Equal(t, want, outbox.Backoff(n), "after %d failures", n)
	}
}
