package api

import (
	"context"
	"database/sql/driver"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/dannguyen/dannguyen/internal/apperr"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
	Extra     map[string]any      `json:"-"`
}

const problemBase = "https://dannguyen.example/problems/"

var kindStatus = map[apperr.Kind]int{
	apperr.Malformed:    http.StatusBadRequest,
	apperr.Invalid:      http.StatusUnprocessableEntity,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.Unavailable:  http.StatusServiceUnavailable,
	apperr.Internal:     http.StatusInternalServerError,
}

// toAppError turns any error a handler meets into an application error; unknown errors become
// Internal, and the original is kept only for the log.
func toAppError(err error) *apperr.Error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.New(apperr.TooLarge, "the request body is larger than %d bytes", mbe.Limit)
	}
	// Update validators and workflow code reject with an application error whose type is the
	// kind. Workflow code wraps errors with context, so the first application error in the
	// chain may be that wrapping: look further down for one of a known kind.
	if tae := knownApplicationError(err); tae != nil {
		{
			out := &apperr.Error{Kind: apperr.Kind(tae.Type()), Message: tae.Message()}
			if tae.HasDetails() {
				var extra map[string]any
				if tae.Details(&extra) == nil {
					if fields, ok := extra["errors"]; ok {
						delete(extra, "errors")
						out.Fields = fieldsFrom(fields)
					}
					out.Extra = extra
				}
			}
			return out
		}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return apperr.New(apperr.NotFound, "no such case in the workflow engine")
	}
	var re *serviceerror.ResourceExhausted
	if errors.As(err, &re) {
		return apperr.New(apperr.Unavailable, "the workflow engine is busy; retry shortly")
	}
	var un *serviceerror.Unavailable
	if errors.As(err, &un) || errors.Is(err, context.DeadlineExceeded) {
		return apperr.New(apperr.Unavailable, "a dependency did not answer in time; retry shortly")
	}
	if databaseDown(err) {
		return apperr.New(apperr.Unavailable, "the database does not answer; retry shortly")
	}
	return apperr.New(apperr.Internal, "internal error")
}

func knownApplicationError(err error) *temporal.ApplicationError {
	for err != nil {
		var tae *temporal.ApplicationError
		if !errors.As(err, &tae) {
			return nil
		}
		if _, known := kindStatus[apperr.Kind(tae.Type())]; known {
			return tae
		}
		err = tae.Unwrap()
	}
	return nil
}

func fieldsFrom(v any) []apperr.FieldError {
	list, _ := v.([]any)
	out := make([]apperr.FieldError, 0, len(list))
	for _, item := range list {
		m, _ := item.(map[string]any)
		f, _ := m["field"].(string)
		msg, _ := m["message"].(string)
		out = append(out, apperr.FieldError{Field: f, Message: msg})
	}
	return out
}

// fail writes err as problem+json and aborts the request.
func fail(c *gin.Context, err error) {
	ae := toAppError(err)
	status := kindStatus[ae.Kind]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		logger(c).Error("request failed", "status", status, "err", err)
	}
	p := Problem{
		Type:      problemBase + string(ae.Kind),
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    ae.Message,
		Instance:  c.Request.URL.Path,
		RequestID: requestID(c),
		Errors:    ae.Fields,
		Extra:     ae.Extra,
	}
	writeProblem(c, p)
}

func writeProblem(c *gin.Context, p Problem) {
	body := map[string]any{}
	for k, v := range p.Extra {
		body[k] = v
	}
	body["type"] = p.Type
	body["title"] = p.Title
	body["status"] = p.Status
	if p.Detail != "" {
		body["detail"] = p.Detail
	}
	if p.Instance != "" {
		body["instance"] = p.Instance
	}
	if p.RequestID != "" {
		body["request_id"] = p.RequestID
	}
	if len(p.Errors) > 0 {
		body["errors"] = p.Errors
	}
	if p.Status == http.StatusServiceUnavailable || p.Status == http.StatusTooManyRequests {
		c.Header("Retry-After", "5")
	}
	c.Header("Content-Type", "application/problem+json")
	// gin keeps a Content-Type that is already set, so the JSON renderer will not overwrite it.
	c.AbortWithStatusJSON(p.Status, body)
}

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(loggerKey); ok {
		if lg, ok := l.(*slog.Logger); ok {
			return lg
		}
	}
	return slog.Default()
}

// databaseDown reports whether err says PostgreSQL cannot be reached or is going away (not
// that a query was wrong): a refused or broken connection, or the server's connection and
// shutdown error classes (08, 57P).
func databaseDown(err error) bool {
	var ce *pgconn.ConnectError
	var pe *pgconn.PgError
	var oe *net.OpError
	switch {
	case errors.As(err, &ce), errors.Is(err, driver.ErrBadConn), errors.As(err, &oe):
		return true
	case errors.As(err, &pe):
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")
	}
	return pgconn.SafeToRetry(err)
}
