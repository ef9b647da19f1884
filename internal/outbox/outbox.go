// Package outbox delivers the notifications that letter workflows queue in the outbox table.
// Delivery is at least once: a crash between the POST and the row's update sends the row again,
// so every request carries the row's dedupe key as its Idempotency-Key.
package outbox

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"gorm.io/gorm"
)

// Defaults of the zero Deliverer.
const (
	DefaultInterval = 2 * time.Second
	DefaultBatch    = 50
	DefaultTimeout  = 10 * time.Second
	// Backoff of the first failure, doubled by each further one up to MaxBackoff.
	BaseBackoff = time.Minute
	MaxBackoff  = time.Hour
)

// Deliverer sends due outbox rows to WebhookURL, or logs them when it is empty.
type Deliverer struct {
	DB         *gorm.DB
	WebhookURL string
	Client     *http.Client // nil: a client that refuses redirects
	Logger     *slog.Logger // nil: slog.Default()
	Interval   time.Duration
	Batch      int
	Timeout    time.Duration // per request
}

// row is one claimed notification; its JSON form is the webhook body. Attempts stays out of
// the body because a receiver dedupes on the key, not on our retry count.
type row struct {
	ID        int64     `json:"id"`
	DedupeKey string    `json:"dedupe_key"`
	LetterID  string    `json:"letter_id"`
	Kind      string    `json:"kind"`
	Target    string    `json:"target"`
	Payload   rawJSON   `json:"payload"`
	CreatedAt time.Time `json:"created_at"`
	Attempts  int       `json:"-"`
}

// Run delivers until ctx ends. A database outage is logged and retried at the next tick, so
// it never stops the worker process.
func (d *Deliverer) Run(ctx context.Context) error {
	interval := cmp.Or(d.Interval, DefaultInterval)
	mode := "log"
	if d.WebhookURL != "" {
		mode = "webhook"
	}
	d.logger().Info("outbox delivery starting", "mode", mode, "interval", interval.String())
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			d.logger().Info("outbox delivery stopped")
			return nil
		case <-t.C:
		}
		sent, failed, err := d.DeliverDue(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			d.logger().Warn("outbox pass failed", "err", err)
		case sent+failed > 0:
			d.logger().Debug("outbox pass", "sent", sent, "failed", failed)
		}
		next := interval
		if err == nil && sent+failed >= d.batch() {
			next = 0 // a full batch means a backlog: drain it without waiting
		}
		t.Reset(next)
	}
}

// DeliverDue claims one batch of due rows, delivers them one by one and records each outcome.
func (d *Deliverer) DeliverDue(ctx context.Context) (sent, failed int, err error) {
	rows, err := d.claim(ctx)
	if err != nil {
		return 0, 0, err
	}
	for i, r := range rows {
		derr := d.deliver(ctx, r)
		if derr == nil {
			if err := d.markSent(ctx, r.ID); err != nil {
				return sent, failed, err
			}
			sent++
			continue
		}
		if ctx.Err() != nil {
			// Shutting down: the receiver may or may not have seen this row, so it is not a
			// failed attempt; hand it and the untried rest back for the next process.
			return sent, failed, d.release(rows[i:])
		}
		failed++
		d.logger().Warn("outbox delivery failed", "outbox_id", r.ID, "kind", r.Kind, "letter_id", r.LetterID,
			"attempts", r.Attempts+1, "err", derr)
		if err := d.markFailed(ctx, r, derr); err != nil {
			return sent, failed, err
		}
	}
	return sent, failed, nil
}

// claim leases due rows by pushing their next_try_at past the time this batch can take, so
// the row lock can be released at once instead of being held across HTTP calls; SKIP LOCKED
// lets concurrent workers split the due rows instead of waiting for each other.
func (d *Deliverer) claim(ctx context.Context) ([]row, error) {
	lease := time.Duration(d.batch())*d.timeout() + time.Minute
	var rows []row
	err := d.DB.WithContext(ctx).Raw(`
		UPDATE outbox o SET next_try_at = now() + make_interval(secs => ?)
		FROM (SELECT id FROM outbox WHERE sent_at IS NULL AND next_try_at <= now()
		      ORDER BY next_try_at, id LIMIT ? FOR UPDATE SKIP LOCKED) due
		WHERE o.id = due.id
		RETURNING o.id, o.dedupe_key, o.letter_id, o.kind, o.target, o.payload::text AS payload, o.created_at, o.attempts`,
		lease.Seconds(), d.batch()).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("claim due outbox rows: %w", err)
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(a.ID, b.ID) })
	return rows, nil
}

func (d *Deliverer) markSent(ctx context.Context, id int64) error {
	// Recorded even when shutdown has begun: the receiver has the row, and a resend is avoidable.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := d.DB.WithContext(ctx).Exec(`UPDATE outbox SET sent_at = now() WHERE id = ? AND sent_at IS NULL`, id).Error; err != nil {
		return fmt.Errorf("mark outbox row %d sent: %w", id, err)
	}
	return nil
}

func (d *Deliverer) markFailed(ctx context.Context, r row, cause error) error {
	err := d.DB.WithContext(ctx).Exec(`UPDATE outbox SET attempts = attempts + 1, last_error = ?,
		next_try_at = now() + make_interval(secs => ?) WHERE id = ? AND sent_at IS NULL`,
		truncate(cause.Error(), 500), Backoff(r.Attempts+1).Seconds(), r.ID).Error
	if err != nil {
		return fmt.Errorf("record failed delivery of outbox row %d: %w", r.ID, err)
	}
	return nil
}

// release makes leased rows due again. It runs after ctx has ended, so it gets its own short
// deadline; if it fails, the lease simply expires.
func (d *Deliverer) release(rows []row) error {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.DB.WithContext(ctx).Exec(`UPDATE outbox SET next_try_at = now() WHERE id IN ? AND sent_at IS NULL`, ids).Error; err != nil {
		return fmt.Errorf("release %d outbox rows: %w", len(ids), err)
	}
	return nil
}

// Backoff is the wait after the n-th failed attempt (n >= 1).
func Backoff(n int) time.Duration {
	wait := BaseBackoff
	// Doubling stops at the cap, so a row failing for weeks cannot overflow the duration.
	for i := 1; i < n && wait < MaxBackoff; i++ {
		wait *= 2
	}
	return min(wait, MaxBackoff)
}

func (d *Deliverer) batch() int             { return cmp.Or(d.Batch, DefaultBatch) }
func (d *Deliverer) timeout() time.Duration { return cmp.Or(d.Timeout, DefaultTimeout) }
func (d *Deliverer) logger() *slog.Logger   { return cmp.Or(d.Logger, slog.Default()) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary so the stored text stays valid UTF-8 for PostgreSQL.
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
