package deadline

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers test them with errors.Is; the HTTP layer maps all
// of them to 422 because each means "this request cannot be given a lawful
// date", not "the server failed".
var (
	// ErrInvalidInput: the request itself is malformed (a field out of range,
	// intervals that overlap, a variant the rule does not have).
	ErrInvalidInput = errors.New("deadline: invalid input")

	// ErrOutOfCoverage: answering would require knowing whether a day outside
	// the calendar's known years is a working day. We refuse rather than guess,
	// because a guessed holiday table yields a wrong legal date.
	ErrOutOfCoverage = errors.New("deadline: date outside calendar coverage")

	// ErrUnknownRule: no rule with that ID exists.
	ErrUnknownRule = errors.New("deadline: unknown rule")

	// ErrNotInForce: the rule exists but no version of it was in force on the
	// start-event date (domain §2.6). It also matches ErrUnknownRule so callers
	// that do not care about the difference need one check only.
	ErrNotInForce = fmt.Errorf("%w: no version in force on that date", ErrUnknownRule)

	// ErrGuard: the input is well formed but the law does not permit it (a
	// third extension, an extension decided after the period ended, tolling on
	// a rule that has none).
	ErrGuard = errors.New("deadline: not permitted")
)

// InputError names the offending field so an API can point the user at it.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("deadline: invalid input: %s: %s", e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidInput) work without wrapping chains.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// CoverageError tells the caller which day could not be classified, so an
// operator knows which year's holiday notice has to be loaded.
type CoverageError struct {
	Date     Date // first day that would have to be inspected
	From, To Date // the calendar's coverage
}

func (e *CoverageError) Error() string {
	return fmt.Sprintf("deadline: %s is outside calendar coverage %s..%s; load that year's holiday notice",
		e.Date, e.From, e.To)
}

func (e *CoverageError) Is(target error) bool { return target == ErrOutOfCoverage }

func guard(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrGuard, fmt.Sprintf(format, args...))
}
