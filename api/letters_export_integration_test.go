package api_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dannguyen/dannguyen/internal/testenv"
)

// Exports of the letters list: the same filtered rows as JSON, as CSV that Excel opens with
// Vietnamese intact (BOM), formulas neutralised and ID and phone numbers kept as text, and as
// XLSX; a confidential letter shows only its pseudonym.
func TestLettersExportCSVAndXLSX(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	today := time.Now().Format("2006-01-02")
	plain := letterBody(today)
	plain["senders"] = []map[string]any{{"full_name": "Nguyễn Văn Đức", "address": "Hà Nội", "id_number": "001203004567", "phone": "0912345678"}}
	plain["subject"] = "=HYPERLINK(\"http://evil\",\"bấm vào đây\")"
	p := createLetter(t, s, plain)
	createLetter(t, s, letterBody(today))
	d := createLetter(t, s, denunciationBody(today))
	other := letterBody(today)
	other["received_on"] = "2026-01-05"
	createLetter(t, s, other)

	list := testenv.Do(t, "GET", s.URL+"/v1/letters?received_from="+today, nil).Map(t)
	want := len(list["items"].([]any))
	require.Equal(t, 3, want)

	res := testenv.Do(t, "GET", s.URL+"/v1/letters?received_from="+today+"&format=csv", nil)
	require.Equal(t, 200, res.Status, res.String())
	require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	require.Contains(t, res.Header.Get("Content-Disposition"), ".csv")
	require.True(t, bytes.HasPrefix(res.Body, []byte("\xEF\xBB\xBF")), "UTF-8 BOM")
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\xEF\xBB\xBF")))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, want+1, "a header and one row per listed letter, across pages")
	require.Equal(t, "Số đơn", recs[0][0])
	byID := map[string][]string{}
	for _, r := range recs[1:] {
		byID[r[len(r)-1]] = r
	}
	pr := byID[p["id"].(string)]
	require.NotNil(t, pr)
	require.Equal(t, `="0912345678"`, pr[8], "phone kept as text")
	require.Equal(t, `="001203004567"`, pr[9], "ID number kept as text")
	require.True(t, strings.HasPrefix(pr[10], "'="), "formula neutralised: %q", pr[10])
	dr := byID[d["id"].(string)]
	require.Regexp(t, `^Người tố cáo #`, dr[7])
	require.Empty(t, dr[8])
	require.Empty(t, dr[9])
	require.NotContains(t, res.String(), canaryID)
	require.NotContains(t, res.String(), "Canary")

	x := testenv.Do(t, "GET", s.URL+"/v1/letters?received_from="+today, nil,
		"Accept", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	require.Equal(t, 200, x.Status, x.String())
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("Sheet1")
	require.NoError(t, err)
	require.Len(t, rows, want+1)
	found := false
	for _, r := range rows[1:] {
		if r[len(r)-1] == p["id"] {
			found = true
			require.Equal(t, "001203004567", r[9])
			require.Equal(t, "0912345678", r[8])
		}
	}
	require.True(t, found)

	bad := testenv.Do(t, "GET", s.URL+"/v1/letters?format=pdf", nil)
	require.Equal(t, 422, bad.Status)
	require.Equal(t, "application/problem+json", bad.Header.Get("Content-Type"))
	require.Contains(t, bad.String(), `"field":"format"`)

	audit := testenv.Do(t, "GET", s.URL+"/v1/audit?action=letters.export", nil,
		"Authorization", "Bearer "+testenv.Token(t, "aud-1", "ubdngs", "auditor"))
	require.Equal(t, 200, audit.Status, audit.String())
	require.GreaterOrEqual(t, strings.Count(audit.String(), `"letters.export"`), 2, "each export is audited")
}
