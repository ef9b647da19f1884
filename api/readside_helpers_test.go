package api_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/workflows"
)

// rmLetter is a letter as the worker stores it, built directly so read-side tests can set up
// hundreds of rows with exact due dates in milliseconds. It is written by the worker's own
// PersistLetter activity, the one code path that writes the read model.
func rmLetter(n int, received deadline.Date, body string) *workflows.LetterState {
	id := fmt.Sprintf("rm-%06d", n)
	return &workflows.LetterState{
		ID: id, Number: fmt.Sprintf("RM-%06d", n), Version: 1, Status: workflows.StatusRegistered, BodyID: body,
		Intake: workflows.Intake{Kind: "complaint", Channel: "post", ReceivedOn: received, BodyID: body, SignerCount: 1,
			Senders: []workflows.Sender{{FullName: "Người gửi " + id, Address: "Hà Nội"}},
			Subject: "Đơn số " + id, Content: "Nội dung đơn " + id, Respondent: "UBND xã"},
		CreatedBy: workflows.Actor{Sub: "seed"},
	}
}

// withClock gives the letter a running clock due at the end of dueOn.
func withClock(st *workflows.LetterState, dueOn deadline.Date) *workflows.LetterState {
	st.Clocks = append(st.Clocks, workflows.Clock{Name: "processing", RuleID: "D33", StartOn: st.Intake.ReceivedOn,
		DueOn: dueOn, DueAt: dueOn.EndAt(), Status: "running", LegalBasis: "test"})
	return st
}

func persist(t testing.TB, s *testenv.Stack, st *workflows.LetterState) {
	t.Helper()
	a := &activities.Activities{DB: s.DB}
	require.NoError(t, a.PersistLetter(testenv.Context(t), st))
}

type listPage struct {
	Raw        []map[string]any `json:"items"`
	NextCursor string           `json:"next_cursor"`
}

// listAll pages through GET /v1/letters?query with the given page size and returns the ids in
// order; it fails on a repeated id.
func listAll(t *testing.T, s *testenv.Stack, query string, limit int, headers ...string) []string {
	t.Helper()
	return listAllWith(t, s, query, limit, nil, headers...)
}

// listAllWith is listAll calling afterPage between pages.
func listAllWith(t *testing.T, s *testenv.Stack, query string, limit int, afterPage func(), headers ...string) []string {
	t.Helper()
	var ids []string
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10000, "paging does not end")
		u := fmt.Sprintf("%s/v1/letters?%s&limit=%d", s.URL, query, limit)
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		res := testenv.Do(t, "GET", u, nil, headers...)
		require.Equal(t, 200, res.Status, res.String())
		var p listPage
		res.JSON(t, &p)
		require.LessOrEqual(t, len(p.Raw), limit)
		for _, it := range p.Raw {
			id := it["id"].(string)
			require.False(t, seen[id], "%s repeated (query %s)", id, query)
			seen[id] = true
			ids = append(ids, id)
		}
		if p.NextCursor == "" {
			return ids
		}
		if afterPage != nil {
			afterPage()
		}
		cursor = p.NextCursor
	}
}

// listItems returns one page of GET /v1/letters?query.
func listItems(t *testing.T, s *testenv.Stack, query string, headers ...string) []map[string]any {
	t.Helper()
	res := testenv.Do(t, "GET", s.URL+"/v1/letters?"+query, nil, headers...)
	require.Equal(t, 200, res.Status, "%s: %s", query, res.String())
	var p listPage
	res.JSON(t, &p)
	return p.Raw
}

func idsOf(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it["id"].(string)
	}
	return out
}

func today() deadline.Date { return deadline.DateOf(time.Now()) }
