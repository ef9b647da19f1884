package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// sqlText builds a statement and its arguments in textual order, with ? placeholders.
type sqlText struct {
	sql  strings.Builder
	args []any
}

func (q *sqlText) add(s string, args ...any) {
	q.sql.WriteString(s)
	q.args = append(q.args, args...)
}

// numbered is the statement with PostgreSQL's $n placeholders.
func (q *sqlText) numbered() string {
	var b strings.Builder
	n := 0
	for _, r := range q.sql.String() {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// readQuery runs a read-side statement as an unnamed statement, so PostgreSQL plans it with the
// actual values every time. pgx would otherwise prepare it, and after five executions
// PostgreSQL may switch to a generic plan: for a keyset condition such as
// (received_on, id) < ($3, $4) the generic estimate is a handful of rows, so it picks a bitmap
// scan and sorts everything after the cursor — a deep page then costs as much as the whole
// list. Descriptions are still cached, so it stays one round trip. Slices are passed as
// PostgreSQL arrays (write "= ANY(?)", not "IN ?").
func readQuery[T any](ctx context.Context, db *gorm.DB, q *sqlText) ([]T, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	rows, err := sqlDB.QueryContext(ctx, q.numbered(), append([]any{pgx.QueryExecModeCacheDescribe}, q.args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	scan := db.WithContext(ctx)
	for rows.Next() {
		var item T
		if err := scan.ScanRows(rows, &item); err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		out = append(out, item)
	}
	return out, rows.Err()
}

// explain runs an EXPLAIN statement and returns its plan as text.
func explain(ctx context.Context, db *gorm.DB, q *sqlText) (string, error) {
	lines, err := readQuery[struct {
		Line string `gorm:"column:QUERY PLAN"`
	}](ctx, db, q)
	if err != nil {
		return "", fmt.Errorf("explain: %w", err)
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Line
	}
	return strings.Join(out, "\n"), nil
}
