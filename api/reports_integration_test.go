package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

type overdueGroup struct {
	BodyID   string  `json:"body_id"`
	BodyName string  `json:"body_name"`
	Assignee *string `json:"assignee"`
	Overdue  int     `json:"overdue"`
	AtRisk   int     `json:"at_risk"`
	Oldest   *struct {
		LetterID    string `json:"letter_id"`
		DueOn       string `json:"due_on"`
		DaysOverdue int    `json:"days_overdue"`
	} `json:"oldest_overdue"`
}

type overdueReport struct {
	WithinDays  int            `json:"within_days"`
	AtRiskUntil string         `json:"at_risk_until"`
	Total       overdueGroup   `json:"total"`
	ByBody      []overdueGroup `json:"by_body"`
	ByAssignee  []overdueGroup `json:"by_assignee"`
}

func getOverdue(t *testing.T, s *testenv.Stack, query string, headers ...string) overdueReport {
	t.Helper()
	res := testenv.Do(t, "GET", s.URL+"/v1/reports/overdue?"+query, nil, headers...)
	require.Equal(t, 200, res.Status, "%s: %s", query, res.String())
	var r overdueReport
	res.JSON(t, &r)
	// The total is aggregated on its own; the rows must add up to it, both ways of grouping.
	for _, rows := range [][]overdueGroup{r.ByBody, r.ByAssignee} {
		o, a := 0, 0
		for _, g := range rows {
			o, a = o+g.Overdue, a+g.AtRisk
		}
		require.Equal(t, r.Total.Overdue, o, "overdue rows add up to the total (%s)", query)
		require.Equal(t, r.Total.AtRisk, a, "at-risk rows add up to the total (%s)", query)
	}
	return r
}

// TestOverdueReport: overdue and at-risk letters per body and per assignee, the oldest overdue
// of each, at-risk counted in working days, a head's scope, and the CSV/XLSX exports.
func TestOverdueReport(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	cal, err := models.LoadCalendar(testenv.Context(t), s.DB)
	require.NoError(t, err)
	T := today()
	wd := func(n int) deadline.Date {
		r, err := deadline.Compute(cal, deadline.Request{Start: T, Days: n, Unit: deadline.WorkingDays})
		require.NoError(t, err)
		return r.DueOn
	}
	n := 0
	letter := func(body, receiving, assignee string, due deadline.Date) *workflows.LetterState {
		n++
		st := withClock(rmLetter(n, T.AddDays(-90), receiving), due)
		st.BodyID, st.Assignee = body, assignee
		if body != receiving {
			st.Hops = []workflows.Hop{{From: receiving, To: body, On: T.AddDays(-80)}}
			st.Status = workflows.StatusAwaitingResponse
		}
		persist(t, s, st)
		return st
	}
	o1 := letter("ubdngs", "ubdngs", "off-a", T.AddDays(-30))
	letter("ubdngs", "ubdngs", "", T.AddDays(-5))
	letter("ubdngs", "ubdngs", "off-a", wd(1)) // at risk
	letter("ubdngs", "ubdngs", "", wd(5))      // at risk only within 5 working days
	o5 := letter("ubnd-ha-noi", "ubdngs", "hn-1", T.AddDays(-2))
	o6 := letter("bo-tai-chinh", "bo-tai-chinh", "", T.AddDays(-60))
	closed := letter("ubdngs", "ubdngs", "", T.AddDays(-90)) // closed: never counted
	at := time.Now()
	closed.ClosedAt, closed.Status, closed.Version = &at, workflows.StatusClosed, 2
	persist(t, s, closed)
	o8 := letter("ubdngs", "ubdngs", "", wd(3)) // marked overdue by the worker, due moved later
	o8.Clocks[0].Status, o8.Version = "overdue", 2
	persist(t, s, o8)
	letter("ubdngs", "ubdngs", "off-b", T)                // due today: at risk until the day ends
	letter("ubnd-hue", "ubnd-hue", "=1+2", T.AddDays(-1)) // an assignee that looks like a formula

	r := getOverdue(t, s, "")
	require.Equal(t, 2, r.WithinDays, "LADDER_WARNING_WD's default")
	require.Equal(t, wd(2).String(), r.AtRiskUntil)
	require.Equal(t, 6, r.Total.Overdue)
	require.Equal(t, 2, r.Total.AtRisk)
	require.Equal(t, o6.ID, r.Total.Oldest.LetterID)
	require.Equal(t, 60, r.Total.Oldest.DaysOverdue)
	bodies := map[string]overdueGroup{}
	for _, g := range r.ByBody {
		bodies[g.BodyID] = g
	}
	require.Equal(t, "ubdngs", r.ByBody[0].BodyID, "the body with most overdue letters first")
	require.Equal(t, 3, bodies["ubdngs"].Overdue)
	require.Equal(t, 2, bodies["ubdngs"].AtRisk)
	require.Equal(t, o1.ID, bodies["ubdngs"].Oldest.LetterID)
	require.Equal(t, T.AddDays(-30).String(), bodies["ubdngs"].Oldest.DueOn)
	require.Equal(t, 30, bodies["ubdngs"].Oldest.DaysOverdue)
	require.Equal(t, o5.ID, bodies["ubnd-ha-noi"].Oldest.LetterID, "counted under the body holding it")
	require.NotEmpty(t, bodies["ubnd-ha-noi"].BodyName)
	require.Len(t, r.ByBody, 4)
	people := map[string]overdueGroup{}
	for _, g := range r.ByAssignee {
		people[g.BodyID+"/"+*g.Assignee] = g
	}
	require.Len(t, people, 6)
	require.Equal(t, [2]int{1, 1}, [2]int{people["ubdngs/off-a"].Overdue, people["ubdngs/off-a"].AtRisk})
	require.Equal(t, [2]int{2, 0}, [2]int{people["ubdngs/"].Overdue, people["ubdngs/"].AtRisk}, "unassigned letters")
	require.Equal(t, [2]int{0, 1}, [2]int{people["ubdngs/off-b"].Overdue, people["ubdngs/off-b"].AtRisk})
	require.Nil(t, people["ubdngs/off-b"].Oldest)

	require.Equal(t, 3, getOverdue(t, s, "within_days=5").Total.AtRisk)
	require.Equal(t, 1, getOverdue(t, s, "within_days=0").Total.AtRisk)
	only := getOverdue(t, s, "body_id=ubnd-ha-noi,bo-tai-chinh")
	require.Equal(t, 2, only.Total.Overdue)
	require.Len(t, only.ByBody, 2)

	// A head sees its own body's letters (received or held); a supervisor all; an officer none.
	head := func(body string) string { return "Bearer " + testenv.Token(t, "head-"+body, body, "head") }
	require.Equal(t, 1, getOverdue(t, s, "", "Authorization", head("bo-tai-chinh")).Total.Overdue)
	require.Equal(t, 1, getOverdue(t, s, "", "Authorization", head("ubnd-ha-noi")).Total.Overdue)
	require.Equal(t, 4, getOverdue(t, s, "", "Authorization", head("ubdngs")).Total.Overdue)
	require.Equal(t, 0, getOverdue(t, s, "body_id=bo-tai-chinh", "Authorization", head("ubdngs")).Total.Overdue)
	require.Equal(t, 6, getOverdue(t, s, "", "Authorization", "Bearer "+testenv.Token(t, "sup", "ubdngs", "supervisor")).Total.Overdue)
	require.Equal(t, 403, testenv.Do(t, "GET", s.URL+"/v1/reports/overdue", nil, "Authorization", "Bearer "+testenv.Token(t, "o", "ubdngs", "handling_officer")).Status)

	for _, q := range []string{"within_days=-1", "within_days=61", "within_days=x", "body_id=nope", "format=pdf"} {
		res := testenv.Do(t, "GET", s.URL+"/v1/reports/overdue?"+q, nil)
		require.Equal(t, 422, res.Status, "%s: %s", q, res.String())
		require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	}

	// CSV: BOM, one row per body, per assignee and the total; formulas neutralised.
	res := testenv.Do(t, "GET", s.URL+"/v1/reports/overdue?format=csv", nil)
	require.Equal(t, 200, res.Status, res.String())
	require.True(t, bytes.HasPrefix(res.Body, []byte("\xEF\xBB\xBF")))
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\xEF\xBB\xBF")))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 1+4+6+1)
	require.Equal(t, []string{"Tổng cộng", "", "", "", "6", "2"}, recs[len(recs)-1][:6])
	sum := 0
	for _, rec := range recs[1:5] {
		require.Equal(t, "Cơ quan", rec[0])
		v, err := strconv.Atoi(rec[4])
		require.NoError(t, err)
		sum += v
	}
	require.Equal(t, 6, sum, "the body rows of the file add up to its total row")
	require.Contains(t, res.String(), "'=1+2")
	require.NotContains(t, res.String(), ",=1+2")

	x := testenv.Do(t, "GET", s.URL+"/v1/reports/overdue", nil, "Accept", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	require.Equal(t, 200, x.Status, x.String())
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("Sheet1")
	require.NoError(t, err)
	require.Len(t, rows, 12)
	require.Equal(t, "6", rows[11][4])
	typ, err := f.GetCellType("Sheet1", "E12")
	require.NoError(t, err)
	require.NotEqual(t, excelize.CellTypeSharedString, typ, "counts are numbers in XLSX")
	require.NotEqual(t, excelize.CellTypeInlineString, typ, "counts are numbers in XLSX")
}

type letterCounts struct {
	BroughtForward  int            `json:"brought_forward"`
	New             int            `json:"new"`
	Total           int            `json:"total"`
	Closed          int            `json:"closed"`
	CarriedOver     int            `json:"carried_over"`
	OverdueOpen     int            `json:"overdue_open"`
	CompletedLate   int            `json:"completed_late"`
	Forwarded       int            `json:"forwarded"`
	AnswersReceived int            `json:"answers_received"`
	AnswerRate      *float64       `json:"answer_rate"`
	BySender        map[string]int `json:"by_sender"`
	ByKind          map[string]int `json:"by_kind"`
	ByField         map[string]int `json:"by_field"`
	ByEligibility   map[string]int `json:"by_eligibility"`
	ByCompetence    map[string]int `json:"by_competence"`
	ByOutcome       map[string]int `json:"by_outcome"`
}

type summaryRow struct {
	BodyID   string `json:"body_id"`
	BodyName string `json:"body_name"`
	letterCounts
}

type summaryReport struct {
	CutOff  string `json:"cut_off"`
	Letters struct {
		Rows  []summaryRow `json:"rows"`
		Total letterCounts `json:"total"`
	} `json:"letters"`
}

func (c letterCounts) scalars() []int {
	return []int{c.BroughtForward, c.New, c.Total, c.Closed, c.CarriedOver, c.OverdueOpen, c.CompletedLate, c.Forwarded, c.AnswersReceived}
}

func (c letterCounts) breakdowns() map[string]map[string]int {
	return map[string]map[string]int{"sender": c.BySender, "kind": c.ByKind, "field": c.ByField,
		"eligibility": c.ByEligibility, "competence": c.ByCompetence, "outcome": c.ByOutcome}
}

// checkSums asserts what holds for any summary: within a row, brought forward + new = total =
// closed + carried over and every breakdown adds up to the total; across rows, every figure of
// the rows adds up to the independently aggregated total.
func checkSums(t *testing.T, r summaryReport) {
	t.Helper()
	all := append([]letterCounts{r.Letters.Total}, func() []letterCounts {
		var out []letterCounts
		for _, row := range r.Letters.Rows {
			out = append(out, row.letterCounts)
		}
		return out
	}()...)
	for _, c := range all {
		require.Equal(t, c.Total, c.BroughtForward+c.New)
		require.Equal(t, c.Total, c.Closed+c.CarriedOver)
		for name, m := range c.breakdowns() {
			sum := 0
			for _, v := range m {
				sum += v
			}
			require.Equal(t, c.Total, sum, "by_%s adds up to the total", name)
		}
	}
	sums := make([]int, len(r.Letters.Total.scalars()))
	parts := map[string]map[string]int{}
	for _, row := range r.Letters.Rows {
		for i, v := range row.scalars() {
			sums[i] += v
		}
		for name, m := range row.breakdowns() {
			if parts[name] == nil {
				parts[name] = map[string]int{}
			}
			for k, v := range m {
				parts[name][k] += v
			}
		}
	}
	require.Equal(t, r.Letters.Total.scalars(), sums, "the rows add up to the total")
	for name, m := range r.Letters.Total.breakdowns() {
		for k, v := range m {
			require.Equal(t, v, parts[name][k], "by_%s[%s]: rows add up to the total", name, k)
		}
	}
}

func getSummary(t *testing.T, s *testenv.Stack, query string, headers ...string) (summaryReport, map[string]letterCounts) {
	t.Helper()
	res := testenv.Do(t, "GET", s.URL+"/v1/reports/summary?"+query, nil, headers...)
	require.Equal(t, 200, res.Status, "%s: %s", query, res.String())
	var r summaryReport
	res.JSON(t, &r)
	checkSums(t, r)
	rows := map[string]letterCounts{}
	for _, row := range r.Letters.Rows {
		rows[row.BodyID] = row.letterCounts
	}
	return r, rows
}

// TestSummaryReport drives letters through the real workflow with dated actions and checks
// the letters table of two months: brought forward and new, closure, overdue open at the
// cut-off, completed late, forwarding and answers, the breakdowns, and a letter transferred
// twice counted once, under the body holding it at each cut-off.
func TestSummaryReport(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	mk := func(received string, edit func(map[string]any)) string {
		b := letterBody(received)
		if edit != nil {
			edit(b)
		}
		return createLetter(t, s, b)["id"].(string)
	}
	classify := func(id, on string) {
		act(t, s, id, "classify", map[string]any{"kind": "complaint", "field": "administrative", "eligible": true, "competent": false, "on": on}, 200)
	}
	// L1: received in January, forwarded to Hà Nội on 20 Jan, then to the Ministry of Finance on 10 Feb.
	l1 := mk("2026-01-05", nil)
	classify(l1, "2026-01-06")
	act(t, s, l1, "forward", map[string]any{"to_body_id": "ubnd-ha-noi", "on": "2026-01-20"}, 200)
	act(t, s, l1, "forward", map[string]any{"to_body_id": "bo-tai-chinh", "on": "2026-02-10"}, 200)
	// L2: guided and closed in January.
	l2 := mk("2026-01-10", nil)
	classify(l2, "2026-01-12")
	act(t, s, l2, "guide", map[string]any{"text": "Gửi UBND cấp xã", "on": "2026-01-15"}, 200)
	act(t, s, l2, "close", map[string]any{"on": "2026-01-16"}, 200)
	// L3: new in February, filed, closed in March.
	l3 := mk("2026-02-03", nil)
	classify(l3, "2026-02-04")
	act(t, s, l3, "file", map[string]any{"reason": "lưu theo dõi", "on": "2026-02-05"}, 200)
	act(t, s, l3, "close", map[string]any{"on": "2026-03-05"}, 200)
	// L4: a recommendation nobody acted on, due 2026-03-05 (T26).
	mk("2026-02-12", func(b map[string]any) { b["kind"] = "recommendation" })
	// L5: untouched since 2 January: overdue from 17 January.
	mk("2026-01-02", nil)
	// L6: forwarded, answered, evaluated and closed in February.
	l6 := mk("2026-02-02", nil)
	classify(l6, "2026-02-03")
	act(t, s, l6, "forward", map[string]any{"to_body_id": "ubnd-ha-noi", "on": "2026-02-20"}, 200)
	act(t, s, l6, "record-response", map[string]any{"from_body_id": "ubnd-ha-noi", "outcome": "resolved", "received_on": "2026-02-25", "on": "2026-02-25"}, 200)
	act(t, s, l6, "evaluate", map[string]any{"satisfied": true, "on": "2026-02-26"}, 200)
	// L7: forwarded on 9 February, after its processing clock ran out on 19 January.
	l7 := mk("2026-01-05", nil)
	classify(l7, "2026-01-06")
	act(t, s, l7, "forward", map[string]any{"to_body_id": "ubnd-hue", "on": "2026-02-09"}, 200)
	// L8: a denunciation; L9: an anonymous recommendation.
	mk("2026-02-15", func(b map[string]any) {
		for k, v := range denunciationBody("2026-02-15") {
			b[k] = v
		}
	})
	mk("2026-02-20", func(b map[string]any) {
		b["kind"], b["anonymous"] = "recommendation", true
		delete(b, "senders")
	})

	feb, rows := getSummary(t, s, "from=2026-02-01&to=2026-02-28")
	require.Equal(t, "2026-02-28", feb.CutOff)
	tot := feb.Letters.Total
	require.Equal(t, []int{3, 5, 8, 1, 7, 1, 1, 3, 1}, tot.scalars(), "brought forward, new, total, closed, carried over, overdue open, completed late, forwarded, answered")
	require.InDelta(t, 0.333, *tot.AnswerRate, 0.0005)
	require.Equal(t, map[string]int{"complaint": 5, "recommendation": 2, "denunciation": 1, "reflection": 0, "mixed": 0, "unclassified": 0}, tot.ByKind)
	require.Equal(t, 1, tot.BySender["anonymous"])
	require.Equal(t, 7, tot.BySender["one"])
	require.Equal(t, 4, tot.ByEligibility["eligible"])
	require.Equal(t, 4, tot.ByField["administrative"])
	require.Equal(t, 4, tot.ByCompetence["not_competent"])
	require.Equal(t, map[string]int{"pending": 4, "forwarded": 2, "answered": 1, "filed": 1, "followed_up": 0, "guided": 0, "watch": 0, "settling": 0}, tot.ByOutcome)
	require.Len(t, rows, 4)
	require.Equal(t, []int{1, 0, 1, 0, 1, 0, 0, 1, 0}, rows["bo-tai-chinh"].scalars(), "L1, held by the ministry on 28 Feb")
	require.Equal(t, []int{1, 4, 5, 0, 5, 1, 0, 0, 0}, rows["ubdngs"].scalars())
	require.Equal(t, []int{0, 1, 1, 1, 0, 0, 0, 1, 1}, rows["ubnd-ha-noi"].scalars(), "L6 only: L1 left on 10 Feb")
	require.Equal(t, []int{1, 0, 1, 0, 1, 0, 1, 1, 0}, rows["ubnd-hue"].scalars())
	require.Equal(t, 1, rows["ubdngs"].ByOutcome["filed"])

	jan, rows := getSummary(t, s, "from=2026-01-01&to=2026-01-31")
	require.Equal(t, []int{0, 4, 4, 1, 3, 2, 1, 1, 0}, jan.Letters.Total.scalars())
	require.Equal(t, 1, rows["ubnd-ha-noi"].Total, "L1, held by Hà Nội on 31 Jan")
	require.Equal(t, 3, rows["ubdngs"].Total, "L7 was still here on 31 Jan")
	require.Equal(t, map[string]int{"forwarded": 1, "guided": 1, "pending": 2}, nonZero(jan.Letters.Total.ByOutcome))

	// The cut-off decides the holder to the day.
	_, rows = getSummary(t, s, "from=2026-02-01&to=2026-02-09")
	require.Equal(t, 1, rows["ubnd-ha-noi"].Total)
	require.Zero(t, rows["bo-tai-chinh"].Total)
	_, rows = getSummary(t, s, "from=2026-02-01&to=2026-02-10")
	require.Zero(t, rows["ubnd-ha-noi"].Total)
	require.Equal(t, 1, rows["bo-tai-chinh"].Total)

	// Filtered by holder, and a head's own scope.
	one, rows := getSummary(t, s, "from=2026-02-01&to=2026-02-28&body_id=ubnd-ha-noi")
	require.Len(t, rows, 1)
	require.Equal(t, 1, one.Letters.Total.Total)
	hn := "Bearer " + testenv.Token(t, "head-hn", "ubnd-ha-noi", "head")
	one, _ = getSummary(t, s, "from=2026-02-01&to=2026-02-28", "Authorization", hn)
	require.Equal(t, 1, one.Letters.Total.Total)
	// A period not over yet is read as of today.
	now, _ := getSummary(t, s, "from=2026-02-01&to="+today().AddDays(10).String())
	require.Equal(t, today().String(), now.CutOff)

	// Exports: the same table, one row per body and the total, numbers as numbers in XLSX.
	res := testenv.Do(t, "GET", s.URL+"/v1/reports/summary?from=2026-02-01&to=2026-02-28&format=csv", nil)
	require.Equal(t, 200, res.Status, res.String())
	require.True(t, bytes.HasPrefix(res.Body, []byte("\xEF\xBB\xBF")))
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\xEF\xBB\xBF")))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 1+4+1)
	require.Equal(t, "Tổng số", recs[0][4])
	last := recs[len(recs)-1]
	require.Equal(t, "TỔNG CỘNG", last[1])
	for col := 2; col < len(last); col++ {
		if col == 11 { // the answer rate is a ratio, not a sum
			require.Equal(t, "33.3", last[col])
			continue
		}
		sum := 0
		for _, rec := range recs[1:5] {
			v, err := strconv.Atoi(rec[col])
			require.NoError(t, err, "%s: %q", recs[0][col], rec[col])
			sum += v
		}
		require.Equal(t, last[col], strconv.Itoa(sum), "column %q adds up to the total row", recs[0][col])
	}
	x := testenv.Do(t, "GET", s.URL+"/v1/reports/summary?from=2026-02-01&to=2026-02-28&format=xlsx", nil)
	require.Equal(t, 200, x.Status)
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	require.NoError(t, err)
	defer f.Close()
	v, err := f.GetCellValue("Sheet1", "E6")
	require.NoError(t, err)
	require.Equal(t, "8", v)

	// Every bad parameter is named.
	for q, fields := range map[string][]string{
		"":                              {"from", "to"},
		"from=2026-02-30&to=x":          {"from", "to"},
		"from=2026-03-01&to=2026-02-01": {"to"},
		"from=2020-01-01&to=2026-01-01": {"to"},
		"from=" + today().AddDays(1).String() + "&to=" + today().AddDays(2).String(): {"from"},
		"from=2026-02-01&to=2026-02-28&body_id=nope":                                 {"body_id"},
		"from=2026-02-01&to=2026-02-28&table=visits&format=pdf":                      {"table", "format"},
	} {
		res := testenv.Do(t, "GET", s.URL+"/v1/reports/summary?"+q, nil)
		require.Equal(t, 422, res.Status, "%s: %s", q, res.String())
		var p struct{ Errors []struct{ Field string } }
		require.NoError(t, json.Unmarshal(res.Body, &p))
		var got []string
		for _, e := range p.Errors {
			got = append(got, e.Field)
		}
		require.Equal(t, fields, got, q)
	}
	require.Equal(t, 403, testenv.Do(t, "GET", s.URL+"/v1/reports/summary?from=2026-02-01&to=2026-02-28", nil,
		"Authorization", "Bearer "+testenv.Token(t, "a", "ubnd-ha-noi", "agency")).Status)
}

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}
