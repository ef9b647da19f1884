package api

import (
	"strconv"
	"strings"
	"time"
)

// serverTiming collects the phases of a write for the Server-Timing header (W3C), so a slow
// answer shows where its time went (the checks and reads before the workflow, the workflow's
// Update, the view read back) in a browser's network panel, in `curl -i` and in bench engine.
type serverTiming struct {
	last  time.Time
	parts []string
}

func startTiming() *serverTiming { return &serverTiming{last: time.Now()} }

// mark closes the phase that began at the previous mark.
func (t *serverTiming) mark(name string) {
	now := time.Now()
	t.parts = append(t.parts, name+";dur="+strconv.FormatFloat(float64(now.Sub(t.last).Microseconds())/1000, 'f', 1, 64))
	t.last = now
}

// header is the Server-Timing value: the phases marked so far.
func (t *serverTiming) header() string { return strings.Join(t.parts, ", ") }
