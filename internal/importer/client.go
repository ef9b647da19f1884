package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// DevSub is the user the development tokens of `dannguyen import` are minted for. Letter ids
// derive from the user and the Idempotency-Key, so everything that imports a file on the
// importer's behalf (the command, the demo) uses it and finds the letters another run made.
const DevSub = "importer"

// Client sends rows to the API.
type Client struct {
	BaseURL string // e.g. http://localhost:8080
	Token   string // bearer token of a receiving officer of the importing body
	HTTP    *http.Client
}

// Rejection is a row the API (or the reader) refused, with the reasons it gave.
type Rejection struct {
	Line   int      `json:"line"`
	Status int      `json:"status,omitempty"`
	Reason string   `json:"reason"`
	Fields []string `json:"fields,omitempty"` // "field: message" for each bad field
}

// Summary is what an import did.
type Summary struct {
	Rows       int         `json:"rows"`
	Created    int         `json:"created"`
	Existing   int         `json:"existing"`   // registered by an earlier run: found, not registered again
	Pending    int         `json:"pending"`    // accepted (202) but still registering when the import ended
	Duplicates int         `json:"duplicates"` // registered with duplicate hints (GET /v1/letters/{id}/duplicates)
	Overdue    int         `json:"overdue"`    // registered with a clock already overdue (historical letters)
	Rejected   []Rejection `json:"rejected,omitempty"`
	Letters    []string    `json:"letters,omitempty"` // ids of the letters created or found, in file order
	Took       time.Duration
}

// Failed reports whether any row was refused.
func (s Summary) Failed() bool { return len(s.Rejected) > 0 }

// Print writes the closing summary a person reads.
func (s Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "%d rows in %.1f s: %d created, %d already imported, %d still registering, %d rejected\n",
		s.Rows, s.Took.Seconds(), s.Created, s.Existing, s.Pending, len(s.Rejected))
	fmt.Fprintf(w, "  duplicates found at intake: %d; overdue on arrival: %d\n", s.Duplicates, s.Overdue)
	for _, r := range s.Rejected {
		fmt.Fprintf(w, "  line %d rejected", r.Line)
		if r.Status != 0 {
			fmt.Fprintf(w, " (%d)", r.Status)
		}
		fmt.Fprintf(w, ": %s\n", r.Reason)
		for _, f := range r.Fields {
			fmt.Fprintf(w, "      %s\n", f)
		}
	}
}

// ImportLetters posts each row to POST /v1/letters with its Idempotency-Key, a few at a time,
// reporting progress to progress (nil for none).
func (c *Client) ImportLetters(ctx context.Context, rows []Row, workers int, progress io.Writer) Summary {
	start := time.Now()
	if workers < 1 {
		workers = 1
	}
	sum := Summary{Rows: len(rows)}
	letters := make([]string, len(rows))
	bar := newBar(progress, len(rows))
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out := c.sendLetter(ctx, rows[i])
				mu.Lock()
				switch {
				case out.rejection != nil:
					sum.Rejected = append(sum.Rejected, *out.rejection)
				case out.pending:
					sum.Pending++
				case out.replayed:
					sum.Existing++
				default:
					sum.Created++
				}
				if out.duplicate {
					sum.Duplicates++
				}
				if out.overdue {
					sum.Overdue++
				}
				letters[i] = out.id
				bar.step()
				mu.Unlock()
			}
		}()
	}
	for i := range rows {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	bar.done()
	for _, id := range letters {
		if id != "" {
			sum.Letters = append(sum.Letters, id)
		}
	}
	sort.Slice(sum.Rejected, func(i, j int) bool { return sum.Rejected[i].Line < sum.Rejected[j].Line })
	sum.Took = time.Since(start)
	return sum
}

type outcome struct {
	id                                    string
	replayed, pending, duplicate, overdue bool
	rejection                             *Rejection
}

func (c *Client) sendLetter(ctx context.Context, row Row) outcome {
	if row.Err != nil {
		return outcome{rejection: &Rejection{Line: row.Line, Reason: row.Err.Error()}}
	}
	raw, err := json.Marshal(row.Body)
	if err != nil {
		return outcome{rejection: &Rejection{Line: row.Line, Reason: "cannot encode the row: " + err.Error()}}
	}
	var res *http.Response
	var body []byte
	// Transport errors and 503 are retried: the key makes a retry safe.
	for attempt := 0; ; attempt++ {
		res, body, err = c.do(ctx, "POST", "/v1/letters", raw, row.Key)
		if err == nil && res.StatusCode != http.StatusServiceUnavailable {
			break
		}
		if attempt == 4 || ctx.Err() != nil {
			reason := fmt.Sprintf("the API did not answer: %v", err)
			if err == nil {
				reason = "the API is unavailable (503): " + problemDetail(body)
			}
			return outcome{rejection: &Rejection{Line: row.Line, Reason: reason}}
		}
		time.Sleep(time.Duration(attempt+1) * 500 * time.Millisecond)
	}
	switch res.StatusCode {
	case http.StatusCreated:
		var l struct {
			ID      string `json:"id"`
			Overdue bool   `json:"overdue"`
			History []struct {
				Type string         `json:"type"`
				Data map[string]any `json:"data"`
			} `json:"history"`
		}
		if err := json.Unmarshal(body, &l); err != nil {
			return outcome{rejection: &Rejection{Line: row.Line, Status: res.StatusCode, Reason: "unreadable answer: " + err.Error()}}
		}
		o := outcome{id: l.ID, replayed: res.Header.Get("Idempotent-Replayed") == "true", overdue: l.Overdue}
		for _, e := range l.History {
			if e.Type == "registered" && e.Data["duplicate_candidates"] != nil {
				o.duplicate = true
			}
		}
		return o
	case http.StatusAccepted:
		var p struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(body, &p)
		return outcome{id: p.ID, pending: true}
	default:
		return outcome{rejection: problemRejection(row.Line, res.StatusCode, body)}
	}
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, key string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res, raw, err
}

// problemRejection reads an RFC 9457 problem into a rejection with every bad field.
func problemRejection(line, status int, body []byte) *Rejection {
	var p struct {
		Detail string `json:"detail"`
		Title  string `json:"title"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	r := &Rejection{Line: line, Status: status}
	if err := json.Unmarshal(body, &p); err != nil {
		r.Reason = strings.TrimSpace(string(body))
		return r
	}
	r.Reason = p.Detail
	if r.Reason == "" {
		r.Reason = p.Title
	}
	for _, e := range p.Errors {
		r.Fields = append(r.Fields, e.Field+": "+e.Message)
	}
	return r
}

func problemDetail(body []byte) string {
	var p struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &p) == nil && p.Detail != "" {
		return p.Detail
	}
	return strings.TrimSpace(string(body))
}
