package api

import (
	"strconv"

	"github.com/dannguyen/dannguyen/internal/export"
	"github.com/dannguyen/dannguyen/models"
)

// Report exports are for the officers who file them: Vietnamese headers, counts as numbers.

var overdueColumns = []export.Column{
	{Header: "Nhóm"}, {Header: "Mã cơ quan"}, {Header: "Tên cơ quan"}, {Header: "Người xử lý"},
	{Header: "Quá hạn", Number: true}, {Header: "Sắp đến hạn", Number: true},
	{Header: "Đơn quá hạn lâu nhất"}, {Header: "Hạn xử lý"}, {Header: "Số ngày quá hạn", Number: true},
}

func overdueRecord(group string, g models.OverdueGroup) []string {
	assignee := ""
	if g.Assignee != nil {
		assignee = *g.Assignee
		if assignee == "" {
			assignee = "(chưa phân công)"
		}
	}
	r := []string{group, g.BodyID, g.BodyName, assignee, strconv.Itoa(g.Overdue), strconv.Itoa(g.AtRisk), "", "", ""}
	if o := g.Oldest; o != nil {
		r[6], r[7], r[8] = o.Number, o.DueOn, strconv.Itoa(o.DaysOverdue)
	}
	return r
}

func overdueRecords(rep models.OverdueReport) [][]string {
	out := make([][]string, 0, len(rep.ByBody)+len(rep.ByAssignee)+1)
	for _, g := range rep.ByBody {
		out = append(out, overdueRecord("Cơ quan", g))
	}
	for _, g := range rep.ByAssignee {
		out = append(out, overdueRecord("Người xử lý", g))
	}
	return append(out, overdueRecord("Tổng cộng", rep.Total))
}

// summaryLabels name the categories of the letters table in the spreadsheet.
var summaryLabels = map[string]string{
	"one": "Một người đứng tên", "many": "Nhiều người đứng tên", "anonymous": "Nặc danh",
	"complaint": "Khiếu nại", "denunciation": "Tố cáo", "recommendation": "Kiến nghị", "reflection": "Phản ánh", "mixed": "Nhiều nội dung",
	"administrative": "Hành chính", "judicial": "Tư pháp", "party": "Đảng, đoàn thể", "corruption": "Tham nhũng", "other": "Lĩnh vực khác",
	"eligible": "Đủ điều kiện xử lý", "ineligible": "Không đủ điều kiện", "duplicate": "Đơn trùng",
	"competent": "Thuộc thẩm quyền", "not_competent": "Không thuộc thẩm quyền",
	"pending": "Chưa xử lý", "forwarded": "Chuyển đơn", "followed_up": "Đôn đốc", "answered": "Đã có trả lời",
	"guided": "Hướng dẫn", "filed": "Lưu đơn", "watch": "Theo dõi", "settling": "Tự giải quyết",
}

type summaryBreakdown struct {
	title string
	keys  []string
	of    func(models.LetterCounts) map[string]int
}

var summaryBreakdowns = []summaryBreakdown{
	{"Người gửi", models.SummarySenders, func(c models.LetterCounts) map[string]int { return c.BySender }},
	{"Loại đơn", models.SummaryKinds, func(c models.LetterCounts) map[string]int { return c.ByKind }},
	{"Lĩnh vực", models.SummaryFields, func(c models.LetterCounts) map[string]int { return c.ByField }},
	{"Điều kiện xử lý", models.SummaryEligibility, func(c models.LetterCounts) map[string]int { return c.ByEligibility }},
	{"Thẩm quyền", models.SummaryCompetence, func(c models.LetterCounts) map[string]int { return c.ByCompetence }},
	{"Kết quả xử lý", models.SummaryOutcomes, func(c models.LetterCounts) map[string]int { return c.ByOutcome }},
}

var summaryColumns = func() []export.Column {
	cols := []export.Column{{Header: "Mã cơ quan"}, {Header: "Tên cơ quan"}}
	for _, h := range []string{"Kỳ trước chuyển sang", "Tiếp nhận mới", "Tổng số", "Đã kết thúc", "Chuyển kỳ sau",
		"Quá hạn chưa giải quyết", "Hoàn thành trễ hạn", "Đã chuyển đơn", "Đã nhận trả lời", "Tỷ lệ trả lời (%)"} {
		cols = append(cols, export.Column{Header: h, Number: true})
	}
	for _, b := range summaryBreakdowns {
		for _, k := range b.keys {
			label, ok := summaryLabels[k]
			if !ok {
				label = "Chưa phân loại"
			}
			cols = append(cols, export.Column{Header: b.title + ": " + label, Number: true})
		}
	}
	return cols
}()

func summaryRecord(id, name string, c models.LetterCounts) []string {
	rate := ""
	if c.AnswerRate != nil {
		rate = strconv.FormatFloat(*c.AnswerRate*100, 'f', 1, 64)
	}
	r := []string{id, name}
	for _, n := range []int{c.BroughtForward, c.New, c.Total, c.Closed, c.CarriedOver, c.OverdueOpen, c.CompletedLate, c.Forwarded, c.AnswersReceived} {
		r = append(r, strconv.Itoa(n))
	}
	r = append(r, rate)
	for _, b := range summaryBreakdowns {
		m := b.of(c)
		for _, k := range b.keys {
			r = append(r, strconv.Itoa(m[k]))
		}
	}
	return r
}

func summaryRecords(s models.LetterSummary) [][]string {
	out := make([][]string, 0, len(s.Rows)+1)
	for _, r := range s.Rows {
		out = append(out, summaryRecord(r.BodyID, r.BodyName, r.LetterCounts))
	}
	return append(out, summaryRecord("", "TỔNG CỘNG", s.Total))
}
