package api

import (
	"strconv"

	"github.com/dannguyen/dannguyen/internal/export"
	"github.com/dannguyen/dannguyen/models"
)

// receptionColumns lay the reception table out as figure and count, one figure a row, the
// way the reception part of the periodic report reads (domain.md §9 item 1).
var receptionColumns = []export.Column{{Header: "Chỉ tiêu"}, {Header: "Số lượt / số người", Number: true}}

var receptionTypeLabels = map[string]string{"regular": "tiếp thường xuyên", "periodic": "lãnh đạo tiếp định kỳ",
	"ad_hoc": "lãnh đạo tiếp đột xuất", "deputy": "đại biểu Quốc hội tiếp", "online": "tiếp trực tuyến"}

var receptionOutcomeLabels = map[string]string{"guided_oral": "hướng dẫn trực tiếp", "guided_written": "hướng dẫn bằng văn bản",
	"letter_created": "tiếp nhận đơn", "forwarded": "chuyển đơn", "refused": "từ chối tiếp"}

func receptionRecords(r models.ReceptionStats) [][]string {
	row := func(label string, n int) []string { return []string{label, strconv.Itoa(n)} }
	out := [][]string{
		row("Số lượt tiếp", r.Visits), row("Số người", r.People),
		row("Số vụ việc", r.Matters.Total), row("Vụ việc mới", r.Matters.New), row("Vụ việc cũ", r.Matters.Repeat),
		row("Lượt tiếp lặp lại", r.RepeatVisits),
		row("Đoàn đông người: số đoàn", r.Groups.Visits), row("Đoàn đông người: số người", r.Groups.People),
	}
	for _, t := range models.ReceptionTypes {
		c := r.ByReceiverType[t]
		out = append(out, row("Theo hình thức – "+receptionTypeLabels[t]+": số lượt", c.Visits),
			row("Theo hình thức – "+receptionTypeLabels[t]+": số người", c.People))
	}
	for _, o := range models.ReceptionOutcomes {
		out = append(out, row("Kết quả – "+receptionOutcomeLabels[o], r.ByOutcome[o]))
	}
	return append(out, row("Đơn tiếp nhận qua tiếp công dân", r.LettersCreated),
		row("Thông báo từ chối bằng văn bản: phải gửi", r.RefusalNotices.Required),
		row("Thông báo từ chối bằng văn bản: đã gửi", r.RefusalNotices.Sent),
		row("Thông báo từ chối bằng văn bản: gửi trễ", r.RefusalNotices.SentLate),
		row("Thông báo từ chối bằng văn bản: quá hạn chưa gửi", r.RefusalNotices.OverdueOpen))
}
