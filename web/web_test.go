package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/models"
)

// Every label has both languages, so the English toggle never shows a Vietnamese word by
// accident (and the reverse).
func TestLabelsInBothLanguages(t *testing.T) {
	for lang, other := range map[string]string{"vi": "en", "en": "vi"} {
		for k := range labels[lang] {
			if k == "app" { // the product's name is not translated
				continue
			}
			_, ok := labels[other][k]
			require.True(t, ok, "label %q is in %s but not in %s", k, lang, other)
		}
	}
	require.Equal(t, "Chờ cơ quan trả lời", label("vi", "status", "awaiting_response"))
	require.Equal(t, "Awaiting response", label("en", "status", "awaiting_response"))
	require.Equal(t, "some_new_status", label("en", "status", "some_new_status"), "an unknown code shows itself")
}

func TestSafeNextStaysInTheDashboard(t *testing.T) {
	for in, want := range map[string]string{
		"/ui/overdue?kind=complaint": "/ui/overdue?kind=complaint",
		"/ui/":                       "/ui/",
		"":                           "/ui/",
		"https://evil.example/ui/":   "/ui/",
		"//evil.example/ui/":         "/ui/",
		"/v1/letters":                "/ui/",
		"/ui/\r\nSet-Cookie: x=y":    "/ui/",
		"/ui\\evil":                  "/ui/",
	} {
		require.Equal(t, want, safeNext(in), in)
	}
}

func TestWeekChartScalesToTheBusiestWeek(t *testing.T) {
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	c := weekChart([]models.WeekCount{{Week: monday, Received: 4, Closed: 1}, {Week: monday.AddDate(0, 0, 7), Received: 2}}, "vi")
	require.EqualValues(t, 4, c.Max)
	require.Len(t, c.Bars, 4)
	plot := c.Base - 12
	require.Equal(t, plot, c.Bars[0].H, "the busiest bar fills the plot")
	require.Equal(t, plot/4, c.Bars[1].H)
	require.Equal(t, plot/2, c.Bars[2].H)
	require.Zero(t, c.Bars[3].H)
	require.Equal(t, "23/11", c.Labels[0].Text)
	require.Contains(t, c.Bars[0].Title, "Đã nhận: 4")
	require.True(t, weekChart([]models.WeekCount{{Week: monday}}, "en").Empty)
}
