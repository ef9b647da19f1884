package deadline

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

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
	if len(p.Provisional) > 0 {
		ds := make([]string, len(p.Provisional))
		for i, x := range p.Provisional {
			ds[i] = x.String()
		}
		fmt.Fprintf(&b, " This depends on provisional calendar data (%s); recompute when the official notice is loaded.", strings.Join(ds, ", "))
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
