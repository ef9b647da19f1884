// Package deadline is the one place where Dân Nguyện computes legal time.
//
// It is pure: no I/O, no clock, no mutable package state. Inputs are a
// Calendar (which days are working days), a rule or a Request (how long,
// counted how, from which event) and the case's extensions, suspensions and
// tolling; the output is the last day of the period, the instant it ends, and
// on request a Proof listing every counted and skipped day with its reason.
// Workflows call it from an activity so the result is recorded in history.
//
// # Days and instants
//
// A Date is a civil date in Asia/Ho_Chi_Minh. A period whose last day is d
// ends at 24:00 local time on d (BLDS art 148(6)), which Date.EndAt returns as
// 00:00 of d+1; "overdue" means now ≥ DueAt.
//
// # Counting rules (Civil Code 91/2015 arts 144–148; domain.md §2)
//
//   - The event day is not counted; counting starts the next day (BLDS 147).
//   - Calendar days ("ngày"): due = start + N. If that day is a weekend day or
//     a holiday the period ends on the next working day (BLDS 148(5)).
//   - Working days ("ngày làm việc"): due = the N-th working day after start.
//     Working days are Monday–Friday minus public holidays (BLLĐ art 112),
//     compensatory days (BLLĐ art 111(3)) and announced swaps, plus any
//     weekend day announced as a working day.
//   - Backward ("no later than N days before X"): X − N calendar days rolled
//     BACK to the previous working day, or the N-th working day before X (X
//     not counted). BLDS is silent; rolling back is our conservative reading
//     [VERIFY].
//   - Extensions (LTC art 30) are added to the original term and the end is
//     rolled once, never leg by leg. CheckExtension guards the number, the
//     length (≤ 30 days) and the timing: a decision dated on the due day is in
//     time, since the period runs to 24:00 of that day; the day after is not.
//   - Suspension of handling (LTC art 34; LKN art 11a and ND124 art 28b from
//     1 Jul 2026): days_used = counted days in (start, suspension date]; the
//     rest runs from the continuation decision, which is not counted, then the
//     end rolls forward. Suspending execution of the challenged decision (LKN
//     art 35) does not stop the clock and is not modelled here.
//   - Tolling (LKN arts 9, 48): days of objective obstacle inside the running
//     period are not counted.
//
// # Coverage
//
// A Calendar knows holidays only for its coverage years. Any answer that
// depends on the status of an uncovered day fails with ErrOutOfCoverage
// rather than guessing. A calendar-day period needs coverage only where it
// ends (for the roll-forward), so a limitation period that starts in an
// uncovered year still computes; a working-day count through an uncovered year
// does not.
//
// # Rules
//
// DefaultRules holds domain.md §10 (D01–D44, D36 and D50 informational),
// effective-dated: the version in force on the start-event date applies
// (domain §2.6). D03 has two versions: 10 calendar days until 30 Jun 2026 and
// 7 working days from 1 Jul 2026. Rows whose parts differ in unit, direction
// or start event are split (D10a/b, D27a/b, D29a/b, D34a/b, D41a/b, D44a/b).
// Variants: normal, complex, remote, remote_complex, especially_complex,
// extended, l1, l2, l2_dismissal. A rule with a single duration applies to
// complex or remote cases too; any other missing variant is an error.
//
// # [VERIFY] items (confirm with the legal team)
//
//   - D03 from 2026-07-01 (7 WD: ND124 16(1) as amended by ND155; whether Law
//     136/2025 changed LKN 27/36 too), D12, D13, D35 (Decrees 154–156/2026
//     read from an unofficial crawl).
//   - D09: "final after 30 days" read as final from day 31.
//   - D33: the TT05 article, and NQ116 for NA bodies.
//   - D50 and the NQLT72 in-force date (taken as 20 Feb 2025).
//   - Roll-backward for backward periods; postmark vs receipt for D01.
//   - Holidays: 1 Sep 2026 (assumed adjacent National Day), and all of 2027
//     except the fixed-date statutory days (marked Provisional).
package deadline
