// Package importer loads letters (and voters' petitions) from files through the public API,
// so every row goes through the same validation, workflows and audit as an officer's request.
package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/dannguyen/dannguyen/deadline"
)

// Row is one record of an input file, ready to send: its line number (for error reports),
// the idempotency key that makes a re-run find the letter instead of registering it twice,
// and the request body. Err is set when the line itself could not be read.
type Row struct {
	Line int
	Key  string
	Body map[string]any
	Err  error
}

// Options shape how rows become requests.
type Options struct {
	// BodyID is the receiving body for rows that name none.
	BodyID string
	// Today anchors the received dates given to public-source rows (see fromPublicSource).
	Today deadline.Date
	// KeyPrefix scopes the idempotency keys; the file's base name by default.
	KeyPrefix string
}

// Format is the file format: "jsonl" or "csv".
func Format(path, flag string) (string, error) {
	f := strings.ToLower(flag)
	if f == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".jsonl", ".ndjson", ".json":
			f = "jsonl"
		case ".csv":
			f = "csv"
		default:
			return "", fmt.Errorf("cannot tell the format of %s from its extension: pass --format jsonl or --format csv", path)
		}
	}
	if f != "jsonl" && f != "csv" {
		return "", fmt.Errorf("--format must be jsonl or csv, not %q", flag)
	}
	return f, nil
}

// ReadLetters reads letter rows from JSON Lines (one intake object a line, as POST /v1/letters
// takes it, or a public-source record of shared/realdata) or CSV (a header row naming the
// intake fields; one sender per row in sender_* columns).
func ReadLetters(r io.Reader, format string, o Options) ([]Row, error) {
	if format == "csv" {
		return readCSV(r, o)
	}
	return readJSONL(r, o)
}

func readJSONL(r io.Reader, o Options) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	var rows []Row
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
		}
		if len(raw) == 0 || raw[0] == '#' {
			continue
		}
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			rows = append(rows, Row{Line: line, Err: fmt.Errorf("not a JSON object: %v", err)})
			continue
		}
		rows = append(rows, finish(line, m, o))
	}
	if err := sc.Err(); err != nil {
		return rows, fmt.Errorf("read line %d: %w", line+1, err)
	}
	return rows, nil
}

func readCSV(r io.Reader, o Options) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read the CSV header: %w", err)
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")))
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rows = append(rows, Row{Line: pe.Line, Err: fmt.Errorf("malformed CSV: %v", pe.Err)})
				continue
			}
			return rows, fmt.Errorf("read CSV line %d: %w", line, err)
		}
		if len(rec) != len(header) {
			rows = append(rows, Row{Line: line, Err: fmt.Errorf("%d columns, the header has %d", len(rec), len(header))})
			continue
		}
		m, err := csvRecord(header, rec)
		if err != nil {
			rows = append(rows, Row{Line: line, Err: err})
			continue
		}
		rows = append(rows, finish(line, m, o))
	}
}

// csvRecord turns one CSV record into an intake object: booleans and counts are typed, the
// sender_* columns make the one sender, and an optional senders column holds a JSON array.
func csvRecord(header, rec []string) (map[string]any, error) {
	m := map[string]any{}
	sender := map[string]any{}
	for i, col := range header {
		v := strings.TrimSpace(rec[i])
		if v == "" {
			continue
		}
		switch {
		case strings.HasPrefix(col, "sender_"):
			sender[strings.TrimPrefix(col, "sender_")] = v
		case col == "senders":
			var s []any
			if err := json.Unmarshal([]byte(v), &s); err != nil {
				return nil, fmt.Errorf("column senders: not a JSON array: %v", err)
			}
			m["senders"] = s
		case col == "remote_area" || col == "confidential" || col == "anonymous":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("column %s: %q is not true or false", col, v)
			}
			m[col] = b
		case col == "signer_count":
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("column signer_count: %q is not a whole number", v)
			}
			m[col] = n
		default:
			m[col] = v
		}
	}
	if len(sender) > 0 {
		if s, ok := sender["is_representative"].(string); ok {
			b, _ := strconv.ParseBool(s)
			sender["is_representative"] = b
		}
		m["senders"] = append(asSlice(m["senders"]), sender)
	}
	return m, nil
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

var keySafe = regexp.MustCompile(`[^A-Za-z0-9._:-]+`)

// finish converts a public-source record, fills the defaults and derives the row's key.
func finish(line int, m map[string]any, o Options) Row {
	if _, public := m["subject_vi"]; public {
		m = fromPublicSource(m, line, o)
	}
	if _, ok := m["body_id"]; !ok && o.BodyID != "" {
		m["body_id"] = o.BodyID
	}
	ref, _ := m["import_ref"].(string)
	delete(m, "import_ref")
	if ref == "" {
		ref = "line-" + strconv.Itoa(line)
	}
	key := keySafe.ReplaceAllString(o.KeyPrefix+":"+ref, "_")
	if len(key) > 200 {
		key = key[:200]
	}
	return Row{Line: line, Key: key, Body: m}
}
