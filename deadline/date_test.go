package deadline

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDateArithmeticMatchesTimePackage(t *testing.T) {
	for x := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC); x.Year() < 2401; x = x.AddDate(0, 0, 1) {
		dt := Date{x.Year(), x.Month(), x.Day()}
		n := int(x.Unix() / 86400) // exact: x is midnight UTC
		require.Equal(t, n, dt.days(), "%s", dt)
		require.Equal(t, dt, fromDays(n))
		require.Equal(t, x.Weekday(), dt.Weekday(), "%s", dt)
	}
}

func TestDateBasics(t *testing.T) {
	a := d("2026-02-25")
	assert.Equal(t, "2026-02-25", a.String())
	assert.Equal(t, d("2026-03-01"), a.AddDays(4))
	assert.Equal(t, d("2025-12-31"), d("2026-01-01").AddDays(-1))
	assert.Equal(t, 4, d("2026-03-01").Sub(a))
	assert.True(t, a.Before(d("2026-02-26")))
	assert.True(t, d("2026-02-26").After(a))
	assert.False(t, a.After(a))
	assert.Equal(t, time.Wednesday, a.Weekday())
	assert.True(t, Date{}.IsZero())
	assert.False(t, a.IsZero())
	assert.True(t, a == Date{2026, time.February, 25}, "comparable with ==")
	assert.Equal(t, d("2028-02-29"), d("2028-02-28").AddDays(1), "leap year")
}

func TestParseDateStrict(t *testing.T) {
	for _, s := range []string{"", "2026-2-5", "2026-02-30", "2025-02-29", "20260225", " 2026-02-25",
		"2026-02-25T00:00", "0000-01-01", "+026-02-25", "2026/02/25", "2026-13-01", "2026-00-10", "2026-01-00"} {
		_, err := ParseDate(s)
		assert.ErrorIs(t, err, ErrInvalidInput, "%q", s)
	}
	got, err := ParseDate("2024-02-29")
	require.NoError(t, err)
	assert.Equal(t, Date{2024, time.February, 29}, got)
	_, err = NewDate(2026, time.April, 31)
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestEndAtAndDateOf(t *testing.T) {
	due := d("2026-02-25")
	end := due.EndAt()
	assert.Equal(t, "2026-02-26T00:00:00+07:00", end.Format(time.RFC3339))
	assert.Equal(t, time.Date(2026, 2, 25, 17, 0, 0, 0, time.UTC), end.UTC())
	// 17:00 UTC on the 24th is already midnight of the 25th in Hanoi.
	assert.Equal(t, due, DateOf(time.Date(2026, 2, 24, 17, 0, 0, 0, time.UTC)))
	assert.Equal(t, d("2026-02-24"), DateOf(time.Date(2026, 2, 24, 16, 59, 59, 0, time.UTC)))
	// The last instant of the due day still belongs to it.
	assert.Equal(t, due, DateOf(end.Add(-time.Nanosecond)))
	assert.Equal(t, due.AddDays(1), DateOf(end))
	assert.Equal(t, "2027-01-01T00:00:00+07:00", d("2026-12-31").EndAt().Format(time.RFC3339), "year end")
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		A Date  `json:"a"`
		B Date  `json:"b,omitzero"`
		C *Date `json:"c,omitempty"`
	}
	b, err := json.Marshal(doc{A: d("2026-02-25")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":"2026-02-25"}`, string(b))

	var back doc
	require.NoError(t, json.Unmarshal([]byte(`{"a":"2026-07-01","c":"2026-07-02"}`), &back))
	assert.Equal(t, d("2026-07-01"), back.A)
	assert.Equal(t, d("2026-07-02"), *back.C)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"a":"2026-7-1"}`), &back), ErrInvalidInput)

	zero, err := json.Marshal(struct{ Z Date }{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Z":""}`, string(zero), "zero date round-trips as empty string")
	_, err = json.Marshal(Date{2026, 2, 30})
	assert.Error(t, err)
}
