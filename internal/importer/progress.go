package importer

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// bar draws a progress bar on a terminal (redrawn in place) or, when the output is a file or
// a pipe, prints a line at every tenth of the work so logs stay readable.
type bar struct {
	w          io.Writer
	total, n   int
	tty        bool
	lastTenths int
	unit       string
}

func newBar(w io.Writer, total int) *bar {
	b := &bar{w: w, total: total, unit: "rows"}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.tty = true
		}
	}
	return b
}

func (b *bar) step() {
	if b.w == nil || b.total == 0 {
		return
	}
	b.n++
	if b.tty {
		const width = 30
		filled := b.n * width / b.total
		fmt.Fprintf(b.w, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled), b.n, b.total)
		return
	}
	if tenths := b.n * 10 / b.total; tenths > b.lastTenths {
		b.lastTenths = tenths
		fmt.Fprintf(b.w, "%d/%d %s (%d%%)\n", b.n, b.total, b.unit, b.n*100/b.total)
	}
}

func (b *bar) done() {
	if b.w != nil && b.tty && b.total > 0 {
		fmt.Fprintln(b.w)
	}
}
