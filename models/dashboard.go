package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// DashboardScope limits the supervisor dashboard's aggregates the way LetterFilter limits the
// list: empty VisibleTo means every body (supervisors), HeldOnly an agency's forwarded letters.
type DashboardScope struct {
	VisibleTo string
	HeldOnly  bool
}

func (s DashboardScope) apply(q *gorm.DB) *gorm.DB {
	switch {
	case s.VisibleTo == "":
		return q
	case s.HeldOnly:
		return q.Where("body_id = ?", s.VisibleTo)
	}
	return q.Where("(receiving_body_id = ? OR body_id = ?)", s.VisibleTo, s.VisibleTo)
}

// StatusBodyCount is how many open letters one body holds in one status.
type StatusBodyCount struct {
	Status string
	BodyID string
	N      int64
}

// OpenLettersByStatusAndBody counts open letters per status and holding body.
func OpenLettersByStatusAndBody(ctx context.Context, db *gorm.DB, s DashboardScope) ([]StatusBodyCount, error) {
	var out []StatusBodyCount
	q := s.apply(db.WithContext(ctx).Model(&LetterRow{}).Where("closed_at IS NULL"))
	err := q.Select("status, body_id, count(*) AS n").Group("status, body_id").Order("body_id, status").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("count open letters: %w", err)
	}
	return out, nil
}

// DueCounts are the open letters past their due instant and those due before atRiskBy.
type DueCounts struct {
	Overdue int64
	AtRisk  int64
}

// CountDue counts overdue letters (the list's overdue rule) and at-risk ones: open, not
// overdue, with a running clock due before atRiskBy.
func CountDue(ctx context.Context, db *gorm.DB, s DashboardScope, now, atRiskBy time.Time) (DueCounts, error) {
	var d DueCounts
	overdue := "closed_at IS NULL AND (overdue OR due_at <= ?)"
	if err := s.apply(db.WithContext(ctx).Model(&LetterRow{})).Where(overdue, now).Count(&d.Overdue).Error; err != nil {
		return d, fmt.Errorf("count overdue letters: %w", err)
	}
	err := s.apply(db.WithContext(ctx).Model(&LetterRow{})).Where("NOT ("+overdue+")", now).
		Where("closed_at IS NULL AND due_at < ?", atRiskBy).Count(&d.AtRisk).Error
	if err != nil {
		return d, fmt.Errorf("count at-risk letters: %w", err)
	}
	return d, nil
}

// WeekCount is how many letters were received and closed in the week starting Monday Week.
type WeekCount struct {
	Week     time.Time
	Received int64
	Closed   int64
}

// LettersPerWeek counts letters received (by received_on) and closed (by closed_at in
// Vietnam's time zone) in each of the last weeks weeks up to now's week, oldest first; weeks
// without letters are present with zeros so a chart has no gaps.
func LettersPerWeek(ctx context.Context, db *gorm.DB, s DashboardScope, now time.Time, weeks int) ([]WeekCount, error) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return nil, fmt.Errorf("time zone: %w", err)
	}
	local := now.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	first := monday.AddDate(0, 0, -7*(weeks-1))
	out := make([]WeekCount, weeks)
	index := map[string]int{}
	for i := range out {
		out[i].Week = first.AddDate(0, 0, 7*i)
		index[out[i].Week.Format(time.DateOnly)] = i
	}
	type row struct {
		Week string
		N    int64
	}
	var received, closed []row
	err = s.apply(db.WithContext(ctx).Model(&LetterRow{})).Where("received_on >= ?", first.Format(time.DateOnly)).
		Select("to_char(date_trunc('week', received_on), 'YYYY-MM-DD') AS week, count(*) AS n").Group("week").Scan(&received).Error
	if err != nil {
		return nil, fmt.Errorf("count received per week: %w", err)
	}
	err = s.apply(db.WithContext(ctx).Model(&LetterRow{})).Where("closed_at IS NOT NULL AND (closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= ?", first.Format(time.DateOnly)).
		Select("to_char(date_trunc('week', closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh'), 'YYYY-MM-DD') AS week, count(*) AS n").Group("week").Scan(&closed).Error
	if err != nil {
		return nil, fmt.Errorf("count closed per week: %w", err)
	}
	for _, r := range received {
		if i, ok := index[r.Week]; ok {
			out[i].Received = r.N
		}
	}
	for _, r := range closed {
		if i, ok := index[r.Week]; ok {
			out[i].Closed = r.N
		}
	}
	return out, nil
}

// AllBodyNames maps every body id to its name, for labels.
func AllBodyNames(ctx context.Context, db *gorm.DB) (map[string]string, error) {
	var bodies []Body
	if err := db.WithContext(ctx).Select("id, name").Find(&bodies).Error; err != nil {
		return nil, fmt.Errorf("body names: %w", err)
	}
	out := make(map[string]string, len(bodies))
	for _, b := range bodies {
		out[b.ID] = b.Name
	}
	return out, nil
}
