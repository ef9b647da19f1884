package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/internal/apperr"
)

const (
	loggerKey    = "dn.logger"
	requestIDKey = "dn.request_id"
)

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID gives every request an id (the caller's X-Request-ID when it is sane) and a
// logger that carries it, so every log line of one request can be found together.
func withRequestID(base *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !validRequestID.MatchString(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDKey, id)
		c.Set(loggerKey, base.With("request_id", id))
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// accessLog writes one line per request. It logs the route pattern, never the raw query,
// because queries may carry names searched for.
func accessLog(metrics *httpMetrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		status := c.Writer.Status()
		metrics.observe(c.Request.Method, route, status, d)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		logger(c).Log(c.Request.Context(), level, "http request",
			"method", c.Request.Method, "route", route, "status", status,
			"duration_ms", float64(d.Microseconds())/1000, "bytes", c.Writer.Size())
	}
}

// limitBody refuses bodies over max: at once when Content-Length says so, otherwise when the
// decoder reads past the limit (http.MaxBytesError, mapped to 413).
func limitBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > max {
			fail(c, apperr.New(apperr.TooLarge, "the request body is %d bytes; the limit is %d", c.Request.ContentLength, max))
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		}
		c.Next()
	}
}

// recoverProblem turns a panic into a 500 problem instead of a dropped connection.
func recoverProblem() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				logger(c).Error("panic in handler", "panic", fmt.Sprint(r))
				fail(c, apperr.New(apperr.Internal, "internal error"))
			}
		}()
		c.Next()
	}
}

// rejectUnstorableText refuses path and query values that PostgreSQL cannot compare against
// a text column (invalid UTF-8 or NUL): 404 for a path (no resource has such an id), 422 for a
// query parameter, like the handlers' own checks. So no handler, present or future, turns such a value
// into a database error and a 500. It runs after routing, when the path parameters are known.
func rejectUnstorableText() gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, p := range c.Params {
			if msg := unstorable(p.Value); msg != "" {
				fail(c, apperr.New(apperr.NotFound, "nothing is found at %s: path parameter %s %s", c.FullPath(), p.Key, msg))
				return
			}
		}
		// Every unstorable query parameter is named at once; the handler's own checks of the
		// other parameters come after, once the text can be read.
		var bad []apperr.FieldError
		for key, values := range c.Request.URL.Query() {
			for _, v := range append(values, key) {
				if msg := unstorable(v); msg != "" {
					bad = append(bad, apperr.FieldError{Field: key, Message: msg})
					break
				}
			}
		}
		if len(bad) > 0 {
			slices.SortFunc(bad, func(a, b apperr.FieldError) int { return strings.Compare(a.Field, b.Field) })
			fail(c, apperr.Fields(bad))
			return
		}
		c.Next()
	}
}

func unstorable(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8 text"
	case strings.IndexByte(s, 0) >= 0:
		return "must not contain NUL characters"
	}
	return ""
}
