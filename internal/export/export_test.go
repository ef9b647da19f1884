package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dannguyen/dannguyen/internal/export"
)

var cols = []export.Column{{Header: "Số"}, {Header: "Người gửi"}, {Header: "CCCD", Text: true}, {Header: "Điện thoại", Text: true}}

var rows = [][]string{
	{"DN-2026-000001", "Nguyễn Văn Đức", "001203004567", "0912345678"},
	{"DN-2026-000002", "=HYPERLINK(\"http://x\",\"bấm\")", "+84912", "-1+1"},
	{"DN-2026-000003", "@SUM(A1)", "\t0123", "\r9"},
}

func TestCSVIsExcelSafe(t *testing.T) {
	var b bytes.Buffer
	w, err := export.New(&b, export.CSV, cols)
	require.NoError(t, err)
	for _, r := range rows {
		require.NoError(t, w.Row(r))
	}
	require.NoError(t, w.Close())

	out := b.String()
	require.True(t, strings.HasPrefix(out, "\uFEFF"), "UTF-8 byte-order mark first")
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"Số", "Người gửi", "CCCD", "Điện thoại"}, recs[0])
	require.Equal(t, []string{"DN-2026-000001", "Nguyễn Văn Đức", `="001203004567"`, `="0912345678"`}, recs[1])
	require.Equal(t, `'=HYPERLINK("http://x","bấm")`, recs[2][1])
	require.Equal(t, "'+84912", recs[2][2], "not digits only: neutralised, not a text literal")
	require.Equal(t, "'-1+1", recs[2][3])
	require.Equal(t, "'@SUM(A1)", recs[3][1])
	require.Equal(t, "'\t0123", recs[3][2])
	// encoding/csv in CRLF mode drops a lone carriage return; the apostrophe still leads.
	require.Equal(t, "'9", recs[3][3])
	for _, rec := range recs[1:] {
		for i, cell := range rec {
			if cols[i].Text && strings.HasPrefix(cell, `="`) {
				require.Regexp(t, `^="[0-9 .]+"$`, cell, "only digits inside a text literal")
				continue
			}
			require.NotRegexp(t, `^[=+\-@\t\r]`, cell)
			require.NotEmpty(t, cell)
		}
	}
}

func TestXLSXKeepsTextAndZeros(t *testing.T) {
	var b bytes.Buffer
	w, err := export.New(&b, export.XLSX, cols)
	require.NoError(t, err)
	for _, r := range rows {
		require.NoError(t, w.Row(r))
	}
	require.NoError(t, w.Close())

	f, err := excelize.OpenReader(&b)
	require.NoError(t, err)
	defer f.Close()
	got, err := f.GetRows("Sheet1")
	require.NoError(t, err)
	require.Len(t, got, 4)
	require.Equal(t, []string{"Số", "Người gửi", "CCCD", "Điện thoại"}, got[0])
	require.Equal(t, []string{"DN-2026-000001", "Nguyễn Văn Đức", "001203004567", "0912345678"}, got[1])
	require.Equal(t, `'=HYPERLINK("http://x","bấm")`, got[2][1])
	typ, err := f.GetCellType("Sheet1", "C2")
	require.NoError(t, err)
	require.NotEqual(t, excelize.CellTypeNumber, typ, "an ID number is a string cell")
	formula, err := f.GetCellFormula("Sheet1", "B3")
	require.NoError(t, err)
	require.Empty(t, formula, "no cell is a formula")
}

func TestNegotiate(t *testing.T) {
	for _, c := range []struct {
		query, accept string
		want          export.Format
		ok            bool
		err           bool
	}{
		{"", "", "", false, false},
		{"csv", "application/json", export.CSV, true, false},
		{"XLSX", "", export.XLSX, true, false},
		{"json", "text/csv", "", false, false},
		{"", "text/csv; charset=utf-8", export.CSV, true, false},
		{"", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.XLSX, true, false},
		{"", "application/json, text/csv", "", false, false},
		{"pdf", "", "", false, true},
	} {
		f, ok, err := export.Negotiate(c.query, c.accept)
		require.Equal(t, c.err, err != nil, "%+v", c)
		require.Equal(t, c.want, f, "%+v", c)
		require.Equal(t, c.ok, ok, "%+v", c)
	}
}

// Report counts are numeric cells in XLSX (so a spreadsheet can sum them); a value in a
// Number column that is not a number, or is a formula, stays an inert string.
func TestXLSXNumberColumns(t *testing.T) {
	var b bytes.Buffer
	w, err := export.New(&b, export.XLSX, []export.Column{{Header: "Cơ quan"}, {Header: "Quá hạn", Number: true}})
	require.NoError(t, err)
	require.NoError(t, w.Row([]string{"ubdngs", "12"}))
	require.NoError(t, w.Row([]string{"=1+2", "=1+2"}))
	require.NoError(t, w.Row([]string{"x", "33.3"}))
	require.NoError(t, w.Close())
	f, err := excelize.OpenReader(&b)
	require.NoError(t, err)
	defer f.Close()
	for cell, want := range map[string]excelize.CellType{"B2": excelize.CellTypeUnset, "B4": excelize.CellTypeUnset, "B3": excelize.CellTypeInlineString, "B1": excelize.CellTypeInlineString} {
		typ, err := f.GetCellType("Sheet1", cell)
		require.NoError(t, err)
		require.Equal(t, want, typ, cell)
	}
	v, err := f.GetCellValue("Sheet1", "B3")
	require.NoError(t, err)
	require.Equal(t, "'=1+2", v)
	v, err = f.GetCellValue("Sheet1", "B2")
	require.NoError(t, err)
	require.Equal(t, "12", v)
}
