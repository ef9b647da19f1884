// Package export writes tables as CSV or XLSX for people who open them in Excel: Vietnamese
// text survives (UTF-8 with a byte-order mark), a cell can never run as a formula, and ID and
// phone numbers keep their leading zeros. Both writers stream: memory does not grow with the
// number of rows.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Format is a file format of an export.
type Format string

// The formats an export can be written in.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ContentType is the media type of a format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Column is one column of an export. Text marks values that look like numbers but are not
// (ID numbers, phone numbers): spreadsheets must not turn 001203004567 into 1203004567.
type Column struct {
	Header string
	Text   bool
	// Number marks counts and rates: XLSX writes them as numbers, so a report's columns can be
	// summed in the spreadsheet. CSV has no types and is unaffected.
	Number bool
}

// Writer writes one table: rows after the header, then Close.
type Writer interface {
	Row(values []string) error
	Close() error
}

// New starts a table in format f with the given columns.
func New(w io.Writer, f Format, cols []Column) (Writer, error) {
	switch f {
	case CSV:
		return newCSV(w, cols)
	case XLSX:
		return newXLSX(w, cols)
	}
	return nil, fmt.Errorf("unknown export format %q", f)
}

// Neutralize makes a cell inert: a value that a spreadsheet would read as a formula (it starts
// with =, +, -, @, a tab or a carriage return) gets a leading apostrophe (OWASP CSV injection).
func Neutralize(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + v
	}
	return v
}

// digits is what a text column may hold to be written as an Excel text literal in CSV; the
// narrow alphabet is what makes the ="…" form safe.
var digits = regexp.MustCompile(`^[0-9][0-9 .]*$`)

type csvWriter struct {
	w    *csv.Writer
	cols []Column
	buf  []string
}

func newCSV(w io.Writer, cols []Column) (*csvWriter, error) {
	// The byte-order mark tells Excel the file is UTF-8; without it Vietnamese is mangled.
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	c := &csvWriter{w: cw, cols: cols, buf: make([]string, len(cols))}
	for i, col := range cols {
		c.buf[i] = Neutralize(col.Header)
	}
	if err := cw.Write(c.buf); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *csvWriter) Row(values []string) error {
	for i := range c.cols {
		v := ""
		if i < len(values) {
			v = values[i]
		}
		if c.cols[i].Text && digits.MatchString(v) {
			// Excel keeps ="0912345678" as the text 0912345678, leading zero and all.
			v = `="` + v + `"`
		} else {
			v = Neutralize(v)
		}
		c.buf[i] = v
	}
	return c.w.Write(c.buf)
}

// Flush pushes buffered rows to the underlying writer, so a long export reaches the client
// page by page.
func (c *csvWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

func (c *csvWriter) Close() error { return c.Flush() }

type xlsxWriter struct {
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	cols []Column
	row  int
	buf  []any
}

const sheet = "Sheet1"

func newXLSX(w io.Writer, cols []Column) (*xlsxWriter, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("xlsx stream: %w", err)
	}
	x := &xlsxWriter{out: w, f: f, sw: sw, cols: cols, buf: make([]any, len(cols))}
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Header
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("xlsx panes: %w", err)
	}
	if err := x.Row(header); err != nil {
		_ = f.Close()
		return nil, err
	}
	return x, nil
}

// Row writes every value as a string cell: a string cell is never evaluated and keeps leading
// zeros, so only the apostrophe rule is applied for people who copy cells elsewhere. Only a
// Number column's value that parses as a number becomes a numeric cell.
func (x *xlsxWriter) Row(values []string) error {
	x.row++
	for i := range x.buf {
		v := ""
		if i < len(values) {
			v = strings.ToValidUTF8(values[i], "\uFFFD")
		}
		if x.cols[i].Number && x.row > 1 {
			if n, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(n, 0) && !math.IsNaN(n) {
				x.buf[i] = excelize.Cell{Value: n}
				continue
			}
		}
		x.buf[i] = excelize.Cell{Value: Neutralize(v)}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	if err := x.sw.SetRow(cell, x.buf); err != nil {
		return fmt.Errorf("xlsx row %d: %w", x.row, err)
	}
	return nil
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("xlsx flush: %w", err)
	}
	if _, err := x.f.WriteTo(x.out); err != nil {
		return fmt.Errorf("xlsx write: %w", err)
	}
	return nil
}

// Negotiate picks the format from ?format= (which wins) or the Accept header; ok is false
// when JSON was asked for or nothing said otherwise. A format it does not know is an error.
func Negotiate(query, accept string) (f Format, ok bool, err error) {
	switch strings.ToLower(strings.TrimSpace(query)) {
	case "":
	case "json":
		return "", false, nil
	case "csv":
		return CSV, true, nil
	case "xlsx":
		return XLSX, true, nil
	default:
		return "", false, fmt.Errorf("format must be json, csv or xlsx, not %q", query)
	}
	for _, part := range strings.Split(accept, ",") {
		mt := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch mt {
		case "text/csv":
			return CSV, true, nil
		case XLSX.ContentType():
			return XLSX, true, nil
		case "application/json", "application/problem+json", "*/*":
			return "", false, nil
		}
	}
	return "", false, nil
}
