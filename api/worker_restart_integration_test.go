package api_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/worker"
	"github.com/dannguyen/dannguyen/workflows"
)

// historyOf returns the letter's audit trail as the API shows it.
func historyOf(t *testing.T, letter map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range letter["history"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func eventsOfType(history []map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, e := range history {
		if e["type"] == typ {
			out = append(out, e)
		}
	}
	return out
}

// nextNumber is the registration number after n (DN-YYYY-NNNNNN).
func nextNumber(t *testing.T, n string) string {
	t.Helper()
	i := strings.LastIndex(n, "-")
	seq, err := strconv.Atoi(n[i+1:])
	require.NoError(t, err, n)
	return fmt.Sprintf("%s%06d", n[:i+1], seq+1)
}

// Killing the worker mid-flow loses nothing: an action and an intake sent while no worker runs
// answer 202 past the API's budget with a Location, are applied exactly once when a fresh
// worker starts, and the letters carry on with gapless numbers and audit trails.
func TestWorkerRestartMidFlowLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the API's update budget")
	}
	t.Parallel()
	s := testenv.NewStack(t)
	// Received today, so no past-due milestone moves the version while the test counts it.
	l := createLetter(t, s, letterBody(deadline.DateOf(time.Now()).String()))
	id := l["id"].(string)
	require.EqualValues(t, 2, l["version"])
	s.Worker.Stop()

	// While no worker runs, an action on the first letter and the intake of a second one
	// both outlive the budget; they are sent together so the test waits it out once.
	classify := map[string]any{"kind": "complaint", "field": "administrative", "eligible": true, "competent": false}
	var res, intake testenv.Response
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		res = testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/classify", classify, "Idempotency-Key", "restart-1")
	}()
	go func() {
		defer wg.Done()
		intake = testenv.Do(t, "POST", s.URL+"/v1/letters", letterBody(deadline.DateOf(time.Now()).String()), "Idempotency-Key", "restart-intake")
	}()
	wg.Wait()
	require.Equal(t, 202, res.Status, res.String())
	loc := res.Header.Get("Location")
	require.Equal(t, "/v1/letters/"+id+"/updates/classify:restart-1", loc)
	pending := res.Map(t)
	require.Equal(t, "pending", pending["status"])
	require.Equal(t, "classify:restart-1", pending["update_id"])
	require.Equal(t, 202, intake.Status, intake.String())
	id2 := intake.Map(t)["id"].(string)
	require.Equal(t, "/v1/letters/"+id2, intake.Header.Get("Location"))
	require.Equal(t, 404, testenv.Do(t, "GET", s.URL+"/v1/letters/"+id2, nil).Status, "not registered while no worker runs")

	// Without a worker the action stays pending and the read model is untouched.
	res = testenv.Do(t, "GET", s.URL+loc, nil)
	require.Equal(t, 202, res.Status, res.String())
	require.Equal(t, "pending", res.Map(t)["status"])
	now := testenv.Do(t, "GET", s.URL+"/v1/letters/"+id, nil).Map(t)
	require.Equal(t, "registered", now["status"])
	require.EqualValues(t, 2, now["version"])

	w := worker.New(s.Temporal, &activities.Activities{DB: s.DB, VaultKeys: testenv.VaultKeys}, worker.Options{TaskQueue: s.TaskQueue, DBMaxOpenConns: 10})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	require.Eventually(t, func() bool {
		res = testenv.Do(t, "GET", s.URL+loc, nil)
		return res.Status != 202
	}, 60*time.Second, 200*time.Millisecond)
	require.Equal(t, 200, res.Status, res.String())
	l = res.Map(t)
	require.Equal(t, "classified", l["status"])
	require.EqualValues(t, 3, l["version"])

	// The client's retry with the same key gets the first outcome, not a second classification.
	res = testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/classify", classify, "Idempotency-Key", "restart-1")
	require.Equal(t, 200, res.Status, res.String())
	require.EqualValues(t, 3, res.Map(t)["version"])

	// The second letter registered once the worker was back, with the next number; the
	// client's retry of its intake finds it instead of registering another.
	var l2 map[string]any
	require.Eventually(t, func() bool {
		r := testenv.Do(t, "GET", s.URL+"/v1/letters/"+id2, nil)
		if r.Status != 200 {
			return false
		}
		l2 = r.Map(t)
		// Version 1 is the row RegisterLetter stores; version 2 adds the "registered" event.
		return l2["status"] == "registered" && l2["version"] == float64(2)
	}, 60*time.Second, 200*time.Millisecond)
	require.Equal(t, nextNumber(t, l["number"].(string)), l2["number"])
	retry := createLetter(t, s, letterBody(deadline.DateOf(time.Now()).String()), "Idempotency-Key", "restart-intake")
	require.Equal(t, id2, retry["id"])
	require.Equal(t, l2["number"], retry["number"])
	var letters int64
	require.NoError(t, s.DB.Table("letters").Count(&letters).Error)
	require.EqualValues(t, 2, letters)
	h2 := historyOf(t, retry)
	for i, e := range h2 {
		require.EqualValues(t, i+1, e["seq"], "audit trail: %v", h2)
	}
	require.Len(t, eventsOfType(h2, "registered"), 1)

	versions := []any{l["version"]}
	for _, step := range []struct {
		action string
		body   map[string]any
		status string
	}{
		{"forward", map[string]any{"to_body_id": "ubnd-ha-noi"}, "awaiting_response"},
		{"record-response", map[string]any{"from_body_id": "ubnd-ha-noi", "outcome": "resolved"}, "response_received"},
		{"evaluate", map[string]any{"satisfied": true}, "closed"},
	} {
		l = act(t, s, id, step.action, step.body, 200)
		require.Equal(t, step.status, l["status"], step.action)
		versions = append(versions, l["version"])
	}
	require.Equal(t, []any{3.0, 4.0, 5.0, 6.0}, versions, "one version per action, none skipped or repeated")

	history := historyOf(t, l)
	for i, e := range history {
		require.EqualValues(t, i+1, e["seq"], "audit trail: %v", history)
	}
	require.Len(t, eventsOfType(history, "classified"), 1)
	var order []string
	for _, e := range history {
		switch e["type"] {
		case "received", "registered", "classified", "forwarded", "response_recorded", "evaluated", "closed":
			order = append(order, e["type"].(string))
		}
	}
	require.Equal(t, []string{"received", "registered", "classified", "forwarded", "response_recorded", "evaluated", "closed"}, order)

	// The workflow, too, accepted the classification once.
	accepted := 0
	it := s.Temporal.GetWorkflowHistory(testenv.Context(t), workflows.LetterWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		if a := e.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil && a.GetAcceptedRequest().GetInput().GetName() == "classify" {
			accepted++
		}
	}
	require.Equal(t, 1, accepted)
}

// T37 (domain.md §11): a second letter from the same sender with the same content, received
// 2026-03-10, while the original was forwarded on 2026-02-02 and its answer is overdue. It is
// offered as a duplicate of the original, marked so (ineligible – duplicate, filed), and the
// original counts it and raises a follow-up task because its answer is overdue.
func TestT37DuplicateOfAnOverdueForwardedLetter(t *testing.T) {
	s := testenv.NewStack(t)
	orig := createLetter(t, s, letterBody("2026-01-26"))["id"].(string)
	act(t, s, orig, "classify", map[string]any{"kind": "complaint", "field": "administrative", "eligible": true, "competent": false, "on": "2026-01-30"}, 200)
	l := act(t, s, orig, "forward", map[string]any{"to_body_id": "ubnd-ha-noi", "on": "2026-02-02"}, 200)
	answer := clock(t, l, "answer")
	require.Equal(t, "2026-02-02", answer["start_on"])
	// T37 takes 2026-03-05 as the expected answer; the rulebook's complaint chain (D03 + D04 +
	// D31 from 2026-02-02) ends later, so "overdue" is judged on the day the duplicate is
	// marked (today, long after either date), as the workflow judges it.
	require.Equal(t, "overdue", answer["status"], "answer due %v", answer["due_on"])
	// Wait for the original's own overdue step, so the duplicate's follow-up below is told
	// apart from the one the answer clock raised by itself.
	require.Eventually(t, func() bool {
		for _, e := range eventsOfType(historyOf(t, testenv.Do(t, "GET", s.URL+"/v1/letters/"+orig, nil).Map(t)), "clock_overdue") {
			if e["data"].(map[string]any)["clock"] == "answer" {
				return true
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond)

	second := createLetter(t, s, letterBody("2026-03-10"))
	dupID := second["id"].(string)
	reg := eventsOfType(historyOf(t, second), "registered")
	require.Len(t, reg, 1)
	require.Contains(t, reg[0]["data"].(map[string]any)["duplicate_candidates"], orig)
	res := testenv.Do(t, "GET", s.URL+"/v1/letters/"+dupID+"/duplicates", nil)
	require.Equal(t, 200, res.Status, res.String())
	items := res.Map(t)["items"].([]any)
	require.NotEmpty(t, items)
	first := items[0].(map[string]any)
	require.Equal(t, orig, first["id"])
	require.Equal(t, true, first["same_sender"])
	require.Equal(t, "awaiting_response", first["status"])

	d := act(t, s, dupID, "mark-duplicate", map[string]any{"duplicate_of": orig}, 200)
	require.Equal(t, "filed", d["status"])
	require.Equal(t, orig, d["duplicate_of"])
	require.Equal(t, false, d["eligible"])
	detail := d["detail"].(map[string]any)
	require.Equal(t, "duplicate", detail["classification"].(map[string]any)["ineligible_reason"])
	require.Equal(t, "duplicate", detail["filed_reason"])
	require.Len(t, eventsOfType(historyOf(t, d), "marked_duplicate"), 1)

	var o map[string]any
	require.Eventually(t, func() bool {
		o = testenv.Do(t, "GET", s.URL+"/v1/letters/"+orig, nil).Map(t)
		return o["duplicate_count"] == 1.0
	}, 30*time.Second, 100*time.Millisecond)
	require.Equal(t, "awaiting_response", o["status"], "the original keeps waiting for its answer")
	linked := eventsOfType(historyOf(t, o), "duplicate_linked")
	require.Len(t, linked, 1)
	require.Equal(t, dupID, linked[0]["data"].(map[string]any)["duplicate_id"])
	var fromDuplicate []map[string]any
	for _, e := range eventsOfType(historyOf(t, o), "follow_up_due") {
		if e["data"].(map[string]any)["reason"] == "duplicate received after the answer was due" {
			fromDuplicate = append(fromDuplicate, e)
		}
	}
	require.Len(t, fromDuplicate, 1)

	var tasks []struct {
		Kind, Target string
	}
	require.NoError(t, s.DB.Raw("SELECT kind, target FROM outbox WHERE letter_id = ? AND dedupe_key = ?",
		orig, orig+"/follow_up_due/dup/"+dupID).Scan(&tasks).Error)
	require.Len(t, tasks, 1, "one follow-up task for the duplicate")
	require.Equal(t, "follow_up_due", tasks[0].Kind)
	require.Equal(t, "officer:ubdngs", tasks[0].Target)

	// Marking it again is refused: the duplicate is filed, and the original counts it once.
	res = testenv.Do(t, "POST", s.URL+"/v1/letters/"+dupID+"/mark-duplicate", map[string]any{"duplicate_of": orig})
	require.Equal(t, 409, res.Status, res.String())
	require.EqualValues(t, 1, testenv.Do(t, "GET", s.URL+"/v1/letters/"+orig, nil).Map(t)["duplicate_count"])
}
