package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// maxImportRows bounds one file; the body limit (MAX_BODY_BYTES) usually comes first.
const maxImportRows = 20000

// collectBatchBytes keeps each Update's payload small, well under Temporal's blob limits.
const collectBatchBytes = 256 << 10

// petitionIntake is what both intake routes share: the session, the checker and the caller.
type petitionIntake struct {
	row     models.SessionRow
	checker *rowChecker
}

// startIntake loads the session and checks the caller may submit petitions at all: the
// session's office, or a delegation (whose rows are then checked one by one).
func (s *Server) startIntake(c *gin.Context) (*petitionIntake, bool) {
	ctx := c.Request.Context()
	row, err := models.GetSession(ctx, s.DB, c.Param("id"))
	if err != nil {
		fail(c, err)
		return nil, false
	}
	resolver, err := models.NewDelegationResolver(ctx, s.DB)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	sub := subject(c)
	office := row.OfficeID()
	if s.Verifier != nil && !policy.Can(sub, "sessions.collect", sessionCase(office)) &&
		!(resolver.IsDelegation(sub.BodyID) && policy.Can(sub, "sessions.collect", policy.Case{ReceivingBodyID: sub.BodyID})) {
		fail(c, apperr.New(apperr.Forbidden, "petitions are submitted by the session's office (%s) or by a delegation", office))
		return nil, false
	}
	if !openSession(c, row, "submitting petitions") {
		return nil, false
	}
	k := &rowChecker{sessionID: row.ID, resolver: resolver, today: deadline.DateOf(s.now()),
		may: func(delegationID string) bool {
			return s.Verifier == nil || policy.Can(sub, "sessions.collect", policy.Case{ReceivingBodyID: office, HeldByBodyID: delegationID})
		}}
	return &petitionIntake{row: row, checker: k}, true
}

// checked is the outcome of validating a list of rows.
type checked struct {
	good       []workflows.RawPetition
	errs       []rowProblem
	warns      []rowProblem
	duplicates []gin.H // rows that repeat an earlier row of the same request
	rejected   int
}

func (s *Server) checkRows(c *gin.Context, in *petitionIntake, rows []inputRow) (checked, error) {
	out := checked{duplicates: []gin.H{}}
	firstLine := map[string]int{}
	var refs []string
	for _, r := range rows {
		p, errs, warns := in.checker.check(r)
		out.warns = append(out.warns, warns...)
		if len(errs) > 0 {
			out.errs = append(out.errs, errs...)
			out.rejected++
			continue
		}
		if line, seen := firstLine[p.ID]; seen {
			out.duplicates = append(out.duplicates, gin.H{"line": r.Line, "id": p.ID, "source_ref": p.SourceRef, "same_as_line": line})
			continue
		}
		firstLine[p.ID] = r.Line
		if p.RePetitionOf != "" {
			refs = append(refs, p.RePetitionOf)
		}
		out.good = append(out.good, p)
	}
	if len(refs) == 0 {
		return out, nil
	}
	// A petition raised again links to the earlier voter petition (domain.md §7.1 item 10).
	var known []string
	if err := s.DB.WithContext(c.Request.Context()).Raw(`SELECT id FROM voter_petitions WHERE id IN ? AND number IS NOT NULL AND session_id <> ?`,
		refs, in.row.ID).Scan(&known).Error; err != nil {
		return out, err
	}
	ok := map[string]bool{}
	for _, id := range known {
		ok[id] = true
	}
	kept := out.good[:0]
	for _, p := range out.good {
		if p.RePetitionOf != "" && !ok[p.RePetitionOf] {
			out.errs = append(out.errs, rowProblem{Line: p.Line, Field: "re_petition_of",
				Message: fmt.Sprintf("no voter petition %q of an earlier session", p.RePetitionOf)})
			out.rejected++
			continue
		}
		kept = append(kept, p)
	}
	out.good = kept
	return out, nil
}

// collect stores the petitions through the session's workflow, batch by batch.
func (s *Server) collect(c *gin.Context, sessionID string, good []workflows.RawPetition) (workflows.CollectResult, bool) {
	var total workflows.CollectResult
	key := c.GetHeader("Idempotency-Key")
	batch, size, n := []workflows.RawPetition{}, 0, 0
	flush := func() bool {
		if len(batch) == 0 {
			return true
		}
		if key != "" {
			c.Request.Header.Set("Idempotency-Key", fmt.Sprintf("%s/%d", key, n))
		}
		n++
		res, ok := s.sessionUpdate(c, sessionID, "collect", workflows.SessionAction{Petitions: batch})
		if !ok {
			return false
		}
		total.Received += res.Collected.Received
		total.Stored += res.Collected.Stored
		total.Duplicates = append(total.Duplicates, res.Collected.Duplicates...)
		total.Total = res.Collected.Total
		batch, size = nil, 0
		return true
	}
	for _, p := range good {
		raw, _ := json.Marshal(p)
		if len(batch) >= 500 || size+len(raw) > collectBatchBytes {
			if !flush() {
				return total, false
			}
		}
		batch = append(batch, p)
		size += len(raw)
	}
	if !flush() {
		return total, false
	}
	if key != "" {
		c.Request.Header.Set("Idempotency-Key", key)
	}
	return total, true
}

// submitPetitions stores one petition (an object), or many (an array, or {"petitions": [...]}).
// The request is all or nothing: any bad petition is a 422 naming each bad field.
func (s *Server) submitPetitions(c *gin.Context) {
	in, ok := s.startIntake(c)
	if !ok {
		return
	}
	if ct := c.GetHeader("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			fail(c, apperr.New(apperr.Malformed, "Content-Type must be application/json, not %q; files go to petitions:import", ct))
			return
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		fail(c, bodyReadError(err))
		return
	}
	rows, single, err := jsonRows(body)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.checkRows(c, in, rows)
	if err != nil {
		fail(c, err)
		return
	}
	if len(res.errs) > 0 {
		fields := make([]apperr.FieldError, len(res.errs))
		for i, e := range res.errs {
			name := e.Field
			if !single {
				name = fmt.Sprintf("petitions[%d].%s", e.Line-1, e.Field)
			}
			fields[i] = apperr.FieldError{Field: strings.TrimSuffix(name, "."), Message: e.Message}
		}
		fail(c, apperr.Fields(fields))
		return
	}
	stored, ok := s.collect(c, in.row.ID, res.good)
	if !ok {
		return
	}
	ids := make([]string, len(res.good))
	for i, p := range res.good {
		ids[i] = p.ID
	}
	var items []models.PetitionRow
	if err := s.DB.WithContext(c.Request.Context()).Where("id IN ?", ids).Order("created_at, id").Find(&items).Error; err != nil {
		fail(c, err)
		return
	}
	status := http.StatusCreated
	if stored.Stored == 0 {
		status = http.StatusOK
	}
	c.JSON(status, gin.H{"session_id": in.row.ID, "received": len(rows), "stored": stored.Stored, "duplicates": stored.Duplicates,
		"warnings": warningsOf(res.warns, single), "items": items})
}

func warningsOf(ws []rowProblem, single bool) []rowProblem {
	if ws == nil {
		return []rowProblem{}
	}
	if single {
		for i := range ws {
			ws[i].Line = 0
		}
	}
	return ws
}

// jsonRows reads one object, an array of objects, or {"petitions": [...]}; Line is the
// petition's position (1-based).
func jsonRows(body []byte) ([]inputRow, bool, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, false, apperr.New(apperr.Malformed, "the request body is empty; a petition or a list of petitions is expected")
	}
	if !utf8.Valid(body) {
		return nil, false, apperr.New(apperr.Malformed, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false, jsonError(err)
	}
	if dec.More() {
		return nil, false, apperr.New(apperr.Malformed, "the request body has data after the JSON value")
	}
	single := false
	var list []any
	switch x := v.(type) {
	case []any:
		list = x
	case map[string]any:
		if ps, ok := x["petitions"]; ok && len(x) == 1 {
			arr, ok := ps.([]any)
			if !ok {
				return nil, false, apperr.Fields([]apperr.FieldError{{Field: "petitions", Message: "must be an array of petitions"}})
			}
			list = arr
		} else {
			list, single = []any{x}, true
		}
	default:
		return nil, false, apperr.New(apperr.Malformed, "the request body must be a petition (an object) or a list of petitions")
	}
	if len(list) == 0 || len(list) > maxImportRows {
		return nil, false, apperr.Fields([]apperr.FieldError{{Field: "petitions", Message: fmt.Sprintf("send 1 to %d petitions", maxImportRows)}})
	}
	rows := make([]inputRow, len(list))
	var fields []apperr.FieldError
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			fields = append(fields, apperr.FieldError{Field: fmt.Sprintf("petitions[%d]", i), Message: "must be an object"})
			continue
		}
		rows[i] = inputRow{Line: i + 1, Fields: m}
	}
	if len(fields) > 0 {
		return nil, false, apperr.Fields(fields)
	}
	return rows, single, nil
}

// importPetitions loads a JSON Lines or CSV file row by row. A bad row is reported with its line
// number and the good rows still load; with ?atomic=true any bad row rejects the whole file.
func (s *Server) importPetitions(c *gin.Context) {
	in, ok := s.startIntake(c)
	if !ok {
		return
	}
	var v apperr.Validation
	atomic := false
	if a := c.Query("atomic"); a != "" {
		b, err := strconv.ParseBool(a)
		v.Check(err == nil, "atomic", "must be true or false")
		atomic = b
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		fail(c, bodyReadError(err))
		return
	}
	format, ferr := importFormat(c.Query("format"), c.GetHeader("Content-Type"), body)
	if ferr != "" {
		v.Add("format", "%s", ferr)
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	var rows []inputRow
	var parseErrs []rowProblem
	if format == "csv" {
		rows, parseErrs, err = csvRows(body)
	} else {
		rows, parseErrs, err = jsonlRows(body)
	}
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.checkRows(c, in, rows)
	if err != nil {
		fail(c, err)
		return
	}
	res.errs = append(parseErrs, res.errs...)
	res.rejected += len(parseErrs)
	sortProblems(res.errs)
	report := gin.H{"session_id": in.row.ID, "format": format, "atomic": atomic, "rows": len(rows) + len(parseErrs),
		"rejected": res.rejected, "errors": problemsOrEmpty(res.errs), "warnings": warningsOf(res.warns, false),
		"repeated_in_file": res.duplicates}
	if len(res.errs) > 0 && (atomic || len(res.good) == 0) {
		fields := make([]apperr.FieldError, len(res.errs))
		for i, e := range res.errs {
			name := fmt.Sprintf("lines[%d]", e.Line)
			if e.Field != "" {
				name += "." + e.Field
			}
			fields[i] = apperr.FieldError{Field: name, Message: e.Message}
		}
		why := "the file was rejected: nothing was imported"
		if !atomic {
			why = "no row of the file is valid: nothing was imported"
		}
		e := apperr.Fields(fields)
		e.Message = why
		fail(c, e.With("rejected_lines", res.errs).With("rows", len(rows)+len(parseErrs)))
		return
	}
	stored, ok := s.collect(c, in.row.ID, res.good)
	if !ok {
		return
	}
	lineOf := map[string]int{}
	for _, p := range res.good {
		lineOf[p.ID] = p.Line
	}
	dups := make([]gin.H, 0, len(stored.Duplicates))
	for _, id := range stored.Duplicates {
		dups = append(dups, gin.H{"line": lineOf[id], "id": id})
	}
	report["imported"], report["already_stored"], report["total_in_session"] = stored.Stored, dups, stored.Total
	status := http.StatusOK
	if stored.Stored > 0 {
		status = http.StatusCreated
	}
	c.JSON(status, report)
}

func problemsOrEmpty(ps []rowProblem) []rowProblem {
	if ps == nil {
		return []rowProblem{}
	}
	return ps
}

func sortProblems(ps []rowProblem) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Line < ps[j-1].Line; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// importFormat picks jsonl or csv from ?format=, the Content-Type, or the first character.
func importFormat(query, contentType string, body []byte) (string, string) {
	switch strings.ToLower(query) {
	case "jsonl", "ndjson":
		return "jsonl", ""
	case "csv":
		return "csv", ""
	case "":
	default:
		return "", fmt.Sprintf("must be jsonl or csv, not %q", query)
	}
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		switch {
		case err != nil:
			return "", fmt.Sprintf("Content-Type %q does not parse", contentType)
		case mt == "text/csv":
			return "csv", ""
		case mt == "application/x-ndjson" || mt == "application/jsonl" || mt == "application/x-jsonlines" ||
			mt == "application/jsonlines" || mt == "application/json":
			return "jsonl", ""
		case mt != "application/octet-stream" && mt != "text/plain":
			return "", fmt.Sprintf("Content-Type %q is neither JSON Lines (application/x-ndjson) nor CSV (text/csv)", mt)
		}
	}
	if t := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\uFEFF")), " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return "jsonl", ""
	}
	return "csv", ""
}

// jsonlRows reads one JSON object per line; blank lines are skipped, a line that is not an
// object is a problem of that line.
func jsonlRows(body []byte) ([]inputRow, []rowProblem, error) {
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	var rows []inputRow
	var probs []rowProblem
	for i, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		n := i + 1
		if len(rows)+len(probs) >= maxImportRows {
			return nil, nil, apperr.New(apperr.TooLarge, "a file holds at most %d rows", maxImportRows)
		}
		if !utf8.Valid(line) {
			probs = append(probs, rowProblem{Line: n, Message: "is not valid UTF-8"})
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil || dec.More() {
			msg := "is not one JSON object"
			var syn *json.SyntaxError
			if errors.As(err, &syn) {
				msg += fmt.Sprintf(" (column %d: %s)", syn.Offset, syn.Error())
			}
			probs = append(probs, rowProblem{Line: n, Message: msg})
			continue
		}
		if m == nil {
			probs = append(probs, rowProblem{Line: n, Message: "is not one JSON object"})
			continue
		}
		rows = append(rows, inputRow{Line: n, Fields: m})
	}
	if len(rows)+len(probs) == 0 {
		return nil, nil, apperr.New(apperr.Malformed, "the file has no rows")
	}
	return rows, probs, nil
}

// csvRows reads a header of field names and one petition per record (a UTF-8 byte-order mark,
// CRLF and a ';' separator are accepted, as Excel writes them). Empty cells are left out. A
// header naming an unknown column rejects the file: every row would be wrong the same way.
func csvRows(body []byte) ([]inputRow, []rowProblem, error) {
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	if !utf8.Valid(body) {
		return nil, nil, apperr.New(apperr.Malformed, "the file is not UTF-8 text; save the CSV as UTF-8")
	}
	r := csv.NewReader(bytes.NewReader(body))
	if first, _, _ := bytes.Cut(body, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, apperr.New(apperr.Malformed, "the file has no rows")
	}
	if err != nil {
		return nil, nil, apperr.New(apperr.Malformed, "the header line does not parse: %v", err)
	}
	var hv apperr.Validation
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		header[i] = h
		_, known := petitionFields[h]
		hv.Check(known || keptFields[h], "header."+h, "unknown column")
		hv.Check(!seen[h], "header."+h, "the column appears twice")
		seen[h] = true
	}
	if err := hv.Err(); err != nil {
		return nil, nil, err
	}
	var rows []inputRow
	var probs []rowProblem
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if len(rows)+len(probs) >= maxImportRows {
			return nil, nil, apperr.New(apperr.TooLarge, "a file holds at most %d rows", maxImportRows)
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			probs = append(probs, rowProblem{Line: pe.StartLine, Message: "does not parse as CSV: " + pe.Err.Error()})
			continue
		}
		if err != nil {
			return nil, nil, apperr.New(apperr.Malformed, "the file does not parse: %v", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			probs = append(probs, rowProblem{Line: line, Message: fmt.Sprintf("has %d cells; the header has %d", len(rec), len(header))})
			continue
		}
		m := map[string]any{}
		for i, cell := range rec {
			if strings.TrimSpace(cell) != "" {
				m[header[i]] = cell
			}
		}
		rows = append(rows, inputRow{Line: line, Fields: m})
	}
	if len(rows)+len(probs) == 0 {
		return nil, nil, apperr.New(apperr.Malformed, "the file has a header but no rows")
	}
	return rows, probs, nil
}
