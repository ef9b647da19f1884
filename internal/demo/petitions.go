package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The demo's NA session: the cycle whose petitions the office is handling now.
const (
	demoTerm    = "XVI"
	demoSession = 1
)

// ministryFor picks the ministry a voters' petition goes to from its topic (the 2025
// government structure: labour and social affairs moved to Home Affairs, natural resources
// to Agriculture and Environment).
func ministryFor(topic string) string {
	t := strings.ToLower(topic)
	switch {
	case strings.Contains(t, "health"), strings.Contains(t, "food safety"), strings.Contains(t, "y tế"):
		return "bo-y-te"
	case strings.Contains(t, "education"), strings.Contains(t, "giáo dục"):
		return "bo-giao-duc-va-dao-tao"
	case strings.Contains(t, "social"), strings.Contains(t, "civil service"), strings.Contains(t, "merit"):
		return "bo-noi-vu"
	case strings.Contains(t, "land"), strings.Contains(t, "agriculture"), strings.Contains(t, "environment"), strings.Contains(t, "water"):
		return "bo-nong-nghiep-va-moi-truong"
	case strings.Contains(t, "infrastructure"), strings.Contains(t, "transport"):
		return "bo-xay-dung"
	case strings.Contains(t, "public order"), strings.Contains(t, "fraud"):
		return "bo-cong-an"
	case strings.Contains(t, "defence"):
		return "bo-quoc-phong"
	}
	return "van-phong-chinh-phu"
}

// voterPetitions registers the session, imports the real voters' petitions as they are,
// synthesises and confirms the groups, forwards the largest ones to their ministries, and
// has the health ministry answer one.
func (r *run) voterPetitions(ctx context.Context) error {
	opens := r.cfg.Today.AddDays(-45)
	session := map[string]any{"term": demoTerm, "number": demoSession, "opens_on": opens.String(),
		"closes_on": opens.AddDays(30).String(), "next_opens_on": opens.AddDays(180).String()}
	id := fmt.Sprintf("%s-%d", strings.ToLower(demoTerm), demoSession)
	s, err := r.api.call(ctx, r.u.head, "POST", "/v1/sessions", session, "demo-session")
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusConflict {
		s, err = r.api.call(ctx, r.u.head, "GET", "/v1/sessions/"+id, nil, "")
	}
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	r.f.SessionID = str(s, "id")
	fmt.Fprintf(r.out, "  session %s: pre-session synthesis due %s, post-session %s, results report %s\n",
		r.f.SessionID, str(s, "pre_synthesis_due"), str(s, "post_synthesis_due"), str(s, "results_report_due"))

	raw, err := os.ReadFile(filepath.Join(r.cfg.RealData, "voter_petitions.jsonl"))
	if err != nil {
		return err
	}
	imp, err := r.postRaw(ctx, "/v1/sessions/"+r.f.SessionID+"/petitions:import", raw)
	if err != nil {
		return fmt.Errorf("import petitions: %w", err)
	}
	fmt.Fprintf(r.out, "  voter_petitions.jsonl: %v\n", importSummary(imp))
	if _, err := r.api.call(ctx, r.u.officer, "POST", "/v1/sessions/"+r.f.SessionID+"/synthesize", map[string]any{}, ""); err != nil {
		return fmt.Errorf("synthesize: %w", err)
	}
	groups, err := r.api.list(ctx, r.u.officer, "/v1/sessions/"+r.f.SessionID+"/groups?status=suggested")
	if err != nil {
		return err
	}
	if len(groups) > 0 {
		ids := make([]string, len(groups))
		for i, g := range groups {
			ids[i] = str(g, "id")
		}
		if _, err := r.api.call(ctx, r.u.officer, "POST", "/v1/sessions/"+r.f.SessionID+"/groups",
			map[string]any{"action": "confirm", "group_ids": ids}, ""); err != nil {
			return fmt.Errorf("confirm groups: %w", err)
		}
	}
	fmt.Fprintf(r.out, "  synthesis confirmed %d groups\n", len(groups))

	vps, err := r.api.list(ctx, r.u.supervisor, "/v1/voter-petitions?session_id="+r.f.SessionID)
	if err != nil {
		return err
	}
	// The six largest groups (ties by id), so a second run picks the same ones and finds
	// them forwarded already.
	sort.SliceStable(vps, func(i, j int) bool {
		ci, cj := num(vps[i], "petition_count"), num(vps[j], "petition_count")
		return ci > cj || (ci == cj && str(vps[i], "id") < str(vps[j], "id"))
	})
	forwarded, answered := 0, 0
	for _, vp := range vps[:min(6, len(vps))] {
		if !allows(vp, "forward") || vp["body_id"] != nil { // forwarded already: forward would re-forward
			continue
		}
		body := ministryFor(str(vp, "topic"))
		f, err := r.api.call(ctx, r.u.head, "POST", "/v1/voter-petitions/"+str(vp, "id")+"/forward",
			map[string]any{"to_body_id": body}, "demo-vp-forward-"+str(vp, "id"))
		if err != nil {
			return fmt.Errorf("forward %s: %w", str(vp, "id"), err)
		}
		forwarded++
		fmt.Fprintf(r.out, "  %-44.44s ×%d → %s, answer due %s\n", str(vp, "title"), num(vp, "petition_count"), body, dueOf(f, "answer"))
		if body == "bo-y-te" && answered == 0 {
			health, err := mint(r.cfg.Signer, "demo-bo-y-te", "bo-y-te", "agency")
			if err != nil {
				return err
			}
			if _, err := r.api.call(ctx, health, "POST", "/v1/voter-petitions/"+str(vp, "id")+"/answer",
				map[string]any{"class": "in_progress", "reason": "has_roadmap", "summary": "Đang sửa đổi thông tư, dự kiến ban hành trong quý tới."},
				"demo-vp-answer-"+str(vp, "id")); err != nil {
				return fmt.Errorf("answer %s: %w", str(vp, "id"), err)
			}
			answered++
		}
	}
	r.f.Actions["voter_petition_forward"] += forwarded
	r.f.Actions["voter_petition_answer"] += answered
	r.f.SessionForwarded, r.f.SessionAnswered = forwarded, answered
	return nil
}

func allows(v map[string]any, action string) bool {
	acts, _ := v["allowed_actions"].([]any)
	for _, a := range acts {
		if a == action {
			return true
		}
	}
	return false
}

func dueOf(v map[string]any, clock string) string {
	clocks, _ := v["clocks"].([]any)
	for _, c := range clocks {
		if m, ok := c.(map[string]any); ok && m["name"] == clock {
			return str(m, "due_on")
		}
	}
	return "?"
}

// postRaw sends a file body (JSON Lines) as the head.
func (r *run) postRaw(ctx context.Context, path string, body []byte) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(r.cfg.API, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+r.u.head.token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	res, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if res.StatusCode >= 300 {
		return m, &apiError{Status: res.StatusCode, Detail: fmt.Sprintf("%.300s", raw)}
	}
	return m, nil
}

// importSummary shows the import answer's counts, whatever they are named.
func importSummary(m map[string]any) string {
	var parts []string
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v, ok := m[k].(float64); ok {
			parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), int(v)))
		}
	}
	return strings.Join(parts, ", ")
}
