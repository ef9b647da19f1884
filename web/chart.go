package web

import (
	"fmt"

	"github.com/dannguyen/dannguyen/models"
)

// chart is a grouped bar chart drawn on the server as SVG shapes (no script, no CDN): two
// bars per week, received and closed, scaled to the busiest week.
type chart struct {
	Width, Height, Base int
	Bars                []bar
	Labels              []chartText
	Ticks               []chartText
	Max                 int64
	Empty               bool
}

type bar struct {
	X, Y, W, H int
	Class      string
	Title      string
}

type chartText struct {
	X, Y int
	Text string
}

func weekChart(weeks []models.WeekCount, lang string) chart {
	const (
		left, top, bottom = 36, 12, 36
		slot, barW        = 56, 20
	)
	c := chart{Width: left + slot*len(weeks) + 8, Height: 220}
	c.Base = c.Height - bottom
	for _, w := range weeks {
		c.Max = max(c.Max, w.Received, w.Closed)
	}
	c.Empty = c.Max == 0
	scale := max(c.Max, 1)
	plot := c.Base - top
	for _, f := range []int64{0, scale / 2, scale} {
		if f == 0 && scale == 1 {
			continue
		}
		c.Ticks = append(c.Ticks, chartText{X: left - 6, Y: c.Base - int(f*int64(plot)/scale) + 4, Text: fmt.Sprint(f)})
	}
	for i, w := range weeks {
		x := left + i*slot + (slot-2*barW)/2
		for j, n := range []int64{w.Received, w.Closed} {
			h := int(n * int64(plot) / scale)
			class, name := "received", translate(lang, "received")
			if j == 1 {
				class, name = "closed", translate(lang, "closed")
			}
			c.Bars = append(c.Bars, bar{X: x + j*barW, Y: c.Base - h, W: barW - 2, H: h, Class: class,
				Title: fmt.Sprintf("%s %s: %d", w.Week.Format("02/01"), name, n)})
		}
		c.Labels = append(c.Labels, chartText{X: left + i*slot + slot/2, Y: c.Base + 16, Text: w.Week.Format("02/01")})
	}
	return c
}
