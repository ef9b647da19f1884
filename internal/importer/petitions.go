package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// PetitionSummary is what a voters' petition import did.
type PetitionSummary struct {
	Rows      int
	Imported  int
	Existing  int // already stored in the session (same source_ref, or same delegation, meeting, phase and text)
	Warnings  int
	Rejected  []Rejection
	Took      time.Duration
	SessionID string
}

// Failed reports whether any row was refused.
func (s PetitionSummary) Failed() bool { return len(s.Rejected) > 0 }

// Print writes the closing summary.
func (s PetitionSummary) Print(w io.Writer) {
	fmt.Fprintf(w, "%d rows into session %s in %.1f s: %d imported, %d already stored, %d rejected, %d warnings\n",
		s.Rows, s.SessionID, s.Took.Seconds(), s.Imported, s.Existing, len(s.Rejected), s.Warnings)
	for _, r := range s.Rejected {
		fmt.Fprintf(w, "  line %d rejected: %s\n", r.Line, r.Reason)
	}
}

// ImportPetitions sends a file of raw voters' petitions to POST /v1/sessions/{id}/petitions:import.
// JSON Lines go in chunks of chunk lines (line numbers in the answers are mapped back to the
// file's), so progress shows and a large file never makes one huge request; CSV, and any file
// imported atomically (all rows or none), goes whole.
func (c *Client) ImportPetitions(ctx context.Context, session string, data []byte, format string, atomic bool, chunk int, progress io.Writer) (PetitionSummary, error) {
	start := time.Now()
	sum := PetitionSummary{SessionID: session}
	type part struct {
		offset int // lines before this chunk in the file
		body   []byte
	}
	var parts []part
	if format == "csv" || atomic || chunk <= 0 {
		parts = []part{{0, data}}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64*1024), 4<<20)
		var buf bytes.Buffer
		line, first, rows := 0, 0, 0
		for sc.Scan() {
			line++
			if buf.Len() == 0 {
				first = line - 1
			}
			buf.Write(sc.Bytes())
			buf.WriteByte('\n')
			if len(bytes.TrimSpace(sc.Bytes())) > 0 {
				rows++
			}
			if rows == chunk {
				parts = append(parts, part{first, bytes.Clone(buf.Bytes())})
				buf.Reset()
				rows = 0
			}
		}
		if err := sc.Err(); err != nil {
			return sum, fmt.Errorf("read line %d: %w", line+1, err)
		}
		if buf.Len() > 0 {
			parts = append(parts, part{first, buf.Bytes()})
		}
	}
	bar := newBar(progress, len(parts))
	bar.unit = "requests"
	ctype := "application/x-ndjson"
	if format == "csv" {
		ctype = "text/csv"
	}
	path := "/v1/sessions/" + url.PathEscape(session) + "/petitions:import?format=" + format
	if atomic {
		path += "&atomic=true"
	}
	for _, p := range parts {
		res, body, err := c.post(ctx, path, ctype, p.body)
		if err != nil {
			return sum, err
		}
		var r struct {
			Rows          int               `json:"rows"`
			Imported      int               `json:"imported"`
			AlreadyStored []json.RawMessage `json:"already_stored"`
			Warnings      []json.RawMessage `json:"warnings"`
			Errors        []rowError        `json:"errors"`
			Rejected      []rowError        `json:"rejected_lines"`
			Detail        string            `json:"detail"`
		}
		_ = json.Unmarshal(body, &r)
		switch {
		case res.StatusCode == http.StatusOK || res.StatusCode == http.StatusCreated:
			sum.Rows += r.Rows
			sum.Imported += r.Imported
			sum.Existing += len(r.AlreadyStored)
			sum.Warnings += len(r.Warnings)
			sum.Rejected = append(sum.Rejected, rejections(r.Errors, p.offset)...)
		case res.StatusCode == http.StatusUnprocessableEntity && len(r.Rejected) > 0:
			// Nothing of this part was imported: every bad row is listed.
			sum.Rows += r.Rows
			sum.Rejected = append(sum.Rejected, rejections(r.Rejected, p.offset)...)
		default:
			return sum, fmt.Errorf("the API answered %d: %s", res.StatusCode, problemDetail(body))
		}
		bar.step()
	}
	bar.done()
	sum.Took = time.Since(start)
	return sum, nil
}

type rowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// rejections groups a part's row problems by line, in the file's numbering.
func rejections(errs []rowError, offset int) []Rejection {
	var out []Rejection
	for _, e := range errs {
		msg := e.Message
		if e.Field != "" {
			msg = e.Field + ": " + msg
		}
		line := e.Line + offset
		if n := len(out); n > 0 && out[n-1].Line == line {
			out[n-1].Reason += "; " + msg
			continue
		}
		out = append(out, Rejection{Line: line, Reason: msg})
	}
	return out
}

func (c *Client) post(ctx context.Context, path, ctype string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(c.BaseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res, raw, err
}
