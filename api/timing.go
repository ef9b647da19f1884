package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
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

// respondLetter answers with the letter's view and the phases timed so far plus the view's.
func (t *serverTiming) respondLetter(s *Server, c *gin.Context, status int, id string) {
	v, err := s.loadLetterView(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	t.mark("view")
	c.Header("Server-Timing", strings.Join(t.parts, ", "))
	c.Header("ETag", fmt.Sprintf(`"%d"`, v.Version))
	c.JSON(status, v)
}
