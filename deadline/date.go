package deadline

import (
	"time"
	_ "time/tzdata" // every worker image must compute the same instants, with or without an OS zone database
)

// Date is a civil (legal) date in Asia/Ho_Chi_Minh with no time of day.
//
// Legal periods are counted in whole days (BLDS art 147), so carrying a
// time.Time would invite off-by-one errors at midnight and across zones. The
// zero value is "no date". Methods on an invalid Date (e.g. 30 February) never
// panic but their results are unspecified; use Valid to check.
type Date struct {
	Y int
	M time.Month
	D int
}

// loc is read-only after package initialisation.
var loc = loadLocation()

func loadLocation() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		// Vietnam has been UTC+7 without DST since 1975; a fixed zone is exact
		// for every date this package can be asked about in practice.
		return time.FixedZone("ICT", 7*60*60)
	}
	return l
}

// Location is the zone in which all legal days are reckoned (BLDS art 148(6)).
func Location() *time.Location { return loc }

// NewDate builds a Date, rejecting impossible calendar dates instead of
// normalising them (time.Date would turn 31 April into 1 May silently).
func NewDate(y int, m time.Month, d int) (Date, error) {
	dt := Date{y, m, d}
	if !dt.Valid() {
		return Date{}, invalid("date", "%04d-%02d-%02d is not a calendar date", y, int(m), d)
	}
	return dt, nil
}

// ParseDate accepts exactly "YYYY-MM-DD". Nothing looser is accepted because
// a date that parses "somehow" is a date nobody checked.
func ParseDate(s string) (Date, error) {
	bad := func() (Date, error) { return Date{}, invalid("date", "%q is not a YYYY-MM-DD date", s) }
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return bad()
	}
	num := func(i, j int) (int, bool) {
		n := 0
		for k := i; k < j; k++ {
			c := s[k]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	m, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	if !ok1 || !ok2 || !ok3 {
		return bad()
	}
	dt := Date{y, time.Month(m), d}
	if !dt.Valid() {
		return bad()
	}
	return dt, nil
}

// MustParseDate is for tables and tests whose literals are known good.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf is the legal day on which an instant falls in Vietnam.
func DateOf(t time.Time) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// Valid reports whether d is a real calendar date in years 1..9999.
func (d Date) Valid() bool {
	if d.Y < 1 || d.Y > 9999 || d.M < time.January || d.M > time.December || d.D < 1 {
		return false
	}
	return d.D <= daysIn(d.Y, d.M)
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// IsZero reports whether d is the zero value ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// String formats as "2026-02-25".
func (d Date) String() string { return string(d.appendTo(make([]byte, 0, 10))) }

func (d Date) appendTo(b []byte) []byte {
	b = append4(b, d.Y)
	b = append(b, '-')
	b = append2(b, int(d.M))
	b = append(b, '-')
	return append2(b, d.D)
}

func append4(b []byte, n int) []byte {
	if n < 0 || n > 9999 {
		n = 0
	}
	return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

func append2(b []byte, n int) []byte {
	if n < 0 || n > 99 {
		n = 0
	}
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// AddDays moves n calendar days (n may be negative).
func (d Date) AddDays(n int) Date { return fromDays(d.days() + n) }

// Sub returns d − o in days.
func (d Date) Sub(o Date) int { return d.days() - o.days() }

func (d Date) Before(o Date) bool { return d.days() < o.days() }
func (d Date) After(o Date) bool  { return d.days() > o.days() }

// Weekday is derived arithmetically, so it is known for every date, covered
// by a holiday calendar or not.
func (d Date) Weekday() time.Weekday { return weekdayOf(d.days()) }

// EndAt is the instant the legal day ends: 24:00 Asia/Ho_Chi_Minh, i.e.
// 00:00 of the next day (BLDS art 148(6)). A period with due date d is still
// running at any instant strictly before d.EndAt().
func (d Date) EndAt() time.Time {
	return time.Date(d.Y, d.M, d.D+1, 0, 0, 0, 0, loc)
}

// MarshalText writes "YYYY-MM-DD"; the zero Date is written as "" so optional
// dates survive a JSON or Temporal round trip.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.Valid() {
		return nil, invalid("date", "%s is not a calendar date", d)
	}
	return d.appendTo(make([]byte, 0, 10)), nil
}

// UnmarshalText is the strict inverse of MarshalText.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// days is the number of days since 1970-01-01 (proleptic Gregorian), using
// Howard Hinnant's civil-calendar algorithms: no allocation, no time.Time, so
// the counting hot path stays in integer arithmetic.
func (d Date) days() int {
	y, m := d.Y, int(d.M)
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d.D - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func fromDays(z int) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return Date{y, time.Month(m), d}
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// 1970-01-01 was a Thursday.
func weekdayOf(days int) time.Weekday {
	w := (days + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// Interval is a closed range of days, both ends inclusive.
type Interval struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}
