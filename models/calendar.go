package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/deadline"
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
		Date: deadline.DateOf(r.Day.In(deadline.Location())), Name: r.Name, Kind: deadline.DayKind(r.Kind),
		Provisional: r.Provisional, Basis: r.Basis,
	}
}

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
	var rows []HolidayRow
	if err := db.WithContext(ctx).Order("day").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load holidays: %w", err)
	}
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
