package workflows

import (
	"fmt"
	"strconv"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

// Activities of splitting and linking letters.
const (
	ActCopyIdentity       = "CopyIdentity"
	ActFirstInstanceCheck = "FirstInstanceCheck"
)

// Part is one content of a mixed letter that goes its own way (a complaint part, a
// denunciation part), with its own clocks (T38).
type Part struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
	Content string `json:"content,omitempty"`
}

// CopyIdentityRequest seals a letter's protected senders again under one of its parts.
type CopyIdentityRequest struct {
	From string `json:"from"`
	To   string `json:"to"`
	Kind string `json:"kind"`
}

// FirstInstance is what the read model knows of a first-instance complaint when a second
// instance names it.
type FirstInstance struct {
	Found        bool           `json:"found"`
	Kind         string         `json:"kind,omitempty"`
	WindowDueOn  *deadline.Date `json:"window_due_on,omitempty"`
	CaseStatus   string         `json:"case_status,omitempty"`
	SettlementOn *deadline.Date `json:"settlement_due_on,omitempty"`
}

// PartID is the letter id of the n-th part (from 1) of a split letter: derived, so a retried
// split finds the same letters.
func PartID(letterID string, n int) string { return letterID + "-" + strconv.Itoa(n) }

func init() {
	actions["split"] = actionSpec{from: []string{StatusClassified}, check: checkSplit, apply: applySplit}
}

func checkSplit(r *letterRun, a Action, _ deadline.Date) error {
	if r.kind() != "mixed" {
		return conflict("only a letter classified as mixed is split into parts", map[string]any{"state": r.st.Status, "kind": r.kind()})
	}
	if len(a.Parts) < 2 || len(a.Parts) > 5 {
		return invalidField("parts", "a mixed letter splits into 2 to 5 parts")
	}
	for i, p := range a.Parts {
		switch p.Kind {
		case "complaint", "denunciation", "recommendation", "reflection":
		default:
			return invalidField(fmt.Sprintf("parts[%d].kind", i), "is one of complaint, denunciation, recommendation, reflection")
		}
	}
	return nil
}

// applySplit starts one letter per part, each with its own workflow, number and clocks, linked
// both ways; the senders stay in the vault under every part (a denouncer's identity must not
// surface through the complaint part of the same letter). The mixed letter itself is filed.
func applySplit(r *letterRun, ctx workflow.Context, a Action, on deadline.Date) error {
	ids := make([]string, len(a.Parts))
	for i, p := range a.Parts {
		id := PartID(r.st.ID, i+1)
		in := r.st.Intake
		in.Kind, in.SplitFrom, in.RequestHash, in.SenderKeys = p.Kind, r.st.ID, "", nil
		in.ReceivedOn = r.st.Intake.ReceivedOn
		if p.Subject != "" {
			in.Subject = p.Subject
		}
		if p.Content != "" {
			in.Content = p.Content
		}
		if in.Protected {
			var pseudonym string
			req := CopyIdentityRequest{From: r.st.ID, To: id, Kind: p.Kind}
			if err := r.db(ctx, ActCopyIdentity, req).Get(ctx, &pseudonym); err != nil {
				return fmt.Errorf("seal the senders of part %s: %w", id, err)
			}
			in.Pseudonym = pseudonym
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:        LetterWorkflowID(id),
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON, // each part lives on its own
		})
		child := workflow.ExecuteChildWorkflow(cctx, LetterWorkflowName, LetterStart{ID: id, Intake: &in, Actor: a.Actor})
		if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			return fmt.Errorf("start part %s: %w", id, err)
		}
		ids[i] = id
	}
	r.st.Parts = ids
	r.st.Status, r.st.FiledReason = StatusFiled, "split into parts"
	r.event(ctx, "split", a.Actor.Sub, map[string]any{"on": on.String(), "parts": ids})
	r.notify("citizen_notice", "citizen", "split", map[string]any{"event": "split", "parts": len(ids)})
	r.outcome(ctx, on)
	return nil
}

// linkFirstInstance records which first-instance letter a second-instance complaint follows
// and whether it was lodged within the window (D06, or 30 days from an expired first-instance
// deadline; T13). A late one is flagged for the officer, who rejects it on LKN 11(6).
func (r *letterRun) linkFirstInstance(ctx workflow.Context, a Action) error {
	var fi FirstInstance
	if err := r.db(ctx, ActFirstInstanceCheck, a.FirstInstanceOf).Get(ctx, &fi); err != nil {
		return err
	}
	data := map[string]any{"first_instance_of": a.FirstInstanceOf, "found": fi.Found}
	admissible := false
	if fi.WindowDueOn != nil {
		admissible = !r.st.Intake.ReceivedOn.After(*fi.WindowDueOn)
		data["window_due_on"] = fi.WindowDueOn.String()
	} else if fi.Found {
		data["note"] = "the first instance has neither a decision received nor an expired deadline yet"
	}
	data["admissible"] = admissible
	r.st.FirstInstanceOf = a.FirstInstanceOf
	r.event(ctx, "second_instance_linked", a.Actor.Sub, data)
	return nil
}
