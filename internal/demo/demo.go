package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/auth"
	"github.com/dannguyen/dannguyen/internal/importer"
	"github.com/dannguyen/dannguyen/internal/policy"
)

// Config says which stack to drive and with what.
type Config struct {
	API         string     // base URL of the API
	Signer      auth.HS256 // signs the demo users' development tokens
	RealData    string     // the shared/realdata folder
	Today       deadline.Date
	Small       bool   // the end-to-end test's shorter run: fewer letters
	TemporalUI  string // for the links printed at the end
	AgencyBody  string // the body whose liaison answers forwarded letters
	ForwardTo   string // where the officers forward complaints
	Out         io.Writer
	HTTPTimeout time.Duration
}

// Figures are what the demo did and what the supervisor sees afterwards; every one of the
// second kind is read back from the API, and the end-to-end test checks them again.
type Figures struct {
	Imported          int            `json:"imported"`
	ImportedOverdue   int            `json:"imported_overdue"`
	Visits            int            `json:"visits"`
	LettersFromVisits int            `json:"letters_from_visits"`
	Actions           map[string]int `json:"actions"`
	HolidayDay        string         `json:"holiday_day"`
	HolidayRecomputed int            `json:"holiday_recomputed"`
	HolidayRestored   int            `json:"holiday_restored"`
	OpenLetters       int            `json:"open_letters"`
	OverdueLetters    int            `json:"overdue_letters"`
	OverdueByBody     map[string]int `json:"overdue_by_body"`
	SampleLetter      string         `json:"sample_letter"`
	SessionID         string         `json:"session_id"`
	SessionForwarded  int            `json:"session_forwarded"`
	SessionAnswered   int            `json:"session_answered"`
	// SessionReportForwarded is the session report's forwarded column, summed over bodies.
	SessionReportForwarded int `json:"session_report_forwarded"`
}

type run struct {
	cfg Config
	api *api
	u   users
	f   Figures
	out io.Writer
}

// Run drives the stack and prints what happens to cfg.Out.
func Run(ctx context.Context, cfg Config) (Figures, error) {
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	if cfg.AgencyBody == "" {
		cfg.AgencyBody = "ubnd-ha-noi"
	}
	if cfg.ForwardTo == "" {
		cfg.ForwardTo = cfg.AgencyBody
	}
	if cfg.HTTPTimeout == 0 {
		cfg.HTTPTimeout = 60 * time.Second
	}
	u, err := newUsers(cfg.Signer, cfg.AgencyBody)
	if err != nil {
		return Figures{}, fmt.Errorf("demo users: %w", err)
	}
	r := &run{cfg: cfg, api: &api{base: cfg.API, http: &http.Client{Timeout: cfg.HTTPTimeout}}, u: u, out: cfg.Out,
		f: Figures{Actions: map[string]int{}, OverdueByBody: map[string]int{}}}
	steps := []struct {
		title string
		do    func(context.Context) error
	}{
		{"1. Import the public-source letters (shared/realdata/letters.jsonl) through the API", r.importLetters},
		{"2. Record today's reception visits", r.receptions},
		{"3. A day of officer work on the backlog", r.officerDay},
		{"4. Voters' petitions of the current session (shared/realdata/voter_petitions.jsonl)", r.voterPetitions},
		{"5. A holiday declared late, then withdrawn", r.lateHoliday},
		{"6. What a supervisor sees", r.supervisor},
	}
	for _, s := range steps {
		fmt.Fprintf(r.out, "\n== %s\n", s.title)
		if err := s.do(ctx); err != nil {
			return r.f, fmt.Errorf("%s: %w", s.title, err)
		}
	}
	return r.f, nil
}

func (r *run) importLetters(ctx context.Context) error {
	path := filepath.Join(r.cfg.RealData, "letters.jsonl")
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := importer.ReadLetters(f, "jsonl", importer.Options{BodyID: "ubdngs", Today: r.cfg.Today, KeyPrefix: "import-letters"}) // the keys `dannguyen import letters` gives this file
	if err != nil {
		return err
	}
	if r.cfg.Small && len(rows) > 8 {
		rows = rows[:8]
	}
	// As `dannguyen import letters` would: same user, same keys, so either finds what the
	// other registered.
	imp, err := mint(r.cfg.Signer, importer.DevSub, "ubdngs", policy.ReceivingOfficer)
	if err != nil {
		return err
	}
	c := &importer.Client{BaseURL: r.cfg.API, Token: imp.token}
	sum := c.ImportLetters(ctx, rows, 4, nil)
	sum.Print(r.out)
	if sum.Failed() || sum.Pending > 0 {
		return fmt.Errorf("%d rows rejected, %d still registering", len(sum.Rejected), sum.Pending)
	}
	r.f.Imported = len(sum.Letters)
	r.f.ImportedOverdue = sum.Overdue
	return nil
}

func (r *run) receptions(ctx context.Context) error {
	heldAt := r.cfg.Today.AddDays(-1).EndAt().Add(9 * time.Hour).Format(time.RFC3339) // 09:00 today
	visits := []struct {
		key  string
		body map[string]any
	}{
		{"demo-visit-letter", map[string]any{
			"held_at": heldAt, "type": "regular", "body_id": "ubdngs", "receiver": "demo-officer",
			"citizens":     []map[string]any{{"full_name": "Công dân mẫu Trần Thị Lan", "id_number": "000000000101", "address": "phường Hoàn Kiếm, Hà Nội"}},
			"people_count": 1, "content": "Đề nghị sửa chữa tuyến đường liên xã đã xuống cấp nghiêm trọng, gây mất an toàn giao thông.",
			"kind": "recommendation", "field": "administrative", "outcome": "letter_created"}},
		{"demo-visit-group", map[string]any{
			"held_at": heldAt, "type": "regular", "body_id": "ubdngs", "receiver": "demo-officer",
			"citizens": []map[string]any{
				{"full_name": "Công dân mẫu Lê Văn Hùng", "id_number": "000000000102", "address": "xã Đông Anh, Hà Nội"},
				{"full_name": "Công dân mẫu Phạm Thị Mai", "id_number": "000000000103", "address": "xã Đông Anh, Hà Nội"}},
			"people_count": 7, "representatives": []map[string]any{
				{"full_name": "Công dân mẫu Lê Văn Hùng", "id_number": "000000000102", "address": "xã Đông Anh, Hà Nội"},
				{"full_name": "Công dân mẫu Phạm Thị Mai", "id_number": "000000000103", "address": "xã Đông Anh, Hà Nội"}},
			"content": "Nhóm hộ dân phản ánh việc chậm chi trả tiền bồi thường giải phóng mặt bằng.",
			"kind":    "reflection", "field": "administrative", "outcome": "guided_oral",
			"guidance": "Hướng dẫn gửi đơn đến UBND thành phố Hà Nội, cơ quan có thẩm quyền."}},
		{"demo-visit-refused", map[string]any{
			"held_at": heldAt, "type": "regular", "body_id": "ubdngs", "receiver": "demo-officer",
			"citizens":     []map[string]any{{"full_name": "Công dân mẫu Đỗ Văn Nam", "id_number": "000000000104", "address": "phường Cầu Giấy, Hà Nội"}},
			"people_count": 1, "content": "Tiếp tục khiếu nại vụ việc đã được giải quyết đúng pháp luật và trả lời bằng văn bản.",
			"kind": "complaint", "outcome": "refused", "refusal_ground": "repeat_resolved", "handled_by": []string{r.cfg.AgencyBody}}},
	}
	for _, v := range visits {
		m, err := r.api.call(ctx, r.u.officer, "POST", "/v1/receptions", v.body, v.key+"-"+r.cfg.Today.String())
		if err != nil {
			return fmt.Errorf("visit %s: %w", v.key, err)
		}
		r.f.Visits++
		line := fmt.Sprintf("  %s  %-15s", str(m, "number"), str(m, "outcome"))
		if id := str(m, "letter_id"); id != "" {
			r.f.LettersFromVisits++
			line += "  → letter " + id
		}
		if rn, ok := m["refusal_notice"].(map[string]any); ok {
			line += "  written notice due " + str(rn, "due_on")
		}
		fmt.Fprintln(r.out, line)
	}
	return nil
}

// officerDay handles the imported letters still waiting for a decision, as a handling
// officer would: complaints go to the competent body (whose liaison answers some), advice
// and feedback get guidance or are filed, and a denunciation the office settles itself is
// accepted as complex and extended by the head.
func (r *run) officerDay(ctx context.Context) error {
	letters, err := r.api.list(ctx, r.u.officer, "/v1/letters?status=registered&sort=received_on")
	if err != nil {
		return err
	}
	acted := 0
	denunciationSettled := false
	for i, l := range letters {
		if str(l, "channel") == "reception" {
			continue // today's letters wait for tomorrow
		}
		id, kind := str(l, "id"), str(l, "kind")
		var steps []step
		switch {
		case kind == "complaint":
			steps = []step{{"classify", r.u.officer, map[string]any{"kind": "complaint", "field": "administrative", "eligible": true, "competent": false}},
				{"forward", r.u.officer, map[string]any{"to_body_id": r.cfg.ForwardTo, "note": "Chuyển cơ quan có thẩm quyền giải quyết"}}}
			if i%2 == 0 {
				steps = append(steps, step{"record-response", r.u.agency, map[string]any{"from_body_id": r.cfg.AgencyBody, "outcome": "resolved", "summary": "Đã xem xét, giải quyết"}})
			}
		case kind == "denunciation" && !denunciationSettled:
			denunciationSettled = true
			steps = []step{{"classify", r.u.officer, map[string]any{"kind": "denunciation", "field": "corruption", "eligible": true, "competent": true}},
				{"accept", r.u.officer, map[string]any{"complex": true}},
				{"extend", r.u.head, map[string]any{"days": 30, "reason": "Vụ việc phức tạp, cần xác minh tại nhiều nơi"}}}
		case kind == "recommendation" || kind == "reflection":
			steps = []step{{"classify", r.u.officer, map[string]any{"kind": kind, "field": "administrative", "eligible": true, "competent": false}}}
			if i%3 == 0 {
				steps = append(steps, step{"file", r.u.officer, map[string]any{"reason": "Đơn trùng nội dung đã được hướng dẫn"}})
			} else {
				steps = append(steps, step{"guide", r.u.officer, map[string]any{"text": "Hướng dẫn công dân gửi đơn đến cơ quan có thẩm quyền."}})
			}
		case kind == "mixed":
			steps = []step{{"classify", r.u.officer, map[string]any{"kind": "mixed", "eligible": true, "competent": false}},
				{"guide", r.u.officer, map[string]any{"text": "Hướng dẫn tách đơn: phần khiếu nại và phần tố cáo gửi riêng."}}}
		default:
			continue
		}
		status, err := r.apply(ctx, id, steps)
		if err != nil {
			return fmt.Errorf("letter %s (%s): %w", str(l, "number"), kind, err)
		}
		acted++
		fmt.Fprintf(r.out, "  %s  %-14s → %s\n", str(l, "number"), kind, status)
		if r.f.SampleLetter == "" && kind == "complaint" {
			r.f.SampleLetter = id
		}
	}
	fmt.Fprintf(r.out, "  %d letters handled: %s\n", acted, counts(r.f.Actions))
	return nil
}

type step struct {
	action string
	who    caller
	body   map[string]any
}

func (r *run) apply(ctx context.Context, id string, steps []step) (string, error) {
	status := ""
	for _, s := range steps {
		m, err := r.api.call(ctx, s.who, "POST", "/v1/letters/"+id+"/"+s.action, s.body, "demo-"+s.action+"-"+id)
		if err != nil {
			return status, fmt.Errorf("%s: %w", s.action, err)
		}
		r.f.Actions[s.action]++
		status = str(m, "status")
		if s.action == "extend" {
			if c, ok := m["detail"].(map[string]any)["case"].(map[string]any); ok && c != nil {
				status += fmt.Sprintf(" (extended %v)", c["extensions"])
			}
		}
	}
	return status, nil
}

// lateHoliday declares a working day about two weeks ahead a holiday, as the government
// sometimes does late, and shows how many open cases moved; then withdraws it, so the demo
// leaves the calendar as it found it.
func (r *run) lateHoliday(ctx context.Context) error {
	day := r.cfg.Today.AddDays(14)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDays(1)
	}
	r.f.HolidayDay = day.String()
	path := "/v1/calendar/holidays/" + day.String()
	put, err := r.api.call(ctx, r.u.admin, "PUT", path, map[string]any{"name": "Nghỉ bù (demo)", "kind": "holiday"}, "")
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == 409 {
		fmt.Fprintf(r.out, "  %s is already a holiday; skipped\n", day)
		return nil
	}
	if err != nil {
		return err
	}
	r.f.HolidayRecomputed = r.waitRecompute(ctx, put)
	fmt.Fprintf(r.out, "  %s declared a holiday: %d open cases recomputed their clocks\n", day, r.f.HolidayRecomputed)
	del, err := r.api.call(ctx, r.u.admin, "DELETE", path, nil, "")
	if err != nil {
		return err
	}
	r.f.HolidayRestored = r.waitRecompute(ctx, del)
	fmt.Fprintf(r.out, "  %s withdrawn: %d open cases moved back\n", day, r.f.HolidayRestored)
	return nil
}

// waitRecompute follows a calendar change until its fan-out has finished.
func (r *run) waitRecompute(ctx context.Context, ch map[string]any) int {
	for i := 0; i < 120; i++ {
		if str(ch, "recompute") != "running" {
			return num(ch, "cases_recomputed")
		}
		links, _ := ch["links"].(map[string]any)
		loc, _ := links["change"].(string)
		if loc == "" {
			break
		}
		time.Sleep(500 * time.Millisecond)
		next, err := r.api.call(ctx, r.u.admin, "GET", loc, nil, "")
		if err != nil {
			break
		}
		ch = next
	}
	return num(ch, "cases_recomputed")
}

func (r *run) supervisor(ctx context.Context) error {
	open, err := r.api.list(ctx, r.u.supervisor, "/v1/letters?sort=received_on")
	if err != nil {
		return err
	}
	for _, l := range open {
		if str(l, "status") == "closed" {
			continue
		}
		r.f.OpenLetters++
		if l["overdue"] == true {
			r.f.OverdueLetters++
			r.f.OverdueByBody[str(l, "body_id")]++
		}
	}
	fmt.Fprintf(r.out, "  open letters: %d, overdue: %d\n", r.f.OpenLetters, r.f.OverdueLetters)
	fmt.Fprintln(r.out, "  overdue by body:")
	bodies := make([]string, 0, len(r.f.OverdueByBody))
	for b := range r.f.OverdueByBody {
		bodies = append(bodies, b)
	}
	sort.Strings(bodies)
	for _, b := range bodies {
		fmt.Fprintf(r.out, "    %-24s %d\n", b, r.f.OverdueByBody[b])
	}
	if r.f.SessionID != "" {
		rep, err := r.api.call(ctx, r.u.supervisor, "GET", "/v1/sessions/"+r.f.SessionID+"/report", nil, "")
		if err != nil {
			return fmt.Errorf("session report: %w", err)
		}
		fmt.Fprintf(r.out, "\n  voters' petitions of session %s, per answering body:\n", r.f.SessionID)
		fmt.Fprintf(r.out, "    %-30s %9s %8s %5s %10s\n", "body", "forwarded", "on time", "late", "unanswered")
		bodies, _ := rep["bodies"].([]any)
		for _, b := range bodies {
			m, _ := b.(map[string]any)
			fmt.Fprintf(r.out, "    %-30.30s %9d %8d %5d %10d\n", str(m, "body_id"), num(m, "forwarded"), num(m, "answered_on_time"), num(m, "answered_late"), num(m, "unanswered"))
			r.f.SessionReportForwarded += num(m, "forwarded")
		}
	}
	if r.f.SampleLetter != "" && r.cfg.TemporalUI != "" {
		fmt.Fprintf(r.out, "\nIn the Temporal UI: %s/namespaces/default/workflows/letter-%s\n", strings.TrimRight(r.cfg.TemporalUI, "/"), r.f.SampleLetter)
		fmt.Fprintf(r.out, "  filter cases by search attributes, e.g.: Overdue = true, or CaseStatus = 'awaiting_response' AND BodyID = '%s'\n", r.cfg.ForwardTo)
	}
	return nil
}

func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
