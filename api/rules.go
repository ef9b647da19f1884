package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/rulebook"
	"github.com/dannguyen/dannguyen/models"
)

// listRules serves the effective-dated rule table; ?on= keeps the versions in force on that
// date, i.e. those that apply to a start event on it (domain.md §2.6).
func (s *Server) listRules(c *gin.Context) {
	if !onlyParams(c, "on") {
		return
	}
	all := rulebook.Rules().All()
	raw, filtered := c.GetQuery("on")
	if !filtered {
		c.JSON(http.StatusOK, gin.H{"items": all})
		return
	}
	on, err := deadline.ParseDate(raw)
	if err != nil {
		fail(c, apperr.Fields([]apperr.FieldError{{Field: "on", Message: "must be a date YYYY-MM-DD"}}))
		return
	}
	items := make([]deadline.Rule, 0, len(all))
	for _, r := range all {
		if r.InForce(on) {
			items = append(items, r)
		}
	}
	c.JSON(http.StatusOK, gin.H{"on": on, "items": items})
}

// calculateDeadline is the public deadline calculator: a period given by days, unit and
// direction, or by a rule and variant, counted from start against the calendar as stored now.
// Every refusal names the parameter; nothing outside the calendar's coverage is guessed.
func (s *Server) calculateDeadline(c *gin.Context) {
	if !onlyParams(c, "start", "days", "unit", "direction", "rule", "variant") {
		return
	}
	var v apperr.Validation
	start, err := deadline.ParseDate(c.Query("start"))
	switch {
	case c.Query("start") == "":
		v.Add("start", "is required (YYYY-MM-DD)")
	case err != nil:
		v.Add("start", "must be a date YYYY-MM-DD")
	}
	ruleID, byRule := c.GetQuery("rule")
	req := deadline.Request{Start: start, Unit: deadline.Unit(c.Query("unit")), Direction: deadline.Direction(c.Query("direction")), Proof: true}
	if byRule {
		for _, p := range []string{"days", "unit", "direction"} {
			if _, ok := c.GetQuery(p); ok {
				v.Add(p, "not allowed with rule: the rule sets it")
			}
		}
	} else {
		if _, ok := c.GetQuery("variant"); ok {
			v.Add("variant", "only with rule")
		}
		if raw := c.Query("days"); raw == "" {
			v.Add("days", "is required: a whole number of days from 0 to %d", deadline.MaxDays)
		} else if n, err := strconv.Atoi(raw); err != nil {
			v.Add("days", "must be a whole number of days from 0 to %d", deadline.MaxDays)
		} else {
			req.Days = n
		}
		if req.Unit == "" {
			v.Add("unit", "is required: %s or %s", deadline.CalendarDays, deadline.WorkingDays)
		}
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	cal, err := models.LoadCalendar(c.Request.Context(), s.DB)
	if err != nil {
		fail(c, err)
		return
	}
	out := gin.H{}
	var res deadline.Result
	if byRule {
		var rule deadline.Rule
		res, rule, err = deadline.ComputeRule(cal, rulebook.Rules(), ruleID, deadline.Variant(c.Query("variant")), start, deadline.Options{Proof: true})
		out["rule"] = rule
	} else {
		res, err = deadline.Compute(cal, req)
	}
	if err != nil {
		fail(c, calculatorError(err, cal, start, byRule))
		return
	}
	out["due_on"], out["due_at"], out["proof"], out["text"] = res.DueOn, res.DueAt, res.Proof, res.Proof.Text()
	c.JSON(http.StatusOK, out)
}

// calculatorError turns the deadline package's refusals into 422s naming the parameter; its
// field names are the calculator's parameter names.
func calculatorError(err error, cal *deadline.Calendar, start deadline.Date, byRule bool) error {
	field := func(name, msg string) error { return apperr.Fields([]apperr.FieldError{{Field: name, Message: msg}}) }
	var ie *deadline.InputError
	var ce *deadline.CoverageError
	switch {
	case errors.As(err, &ie):
		return field(ie.Field, ie.Reason)
	case errors.As(err, &ce):
		// The period starts or ends outside the years whose holidays are known.
		name := "days"
		if byRule {
			name = "rule"
		}
		if !cal.Covers(start) {
			name = "start"
		}
		return field(name, fmt.Sprintf("the answer depends on %s, outside the holiday calendar (%s to %s); an admin must enter that year's holidays first",
			ce.Date, ce.From, ce.To))
	case errors.Is(err, deadline.ErrNotInForce):
		return field("rule", fmt.Sprintf("no version of the rule is in force on %s; see GET /v1/rules", start))
	case errors.Is(err, deadline.ErrUnknownRule):
		return field("rule", "unknown rule; see GET /v1/rules for the ids")
	case errors.Is(err, deadline.ErrGuard):
		return apperr.New(apperr.Invalid, "%s", err.Error())
	}
	return err
}
