package enginebench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// API is the product's HTTP face as the benchmark drives it.
type API struct {
	Base         string
	OfficerToken string // receiving + handling officer of the body the letters go to
	AdminToken   string // changes the calendar
	HTTP         *http.Client

	mu     sync.Mutex
	phases map[string]map[string][]time.Duration // request kind → Server-Timing phase → samples
}

// notePhases keeps the Server-Timing phases of one answer (checks, workflow, view).
func (a *API) notePhases(kind, header string) {
	if header == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.phases == nil {
		a.phases = map[string]map[string][]time.Duration{}
	}
	if a.phases[kind] == nil {
		a.phases[kind] = map[string][]time.Duration{}
	}
	for _, part := range strings.Split(header, ",") {
		name, dur, ok := strings.Cut(strings.TrimSpace(part), ";dur=")
		if ms, err := strconv.ParseFloat(dur, 64); ok && err == nil {
			a.phases[kind][name] = append(a.phases[kind][name], time.Duration(ms*float64(time.Millisecond)))
		}
	}
}

// Phases returns the p50 and p99 of each Server-Timing phase seen for kind ("intake",
// "action") since the last call, in the order the API reports them, and forgets them.
func (a *API) Phases(kind string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, name := range []string{"checks", "workflow", "view"} {
		l := Latencies(a.phases[kind][name])
		if len(l) == 0 {
			continue
		}
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		out = append(out, fmt.Sprintf("%s %s/%s", name, ms(l.Pct(50)), ms(l.Pct(99))))
	}
	delete(a.phases, kind)
	return strings.Join(out, ", ")
}

func (a *API) do(ctx context.Context, kind, method, path, token string, body any, key string) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.Base, "/")+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := a.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a.notePhases(kind, res.Header.Get("Server-Timing"))
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return res.StatusCode, m, nil
}

// letterBody is a letter received on day: a recommendation, so its processing clock (10
// working days) keeps a timer running while it stays open. Subject, content and respondent
// are drawn (by i) from a few dozen matters, places and bodies, so the letters differ the way
// an office's mail does; only letters of the same matter, place and body look alike.
func letterBody(day string, i int) map[string]any {
	m := matters[i%len(matters)]
	place := places[(i/len(matters))%len(places)]
	resp := respondents[(i/7)%len(respondents)]
	return map[string]any{
		"kind": "recommendation", "channel": "post", "received_on": day, "body_id": "ubdngs",
		"senders":    []map[string]any{{"full_name": fmt.Sprintf("Công dân thử tải %d", i), "address": place}},
		"subject":    fmt.Sprintf("%s tại %s", m[0], place),
		"content":    fmt.Sprintf("%s Hộ gia đình số %d, %s.", m[1], i, place),
		"respondent": resp,
	}
}

var matters = [][2]string{
	{"Đề nghị sửa chữa đường liên xã", "Tuyến đường liên xã xuống cấp nghiêm trọng, mùa mưa ngập sâu, học sinh đi lại khó khăn."},
	{"Phản ánh chậm cấp giấy chứng nhận quyền sử dụng đất", "Hồ sơ nộp từ hai năm trước đến nay chưa được cấp giấy chứng nhận, không được trả lời lý do."},
	{"Kiến nghị về mức bồi thường khi thu hồi đất", "Đơn giá bồi thường thấp hơn giá thị trường nhiều lần, người dân không đồng ý nhận tiền."},
	{"Phản ánh ô nhiễm từ cơ sở chăn nuôi", "Trại lợn xả nước thải chưa xử lý ra kênh, mùi hôi ảnh hưởng hàng trăm hộ dân."},
	{"Đề nghị giải quyết chế độ người có công", "Gia đình đã nộp đủ giấy tờ xác nhận liệt sĩ nhưng chưa được hưởng trợ cấp."},
	{"Kiến nghị về tiền điện tăng bất thường", "Hóa đơn tiền điện tháng này tăng gấp ba tháng trước dù mức sử dụng không đổi."},
	{"Phản ánh việc xây dựng trái phép lấn chiếm hành lang giao thông", "Một hộ kinh doanh xây dựng mái che lấn ra lòng đường, chính quyền chưa xử lý."},
	{"Đề nghị hỗ trợ học phí cho con em hộ nghèo", "Nhà trường vẫn thu đủ học phí của học sinh thuộc hộ nghèo đã được xác nhận."},
	{"Kiến nghị về chất lượng nước sinh hoạt", "Nước máy có màu vàng và cặn, người dân phải mua nước đóng bình để nấu ăn."},
	{"Phản ánh chậm chi trả bảo hiểm xã hội một lần", "Người lao động nghỉ việc đã quá thời hạn nhưng chưa nhận được tiền bảo hiểm xã hội."},
	{"Đề nghị lắp đặt đèn chiếu sáng công cộng", "Đoạn đường qua khu dân cư không có đèn, đã xảy ra nhiều vụ tai nạn vào ban đêm."},
	{"Kiến nghị về giá thu gom rác thải", "Mức thu phí vệ sinh tăng nhưng rác vẫn không được thu gom đúng lịch."},
	{"Phản ánh tình trạng khai thác cát trái phép", "Tàu hút cát hoạt động ban đêm gây sạt lở bờ sông, đe dọa nhà cửa ven sông."},
	{"Đề nghị xem xét lại quyết định xử phạt vi phạm hành chính", "Mức phạt không đúng với hành vi, biên bản lập không có chữ ký của người vi phạm."},
	{"Kiến nghị bố trí tái định cư", "Các hộ bị thu hồi đất ở chưa được bố trí đất tái định cư theo cam kết của dự án."},
	{"Phản ánh việc thu các khoản đóng góp ngoài quy định ở trường học", "Ban đại diện cha mẹ học sinh thu nhiều khoản không có trong danh mục được phép."},
}

var places = []string{"xã Phú Lộc", "phường Hòa Khánh", "xã Tân Hiệp", "phường Linh Trung", "xã Yên Sở", "phường Cẩm Phả", "xã Đại Đồng", "thị trấn Nam Sách"}

var respondents = []string{"UBND xã", "UBND phường", "Sở Tài nguyên và Môi trường", "Điện lực tỉnh", "Bảo hiểm xã hội tỉnh", "Sở Giáo dục và Đào tạo", "Công ty cấp nước", "Sở Giao thông vận tải", "Ban quản lý dự án"}

// RunIntake registers n letters through POST /v1/letters, c at a time; each call returns when
// the letter's row is stored (the intake Update answers after the first snapshot). It returns
// the letters' ids too.
func (a *API) RunIntake(ctx context.Context, day string, n, c int) (Throughput, []string) {
	ids := make([]string, n)
	prefix := "bench-" + uuid.NewString()[:8]
	t := parallel(n, c, func(i int) error {
		status, m, err := a.do(ctx, "intake", "POST", "/v1/letters", a.OfficerToken, letterBody(day, i), fmt.Sprintf("%s-%d", prefix, i))
		if err != nil {
			return err
		}
		if status != http.StatusCreated {
			return fmt.Errorf("intake answered %d: %v", status, m["detail"])
		}
		ids[i], _ = m["id"].(string)
		return nil
	})
	return t, ids
}

// RunActions sends one officer action (assign) to each letter, one at a time, and times the
// round trip through the API and the workflow's Update.
func (a *API) RunActions(ctx context.Context, ids []string) Throughput {
	return parallel(len(ids), 1, func(i int) error { return a.action(ctx, ids[i], i) })
}

func (a *API) action(ctx context.Context, id string, i int) error {
	status, m, err := a.do(ctx, "action", "POST", "/v1/letters/"+id+"/assign", a.OfficerToken, map[string]any{"assignee": "bench-" + strconv.Itoa(i%7)}, "")
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("assign answered %d: %v", status, m["detail"])
	}
	return nil
}

// Recompute is one calendar change over the open letters.
type Recompute struct {
	Day                             string
	Signalled, Expected, Recomputed int
	Took                            time.Duration
}

// RunRecompute declares day a holiday through the API and follows the change until every
// signalled letter has recomputed; then withdraws it the same way.
func (a *API) RunRecompute(ctx context.Context, day string) ([2]Recompute, error) {
	var out [2]Recompute
	for i, method := range []string{"PUT", "DELETE"} {
		var body any
		if method == "PUT" {
			body = map[string]any{"name": "Nghỉ thử tải (bench)", "kind": "holiday"}
		}
		start := time.Now()
		status, m, err := a.do(ctx, "calendar", method, "/v1/calendar/holidays/"+day, a.AdminToken, body, "")
		if err != nil {
			return out, err
		}
		if status != http.StatusOK && status != http.StatusAccepted {
			return out, fmt.Errorf("%s holiday %s answered %d: %v", method, day, status, m["detail"])
		}
		// Until the fan-out has ended and every letter it expected to move has recorded it.
		for limit := time.Now().Add(10 * time.Minute); (m["recompute"] == "running" || m["recompute_complete"] == false) && time.Now().Before(limit); {
			links, _ := m["links"].(map[string]any)
			loc, _ := links["change"].(string)
			time.Sleep(250 * time.Millisecond)
			if _, m, err = a.do(ctx, "calendar", "GET", loc, a.AdminToken, nil, ""); err != nil {
				return out, err
			}
		}
		num := func(k string) int { f, _ := m[k].(float64); return int(f) }
		out[i] = Recompute{Day: day, Signalled: num("cases_signalled"), Expected: num("cases_expected"), Recomputed: num("cases_recomputed"), Took: time.Since(start)}
	}
	return out, nil
}

// RSS reads a process's resident set size in bytes from /proc.
func RSS(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}
