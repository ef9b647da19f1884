// Package rulebook assembles the deadline rules the product uses: the statutory table of
// domain.md §10 (package deadline) plus the office's own practice rules (P-numbers), which
// are not law but live in the same effective-dated table so they show in /v1/rules.
package rulebook

import (
	"fmt"
	"sync"

	"github.com/dannguyen/dannguyen/deadline"
)

var officeRules = []deadline.Rule{{
	ID: "P01", Name: "Expected answer to a forwarded recommendation or reflection (office default)",
	NameVI:    "Thời hạn dự kiến trả lời kiến nghị, phản ánh đã chuyển (mặc định của cơ quan)",
	Durations: map[deadline.Variant]int{deadline.Normal: 30}, Unit: deadline.CalendarDays, Direction: deadline.Forward,
	StartEvent: "forwarding", LegalBasis: "office practice (domain.md §3.5); no statutory limit found", Verify: true,
	EffectiveFrom: deadline.MustParseDate("2020-01-01"),
}}

var (
	once  sync.Once
	rules *deadline.RuleSet
)

// Rules returns the rule set; it is immutable and shared.
func Rules() *deadline.RuleSet {
	once.Do(func() {
		all := append(deadline.DefaultRules().All(), officeRules...)
		rs, err := deadline.NewRuleSet(all)
		if err != nil {
			panic(fmt.Sprintf("rule table: %v", err))
		}
		rules = rs
	})
	return rules
}
