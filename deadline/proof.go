package deadline

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Step kinds.
const (
	StepCounted   = "counted"
	StepSkipped   = "skipped"
	StepSuspended = "suspended"
	StepTolled    = "tolled"
	StepRolled    = "rolled"
)

// ProofStep is one line of the explanation. Counted and skipped days get one
// step each; suspended and tolled runs get one step with Through set, since
// they can last months and say the same thing every day.
type ProofStep struct {
	Date    Date   `json:"date"`
	Through Date   `json:"through,omitzero"` // last day of a run; zero for a single day
	Counted bool   `json:"counted"`
	N       int    `json:"n,omitempty"` // day number when counted, continuing across suspensions
	Reason  string `json:"reason"`
	Kind    string `json:"kind"` // counted | skipped | suspended | tolled | rolled
}

// Proof is the evidence behind a due date: enough for a clerk, a supervisor
// or a court to redo the count by hand. For backward periods the steps run
// backwards from the reference day, in counting order.
type Proof struct {
	RuleID        string      `json:"rule_id,omitempty"`
	RuleName      string      `json:"rule_name,omitempty"`
	Variant       Variant     `json:"variant,omitempty"`
	LegalBasis    string      `json:"legal_basis,omitempty"`
	Start         Date        `json:"start"`
	Days          int         `json:"days"`
	ExtensionDays []int       `json:"extension_days,omitempty"`
	Unit          Unit        `json:"unit"`
	Direction     Direction   `json:"direction"`
	Suspensions   []Interval  `json:"suspensions,omitempty"`
	Tolling       []Interval  `json:"tolling,omitempty"`
	Steps         []ProofStep `json:"steps"`
	// Provisional lists unconfirmed calendar entries the result depends on;
	// the date may move when the official notice replaces them.
	Provisional []Date    `json:"provisional,omitempty"`
	Due         Date      `json:"due"`
	DueAt       time.Time `json:"due_at"`
	Summary     string    `json:"summary"`
}

// nonWorkingNote marks a counted calendar day that is not a working day; Text
// relies on it to tally such days, so it must stay stable.
const nonWorkingNote = " (non-working: "

// walker recounts day by day. It shares no counting code with the arithmetic
// in count.go, so explain doubles as a self-check: if the two ever disagree
// the caller gets an error, never a proof of a date we did not return.
type walker struct {
	c           *Calendar
	unit        Unit
	tolls       []Interval
	steps       []ProofStep
	n           int
	provisional []Date
}

// status classifies day d; matters says whether the outcome depends on it
// (every day for working-day counts, only the roll-over days for calendar
// days), in which case a provisional entry is recorded.
func (w *walker) status(d int, matters bool) (bool, string) {
	if matters {
		if h, ok := w.c.entry(d); ok && h.Provisional && !slices.Contains(w.provisional, h.Date) {
			w.provisional = append(w.provisional, h.Date)
		}
	}
	return w.c.info(d)
}

func (w *walker) tollOf(d int) (Interval, bool) {
	for _, t := range w.tolls {
		if d >= t.From.days() && d <= t.To.days() {
			return t, true
		}
	}
	return Interval{}, false
}

func (w *walker) add(s ProofStep) { w.steps = append(w.steps, s) }

// forward visits the days after a. With until ≥ 0 it stops at until (a
// suspension decision day) and counts at most rem days on the way; otherwise
// it stops on the rem-th counted day. It returns the days counted and the
// last day visited.
func (w *walker) forward(a, rem, until int) (used, last int) {
	d := a
	for {
		if until >= 0 && d >= until || until < 0 && used >= rem {
			return used, d
		}
		d++
		if t, ok := w.tollOf(d); ok {
			w.addRun(d, StepTolled, fmt.Sprintf("tolled: interval %s..%s is not counted (objective obstacle, LKN art 9)", t.From, t.To))
			continue
		}
		working, why := w.status(d, w.unit == WorkingDays || used >= rem)
		switch {
		case used < rem && (w.unit == CalendarDays || working):
			used++
			w.n++
			reason := fmt.Sprintf("counted day %d", w.n)
			if !working {
				reason += nonWorkingNote + why + "; calendar days count every day)"
			}
			w.add(ProofStep{Date: fromDays(d), Counted: true, N: w.n, Reason: reason, Kind: StepCounted})
		case used >= rem:
			w.add(ProofStep{Date: fromDays(d), Reason: "skipped: " + why + " (period already complete, in roll-forward)", Kind: StepSkipped})
		default:
			w.add(ProofStep{Date: fromDays(d), Reason: "skipped: " + why, Kind: StepSkipped})
		}
	}
}

func (w *walker) addRun(d int, kind, reason string) {
	if k := len(w.steps) - 1; k >= 0 && w.steps[k].Kind == kind && w.steps[k].Reason == reason {
		last := w.steps[k].Through
		if last.IsZero() {
			last = w.steps[k].Date
		}
		if last.days() == d-1 {
			w.steps[k].Through = fromDays(d)
			return
		}
	}
	w.add(ProofStep{Date: fromDays(d), Reason: reason, Kind: kind})
}

func (w *walker) backward(x, total int) int {
	d, used := x, 0
	for used < total {
		d--
		working, why := w.status(d, w.unit == WorkingDays)
		if w.unit == CalendarDays || working {
			used++
			w.n++
			reason := fmt.Sprintf("counted day %d back from %s", w.n, fromDays(x))
			if !working {
				reason += nonWorkingNote + why + "; calendar days count every day)"
			}
			w.add(ProofStep{Date: fromDays(d), Counted: true, N: w.n, Reason: reason, Kind: StepCounted})
			continue
		}
		w.add(ProofStep{Date: fromDays(d), Reason: "skipped: " + why, Kind: StepSkipped})
	}
	return w.roll(d, -1)
}

// roll moves off a non-working end day, forward (step +1, BLDS art 148(5))
// or backward (step −1, our conservative reading for "before X" periods).
func (w *walker) roll(end, step int) int {
	working, endWhy := w.status(end, true)
	if working {
		return end
	}
	whys := []string{endWhy}
	d := end
	for {
		d += step
		ok, why := w.status(d, true)
		if ok {
			break
		}
		if !slices.Contains(whys, why) {
			whys = append(whys, why)
		}
		w.add(ProofStep{Date: fromDays(d), Reason: "skipped: " + why, Kind: StepSkipped})
	}
	lo, hi := end, d-step
	dir, basis, target := "forward", "BLDS art 148(5)", "next"
	if step < 0 {
		lo, hi = hi, lo
		dir, basis, target = "backward", "domain §2.2, conservative reading [VERIFY]", "previous"
	}
	span := fromDays(lo).String()
	if lo != hi {
		span += " … " + fromDays(hi).String() + " are"
	} else {
		span += " is"
	}
	w.add(ProofStep{
		Date: fromDays(d),
		Kind: StepRolled,
		Reason: fmt.Sprintf("rolled %s from %s (%s) to the %s working day %s: %s non-working (%s) (%s)",
			dir, fromDays(end), endWhy, target, fromDays(d), span, strings.Join(whys, ", "), basis),
	})
	return d
}

func (c *Calendar) explain(r *Request, total, due int) (*Proof, error) {
	// One step per counted day plus the skipped ones (about 0.4 per working
	// day); sizing up front avoids regrowing a multi-thousand-step slice.
	w := &walker{c: c, unit: r.Unit, tolls: r.Tolling, steps: make([]ProofStep, 0, total+total/2+16)}
	s := r.Start.days()
	var got int
	if r.direction() == Backward {
		got = w.backward(s, total)
	} else {
		a, rem := s, total
		for _, sp := range r.Suspensions {
			used, _ := w.forward(a, rem, sp.From.days())
			rem -= used
			if sp.To.After(sp.From) {
				w.add(ProofStep{
					Date:    sp.From.AddDays(1),
					Through: sp.To,
					Kind:    StepSuspended,
					Reason: fmt.Sprintf("suspended: handling suspended on %s and resumed on %s; %d day(s) remain and run from the resume decision, which is not counted",
						sp.From, sp.To, rem),
				})
			}
			a = sp.To.days()
		}
		_, end := w.forward(a, rem, -1)
		got = w.roll(end, +1)
	}
	if got != due {
		return nil, fmt.Errorf("deadline: internal inconsistency: arithmetic gives %s, day-by-day proof gives %s for %+v",
			fromDays(due), fromDays(got), *r)
	}
	p := &Proof{
		Start:         r.Start,
		Days:          r.Days,
		ExtensionDays: slices.Clone(r.ExtensionDays),
		Unit:          r.Unit,
		Direction:     r.direction(),
		Suspensions:   slices.Clone(r.Suspensions),
		Tolling:       slices.Clone(r.Tolling),
		Steps:         w.steps,
		Provisional:   w.provisional,
		Due:           fromDays(due),
		DueAt:         fromDays(due).EndAt(),
	}
	p.Summary = p.summarise(total)
	return p, nil
}
