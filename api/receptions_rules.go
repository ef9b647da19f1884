package api

import (
	"github.com/dannguyen/dannguyen/deadline"
)

// refusalGround is a ground to refuse receiving a citizen (domain.md §6.4).
type refusalGround struct {
	Code  string
	Basis string
	// From: the ground exists only for visits on or after this date (zero: since LTCD).
	From deadline.Date
	// Repeat grounds need a written notice within 3 working days (D35, ND154 art 4(3)).
	Repeat bool
}

var (
	// ltcdInForce is when the Law on Citizen Reception 42/2013/QH13 took effect: no visit
	// of this register is older.
	ltcdInForce = deadline.MustParseDate("2014-07-01")
	// receptionReform is when Law 136/2025 and Decree 154/2026 took effect: online
	// reception, the required ID number, the new refusal grounds and their written notice.
	receptionReform = deadline.MustParseDate("2026-07-01")
)

var refusalGrounds = []refusalGround{
	{Code: "incapacitated", Basis: "LTCD art 9(1): intoxicated, or mentally ill or otherwise unable to control their behaviour"},
	{Code: "threats_or_insults", Basis: "LTCD art 9(2): threats, insults or breach of the reception rules"},
	{Code: "repeat_resolved", Basis: "LTCD art 9(3): a matter resolved lawfully, reviewed and answered in writing, raised again", Repeat: true},
	{Code: "weapons", Basis: "ND154 art 4: carrying weapons, explosives or dangerous items", From: receptionReform},
	{Code: "security_check_refused", Basis: "ND154 art 4: refusing the security check", From: receptionReform},
	{Code: "forbidden_recording", Basis: "ND154 art 4: recording or streaming where it is forbidden", From: receptionReform},
	{Code: "inciting_disorder", Basis: "ND154 art 4: inciting or causing disorder", From: receptionReform},
	{Code: "no_capacity_no_representative", Basis: "ND154 art 4: no legal capacity and no lawful representative", From: receptionReform},
	{Code: "representative_without_papers", Basis: "ND154 art 4: a representative or authorised person without valid papers", From: receptionReform},
	{Code: "outside_scope", Basis: "ND154 art 4: content outside the scope of reception", From: receptionReform},
	{Code: "answered_no_new_facts", Basis: "ND154 art 4: a petition already answered lawfully, raised again without new facts", From: receptionReform, Repeat: true},
	{Code: "final_judgment", Basis: "ND154 art 4: a final court judgment not open to review", From: receptionReform},
	{Code: "handled_elsewhere", Basis: "ND154 art 4: a matter being handled by another competent body", From: receptionReform},
}

func findGround(code string) (refusalGround, bool) {
	for _, g := range refusalGrounds {
		if g.Code == code {
			return g, true
		}
	}
	return refusalGround{}, false
}

// groundsOn lists the grounds that exist for a visit on day.
func groundsOn(day deadline.Date) []string {
	var out []string
	for _, g := range refusalGrounds {
		if g.From.IsZero() || !day.Before(g.From) {
			out = append(out, g.Code)
		}
	}
	return out
}

// maxRepresentatives is LTCD art 29: a group of 5 to 10 people appoints at most 2
// representatives, a larger one at most 5 (T35).
func maxRepresentatives(people int) int {
	if people > 10 {
		return 5
	}
	return 2
}

// groupSize is the smallest group visit (đoàn đông người).
const groupSize = 5
