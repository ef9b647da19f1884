package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// rawJSON carries the payload column through unchanged, so the webhook gets exactly what the
// workflow stored.
type rawJSON string

func (p rawJSON) MarshalJSON() ([]byte, error) {
	if p == "" {
		return []byte("{}"), nil
	}
	return []byte(p), nil
}

// defaultClient refuses redirects: a redirected POST would carry a person's data to an address
// nobody configured.
var defaultClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// deliver logs or POSTs one row. Its error text is stored in last_error, so it names the
// status or the transport failure and never the payload, the response body or the URL (which
// may carry a token).
func (d *Deliverer) deliver(ctx context.Context, r row) error {
	if d.WebhookURL == "" {
		// The payload stays out of the log: it may name the citizen or a denouncer's case.
		d.logger().Info("notification", "outbox_id", r.ID, "kind", r.Kind, "target", r.Target,
			"letter_id", r.LetterID, "dedupe_key", r.DedupeKey)
		return nil
	}
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode notification: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return errors.New("build webhook request: invalid WEBHOOK_URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", r.DedupeKey)
	client := d.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook request: %w", err)
	}
	// Drained so the connection is reused; bounded so a chatty receiver cannot stall us.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered HTTP %d", resp.StatusCode)
	}
	return nil
}
