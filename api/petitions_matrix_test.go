package api_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/internal/policy"
	"github.com/dannguyen/dannguyen/internal/testenv"
)

// petitionMatrix is the voters' petitions part of the authorization matrix: a session of the
// petitions committee and a voter petition raised by two delegations and forwarded to the
// agency of the matrix (ubnd-ha-noi).
type petitionMatrix struct {
	session, petition string
	cases             []policy.Case
}

func newPetitionMatrix(t *testing.T, s *testenv.Stack) *petitionMatrix {
	t.Helper()
	m := &petitionMatrix{session: createSession(t, s, randomTerm(), 99, "2026-10-20", "2026-12-10", "")["id"].(string)}
	res := testenv.Do(t, "POST", s.URL+"/v1/sessions/"+m.session+"/petitions", []any{
		map[string]any{"delegation": "Hà Nội", "topic": "ngập úng", "text": "Cử tri phản ánh ngập úng nội đô mỗi khi mưa lớn."},
		map[string]any{"delegation": "Hải Phòng", "topic": "ngập úng", "text": "Cử tri phản ánh tình trạng ngập úng khi mưa lớn kéo dài."},
	})
	require.Equal(t, 201, res.Status, res.String())
	res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+m.session+"/synthesize", nil)
	require.Equal(t, 200, res.Status, res.String())
	groups := res.Map(t)["suggested"].([]any)
	require.Len(t, groups, 1)
	m.petition = groups[0].(map[string]any)["id"].(string)
	res = testenv.Do(t, "POST", s.URL+"/v1/sessions/"+m.session+"/groups", map[string]any{"action": "confirm", "group_ids": []string{m.petition}})
	require.Equal(t, 200, res.Status, res.String())
	vpAct(t, s, m.petition, "forward", map[string]any{"to_body_id": "ubnd-ha-noi"}, 200)
	held := "ubnd-ha-noi"
	m.cases = []policy.Case{{ReceivingBodyID: "ubdngs", HeldByBodyID: held},
		{ReceivingBodyID: "doan-dbqh-ha-noi", HeldByBodyID: held}, {ReceivingBodyID: "doan-dbqh-hai-phong", HeldByBodyID: held}}
	return m
}

// covers reports whether a route is one of the voters' petitions routes.
func (m *petitionMatrix) covers(path string) bool {
	return strings.HasPrefix(path, "/v1/sessions") || strings.HasPrefix(path, "/v1/voter-petitions")
}

// url fills the route's parameters with the matrix's session or petition.
func (m *petitionMatrix) url(path string) string {
	id := m.session
	if strings.HasPrefix(path, "/v1/voter-petitions") {
		id = m.petition
	}
	clock := "answer"
	if strings.HasPrefix(path, "/v1/sessions") {
		clock = "pre_synthesis"
	}
	return strings.NewReplacer(":id", id, ":clock", clock).Replace(path)
}

// allowed is what the policy table says for the caller on this route.
func (m *petitionMatrix) allowed(sub policy.Subject, path, action string) bool {
	switch {
	case strings.HasPrefix(path, "/v1/voter-petitions/:id"):
		for _, c := range m.cases {
			if policy.Can(sub, action, c) {
				return true
			}
		}
		return false
	case strings.HasPrefix(path, "/v1/sessions/:id"), path == "/v1/sessions":
		return policy.Can(sub, action, policy.Case{ReceivingBodyID: "ubdngs"})
	}
	return policy.CanAtAll(sub, action)
}
