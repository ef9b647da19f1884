package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/temporalx"
)

// updatesPerRun bounds the Updates one run accepts before continuing as new, well below the
// server's 2,000 per run, so a letter that lives for years never hits the limit.
var updatesPerRun = 500

// letterRun is one run of LetterWorkflow: the state plus what must not cross continue-as-new.
type letterRun struct {
	st        *LetterState
	mu        workflow.Mutex
	updates   int
	wake      bool     // a handler or signal changed something the main loop must look at
	signals   []signal // received, not yet applied
	lastAttrs string   // search attributes last upserted, to skip identical upserts
	// registered is set once the first snapshot is stored, so the intake Update answers only
	// when the read model already shows the registered letter (read-your-writes).
	registered bool
	// receptionTold: the action being applied met the D30 reception notice clock.
	receptionTold bool
	localDB       workflow.Version // how database steps run (VersionLocalDB)
}

type signal struct {
	name string
	cal  CalendarChanged
	dup  DuplicateLinked
}

// CalendarChanged tells a letter the holiday calendar changed; it recomputes running clocks.
type CalendarChanged struct {
	Day      deadline.Date `json:"day"`
	ChangeID int64         `json:"change_id"`
}

// DuplicateLinked tells the original letter that a later letter was marked its duplicate.
type DuplicateLinked struct {
	DuplicateID string `json:"duplicate_id"`
}

// LetterWorkflow is the durable life of one letter (domain.md §3.6): registration, officer
// actions as Updates, and clocks whose warning, overdue and escalation steps each fire once.
func LetterWorkflow(ctx workflow.Context, in LetterStart) error {
	r := &letterRun{mu: workflow.NewMutex(ctx)}
	r.localDB = workflow.GetVersion(ctx, VersionLocalDB, workflow.DefaultVersion, 2)
	if in.State != nil {
		r.st = in.State
	} else {
		if in.Intake == nil {
			return temporal.NewNonRetryableApplicationError("a new letter needs its intake", "Invalid", nil)
		}
		r.st = &LetterState{ID: in.ID, Status: StatusReceived, Intake: *in.Intake, BodyID: in.Intake.BodyID,
			CreatedBy: in.Actor, LastEventOn: in.Intake.ReceivedOn}
	}
	if err := r.setHandlers(ctx); err != nil {
		return err
	}
	if r.st.Number == "" {
		if err := r.register(ctx, in.Actor); err != nil {
			return err
		}
	}
	r.registered = true
	for r.st.Status != StatusClosed {
		if err := r.waitForWork(ctx); err != nil {
			return err
		}
		r.mu.Lock(ctx)
		err := r.applySignals(ctx)
		if err == nil {
			err = r.fireDueMilestones(ctx)
		}
		r.mu.Unlock()
		if err != nil {
			return err
		}
		if r.st.Status != StatusClosed && (workflow.GetInfo(ctx).GetContinueAsNewSuggested() || r.updates >= updatesPerRun) {
			return r.continueAsNew(ctx)
		}
	}
	// Let in-flight Updates answer before the run completes.
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// waitForWork sleeps until the next milestone is due, a handler changed the state, or a
// signal arrived.
func (r *letterRun) waitForWork(ctx workflow.Context) error {
	cond := func() bool { return r.wake || len(r.signals) > 0 || r.st.Status == StatusClosed }
	defer func() { r.wake = false }()
	next, ok := r.nextMilestone()
	if !ok {
		return workflow.Await(ctx, cond)
	}
	d := next.Sub(workflow.Now(ctx))
	if d <= 0 {
		return nil
	}
	_, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout:      d,
		TimerOptions: workflow.TimerOptions{Summary: "next clock milestone"},
	}, cond)
	return err
}

func (r *letterRun) nextMilestone() (time.Time, bool) { return nextMilestoneOf(r.st.Clocks) }

// register computes the processing clock (D33), allocates the number and stores the first
// snapshot with the received and registered events.
func (r *letterRun) register(ctx workflow.Context, actor Actor) error {
	st := r.st
	clock, err := r.computeClock(ctx, ClockRequest{Name: "processing", Start: st.Intake.ReceivedOn,
		Legs: []ClockLeg{{RuleID: "D33"}}, Ladder: "full", EscalateFrom: st.BodyID})
	if err != nil {
		return fmt.Errorf("compute processing clock: %w", err)
	}
	st.Clocks = append(st.Clocks, clock)
	if err := r.startReceptionNotice(ctx); err != nil {
		return err
	}
	r.event(ctx, "received", actor.Sub, map[string]any{"channel": st.Intake.Channel, "received_on": st.Intake.ReceivedOn.String(), "body_id": st.BodyID})
	st.Status = StatusRegistered
	st.Version = 1
	var reg RegisterResult
	if err := r.db(ctx, ActRegisterLetter, st).Get(ctx, &reg); err != nil {
		return fmt.Errorf("register letter %s: %w", st.ID, err)
	}
	st.Number = reg.Number
	st.PendingEvents = nil // RegisterLetter stored them
	data := map[string]any{"number": reg.Number, "processing_due_on": clock.DueOn.String()}
	if c := st.Clock(ClockReceptionNotice); c != nil {
		data["reception_notice_due_on"] = c.DueOn.String()
		data["reception_visit_id"] = st.Intake.ReceptionVisitID
	}
	if len(reg.DuplicateHints) > 0 {
		data["duplicate_candidates"] = reg.DuplicateHints
	}
	r.event(ctx, "registered", actor.Sub, data)
	st.Version++
	return r.persist(ctx)
}

// event appends an audit event to be persisted with the next snapshot.
func (r *letterRun) event(ctx workflow.Context, typ, actor string, data map[string]any) {
	r.st.Seq++
	if actor == "" {
		actor = "system"
	}
	r.st.PendingEvents = append(r.st.PendingEvents, Event{Seq: r.st.Seq, At: workflow.Now(ctx), Type: typ, Actor: actor, Data: data})
}

// persist writes the snapshot (callers bump the version first) with the pending events and
// notifications, then keeps the search attributes current.
func (r *letterRun) persist(ctx workflow.Context) error {
	if err := r.db(ctx, ActPersistLetter, r.st).Get(ctx, nil); err != nil {
		return fmt.Errorf("persist letter %s: %w", r.st.ID, err)
	}
	r.st.PendingEvents, r.st.PendingOutbox = nil, nil
	return r.upsertSearchAttributes(ctx)
}

func (r *letterRun) upsertSearchAttributes(ctx workflow.Context) error {
	kind := r.st.Intake.Kind
	if r.st.Classification != nil && r.st.Classification.Kind != "" {
		kind = r.st.Classification.Kind
	}
	if kind == "" {
		kind = "unclassified"
	}
	due, hasDue := r.st.NextDue()
	key := fmt.Sprint(kind, r.st.Status, r.st.BodyID, due.Unix(), hasDue, r.st.Overdue())
	if key == r.lastAttrs {
		return nil
	}
	r.lastAttrs = key
	updates := []temporal.SearchAttributeUpdate{
		temporalx.CaseKind.ValueSet(kind), temporalx.CaseStatus.ValueSet(r.st.Status),
		temporalx.BodyID.ValueSet(r.st.BodyID), temporalx.Overdue.ValueSet(r.st.Overdue()),
	}
	if hasDue {
		updates = append(updates, temporalx.DueAt.ValueSet(due))
	} else {
		updates = append(updates, temporalx.DueAt.ValueUnset())
	}
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

func (r *letterRun) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	// Signals are not carried over: apply what arrived before handing the state on.
	r.mu.Lock(ctx)
	err := r.applySignals(ctx)
	r.mu.Unlock()
	if err != nil {
		return err
	}
	r.st.Runs++
	return workflow.NewContinueAsNewError(ctx, LetterWorkflowName, LetterStart{ID: r.st.ID, State: r.st})
}
