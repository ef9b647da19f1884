package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"sort"
	"strings"
	"time"
)

// labels are the dashboard's words, Vietnamese first; a key missing in English falls back
// to Vietnamese, a key missing in both shows itself (so a gap is visible, not blank).
var labels = map[string]map[string]string{
	"vi": {
		"app":               "Dân Nguyện",
		"tagline":           "Bảng điều khiển giám sát",
		"nav.overview":      "Tổng quan",
		"nav.overdue":       "Đơn thư quá hạn",
		"logout":            "Đăng xuất",
		"login":             "Đăng nhập",
		"login.token":       "Mã truy cập (token)",
		"login.hint":        "Dán mã truy cập do quản trị viên cấp (lệnh make run in ra mã thử nghiệm cho từng vai trò).",
		"login.error":       "Mã truy cập không hợp lệ hoặc đã hết hạn.",
		"signed_as":         "Người dùng",
		"open":              "Đơn thư đang xử lý",
		"overdue":           "Quá hạn",
		"at_risk":           "Sắp đến hạn (≤ 3 ngày làm việc)",
		"by_status_body":    "Đơn thư đang xử lý theo trạng thái và cơ quan",
		"body":              "Cơ quan",
		"total":             "Tổng",
		"per_week":          "Đơn thư nhận và kết thúc theo tuần",
		"received":          "Đã nhận",
		"closed":            "Đã kết thúc",
		"oldest_overdue":    "Đơn thư quá hạn lâu nhất",
		"none":              "Không có",
		"number":            "Số",
		"subject":           "Nội dung tóm tắt",
		"kind":              "Loại đơn",
		"status":            "Trạng thái",
		"due":               "Hạn",
		"days_late":         "Số ngày quá hạn",
		"received_on":       "Ngày nhận",
		"sender":            "Người gửi",
		"filters":           "Bộ lọc",
		"any":               "Tất cả",
		"assignee":          "Người xử lý",
		"due_before":        "Hạn trước ngày",
		"due_within_days":   "Đến hạn trong (ngày làm việc)",
		"received_from":     "Nhận từ ngày",
		"received_to":       "Nhận đến ngày",
		"search":            "Tìm kiếm",
		"sort":              "Sắp xếp",
		"sort.due_at":       "Theo hạn",
		"sort.-received_on": "Mới nhận trước",
		"sort.received_on":  "Nhận sớm trước",
		"per_page":          "Số dòng mỗi trang",
		"apply":             "Lọc",
		"reset":             "Xóa bộ lọc",
		"download_csv":      "Tải CSV",
		"download_xlsx":     "Tải Excel (XLSX)",
		"next_page":         "Trang sau →",
		"first_page":        "← Trang đầu",
		"invalid_filters":   "Bộ lọc không hợp lệ",
		"letter":            "Đơn thư",
		"respondent":        "Người bị khiếu nại, tố cáo",
		"channel":           "Nguồn đơn",
		"held_by":           "Cơ quan đang giữ",
		"received_by":       "Cơ quan tiếp nhận",
		"content":           "Nội dung",
		"clocks":            "Thời hạn",
		"clock":             "Thời hạn",
		"rule":              "Quy tắc",
		"start":             "Bắt đầu",
		"met_on":            "Hoàn thành ngày",
		"late":              "trễ hạn",
		"legal_basis":       "Căn cứ pháp lý",
		"proof":             "Cách tính",
		"timeline":          "Diễn biến",
		"at":                "Thời điểm",
		"event":             "Sự kiện",
		"actor":             "Người thực hiện",
		"details":           "Chi tiết",
		"temporal":          "Xem quy trình trên Temporal UI",
		"protected":         "Danh tính người tố cáo được bảo vệ; chỉ hiển thị bí danh.",
		"reveal":            "Xem danh tính",
		"reveal.reason":     "Lý do (được ghi vào nhật ký kiểm toán)",
		"identity":          "Danh tính người gửi",
		"identity.audited":  "Lần xem này đã được ghi vào nhật ký kiểm toán.",
		"back":              "← Quay lại đơn thư",
		"counted":           "tính",
		"skipped":           "không tính",
		"day":               "Ngày",
		"step":              "Diễn giải",
		"error":             "Không thể hiển thị trang",
		"error.401":         "Cần đăng nhập.",
		"error.403":         "Vai trò của bạn không được xem trang này.",
		"error.404":         "Không tìm thấy.",
		"error.422":         "Dữ liệu không hợp lệ.",
		"yes":               "Có",
		"no":                "Không",

		"status.received":          "Đã nhận",
		"status.registered":        "Đã vào sổ",
		"status.classified":        "Đã phân loại",
		"status.filed":             "Lưu đơn",
		"status.guided":            "Đã hướng dẫn",
		"status.awaiting_response": "Chờ cơ quan trả lời",
		"status.response_received": "Đã có trả lời",
		"status.watch":             "Theo dõi",
		"status.settling":          "Đang giải quyết",
		"status.closed":            "Đã kết thúc",
		"status.running":           "Đang chạy",
		"status.met":               "Đã hoàn thành",
		"status.overdue":           "Quá hạn",
		"status.stopped":           "Đã dừng",

		"kind.complaint":      "Khiếu nại",
		"kind.denunciation":   "Tố cáo",
		"kind.recommendation": "Kiến nghị",
		"kind.reflection":     "Phản ánh",
		"kind.mixed":          "Hỗn hợp",

		"channel.post":      "Bưu chính",
		"channel.in_person": "Nộp trực tiếp",
		"channel.reception": "Qua tiếp công dân",
		"channel.online":    "Trực tuyến",
		"channel.email":     "Thư điện tử",
		"channel.forwarded": "Cơ quan khác chuyển đến",
		"channel.press":     "Báo chí",

		"field.full_name": "Họ và tên",
		"field.address":   "Địa chỉ",
		"field.id_number": "Số định danh cá nhân",
		"field.phone":     "Điện thoại",
		"field.email":     "Thư điện tử",

		"clock.processing":        "Xử lý đơn",
		"clock.answer":            "Trả lời của cơ quan",
		"clock.acceptance":        "Thụ lý",
		"clock.acceptance_notice": "Thông báo thụ lý",
		"clock.initial":           "Xử lý ban đầu",
		"clock.settlement":        "Giải quyết",
		"clock.citizen_notice":    "Thông báo cho công dân",
		"clock.reception_notice":  "Thông báo kết quả tiếp công dân",
		"clock.refusal_notice":    "Thông báo từ chối tiếp",

		"event.received":          "Tiếp nhận",
		"event.registered":        "Vào sổ",
		"event.classified":        "Phân loại",
		"event.accepted":          "Thụ lý",
		"event.forwarded":         "Chuyển đơn",
		"event.guided":            "Hướng dẫn",
		"event.filed":             "Lưu đơn",
		"event.response_recorded": "Ghi nhận trả lời",
		"event.evaluated":         "Đánh giá kết quả",
		"event.extended":          "Gia hạn",
		"event.closed":            "Kết thúc",
		"event.escalated":         "Báo cáo cấp trên",
		"event.clock_started":     "Bắt đầu tính hạn",
		"event.clock_met":         "Hoàn thành đúng hạn",
		"event.clock_warning":     "Cảnh báo sắp đến hạn",
		"event.clock_overdue":     "Quá hạn",
		"event.clock_recomputed":  "Tính lại thời hạn",
		"event.clock_restarted":   "Tính lại từ đầu",

		// voters' petitions: sessions and the per-body answer table
		"nav.sessions":         "Kiến nghị cử tri",
		"sessions.title":       "Kỳ họp và kiến nghị cử tri",
		"sessions.link":        "Kết quả trả lời kiến nghị cử tri theo kỳ họp →",
		"session":              "Kỳ họp",
		"term":                 "Khóa",
		"opens_on":             "Khai mạc",
		"closes_on":            "Bế mạc",
		"next_opens_on":        "Khai mạc kỳ họp sau",
		"next_session":         "Kỳ họp tiếp theo",
		"petitions":            "Kiến nghị đã nhận",
		"carried_in":           "Kiến nghị kỳ trước chuyển sang",
		"answer_table":         "Kết quả trả lời kiến nghị theo cơ quan",
		"report.hidden":        "Vai trò của bạn không được xem bảng tổng hợp trả lời của kỳ họp này.",
		"back.session":         "← Quay lại kỳ họp",
		"col.answers":          "Trả lời",
		"col.classes":          "Phân loại trả lời",
		"col.evaluations":      "Đánh giá của cử tri",
		"forwarded":            "Đã chuyển",
		"answered":             "Đã trả lời",
		"on_time":              "Đúng hạn",
		"answered_late":        "Quá hạn",
		"unanswered":           "Chưa trả lời",
		"unanswered_overdue":   "Chưa trả lời, đã quá hạn",
		"satisfied":            "Hài lòng",
		"unsatisfied":          "Chưa hài lòng",
		"carried_over":         "Chuyển theo dõi kỳ sau",
		"class.resolved":       "Đã giải quyết",
		"class.in_progress":    "Đang giải quyết",
		"class.explained":      "Giải trình, cung cấp thông tin",
		"class.unresolved":     "Chưa giải quyết",
		"status.collecting":    "Đang diễn ra",
		"clock.pre_synthesis":  "Tổng hợp kiến nghị trước kỳ họp",
		"clock.post_synthesis": "Tổng hợp kiến nghị sau kỳ họp",
		"clock.results_report": "Báo cáo kết quả giải quyết kiến nghị",
	},
	"en": {
		"tagline":           "Supervisor dashboard",
		"nav.overview":      "Overview",
		"nav.overdue":       "Overdue letters",
		"logout":            "Log out",
		"login":             "Log in",
		"login.token":       "Access token",
		"login.hint":        "Paste the token your administrator gave you (make run prints a development token for every role).",
		"login.error":       "The token is invalid or expired.",
		"signed_as":         "Signed in as",
		"open":              "Open letters",
		"overdue":           "Overdue",
		"at_risk":           "At risk (due within 3 working days)",
		"by_status_body":    "Open letters by status and body",
		"body":              "Body",
		"total":             "Total",
		"per_week":          "Letters received and closed per week",
		"received":          "Received",
		"closed":            "Closed",
		"oldest_overdue":    "Oldest overdue letters",
		"none":              "None",
		"number":            "Number",
		"subject":           "Subject",
		"kind":              "Kind",
		"status":            "Status",
		"due":               "Due",
		"days_late":         "Days overdue",
		"received_on":       "Received on",
		"sender":            "Sender",
		"filters":           "Filters",
		"any":               "Any",
		"assignee":          "Assignee",
		"due_before":        "Due before",
		"due_within_days":   "Due within (working days)",
		"received_from":     "Received from",
		"received_to":       "Received to",
		"search":            "Search",
		"sort":              "Sort",
		"sort.due_at":       "By due date",
		"sort.-received_on": "Newest first",
		"sort.received_on":  "Oldest first",
		"per_page":          "Rows per page",
		"apply":             "Apply",
		"reset":             "Reset",
		"download_csv":      "Download CSV",
		"download_xlsx":     "Download Excel (XLSX)",
		"next_page":         "Next page →",
		"first_page":        "← First page",
		"invalid_filters":   "Invalid filters",
		"letter":            "Letter",
		"respondent":        "Respondent",
		"channel":           "Channel",
		"held_by":           "Held by",
		"received_by":       "Received by",
		"content":           "Content",
		"clocks":            "Deadlines",
		"clock":             "Deadline",
		"rule":              "Rule",
		"start":             "Start",
		"met_on":            "Met on",
		"late":              "late",
		"legal_basis":       "Legal basis",
		"proof":             "Proof",
		"timeline":          "Timeline",
		"at":                "At",
		"event":             "Event",
		"actor":             "Actor",
		"details":           "Details",
		"temporal":          "Open the workflow in the Temporal UI",
		"protected":         "The denouncer's identity is protected; only a pseudonym is shown.",
		"reveal":            "Reveal identity",
		"reveal.reason":     "Reason (written to the audit log)",
		"identity":          "Sender identity",
		"identity.audited":  "This reveal was written to the audit log.",
		"back":              "← Back to the letter",
		"counted":           "counted",
		"skipped":           "not counted",
		"day":               "Day",
		"step":              "Explanation",
		"error":             "The page cannot be shown",
		"error.401":         "Please log in.",
		"error.403":         "Your roles do not allow this page.",
		"error.404":         "Not found.",
		"error.422":         "Invalid input.",
		"yes":               "Yes",
		"no":                "No",

		"status.received":          "Received",
		"status.registered":        "Registered",
		"status.classified":        "Classified",
		"status.filed":             "Filed",
		"status.guided":            "Guided",
		"status.awaiting_response": "Awaiting response",
		"status.response_received": "Response received",
		"status.watch":             "Watched",
		"status.settling":          "Settling",
		"status.closed":            "Closed",
		"status.running":           "Running",
		"status.met":               "Met",
		"status.overdue":           "Overdue",
		"status.stopped":           "Stopped",

		"kind.complaint":      "Complaint",
		"kind.denunciation":   "Denunciation",
		"kind.recommendation": "Recommendation",
		"kind.reflection":     "Reflection",
		"kind.mixed":          "Mixed",

		"channel.post":      "Post",
		"channel.in_person": "In person",
		"channel.reception": "Citizen reception",
		"channel.online":    "Online",
		"channel.email":     "Email",
		"channel.forwarded": "Forwarded by another body",
		"channel.press":     "Press",

		"field.full_name": "Full name",
		"field.address":   "Address",
		"field.id_number": "ID number",
		"field.phone":     "Phone",
		"field.email":     "Email",

		"clock.processing":        "Processing",
		"clock.answer":            "Body's answer",
		"clock.acceptance":        "Acceptance",
		"clock.acceptance_notice": "Acceptance notice",
		"clock.initial":           "Initial processing",
		"clock.settlement":        "Settlement",
		"clock.citizen_notice":    "Citizen notice",
		"clock.reception_notice":  "Reception notice",
		"clock.refusal_notice":    "Refusal notice",

		"event.received":          "Received",
		"event.registered":        "Registered",
		"event.classified":        "Classified",
		"event.accepted":          "Accepted",
		"event.forwarded":         "Forwarded",
		"event.guided":            "Guided",
		"event.filed":             "Filed",
		"event.response_recorded": "Response recorded",
		"event.evaluated":         "Evaluated",
		"event.extended":          "Extended",
		"event.closed":            "Closed",
		"event.escalated":         "Escalated",
		"event.clock_started":     "Clock started",
		"event.clock_met":         "Clock met",
		"event.clock_warning":     "Due soon",
		"event.clock_overdue":     "Overdue",
		"event.clock_recomputed":  "Clock recomputed",
		"event.clock_restarted":   "Clock restarted",

		// voters' petitions: sessions and the per-body answer table
		"nav.sessions":         "Voters' petitions",
		"sessions.title":       "Sessions and voters' petitions",
		"sessions.link":        "Answers to voters' petitions by session →",
		"session":              "Session",
		"term":                 "Term",
		"opens_on":             "Opens",
		"closes_on":            "Closes",
		"next_opens_on":        "Next session opens",
		"next_session":         "Next session",
		"petitions":            "Petitions received",
		"carried_in":           "Carried in from earlier sessions",
		"answer_table":         "Answers by body",
		"report.hidden":        "Your roles do not show this session's answer table.",
		"back.session":         "← Back to the session",
		"col.answers":          "Answers",
		"col.classes":          "By answer class",
		"col.evaluations":      "Voters' evaluations",
		"forwarded":            "Forwarded",
		"answered":             "Answered",
		"on_time":              "On time",
		"answered_late":        "Late",
		"unanswered":           "Unanswered",
		"unanswered_overdue":   "Unanswered, past due",
		"satisfied":            "Satisfied",
		"unsatisfied":          "Not satisfied",
		"carried_over":         "Carried over",
		"class.resolved":       "Resolved",
		"class.in_progress":    "In progress",
		"class.explained":      "Explained",
		"class.unresolved":     "Unresolved",
		"status.collecting":    "Ongoing",
		"clock.pre_synthesis":  "Pre-session synthesis",
		"clock.post_synthesis": "Post-session synthesis",
		"clock.results_report": "Results report",
	},
}

func translate(lang, key string) string {
	if s, ok := labels[lang][key]; ok {
		return s
	}
	if s, ok := labels["vi"][key]; ok {
		return s
	}
	return key
}

// label translates a prefixed code ("status", "awaiting_response"), showing the code itself
// when the dashboard has no word for it.
func label(lang, prefix, code string) string {
	if s := translate(lang, prefix+"."+code); s != prefix+"."+code {
		return s
	}
	return code
}

var vnZone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return l
	}
	return time.FixedZone("ICT", 7*3600)
}()

var funcs = template.FuncMap{
	"t":     translate,
	"label": label,
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(vnZone).Format("02/01/2006 15:04")
	},
	"date": func(s string) string { // YYYY-MM-DD as the Vietnamese write it
		if d, err := time.Parse(time.DateOnly, s); err == nil {
			return d.Format("02/01/2006")
		}
		return s
	},
	"compact": func(raw json.RawMessage) string {
		if len(raw) == 0 || string(raw) == "null" || string(raw) == "{}" {
			return ""
		}
		var m map[string]any
		if json.Unmarshal(raw, &m) != nil {
			return truncate(string(raw), 300)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			b, _ := json.Marshal(m[k])
			parts = append(parts, k+": "+strings.Trim(string(b), `"`))
		}
		return truncate(strings.Join(parts, "; "), 300)
	},
	"langURL":    func(code, here string) string { return Prefix + "/lang/" + code + "?next=" + url.QueryEscape(here) },
	"pathEscape": url.PathEscape,
	"add":        func(a, b int) int { return a + b },
	"list":       func(xs ...string) []string { return xs },
	"str":        func(v any) string { return fmt.Sprint(v) },
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
