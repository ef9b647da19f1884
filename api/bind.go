package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/internal/apperr"
)

// decodeJSON reads the body into dst strictly: one JSON object, valid UTF-8, no unknown
// fields (a misspelt field would otherwise be dropped silently), the right types. It answers
// the caller itself (400/413/415/422) and returns false when the request must stop.
func decodeJSON(c *gin.Context, dst any) bool {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			fail(c, apperr.New(apperr.Malformed, "Content-Type must be application/json, not %q", ct))
			return false
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		fail(c, bodyReadError(err))
		return false
	}
	if err := decodeStrict(body, dst); err != nil {
		fail(c, err)
		return false
	}
	return true
}

func bodyReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return apperr.New(apperr.Malformed, "the request body could not be read")
}

func decodeStrict(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.New(apperr.Malformed, "the request body is empty; a JSON object is expected")
	}
	if !utf8.Valid(body) {
		return apperr.New(apperr.Malformed, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return apperr.New(apperr.Malformed, "the request body has data after the JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return apperr.New(apperr.Malformed, "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.New(apperr.Malformed, "the request body must be a JSON object, not %s", typ.Value)
		}
		return apperr.Fields([]apperr.FieldError{{Field: field, Message: fmt.Sprintf("must be %s, not %s", jsonTypeName(typ.Type.String()), typ.Value)}})
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return apperr.New(apperr.Malformed, "malformed JSON: the body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Fields([]apperr.FieldError{{Field: name, Message: "unknown field"}})
	default:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		// Date and enum types report their own parse errors through UnmarshalJSON.
		return apperr.New(apperr.Invalid, "invalid value: %s", err.Error())
	}
}

func jsonTypeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"), strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	default:
		return "an object (" + goType + ")"
	}
}

// checkFieldSet checks an action's body against its field spec (a trailing "!" marks a
// required field): every required field present, no field of another action.
func checkFieldSet(v *apperr.Validation, action string, spec []string, present map[string]bool) {
	allowed := map[string]bool{}
	for _, f := range spec {
		n := strings.TrimSuffix(f, "!")
		allowed[n] = true
		if strings.HasSuffix(f, "!") && !present[n] {
			v.Add(n, "is required for %s", action)
		}
	}
	for f, ok := range present {
		if ok && !allowed[f] {
			v.Add(f, "is not a field of %s", action)
		}
	}
}
