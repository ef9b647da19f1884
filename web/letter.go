package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/models"
)

type clockView struct {
	Name       string `json:"name"`
	RuleID     string `json:"rule_id"`
	StartOn    string `json:"start_on"`
	DueOn      string `json:"due_on"`
	Status     string `json:"status"`
	LegalBasis string `json:"legal_basis"`
	MetOn      string `json:"met_on"`
	Late       bool   `json:"late"`
}

type eventView struct {
	Seq   int64           `json:"seq"`
	At    time.Time       `json:"at"`
	Type  string          `json:"type"`
	Actor string          `json:"actor"`
	Data  json.RawMessage `json:"data"`
}

// letterView is the part of the API's Letter the page shows. Senders is what the API shows
// this viewer: nothing for a protected letter, whose sender appears as SenderDisplay (the
// pseudonym) until an audited reveal.
type letterView struct {
	ID              string            `json:"id"`
	Number          string            `json:"number"`
	Kind            string            `json:"kind"`
	Status          string            `json:"status"`
	BodyID          string            `json:"body_id"`
	ReceivingBodyID string            `json:"receiving_body_id"`
	Assignee        string            `json:"assignee"`
	Channel         string            `json:"channel"`
	ReceivedOn      string            `json:"received_on"`
	Subject         string            `json:"subject"`
	Content         string            `json:"content"`
	Respondent      string            `json:"respondent"`
	Confidential    bool              `json:"confidential"`
	Anonymous       bool              `json:"anonymous"`
	SenderDisplay   string            `json:"sender_display"`
	Senders         json.RawMessage   `json:"senders"`
	Overdue         bool              `json:"overdue"`
	Clocks          []clockView       `json:"clocks"`
	History         []eventView       `json:"history"`
	Links           map[string]string `json:"links"`
}

func letterPath(id string) string { return "/v1/letters/" + url.PathEscape(id) }

func letterPage(id string) string { return Prefix + "/letters/" + url.PathEscape(id) }

// validParams refuses path values the in-process API call would read as more path.
func validParams(c *gin.Context, names ...string) bool {
	for _, n := range names {
		if strings.ContainsAny(c.Param(n), "/?#") {
			return false
		}
	}
	return true
}

func (h *Handler) letter(c *gin.Context, v viewer) {
	if !validParams(c, "id") {
		h.fail(c, v, http.StatusNotFound, "")
		return
	}
	var l letterView
	if p, ok := h.getJSON(c, v, letterPath(c.Param("id")), nil, &l); !ok {
		h.failProblem(c, v, p)
		return
	}
	people, _ := senderFields(l.Senders)
	names, err := models.AllBodyNames(c.Request.Context(), h.DB)
	if err != nil {
		h.Logger.Error("dashboard letter", "err", err)
		h.fail(c, v, http.StatusServiceUnavailable, "")
		return
	}
	h.render(c, http.StatusOK, "letter", v, map[string]any{"L": l, "Senders": people, "Bodies": names})
}

// senderOrder is how a sender reads on paper: name first.
var senderOrder = []string{"full_name", "address", "id_number", "phone", "email"}

func fieldRank(k string) int {
	for i, f := range senderOrder {
		if f == k {
			return i
		}
	}
	return len(senderOrder)
}

// senderFields flattens the senders' JSON into ordered label/value rows.
func senderFields(raw json.RawMessage) ([][][2]string, error) {
	var list []map[string]any
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	out := make([][][2]string, 0, len(list))
	for _, m := range list {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			ri, rj := fieldRank(keys[i]), fieldRank(keys[j])
			if ri != rj {
				return ri < rj
			}
			return keys[i] < keys[j]
		})
		var rows [][2]string
		for _, k := range keys {
			s, ok := m[k].(string)
			if !ok {
				b, _ := json.Marshal(m[k])
				s = string(b)
			}
			if s != "" && s != "null" {
				rows = append(rows, [2]string{k, s})
			}
		}
		out = append(out, rows)
	}
	return out, nil
}

type proofView struct {
	LetterID   string `json:"letter_id"`
	Clock      string `json:"clock"`
	RuleID     string `json:"rule_id"`
	Status     string `json:"status"`
	StartOn    string `json:"start_on"`
	DueOn      string `json:"due_on"`
	LegalBasis string `json:"legal_basis"`
	Legs       []struct {
		RuleID     string `json:"rule_id"`
		Name       string `json:"name"`
		LegalBasis string `json:"legal_basis"`
		StartOn    string `json:"start_on"`
		DueOn      string `json:"due_on"`
		Summary    string `json:"summary"`
		Steps      []struct {
			Date    string `json:"date"`
			Through string `json:"through"`
			Counted bool   `json:"counted"`
			N       int    `json:"n"`
			Reason  string `json:"reason"`
			Kind    string `json:"kind"`
		} `json:"steps"`
	} `json:"legs"`
	Text string `json:"text"`
}

func (h *Handler) proof(c *gin.Context, v viewer) {
	if !validParams(c, "id", "clock") {
		h.fail(c, v, http.StatusNotFound, "")
		return
	}
	var p proofView
	path := letterPath(c.Param("id")) + "/deadlines/" + url.PathEscape(c.Param("clock")) + "/proof"
	if prob, ok := h.getJSON(c, v, path, nil, &p); !ok {
		h.failProblem(c, v, prob)
		return
	}
	h.render(c, http.StatusOK, "proof", v, map[string]any{"P": p, "Back": letterPage(c.Param("id")), "BackLabel": "back"})
}

// identity reveals a sender through GET /v1/letters/{id}/identity: the API decides (intake
// officer, assignee, head of the receiving body or a grantee), audits the attempt with its
// reason, and answers 403 to anyone else — which this page shows as such.
func (h *Handler) identity(c *gin.Context, v viewer) {
	var res struct {
		Protected bool            `json:"protected"`
		Pseudonym string          `json:"pseudonym"`
		Senders   json.RawMessage `json:"senders"`
	}
	if !validParams(c, "id") {
		h.fail(c, v, http.StatusNotFound, "")
		return
	}
	q := url.Values{}
	if r := c.Query("reason"); r != "" {
		q.Set("reason", r)
	}
	if p, ok := h.getJSON(c, v, letterPath(c.Param("id"))+"/identity", q, &res); !ok {
		h.failProblem(c, v, p)
		return
	}
	people, _ := senderFields(res.Senders)
	h.render(c, http.StatusOK, "identity", v, map[string]any{"ID": c.Param("id"), "Protected": res.Protected,
		"Pseudonym": res.Pseudonym, "Senders": people})
}
