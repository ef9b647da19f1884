package api

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// inputRow is one petition as it arrived: a JSON object (values decoded with UseNumber) or a
// CSV record (strings; empty cells left out), and the line it starts on.
type inputRow struct {
	Line   int
	Fields map[string]any
}

// rowProblem is a bad (or, as a warning, a doubtful) value of one row.
type rowProblem struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// petitionFields maps every accepted name to the API's field. The aliases are the column names
// of the real exports (shared/realdata/voter_petitions.jsonl), so those files import as they
// are.
var petitionFields = map[string]string{
	"delegation": "delegation", "province": "delegation",
	"text": "text", "text_vi": "text",
	"meeting_on": "meeting_on", "meeting_date": "meeting_on",
	"phase": "phase", "meeting_phase": "phase",
	"locality": "locality", "topic": "topic", "voter_count": "voter_count", "re_petition_of": "re_petition_of",
	"source_ref": "source_ref", "id": "source_ref",
}

// keptFields are the other columns of those exports: kept with the petition as they came.
var keptFields = map[string]bool{"source_url": true, "na_term": true, "session": true, "text_en": true,
	"addressed_to": true, "answered": true, "answer_date": true, "answer_summary": true, "dup_group": true}

// petitionNS scopes petition ids: the same source_ref (or, without one, the same delegation,
// meeting, phase and text) in a session is the same petition, so sending it again stores
// nothing twice.
var petitionNS = uuid.MustParse("8a5e2c61-0f3b-4d7e-b1a9-6c4d2e9f0b27")

// rowChecker validates rows against the registry and the caller's scope.
type rowChecker struct {
	sessionID string
	resolver  *models.DelegationResolver
	today     deadline.Date
	// may reports whether the caller may submit a petition of that delegation ("" = none).
	may func(delegationID string) bool
}

// check turns a row into a petition, or lists what is wrong with it; warnings do not stop it.
func (k *rowChecker) check(row inputRow) (workflows.RawPetition, []rowProblem, []rowProblem) {
	var errs, warns []rowProblem
	bad := func(field, format string, args ...any) {
		errs = append(errs, rowProblem{Line: row.Line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	vals := map[string]any{}
	from := map[string]string{}
	names := make([]string, 0, len(row.Fields))
	for n := range row.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	p := workflows.RawPetition{Line: row.Line, Source: map[string]any{}}
	for _, name := range names {
		v := row.Fields[name]
		canon, ok := petitionFields[name]
		switch {
		case ok:
			if v == nil {
				continue
			}
			if prev, dup := vals[canon]; dup && fmt.Sprint(prev) != fmt.Sprint(v) {
				bad(name, "conflicts with %s (both name the %s)", from[canon], canon)
				continue
			}
			vals[canon], from[canon] = v, name
		case keptFields[name]:
			if v != nil {
				p.Source[name] = v
			}
		default:
			bad(name, "unknown field")
		}
	}
	str := func(field string, maxRunes int) string {
		v, ok := vals[field]
		if !ok {
			return ""
		}
		s, isStr := v.(string)
		if !isStr {
			bad(from[field], "must be a string")
			return ""
		}
		s = textnorm.NFC(s)
		if utf8.RuneCountInString(s) > maxRunes {
			bad(from[field], "at most %d characters", maxRunes)
		} else if pr := textnorm.Problem(s); pr != "" {
			bad(from[field], "%s", pr)
		}
		return s
	}
	p.Delegation = str("delegation", 200)
	p.Text = str("text", 10000)
	p.Locality = str("locality", 500)
	p.Topic = str("topic", 200)
	p.SourceRef = str("source_ref", 100)
	p.RePetitionOf = str("re_petition_of", 100)
	p.Phase = str("phase", 20)
	meeting := str("meeting_on", 20)
	if _, ok := vals["delegation"]; !ok || p.Delegation == "" {
		bad("delegation", "is required: the delegation (province) whose voters raised it")
	}
	if _, ok := vals["text"]; !ok || p.Text == "" {
		bad("text", "is required")
	}
	switch strings.ToLower(p.Phase) {
	case "", "before", "after":
		p.Phase = strings.ToLower(p.Phase)
	default:
		bad(from["phase"], "must be before or after (the session), or left empty")
	}
	if meeting != "" {
		d, err := deadline.ParseDate(meeting)
		switch {
		case err != nil:
			bad(from["meeting_on"], "must be a date YYYY-MM-DD")
		case d.After(k.today):
			bad(from["meeting_on"], "%s is in the future (today is %s)", d, k.today)
		default:
			p.MeetingOn = &d
		}
	}
	if v, ok := vals["voter_count"]; ok {
		n, err := wholeNumber(v)
		if err != nil || n < 1 || n > 1000000 {
			bad(from["voter_count"], "must be a whole number of voters from 1 to 1000000")
		} else {
			p.VoterCount = &n
		}
	}
	if p.Delegation != "" {
		if d, ok := k.resolver.Resolve(p.Delegation); ok {
			p.DelegationID, p.Province = d.ID, d.Province
		} else {
			warns = append(warns, rowProblem{Line: row.Line, Field: from["delegation"],
				Message: fmt.Sprintf("%q is not a delegation, a current or a former province: kept as written, with no delegation", p.Delegation)})
		}
		if !k.may(p.DelegationID) {
			bad(from["delegation"], "you may submit petitions only for your own delegation")
		}
	}
	if len(p.Source) == 0 {
		p.Source = nil
	}
	p.ID = k.petitionID(p)
	return p, errs, warns
}

func (k *rowChecker) petitionID(p workflows.RawPetition) string {
	key := "ref:" + p.SourceRef
	if p.SourceRef == "" {
		meeting := ""
		if p.MeetingOn != nil {
			meeting = p.MeetingOn.String()
		}
		key = strings.Join([]string{"txt", textnorm.Fold(p.Delegation), meeting, p.Phase, textnorm.Fold(p.Text)}, "\x00")
	}
	return uuid.NewSHA1(petitionNS, []byte(k.sessionID+"\x00"+key)).String()
}

// wholeNumber reads a count from JSON (a number) or CSV (digits).
func wholeNumber(v any) (int, error) {
	switch x := v.(type) {
	case json.Number:
		return strconv.Atoi(x.String())
	case string:
		return strconv.Atoi(strings.TrimSpace(x))
	case float64:
		if x == float64(int(x)) {
			return int(x), nil
		}
	}
	return 0, fmt.Errorf("not a whole number")
}
