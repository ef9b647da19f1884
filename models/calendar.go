package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/textnorm"
)

// HolidayRow is one row of the holidays table.
type HolidayRow struct {
	Day         time.Time `gorm:"column:day;primaryKey"`
	Name        string
	Kind        string
	Provisional bool
	Basis       string
	UpdatedBy   string
	UpdatedAt   time.Time
}

func (HolidayRow) TableName() string { return "holidays" }

// Holiday converts the row for the deadline package.
func (r HolidayRow) Holiday() deadline.Holiday {
	return deadline.Holiday{
		Date: dateOf(r.Day), Name: r.Name, Kind: deadline.DayKind(r.Kind),
		Provisional: r.Provisional, Basis: r.Basis,
	}
}

// dateOf reads a PostgreSQL date column. The driver returns midnight in some zone; the civil
// date is the one written in that zone, whatever it is.
func dateOf(t time.Time) deadline.Date { return deadline.Date{Y: t.Year(), M: t.Month(), D: t.Day()} }

// seedHolidaysJSON is the shipped Vietnam calendar (2025–2027) as the deadline package knows it.
var seedHolidaysJSON = func() []byte {
	b, err := json.Marshal(deadline.VietnamHolidays())
	if err != nil {
		panic(err)
	}
	return b
}()

func init() { registerGoMigration(4, seedHolidaysJSON, seedHolidays) }

func seedHolidays(ctx context.Context, tx *sql.Tx) error {
	for _, h := range deadline.VietnamHolidays() {
		after, _ := json.Marshal(h)
		if _, err := tx.ExecContext(ctx, `INSERT INTO holidays (day, name, kind, provisional, basis, updated_by)
			VALUES ($1, $2, $3, $4, $5, 'seed') ON CONFLICT (day) DO NOTHING`,
			h.Date.String(), h.Name, string(h.Kind), h.Provisional, h.Basis); err != nil {
			return fmt.Errorf("seed holiday %s: %w", h.Date, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO holiday_changes (day, action, after, changed_by) VALUES ($1, 'seed', $2, 'seed')`,
			h.Date.String(), after); err != nil {
			return fmt.Errorf("seed holiday history %s: %w", h.Date, err)
		}
	}
	return nil
}

// LoadCalendar builds the calendar from the holidays table. Coverage runs from 1 January of
// the first year with data to 31 December of the last: counting over a year nobody has
// entered holidays for must fail rather than silently treat it as holiday-free.
func LoadCalendar(ctx context.Context, db *gorm.DB) (*deadline.Calendar, error) {
	rows, err := holidayRows(db.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	return calendarOf(rows)
}

func holidayRows(db *gorm.DB) ([]HolidayRow, error) {
	var rows []HolidayRow
	if err := db.Order("day").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load holidays: %w", err)
	}
	return rows, nil
}

func calendarOf(rows []HolidayRow) (*deadline.Calendar, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("load holidays: the holidays table is empty; run the migrations")
	}
	entries := make([]deadline.Holiday, len(rows))
	for i, r := range rows {
		entries[i] = r.Holiday()
	}
	from, _ := deadline.NewDate(entries[0].Date.Y, time.January, 1)
	to, _ := deadline.NewDate(entries[len(entries)-1].Date.Y, time.December, 31)
	cal, err := deadline.NewCalendar(entries, from, to)
	if err != nil {
		return nil, fmt.Errorf("build calendar: %w", err)
	}
	return cal, nil
}

// ListHolidays returns the entries of one year in date order.
func ListHolidays(ctx context.Context, db *gorm.DB, year int) ([]HolidayRow, error) {
	var rows []HolidayRow
	err := db.WithContext(ctx).Where("day >= make_date(?, 1, 1) AND day < make_date(?, 1, 1)", year, year+1).
		Order("day").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list holidays of %d: %w", year, err)
	}
	return rows, nil
}

// GetHoliday returns the entry on day; a day without one is apperr.NotFound.
func GetHoliday(ctx context.Context, db *gorm.DB, day deadline.Date) (HolidayRow, error) {
	var r HolidayRow
	err := db.WithContext(ctx).Where("day = ?", day.String()).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, apperr.New(apperr.NotFound, "%s is not in the holiday calendar (a %s is a %s)", day, day.Weekday(), plainDay(day))
	}
	if err != nil {
		return r, fmt.Errorf("get holiday %s: %w", day, err)
	}
	return r, nil
}

func plainDay(d deadline.Date) string {
	if w := d.Weekday(); w == time.Saturday || w == time.Sunday {
		return "weekly rest day"
	}
	return "working day"
}

// HolidayChange is one row of holiday_changes: who changed which day, from what to what. It is
// kept forever because an old due date can only be explained with the calendar it was
// computed against.
type HolidayChange struct {
	ID              int64           `gorm:"column:id;primaryKey"`
	Day             time.Time       `gorm:"column:day"`
	Action          string          `gorm:"column:action"`
	Before          json.RawMessage `gorm:"column:before;type:jsonb"`
	After           json.RawMessage `gorm:"column:after;type:jsonb"`
	ChangedBy       string          `gorm:"column:changed_by"`
	ChangedAt       time.Time       `gorm:"column:changed_at"`
	CasesRecomputed *int            `gorm:"column:cases_recomputed"`
}

func (HolidayChange) TableName() string { return "holiday_changes" }

// Date is the changed day.
func (c HolidayChange) Date() deadline.Date { return dateOf(c.Day) }

// Entries decodes the entry before and after the change; nil means "no entry".
func (c HolidayChange) Entries() (before, after *deadline.Holiday, err error) {
	dec := func(raw json.RawMessage) (*deadline.Holiday, error) {
		if len(raw) == 0 || string(raw) == "null" {
			return nil, nil
		}
		var h deadline.Holiday
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, fmt.Errorf("holiday change %d: %w", c.ID, err)
		}
		return &h, nil
	}
	if before, err = dec(c.Before); err != nil {
		return nil, nil, err
	}
	after, err = dec(c.After)
	return before, after, err
}

// MovesDeadlines reports whether the change turned a working day into a day off or back. Only
// then can a due date move; a new name, basis or provisional flag changes proofs, not dates.
// Seed rows describe the calendar every clock was computed with, so they move nothing.
func (c HolidayChange) MovesDeadlines() bool {
	if c.Action == "seed" {
		return false
	}
	before, after, err := c.Entries()
	if err != nil {
		return true // undecodable history: recomputing is harmless, skipping it is not
	}
	return workingWith(before, c.Date()) != workingWith(after, c.Date())
}

func workingWith(h *deadline.Holiday, d deadline.Date) bool {
	if h != nil {
		return h.Kind == deadline.KindSwapWork
	}
	w := d.Weekday()
	return w != time.Saturday && w != time.Sunday
}

// calendarLock serialises every edit of the calendar: the coverage checks look at the whole
// table, and edits are rare enough that one at a time costs nothing.
const calendarLock = 0x63616c // "cal"

// PutHoliday stores h, replacing any entry on its date, and records the change, in one
// transaction. The entry is checked by the deadline package's own rules (a compensatory or
// swap_off day must be a weekday, a swap_work day a weekend day). When the stored entry already
// equals h nothing is written and the day's latest change is returned with changed = false, so
// a retried PUT answers like the first one.
func PutHoliday(ctx context.Context, db *gorm.DB, h deadline.Holiday, by string) (ch HolidayChange, changed bool, err error) {
	if err := cleanHoliday(&h); err != nil {
		return ch, false, err
	}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := lockedHolidayRows(tx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rows, func(r HolidayRow) bool { return dateOf(r.Day) == h.Date })
		var before *deadline.Holiday
		if i >= 0 {
			b := rows[i].Holiday()
			if b == h {
				ch, err = latestChange(tx, h.Date)
				return err
			}
			before = &b
		}
		if err := checkNewEntry(rows, h); err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO holidays (day, name, kind, provisional, basis, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, now())
			ON CONFLICT (day) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, provisional = EXCLUDED.provisional,
				basis = EXCLUDED.basis, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
			h.Date.String(), h.Name, string(h.Kind), h.Provisional, h.Basis, by).Error; err != nil {
			return fmt.Errorf("store holiday %s: %w", h.Date, err)
		}
		changed = true
		ch, err = recordChange(tx, h.Date, "put", before, &h, by)
		return err
	})
	return ch, changed, err
}

// DeleteHoliday removes the entry on day and records the change. A day without an entry is
// NotFound. Removing the last entry of the first or last year of the calendar is a Conflict:
// that year would drop out of coverage and every clock counting through it would fail.
func DeleteHoliday(ctx context.Context, db *gorm.DB, day deadline.Date, by string) (HolidayChange, error) {
	var ch HolidayChange
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := lockedHolidayRows(tx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rows, func(r HolidayRow) bool { return dateOf(r.Day) == day })
		if i < 0 {
			return apperr.New(apperr.NotFound, "%s is not in the holiday calendar; nothing to delete", day)
		}
		first, last := dateOf(rows[0].Day).Y, dateOf(rows[len(rows)-1].Day).Y
		sameYear := 0
		for _, r := range rows {
			if dateOf(r.Day).Y == day.Y {
				sameYear++
			}
		}
		if sameYear == 1 && (day.Y == first || day.Y == last) {
			return apperr.New(apperr.Conflict,
				"%s is the last entry of %d; deleting it would take %d out of the calendar's coverage (%d–%d) and stop every deadline counted through it; enter the year's correct holidays first",
				day, day.Y, day.Y, first, last)
		}
		before := rows[i].Holiday()
		if err := tx.Exec("DELETE FROM holidays WHERE day = ?", day.String()).Error; err != nil {
			return fmt.Errorf("delete holiday %s: %w", day, err)
		}
		ch, err = recordChange(tx, day, "delete", &before, nil, by)
		return err
	})
	return ch, err
}

func lockedHolidayRows(tx *gorm.DB) ([]HolidayRow, error) {
	if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", calendarLock).Error; err != nil {
		return nil, fmt.Errorf("lock calendar: %w", err)
	}
	return holidayRows(tx)
}

// cleanHoliday normalises the text fields and reports every field that breaks a text rule;
// the calendar rules proper are the deadline package's, checked by checkNewEntry.
func cleanHoliday(h *deadline.Holiday) error {
	var v apperr.Validation
	h.Name, h.Basis = textnorm.NFC(h.Name), textnorm.NFC(h.Basis)
	switch {
	case h.Name == "":
		v.Add("name", "is required")
	case utf8.RuneCountInString(h.Name) > 200:
		v.Add("name", "at most 200 characters")
	case textnorm.Problem(h.Name) != "":
		v.Add("name", "%s", textnorm.Problem(h.Name))
	}
	switch {
	case utf8.RuneCountInString(h.Basis) > 1000:
		v.Add("basis", "at most 1000 characters")
	case textnorm.Problem(h.Basis) != "":
		v.Add("basis", "%s", textnorm.Problem(h.Basis))
	}
	kinds := []deadline.DayKind{deadline.KindHoliday, deadline.KindCompensatory, deadline.KindSwapOff, deadline.KindSwapWork}
	if !slices.Contains(kinds, h.Kind) {
		v.Add("kind", "must be one of holiday, compensatory, swap_off, swap_work")
	}
	return v.Err()
}

// checkNewEntry applies the deadline package's entry rules and keeps coverage contiguous: a
// year may be added only next to the years already entered, because LoadCalendar covers
// every year between the first and the last entry, and a gap year would count as one without
// holidays.
func checkNewEntry(rows []HolidayRow, h deadline.Holiday) error {
	if len(rows) > 0 {
		first, last := dateOf(rows[0].Day).Y, dateOf(rows[len(rows)-1].Day).Y
		if h.Date.Y < first-1 || h.Date.Y > last+1 {
			return apperr.Fields([]apperr.FieldError{{Field: "date", Message: fmt.Sprintf(
				"%d is not next to the calendar's years %d–%d; enter years one at a time so that no year is counted without its holidays",
				h.Date.Y, first, last)}})
		}
	}
	cal, err := deadline.NewCalendar(nil, h.Date, h.Date)
	if err == nil {
		_, err = cal.Edit([]deadline.Holiday{h}, nil)
	}
	var ie *deadline.InputError
	if errors.As(err, &ie) {
		// The package names the field inside its own edit list ("add[0].kind").
		field := ie.Field
		if _, rest, ok := strings.Cut(field, "."); ok {
			field = rest
		}
		return apperr.Fields([]apperr.FieldError{{Field: field, Message: ie.Reason}})
	}
	if err != nil {
		return fmt.Errorf("check holiday %s: %w", h.Date, err)
	}
	return nil
}

func recordChange(tx *gorm.DB, day deadline.Date, action string, before, after *deadline.Holiday, by string) (HolidayChange, error) {
	enc := func(h *deadline.Holiday) (any, error) {
		if h == nil {
			return nil, nil
		}
		b, err := json.Marshal(h)
		return string(b), err
	}
	b, err := enc(before)
	if err != nil {
		return HolidayChange{}, err
	}
	a, err := enc(after)
	if err != nil {
		return HolidayChange{}, err
	}
	var ch HolidayChange
	err = tx.Raw(`INSERT INTO holiday_changes (day, action, before, after, changed_by) VALUES (?, ?, ?, ?, ?)
		RETURNING id, day, action, before, after, changed_by, changed_at, cases_recomputed`,
		day.String(), action, b, a, by).Scan(&ch).Error
	if err != nil {
		return ch, fmt.Errorf("record change of %s: %w", day, err)
	}
	return ch, nil
}

func latestChange(tx *gorm.DB, day deadline.Date) (HolidayChange, error) {
	var ch HolidayChange
	err := tx.Where("day = ?", day.String()).Order("changed_at DESC, id DESC").Take(&ch).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return HolidayChange{}, nil // a row entered by hand, outside the API: no history to point at
	}
	if err != nil {
		return ch, fmt.Errorf("latest change of %s: %w", day, err)
	}
	return ch, nil
}

// HolidayHistory returns every change of one day, oldest first.
func HolidayHistory(ctx context.Context, db *gorm.DB, day deadline.Date) ([]HolidayChange, error) {
	var out []HolidayChange
	if err := db.WithContext(ctx).Where("day = ?", day.String()).Order("changed_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("history of %s: %w", day, err)
	}
	return out, nil
}

// GetHolidayChange returns one change; an unknown id is apperr.NotFound.
func GetHolidayChange(ctx context.Context, db *gorm.DB, id int64) (HolidayChange, error) {
	var ch HolidayChange
	err := db.WithContext(ctx).Where("id = ?", id).Take(&ch).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ch, apperr.New(apperr.NotFound, "no calendar change %d", id)
	}
	if err != nil {
		return ch, fmt.Errorf("get calendar change %d: %w", id, err)
	}
	return ch, nil
}

// CountRecomputed is the number of letters that recorded a clock_recomputed event for the
// change: those whose due date the change actually moved.
func CountRecomputed(ctx context.Context, db *gorm.DB, changeID int64) (int, error) {
	var n int
	err := db.WithContext(ctx).Raw(`SELECT count(DISTINCT letter_id) FROM letter_events
		WHERE type = 'clock_recomputed' AND data->>'change_id' = ?`, strconv.FormatInt(changeID, 10)).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count letters recomputed for change %d: %w", changeID, err)
	}
	return n, nil
}

// SetCasesRecomputed records the figure reported for a change. Events are append-only, so a
// later count is never smaller; GREATEST keeps a slow reader from lowering it.
func SetCasesRecomputed(ctx context.Context, db *gorm.DB, changeID int64, n int) error {
	err := db.WithContext(ctx).Exec(`UPDATE holiday_changes SET cases_recomputed = GREATEST(coalesce(cases_recomputed, 0), ?) WHERE id = ?`,
		n, changeID).Error
	if err != nil {
		return fmt.Errorf("record cases recomputed for change %d: %w", changeID, err)
	}
	return nil
}
