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
	Due           Date        `json:"due"`
	DueAt         time.Time   `json:"due_at"`
	Summary       string      `json:"summary"`
}

// nonWorkingNote marks a counted calendar day that is not a working day; Text
// relies on it to tally such days, so it must stay stable.
const nonWorkingNote = " (non-working: "

// walker recounts day by day. It shares no counting code with the arithmetic
// in count.go, so explain doubles as a self-check: if the two ever disagree
// the caller gets an error, never a proof of a date we did not return.
type walker struct {
	c     *Calendar
	unit  Unit
	tolls []Interval
	steps []ProofStep
	n     int
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
		working, why := w.c.info(d)
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
		working, why := w.c.info(d)
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
	working, endWhy := w.c.info(end)
	if working {
		return end
	}
	whys := []string{endWhy}
	d := end
	for {
		d += step
		ok, why := w.c.info(d)
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
	w := &walker{c: c, unit: r.Unit, tolls: r.Tolling}
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
		Due:           fromDays(due),
		DueAt:         fromDays(due).EndAt(),
	}
	p.Summary = p.summarise(total)
	return p, nil
}

func dayName(d Date) string { return d.String() + " (" + d.Weekday().String() + ")" }

func unitWords(u Unit) string {
	if u == WorkingDays {
		return "working days"
	}
	return "calendar days"
}

func (p *Proof) summarise(total int) string {
	var b strings.Builder
	back := p.Direction == Backward
	if back {
		fmt.Fprintf(&b, "Counting %d %s back from %s, which is not counted", total, unitWords(p.Unit), dayName(p.Start))
	} else {
		fmt.Fprintf(&b, "Start %s is the event day and is not counted (BLDS art 147). The period is %d %s",
			dayName(p.Start), total, unitWords(p.Unit))
		if len(p.ExtensionDays) > 0 {
			fmt.Fprintf(&b, " (%d plus extensions of %s days, added to the original term and rolled once at the end)",
				p.Days, joinInts(p.ExtensionDays))
		}
	}
	b.WriteString(".")
	for _, s := range p.Suspensions {
		fmt.Fprintf(&b, " Handling was suspended on %s and resumed on %s; the suspended days are excluded and the rest runs from the resume decision.", s.From, s.To)
	}
	var last, rolled *ProofStep
	skipped, tolled := 0, 0
	var whys, rollWhys []string
	note := func(list []string, why string) []string {
		if !slices.Contains(list, why) {
			list = append(list, why)
		}
		return list
	}
	for i := range p.Steps {
		st := &p.Steps[i]
		switch st.Kind {
		case StepCounted:
			last, rollWhys = st, nil
			if j := strings.Index(st.Reason, nonWorkingNote); j >= 0 {
				why, _, _ := strings.Cut(st.Reason[j+len(nonWorkingNote):], "; calendar days")
				rollWhys = note(rollWhys, why)
			}
		case StepRolled:
			rolled = st
		case StepTolled:
			tolled += st.span()
		case StepSkipped:
			why, _, _ := strings.Cut(strings.TrimPrefix(st.Reason, "skipped: "), " (period already complete")
			rollWhys = note(rollWhys, why)
			if p.Unit == WorkingDays {
				skipped++
				whys = note(whys, why)
			}
		}
	}
	if last == nil {
		// Nothing counted (a zero-day period): the roll starts from the
		// reference day itself.
		rollWhys = nil
		for _, st := range p.Steps {
			if st.Kind == StepSkipped {
				rollWhys = note(rollWhys, strings.TrimPrefix(st.Reason, "skipped: "))
			}
		}
	}
	if tolled > 0 {
		fmt.Fprintf(&b, " %d day(s) inside tolling intervals are not counted (LKN art 9).", tolled)
	}
	if skipped > 0 {
		fmt.Fprintf(&b, " %d non-working day(s) were skipped (%s).", skipped, strings.Join(whys, ", "))
	}
	if last != nil {
		fmt.Fprintf(&b, " The last counted day is %s", dayName(last.Date))
	} else {
		fmt.Fprintf(&b, " No day is counted; the reference day is %s", dayName(p.Start))
	}
	if rolled != nil {
		dir := "forward to the next"
		if back {
			dir = "backward to the previous"
		}
		fmt.Fprintf(&b, ", a non-working day, so the period rolls %s working day, %s, past %s",
			dir, dayName(rolled.Date), strings.Join(rollWhys, ", "))
		if back {
			b.WriteString(" (domain §2.2 [VERIFY])")
		} else {
			b.WriteString(" (BLDS art 148(5))")
		}
	}
	if back {
		fmt.Fprintf(&b, ". The act is due no later than %s, ending 24:00 Asia/Ho_Chi_Minh.", dayName(p.Due))
	} else {
		fmt.Fprintf(&b, ". The period ends at 24:00 Asia/Ho_Chi_Minh on %s (BLDS art 148(6)).", dayName(p.Due))
	}
	return b.String()
}

func (s ProofStep) span() int {
	if s.Through.IsZero() {
		return 1
	}
	return s.Through.Sub(s.Date) + 1
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, " and ")
}

// Text renders the proof for a clerk, one fact per line. Long runs of
// calendar days are collapsed (every day counts, so listing them adds
// nothing); working-day proofs list every counted and skipped day.
func (p *Proof) Text() string {
	var b strings.Builder
	if p.RuleID != "" {
		fmt.Fprintf(&b, "Rule %s", p.RuleID)
		if p.RuleName != "" {
			fmt.Fprintf(&b, " — %s", p.RuleName)
		}
		if p.Variant != "" {
			fmt.Fprintf(&b, " [%s]", p.Variant)
		}
		if p.LegalBasis != "" {
			fmt.Fprintf(&b, " (%s)", p.LegalBasis)
		}
		b.WriteString("\n")
	}
	if p.Direction == Backward {
		fmt.Fprintf(&b, "Reference day: %s — not counted; counting backwards\n", dayName(p.Start))
	} else {
		fmt.Fprintf(&b, "Start: %s — event day, not counted (BLDS art 147)\n", dayName(p.Start))
	}
	fmt.Fprintf(&b, "Period: %d %s, %s", p.Days, unitWords(p.Unit), p.Direction)
	if len(p.ExtensionDays) > 0 {
		total := p.Days
		for _, e := range p.ExtensionDays {
			total += e
		}
		fmt.Fprintf(&b, "; extensions %s → %d in total", joinInts(p.ExtensionDays), total)
	}
	b.WriteString("\n")
	for _, s := range p.Suspensions {
		fmt.Fprintf(&b, "Suspension: decided %s, resumed %s\n", s.From, s.To)
	}
	for _, t := range p.Tolling {
		fmt.Fprintf(&b, "Tolling: %s … %s\n", t.From, t.To)
	}
	lastCounted := -1
	for i, s := range p.Steps {
		if s.Kind == StepCounted {
			lastCounted = i
		}
	}
	for i := 0; i < len(p.Steps); i++ {
		s := p.Steps[i]
		if s.Kind == StepCounted && p.Unit == CalendarDays {
			j := i
			for j+1 < len(p.Steps) && j+1 != lastCounted && p.Steps[j+1].Kind == StepCounted {
				j++
			}
			if j-i >= 2 {
				nonWorking := 0
				for _, t := range p.Steps[i : j+1] {
					if strings.Contains(t.Reason, nonWorkingNote) {
						nonWorking++
					}
				}
				fmt.Fprintf(&b, "Days %d–%d: %s … %s counted", s.N, p.Steps[j].N, s.Date, p.Steps[j].Date)
				if nonWorking > 0 {
					fmt.Fprintf(&b, " (%d of them non-working; calendar days count every day)", nonWorking)
				}
				b.WriteString("\n")
				i = j
				continue
			}
		}
		b.WriteString(s.line())
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Due: %s, 24:00 Asia/Ho_Chi_Minh (%s)\n", dayName(p.Due), p.DueAt.Format(time.RFC3339))
	if p.Summary != "" {
		b.WriteString("\n")
		b.WriteString(p.Summary)
		b.WriteString("\n")
	}
	return b.String()
}

func (s ProofStep) line() string {
	switch s.Kind {
	case StepCounted:
		l := fmt.Sprintf("Day %d: %s counted", s.N, dayName(s.Date))
		if i := strings.Index(s.Reason, nonWorkingNote); i >= 0 {
			l += s.Reason[i:]
		}
		return l
	case StepSuspended, StepTolled:
		if !s.Through.IsZero() {
			return fmt.Sprintf("%s … %s: %s", s.Date, s.Through, s.Reason)
		}
	}
	return fmt.Sprintf("%s: %s", dayName(s.Date), s.Reason)
}
