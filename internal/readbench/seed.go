// Package readbench measures the read side (lists, search) on a database seeded with 100 k to
// 1 M letters: `dannguyen bench reads`. Rows are generated in PostgreSQL with generate_series
// (a read-side benchmark needs volume, not workflows), then queried through the same store
// functions the HTTP handlers call, next to a 50-row primary-key lookup measured in the same
// run, so the figures compare like with like on whatever machine runs them.
package readbench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Shape is the distribution of the seeded letters. Every row's attributes derive from the md5
// of its sequence number, so 1 M rows are the first 100 k plus 900 k more of the same shape.
type Shape struct {
	Body        string // the body whose lists are measured
	BodyShare   int    // per mille of letters held by Body
	OpenShare   int    // per mille of letters still open
	OverdueOpen int    // per mille of open letters past their due date
}

// DefaultShape puts 30 % of the letters in one body with half of them open and 80 % of those
// overdue: a backlog deep enough for a 200-page overdue list already at 100 k letters.
var DefaultShape = Shape{Body: "ubnd-ha-noi", BodyShare: 300, OpenShare: 500, OverdueOpen: 800}

// Timings of one seeding step.
type SeedTimes struct {
	Letters, Holdings, Indexes, Analyze time.Duration
}

func (s SeedTimes) String() string {
	total := s.Letters + s.Holdings + s.Indexes + s.Analyze
	return fmt.Sprintf("%.1fs (letters %.1fs, holdings %.1fs, indexes %.1fs, analyze %.1fs)",
		total.Seconds(), s.Letters.Seconds(), s.Holdings.Seconds(), s.Indexes.Seconds(), s.Analyze.Seconds())
}

// Seed grows the letters table to n rows (rows from the current count + 1 to n). Secondary
// indexes are dropped and rebuilt around the bulk insert and the holdings trigger is off
// (the holdings are derived in one statement by the trigger's own function), which is what
// keeps 1 M rows within minutes on two cores.
func Seed(ctx context.Context, db *gorm.DB, n int, shape Shape, progress func(string)) (SeedTimes, error) {
	var t SeedTimes
	var have int64
	if err := db.WithContext(ctx).Raw("SELECT count(*) FROM letters").Scan(&have).Error; err != nil {
		return t, err
	}
	if int(have) >= n {
		return t, nil
	}
	conn := db.WithContext(ctx)
	for _, set := range []string{"SET maintenance_work_mem = '512MB'", "SET max_parallel_maintenance_workers = 2", "SET synchronous_commit = off"} {
		if err := conn.Exec(set).Error; err != nil {
			return t, err
		}
	}
	var defs []struct{ Name, Def string }
	if err := conn.Raw(`SELECT indexname AS name, indexdef AS def FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename = 'letters'
		  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'letters'::regclass)`).Scan(&defs).Error; err != nil {
		return t, err
	}
	for _, d := range defs {
		if err := conn.Exec("DROP INDEX " + d.Name).Error; err != nil {
			return t, fmt.Errorf("drop %s: %w", d.Name, err)
		}
	}
	if err := conn.Exec("ALTER TABLE letters DISABLE TRIGGER letters_holdings_insert").Error; err != nil {
		return t, err
	}
	start := time.Now()
	const batch = 100_000
	for from := int(have) + 1; from <= n; from += batch {
		to := min(from+batch-1, n)
		if err := conn.Exec(insertLetters, shape.Body, shape.Body, shape.BodyShare, shape.OpenShare, shape.OverdueOpen, from, to).Error; err != nil {
			return t, fmt.Errorf("seed letters %d-%d: %w", from, to, err)
		}
		progress(fmt.Sprintf("letters %d/%d", to, n))
	}
	t.Letters = time.Since(start)
	if err := conn.Exec("ALTER TABLE letters ENABLE TRIGGER letters_holdings_insert").Error; err != nil {
		return t, err
	}
	start = time.Now()
	if err := conn.Exec(`INSERT INTO letter_holdings
		SELECT h.* FROM letters l, LATERAL letter_holdings_of(l.id, l.receiving_body_id, l.received_on, l.detail) h
		WHERE l.number > ? ON CONFLICT DO NOTHING`, fmt.Sprintf("BN-%08d", have)).Error; err != nil {
		return t, fmt.Errorf("seed holdings: %w", err)
	}
	t.Holdings = time.Since(start)
	start = time.Now()
	for _, d := range defs {
		if err := conn.Exec(d.Def).Error; err != nil {
			return t, fmt.Errorf("rebuild %s: %w", d.Name, err)
		}
		progress("index " + d.Name)
	}
	t.Indexes = time.Since(start)
	start = time.Now()
	for _, table := range []string{"letters", "letter_holdings"} {
		if err := conn.Exec("VACUUM (ANALYZE) " + table).Error; err != nil {
			return t, err
		}
	}
	t.Analyze = time.Since(start)
	return t, nil
}

// words are the vocabulary of the generated letters: realistic Vietnamese, so search works
// on the same kind of text (diacritics, đ, multi-syllable names) as production.
var words = map[string][]string{
	"sur": {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"},
	"mid": {"Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc"},
	"giv": {"Đức", "Hoa", "Bình", "Cường", "Dũng", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vân", "Xuân", "Yến", "Long"},
	"subj": {"Khiếu nại quyết định thu hồi đất", "Khiếu nại giá bồi thường, hỗ trợ tái định cư", "Tố cáo cán bộ địa chính nhận hối lộ",
		"Kiến nghị cấp giấy chứng nhận quyền sử dụng đất", "Phản ánh ô nhiễm môi trường từ bãi rác", "Khiếu nại chế độ chính sách người có công",
		"Tố cáo sai phạm trong quản lý ngân sách", "Kiến nghị xem xét lại bản án theo thủ tục giám đốc thẩm", "Khiếu nại quyết định xử phạt vi phạm hành chính",
		"Phản ánh tranh chấp đất đai giữa các hộ dân", "Kiến nghị về quản lý vận hành nhà chung cư", "Tố cáo hành vi lừa đảo đầu tư tài chính"},
	"cont": {"Gia đình tôi không đồng ý với mức giá bồi thường.", "Đề nghị cơ quan có thẩm quyền xem xét, giải quyết dứt điểm.",
		"Việc thu hồi đất không đúng quy định của pháp luật.", "Tôi đã gửi đơn nhiều lần nhưng chưa được trả lời.",
		"Cán bộ yêu cầu nộp thêm tiền ngoài quy định.", "Khói bụi và nước thải ảnh hưởng sức khỏe người dân.",
		"Hồ sơ đã nộp đầy đủ nhưng quá hạn chưa được cấp.", "Bản án chưa xem xét đầy đủ chứng cứ do đương sự cung cấp.",
		"Đề nghị kiểm tra lại quy trình xử phạt.", "Ranh giới thửa đất bị lấn chiếm từ năm trước.",
		"Ban quản trị không công khai quỹ bảo trì.", "Nhiều người dân bị mất tiền khi tham gia góp vốn.",
		"Kèm theo đơn là các tài liệu chứng minh.", "Tôi xin cam đoan nội dung trình bày là đúng sự thật.",
		"Chính quyền địa phương chưa tổ chức đối thoại.", "Mong Quốc hội quan tâm, chỉ đạo giải quyết."},
	"resp": {"UBND xã Phú Xuân", "UBND phường Ba Đình", "Sở Nông nghiệp và Môi trường", "Chi cục Thuế khu vực", "UBND tỉnh", "Công an xã Tân Lập",
		"Tòa án nhân dân tỉnh", "Văn phòng đăng ký đất đai", "UBND phường Bến Thành", "Ban quản lý dự án", "Sở Xây dựng", "UBND xã Tân Lập"},
}

func sqlArray(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return "ARRAY[" + strings.Join(q, ",") + "]"
}

// insertLetters writes rows ?..? (args: body, body, body share, open share, overdue share of
// open, from, to). Dates are relative to today: received over the last three years; an open
// letter's running clock is past due (overdue) or due within a month.
var insertLetters = `
WITH b AS (SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS n FROM bodies WHERE id <> ?),
v AS (SELECT ` + sqlArray(words["sur"]) + ` AS sur, ` + sqlArray(words["mid"]) + ` AS mid, ` + sqlArray(words["giv"]) + ` AS giv,
             ` + sqlArray(words["subj"]) + ` AS subj, ` + sqlArray(words["cont"]) + ` AS cont, ` + sqlArray(words["resp"]) + ` AS resp),
p AS (SELECT ?::text AS body, ?::int AS body_share, ?::int AS open_share, ?::int AS overdue_share),
g AS (SELECT i, decode(md5(i::text), 'hex') AS d FROM generate_series(?::int, ?::int) AS i),
h AS (SELECT i, md5(i::text)::uuid::text AS id,
             (get_byte(d, 0) * 256 + get_byte(d, 1)) % 1000 AS h_body,
             (get_byte(d, 2) * 256 + get_byte(d, 3)) % 1000 AS h_open,
             (get_byte(d, 4) * 256 + get_byte(d, 5)) % 1000 AS h_due,
             (get_byte(d, 6) * 256 + get_byte(d, 7)) % 1000 AS h_kind,
             get_byte(d, 8) AS a, get_byte(d, 9) AS b, get_byte(d, 10) AS c, get_byte(d, 11) AS e,
             (get_byte(d, 12) * 256 + get_byte(d, 13)) % 1095 AS age,
             (get_byte(d, 14) * 256 + get_byte(d, 15)) % 1000 AS h_recv
      FROM g),
r AS (SELECT h.*,
             CASE WHEN h_body < p.body_share THEN p.body ELSE b.ids[1 + (h_body * 7 + a) % b.n] END AS body_id,
             current_date - age AS received_on,
             h_open < p.open_share AS is_open,
             h_due < p.overdue_share AS past_due,
             CASE WHEN h_kind < 510 THEN 'complaint' WHEN h_kind < 644 THEN 'denunciation' ELSE 'recommendation' END AS kind,
             v.sur[1 + a % 10] || ' ' || v.mid[1 + b % 6] || ' ' || v.giv[1 + c % 20] AS person,
             v.sur[1 + b % 10] || ' ' || v.mid[1 + c % 6] || ' ' || v.giv[1 + e % 20] AS sender
      FROM h, b, v, p),
s AS (SELECT r.*,
             CASE WHEN h_recv < 600 THEN 'ubdngs' ELSE r.body_id END AS receiving_body_id,
             CASE WHEN NOT is_open THEN r.received_on + 10
                  WHEN past_due THEN current_date - 1 - (h_due % 300)
                  ELSE current_date + (h_due % 30) END AS due_on
      FROM r)
INSERT INTO letters (id, number, version, kind, channel, status, body_id, receiving_body_id, assignee, received_on,
                     subject, content, respondent, confidential, sender_display, senders, signer_count, field, eligible,
                     competent, forwarded_to, clocks, due_at, overdue, detail, closed_at)
SELECT s.id, 'BN-' || lpad(s.i::text, 8, '0'), 1, s.kind, 'post',
       CASE WHEN NOT s.is_open THEN 'closed' WHEN s.body_id <> s.receiving_body_id THEN 'awaiting_response' ELSE 'classified' END,
       s.body_id, s.receiving_body_id, CASE WHEN s.e % 4 = 0 THEN '' ELSE 'can-bo-' || (s.e % 40) END, s.received_on,
       v.subj[1 + s.a % 12],
       v.cont[1 + s.b % 16] || ' Ông ' || s.person || ' ' || v.cont[1 + s.c % 16] || ' ' || v.cont[1 + s.e % 16],
       v.resp[1 + s.c % 12],
       s.kind = 'denunciation',
       CASE WHEN s.kind = 'denunciation' THEN 'Người tố cáo #' || upper(substr(s.id, 1, 4)) ELSE s.sender END,
       CASE WHEN s.kind = 'denunciation' THEN '[]'::jsonb
            ELSE jsonb_build_array(jsonb_build_object('full_name', s.sender, 'phone', '09' || lpad((s.i % 100000000)::text, 8, '0'))) END,
       1, CASE WHEN s.a % 5 = 0 THEN '' ELSE 'administrative' END, s.a % 5 <> 0, s.a % 5 <> 0 AND s.b % 7 = 0,
       CASE WHEN s.body_id <> s.receiving_body_id THEN s.body_id ELSE '' END,
       jsonb_build_array(jsonb_build_object('name', 'processing', 'rule_id', 'D33', 'start_on', s.received_on, 'due_on', s.due_on,
           'due_at', (s.due_on + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh',
           'status', CASE WHEN NOT s.is_open THEN 'met' WHEN s.past_due THEN 'overdue' ELSE 'running' END,
           'met_on', CASE WHEN NOT s.is_open THEN s.received_on + 8 END, 'legal_basis', 'TT05/2021')),
       CASE WHEN s.is_open THEN (s.due_on + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' END,
       s.is_open AND s.past_due,
       jsonb_build_object('created_by', 'bench', 'hops', CASE WHEN s.body_id <> s.receiving_body_id
           THEN jsonb_build_array(jsonb_build_object('from', s.receiving_body_id, 'to', s.body_id, 'on', s.received_on + 3))
           ELSE '[]'::jsonb END),
       CASE WHEN NOT s.is_open THEN (least(s.received_on + 20, current_date))::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' END
FROM s, v`
