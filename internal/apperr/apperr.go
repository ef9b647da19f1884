// Package apperr holds the application's error kinds: one table, shared by the HTTP layer
// (which maps kinds to status codes) and the workflows (whose Update validators reject with
// Temporal application errors whose type is the kind).
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers; it is also the Temporal ApplicationError type.
type Kind string

const (
	Malformed    Kind = "Malformed"    // the request cannot be parsed (400)
	Invalid      Kind = "Invalid"      // parsed, but values break the rules (422)
	NotFound     Kind = "NotFound"     // 404
	Conflict     Kind = "Conflict"     // invalid transition, stale version, duplicate (409)
	Unauthorized Kind = "Unauthorized" // no or bad credentials (401)
	Forbidden    Kind = "Forbidden"    // role or body does not allow it (403)
	TooLarge     Kind = "TooLarge"     // 413
	Unavailable  Kind = "Unavailable"  // a dependency is down (503)
	Internal     Kind = "Internal"     // a bug; details only in logs (500)
)

// FieldError names one bad input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an application error that is safe to show to the caller.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	// Extra members of the problem document, e.g. the current state and the allowed actions
	// of a 409 for an invalid transition.
	Extra map[string]any
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Kind, e.Message)
	}
	return fmt.Sprintf("%s: %s (%d field errors, first %s: %s)", e.Kind, e.Message, len(e.Fields), e.Fields[0].Field, e.Fields[0].Message)
}

// New makes an Error of kind k.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// With adds an extra member and returns e for chaining.
func (e *Error) With(key string, value any) *Error {
	if e.Extra == nil {
		e.Extra = map[string]any{}
	}
	e.Extra[key] = value
	return e
}

// Fields builds an Invalid error listing every bad field.
func Fields(fields []FieldError) *Error {
	return &Error{Kind: Invalid, Message: "one or more fields are invalid", Fields: fields}
}

// KindOf returns the kind of err, Internal when it is not an application error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Validation collects field errors in the order they are found.
type Validation struct{ errs []FieldError }

// Add records a bad field.
func (v *Validation) Add(field, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check records a bad field when ok is false.
func (v *Validation) Check(ok bool, field, format string, args ...any) {
	if !ok {
		v.Add(field, format, args...)
	}
}

// Err returns nil when no field was bad.
func (v *Validation) Err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return Fields(v.errs)
}
