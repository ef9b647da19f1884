package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
)

// ChannelReception is the channel of a letter recorded at a citizen reception visit.
const ChannelReception = "reception"

// ClockReceptionNotice is the clock of LTCD art 28(1) (rule D30, T25): within 10 working days
// of receiving the content at a reception, the citizen is told how it is handled — accepted,
// refused, guided elsewhere or forwarded.
const ClockReceptionNotice = "reception_notice"

// startReceptionNotice adds the D30 clock to a letter received at a reception visit, from the
// day of the visit. A part of a split letter has none: the citizen was told of the split.
func (r *letterRun) startReceptionNotice(ctx workflow.Context) error {
	in := r.st.Intake
	if in.Channel != ChannelReception || in.SplitFrom != "" {
		return nil
	}
	// Letters registered before this clock existed must replay without it.
	if workflow.GetVersion(ctx, "reception-notice-clock", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	c, err := r.computeClock(ctx, ClockRequest{Name: ClockReceptionNotice, Start: in.ReceivedOn,
		Legs: []ClockLeg{{RuleID: "D30"}}, Ladder: "due_only"})
	if err != nil {
		return fmt.Errorf("compute reception notice clock: %w", err)
	}
	r.st.Clocks = append(r.st.Clocks, c)
	return nil
}

// meetReceptionNotice stops the D30 clock on the day of the office's outcome. Every outcome
// that reaches this (forward, guide, file, mark-duplicate, watch, accept, reject, split) is
// something the citizen is told under LTCD art 28(1); the action handler then makes sure one
// citizen notice is queued for it (see queueReceptionNotice).
func (r *letterRun) meetReceptionNotice(ctx workflow.Context, on deadline.Date) {
	c := r.st.Clock(ClockReceptionNotice)
	if c == nil || !c.Running() {
		return
	}
	r.meetClock(ctx, ClockReceptionNotice, on)
	r.receptionTold = true
}

// queueReceptionNotice runs after an action that met the D30 clock: forward, guide, accept,
// reject and split already queue their own citizen notice; file, mark-duplicate and watch do
// not, so the citizen of a reception letter gets one naming the outcome. Outbox rows only: no
// workflow command, so histories replay unchanged.
func (r *letterRun) queueReceptionNotice() {
	if !r.receptionTold {
		return
	}
	r.receptionTold = false
	for _, n := range r.st.PendingOutbox {
		if n.Kind == "citizen_notice" {
			return
		}
	}
	r.notify("citizen_notice", "citizen", "reception/"+r.st.Status, map[string]any{
		"event": r.st.Status, "reason": r.st.FiledReason, "reception_visit_id": r.st.Intake.ReceptionVisitID})
}
