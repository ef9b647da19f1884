package importer

import (
	"fmt"
	"strings"
)

// Public-source records (shared/realdata/letters.jsonl) describe real situations from legal
// Q&A and press pages: the kind, the channel, the matter and who it is against, but — rightly —
// no sender and no date of receipt. To register them as letters the importer adds what intake
// requires, and makes every added value recognisable as such:
//   - one sender named after the record ("Công dân (nguồn công khai lt-003)"), address
//     "không công bố", and an all-zero ID number ending in the record number, so nobody could
//     take it for a real person's;
//   - a received date spread back from Options.Today (record n of the file: n×6 days earlier),
//     so an imported batch looks like a real backlog: the older letters are overdue on arrival
//     and their warning, overdue and escalation steps fire at once.
//
// The record's own id becomes the idempotency reference, so importing the file twice
// registers each letter once.
func fromPublicSource(src map[string]any, line int, o Options) map[string]any {
	str := func(k string) string { s, _ := src[k].(string); return strings.TrimSpace(s) }
	id := str("id")
	if id == "" {
		id = fmt.Sprintf("line-%d", line)
	}
	channel := strings.ReplaceAll(str("received_channel"), " ", "_")
	kind := str("kind")
	content := str("subject_vi")
	if q := str("question"); q != "" {
		content += "\n\nCâu hỏi: " + q
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, id)
	if len(digits) > 12 {
		digits = digits[len(digits)-12:]
	}
	idNumber := strings.Repeat("0", 12-len(digits)) + digits
	sender := map[string]any{
		"full_name": "Công dân (nguồn công khai " + id + ")",
		"address":   "không công bố",
		"id_number": idNumber,
	}
	if kind == "denunciation" || kind == "mixed" {
		// A denunciation needs a way to contact the denouncer; the source gives none, so the
		// placeholder says so in the form intake checks (digits only).
		sender["phone"] = "0000000000"
	}
	out := map[string]any{
		"import_ref":  id,
		"kind":        kind,
		"channel":     channel,
		"received_on": o.Today.AddDays(-6 * (line - 1)).String(),
		"senders":     []any{sender},
		"subject":     truncateRunes(str("subject_vi"), 300),
		"content":     content,
		"respondent":  truncateRunes(str("against_body"), 300),
	}
	if v := str("received_on"); v != "" {
		out["received_on"] = v
	}
	return out
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
