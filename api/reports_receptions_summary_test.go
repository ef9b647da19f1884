package api_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

// The summary report carries the reception table of the same period next to the letters'
// one: the same figures as the reception statistics, scoped to the caller's body for a head,
// and exported on its own with table=receptions.
func TestSummaryReportHasTheReceptionTable(t *testing.T) {
	s := testenv.NewStack(t)
	createVisit(t, s, visitBody("2026-02-09", "letter_created", nil))
	createVisit(t, s, visitBody("2026-02-10", "guided_oral", map[string]any{"people_count": 7, "guidance": "Hướng dẫn gửi đơn",
		"representatives": []map[string]any{{"full_name": "Trần Thị Lan", "id_number": "001185012345", "address": "Hà Nội"}}}))
	createVisit(t, s, visitBody("2026-03-02", "guided_oral", map[string]any{"guidance": "Hướng dẫn"})) // outside the period

	sum := getJSON(t, s, "/v1/reports/summary?from=2026-02-01&to=2026-02-28")
	rec := sum["receptions"].(map[string]any)
	alone := getJSON(t, s, "/v1/reports/receptions?from=2026-02-01&to=2026-02-28")
	require.EqualValues(t, 2, rec["visits"])
	require.EqualValues(t, 8, rec["people"])
	require.EqualValues(t, 1, rec["groups"].(map[string]any)["visits"])
	require.EqualValues(t, 1, rec["letters_created"])
	for _, k := range []string{"visits", "people", "letters_created", "matters", "by_outcome", "by_receiver_type"} {
		require.Equal(t, alone[k], rec[k], k)
	}

	// A head of another body reads its own body's table: nothing of ubdngs's visits.
	head := "Bearer " + testenv.Token(t, "head-x", "bo-tai-chinh", policy.Head)
	other := getJSON(t, s, "/v1/reports/summary?from=2026-02-01&to=2026-02-28", "Authorization", head)
	require.EqualValues(t, 0, other["receptions"].(map[string]any)["visits"])

	res := testenv.Do(t, "GET", s.URL+"/v1/reports/summary?from=2026-02-01&to=2026-02-28&table=receptions&format=csv", nil)
	require.Equal(t, 200, res.Status, res.String())
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\ufeff")))).ReadAll()
	require.NoError(t, err)
	figures := map[string]string{}
	for _, r := range rows[1:] {
		figures[r[0]] = r[1]
	}
	require.Equal(t, "2", figures["Số lượt tiếp"])
	require.Equal(t, "8", figures["Số người"])
	require.Equal(t, "1", figures["Kết quả – tiếp nhận đơn"])
}
