package api

import (
	"slices"
	"strconv"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/workflows"
)

// validateSettlement checks the shapes of the settlement fields (accept, extend, decide, the
// limitation inputs of classify); the workflow checks them against the case.
func validateSettlement(name string, v *apperr.Validation, r *actionRequest, a *workflows.Action,
	date func(string, *string) *deadline.Date, str func(string, *string, int) string) {
	if r.Level != nil {
		if *r.Level != 1 && *r.Level != 2 {
			v.Add("level", "must be 1 (first instance) or 2 (second instance)")
		}
		a.Level = *r.Level
	}
	if r.Days != nil {
		if *r.Days < 1 || *r.Days > 30 {
			v.Add("days", "an extension is 1 to 30 days (LTC art 30)")
		}
		a.Days = *r.Days
	}
	a.Complex = r.Complex != nil && *r.Complex
	a.RemoteArea = r.RemoteArea != nil && *r.RemoteArea
	a.EspeciallyComplex = r.EspeciallyComplex != nil && *r.EspeciallyComplex
	a.Disciplinary = r.Disciplinary != nil && *r.Disciplinary
	a.DecisionNo = str("decision_no", r.DecisionNo, 100)
	a.DecisionKnownOn = date("decision_known_on", r.DecisionKnownOn)
	if d := date("decided_on", r.DecidedOn); d != nil {
		if a.On != nil && *a.On != *d {
			v.Add("decided_on", "differs from on; send one of them")
		}
		a.On = d
	}
	// Which of the two lists applies depends on the case; the workflow checks that.
	if name == "decide" && r.Outcome != nil && !slices.Contains(workflows.ComplaintOutcomes, a.Outcome) &&
		!slices.Contains(workflows.DenunciationOutcomes, a.Outcome) {
		v.Add("outcome", "must be one of %v (complaint) or %v (denunciation)", workflows.ComplaintOutcomes, workflows.DenunciationOutcomes)
	}
	if r.Procedure != nil {
		a.Procedure = *r.Procedure
		if a.Procedure != "re_denunciation" && a.Procedure != "overdue_escalation" {
			v.Add("procedure", "is re_denunciation (LTC 37) or overdue_escalation (LTC 38)")
		}
	}
	a.FirstInstanceOf = str("first_instance_of", r.FirstInstanceOf, 100)
	if a.FirstInstanceOf != "" && a.Level != 2 {
		v.Add("first_instance_of", "only a second-instance complaint (level 2) names its first instance")
	}
	if r.Parts != nil && (len(r.Parts) < 2 || len(r.Parts) > 5) {
		v.Add("parts", "a mixed letter splits into 2 to 5 parts")
	}
	for i, p := range r.Parts {
		field := "parts[" + strconv.Itoa(i) + "]"
		if !slices.Contains([]string{"complaint", "denunciation", "recommendation", "reflection"}, p.Kind) {
			v.Add(field+".kind", "is one of complaint, denunciation, recommendation, reflection")
		}
		a.Parts = append(a.Parts, workflows.Part{Kind: p.Kind, Subject: str(field+".subject", &p.Subject, 500), Content: str(field+".content", &p.Content, 20000)})
	}
	if len(r.Tolling) > 20 {
		v.Add("tolling", "at most 20 intervals")
		return
	}
	for _, iv := range r.Tolling {
		from, errF := deadline.ParseDate(iv.From)
		to, errT := deadline.ParseDate(iv.To)
		if errF != nil || errT != nil {
			v.Add("tolling", "each interval is {from, to} with dates YYYY-MM-DD")
			return
		}
		if to.Before(from) {
			v.Add("tolling", "an interval ends before it starts (%s to %s)", from, to)
			return
		}
		a.Tolling = append(a.Tolling, deadline.Interval{From: from, To: to})
	}
	if a.DecisionKnownOn == nil && (len(a.Tolling) > 0 || a.Disciplinary) {
		v.Add("decision_known_on", "is needed to check the limitation period with tolling or a disciplinary decision")
	}
}
