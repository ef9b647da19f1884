package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/dannguyen/dannguyen/activities"
	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/testenv"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// TestLettersListEveryFilter checks each filter of GET /v1/letters (api.md) against a fixed
// set of read-model rows, alone and combined, then the sorts, the officer's own-body view,
// the limit bounds and every invalid parameter.
func TestLettersListEveryFilter(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	cal, err := models.LoadCalendar(testenv.Context(t), s.DB)
	require.NoError(t, err)
	T := today()
	wd := func(n int) deadline.Date {
		r, err := deadline.Compute(cal, deadline.Request{Start: T, Days: n, Unit: deadline.WorkingDays})
		require.NoError(t, err)
		return r.DueOn
	}
	num := map[string]string{} // id -> short name
	add := func(name string, st *workflows.LetterState) {
		num[st.ID] = name
		persist(t, s, st)
	}
	r1 := withClock(rmLetter(1, T.AddDays(-60), "ubdngs"), T.AddDays(-30))
	r1.Assignee = "off-a"
	add("r1", r1)
	r2 := withClock(rmLetter(2, T.AddDays(-50), "ubdngs"), T.AddDays(40))
	r2.Intake.Kind, r2.Status, r2.BodyID = "recommendation", workflows.StatusAwaitingResponse, "ubnd-ha-noi"
	r2.Hops = []workflows.Hop{{From: "ubdngs", To: "ubnd-ha-noi", On: T.AddDays(-45)}}
	add("r2", r2)
	r3 := rmLetter(3, T.AddDays(-40), "ubdngs")
	r3.Status, r3.Assignee = workflows.StatusFiled, "off-b"
	add("r3", r3)
	r4 := rmLetter(4, T.AddDays(-30), "ubdngs")
	closed := time.Now().Add(-time.Hour)
	r4.Status, r4.ClosedAt = workflows.StatusClosed, &closed
	add("r4", r4)
	// A clock the worker marked overdue whose due date a calendar change later moved: the
	// letter view still shows it overdue, and so must the filter.
	r5 := withClock(rmLetter(5, T.AddDays(-20), "ubdngs"), wd(3))
	r5.Intake.Kind, r5.Clocks[0].Status = "reflection", "overdue"
	add("r5", r5)
	r6 := withClock(rmLetter(6, T.AddDays(-10), "ubdngs"), wd(1))
	r6.Status, r6.Assignee = workflows.StatusClassified, "off-a"
	add("r6", r6)
	r7 := withClock(rmLetter(7, T.AddDays(-10), "bo-tai-chinh"), T.AddDays(-1))
	add("r7", r7)
	r8 := withClock(rmLetter(8, T, "ubdngs"), T.AddDays(30))
	r8.Intake.Kind = "mixed"
	add("r8", r8)

	names := func(query string) []string {
		var out []string
		for _, id := range listAll(t, s, query, 3) {
			out = append(out, num[id])
		}
		sort.Strings(out)
		return out
	}
	for query, want := range map[string][]string{
		"":                                           {"r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"},
		"status=filed":                               {"r3"},
		"status=filed,closed":                        {"r3", "r4"},
		"status=filed&status=closed":                 {"r3", "r4"},
		"kind=reflection,mixed":                      {"r5", "r8"},
		"body_id=ubnd-ha-noi":                        {"r2"},
		"body_id=bo-tai-chinh,ubnd-ha-noi":           {"r2", "r7"},
		"assignee=off-a":                             {"r1", "r6"},
		"overdue=true":                               {"r1", "r5", "r7"},
		"overdue=false":                              {"r2", "r3", "r4", "r6", "r8"},
		"due_before=" + T.String():                   {"r1", "r7"},
		"due_before=" + T.AddDays(-1).String():       {"r1"},
		"due_within_days=0":                          {"r1", "r7"},
		"due_within_days=1":                          {"r1", "r6", "r7"},
		"due_within_days=3":                          {"r1", "r5", "r6", "r7"},
		"due_within_days=3&due_before=" + T.String(): {"r1", "r7"},
		"received_from=" + T.AddDays(-40).String() + "&received_to=" + T.AddDays(-20).String(): {"r3", "r4", "r5"},
		"received_from=" + T.AddDays(-10).String():                                             {"r6", "r7", "r8"},
		"received_to=" + T.AddDays(-50).String():                                               {"r1", "r2"},
		"assignee=off-a&overdue=true":                                                          {"r1"},
		"status=registered&kind=complaint&body_id=ubdngs":                                      {"r1"},
	} {
		require.Equal(t, want, names(query), "GET /v1/letters?%s", query)
	}

	// Sorts are total orders (ties broken by id) and paging keeps them across pages.
	check := func(query string, less func(a, b map[string]any) bool) {
		var all []map[string]any
		cursor := ""
		for {
			u := query + "&limit=3"
			if cursor != "" {
				u += "&cursor=" + url.QueryEscape(cursor)
			}
			res := testenv.Do(t, "GET", s.URL+"/v1/letters?"+u, nil)
			require.Equal(t, 200, res.Status, res.String())
			var p listPage
			res.JSON(t, &p)
			all = append(all, p.Raw...)
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		require.Len(t, all, 8, query)
		for i := 1; i < len(all); i++ {
			require.True(t, less(all[i-1], all[i]), "%s: %v before %v", query, all[i-1]["number"], all[i]["number"])
		}
	}
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	check("sort=-received_on", func(a, b map[string]any) bool {
		return str(a, "received_on") > str(b, "received_on") || str(a, "received_on") == str(b, "received_on") && str(a, "id") > str(b, "id")
	})
	check("sort=received_on", func(a, b map[string]any) bool {
		return str(a, "received_on") < str(b, "received_on") || str(a, "received_on") == str(b, "received_on") && str(a, "id") < str(b, "id")
	})
	check("sort=due_at", func(a, b map[string]any) bool {
		da, db := str(a, "due_at"), str(b, "due_at")
		if da == "" || db == "" { // no due date sorts last
			return db == "" && (da != "" || str(a, "id") < str(b, "id"))
		}
		ta, _ := time.Parse(time.RFC3339, da)
		tb, _ := time.Parse(time.RFC3339, db)
		return ta.Before(tb) || ta.Equal(tb) && str(a, "id") < str(b, "id")
	})

	// An officer sees what the body received and what it holds, in the same order as a
	// supervisor's list, across pages that mix both.
	officer := "Bearer " + testenv.Token(t, "off-hn", "ubnd-ha-noi", "handling_officer")
	require.Equal(t, []string{r2.ID}, listAll(t, s, "sort=-received_on", 1, "Authorization", officer))
	ubdngs := "Bearer " + testenv.Token(t, "off-x", "ubdngs", "handling_officer")
	all := listAll(t, s, "sort=-received_on", 100)
	var want []string
	for _, id := range all {
		if id != r7.ID {
			want = append(want, id)
		}
	}
	require.Equal(t, want, listAll(t, s, "sort=-received_on", 2, "Authorization", ubdngs))
	require.Equal(t, []string{r2.ID}, listAll(t, s, "body_id=ubnd-ha-noi", 2, "Authorization", ubdngs), "held elsewhere, received here")

	// limit bounds: default 50, at most 500.
	require.Len(t, listItems(t, s, "limit=500"), 8)
	require.Len(t, listItems(t, s, "limit=1"), 1)

	// Every bad parameter is named in one 422.
	res := testenv.Do(t, "GET", s.URL+"/v1/letters?limit=0&overdue=maybe&received_from=2026-13-01&due_before=x&due_within_days=-1&sort=bogus&format=pdf", nil)
	require.Equal(t, 422, res.Status, res.String())
	for _, f := range []string{"limit", "overdue", "received_from", "due_before", "due_within_days", "sort", "format"} {
		require.Contains(t, res.String(), `"field":"`+f+`"`)
	}
	// Text PostgreSQL cannot hold is refused before the other checks, every such parameter named.
	res = testenv.Do(t, "GET", s.URL+"/v1/letters?q=%00&status=%FF&limit=0", nil)
	require.Equal(t, 422, res.Status, res.String())
	require.Contains(t, res.String(), `"field":"q"`)
	require.Contains(t, res.String(), `"field":"status"`)
	for _, q := range []string{"limit=501", "limit=x", "received_from=2026-03-02&received_to=2026-03-01", "sort=relevance", "cursor=bm9wZQ"} {
		res := testenv.Do(t, "GET", s.URL+"/v1/letters?"+q, nil)
		require.Equal(t, 422, res.Status, "%s: %s", q, res.String())
		require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	}
	res = testenv.Do(t, "GET", s.URL+"/v1/letters?sort=due_at&limit=2", nil)
	var p listPage
	res.JSON(t, &p)
	require.NotEmpty(t, p.NextCursor)
	// A forged cursor (the filter hash kept, the key changed) is a 422: nothing a client
	// writes in a cursor reaches PostgreSQL as a value it cannot hold.
	res = testenv.Do(t, "GET", s.URL+"/v1/letters?limit=2", nil)
	var byDate listPage
	res.JSON(t, &byDate)
	for query, edit := range map[string]func(map[string]any){
		"limit=2":                   func(c map[string]any) { c["d"] = "not-a-date" },
		"limit=2&sort=-received_on": func(c map[string]any) { c["i"] = "a\x00b" },
		"limit=2&sort=due_at":       func(c map[string]any) { c["t"] = "yesterday" },
	} {
		raw := byDate.NextCursor
		if strings.Contains(query, "due_at") {
			raw = p.NextCursor
		}
		b, err := base64.RawURLEncoding.DecodeString(raw)
		require.NoError(t, err)
		var c map[string]any
		require.NoError(t, json.Unmarshal(b, &c))
		edit(c)
		b, _ = json.Marshal(c)
		res := testenv.Do(t, "GET", s.URL+"/v1/letters?"+query+"&cursor="+base64.RawURLEncoding.EncodeToString(b), nil)
		require.Equal(t, 422, res.Status, "%s: %s", query, res.String())
		require.Contains(t, res.String(), `"field":"cursor"`)
	}
	for _, q := range []string{"sort=received_on", "sort=due_at&status=filed"} {
		res := testenv.Do(t, "GET", s.URL+"/v1/letters?"+q+"&cursor="+url.QueryEscape(p.NextCursor), nil)
		require.Equal(t, 422, res.Status, "a cursor replayed with %s: %s", q, res.String())
		require.Contains(t, res.String(), `"field":"cursor"`)
	}
}

// TestLettersCursorUnderConcurrentInserts pages through the list in every sort while another
// writer keeps inserting letters whose keys fall before, inside and after the pages already
// read: no letter is ever listed twice, and every letter that existed when paging began is
// listed.
func TestLettersCursorUnderConcurrentInserts(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	T := today()
	rng := rand.New(rand.NewPCG(7, 11))
	n := 0
	newLetter := func() *workflows.LetterState {
		n++
		st := rmLetter(n, T.AddDays(-rng.IntN(30)), []string{"ubdngs", "ubnd-ha-noi"}[rng.IntN(2)])
		if rng.IntN(4) > 0 { // a quarter have no running clock: due_at NULL, sorted last
			withClock(st, T.AddDays(rng.IntN(40)-20))
		}
		return st
	}
	for range 240 {
		persist(t, s, newLetter())
	}
	for _, query := range []string{"sort=-received_on", "sort=received_on", "sort=due_at", "overdue=true&body_id=ubdngs", "overdue=true&body_id=ubdngs&sort=due_at"} {
		t.Run(query, func(t *testing.T) {
			before := listAll(t, s, query, 500)
			var inserted atomic.Int64
			var writeErr error
			stop := make(chan struct{})
			var wg sync.WaitGroup
			fresh := []*workflows.LetterState{}
			for range 40 {
				fresh = append(fresh, newLetter())
			}
			writer := &activities.Activities{DB: s.DB}
			ctx := testenv.Context(t)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, st := range fresh {
					select {
					case <-stop:
						return
					default:
					}
					if writeErr = writer.PersistLetter(ctx, st); writeErr != nil {
						return
					}
					inserted.Add(1)
					time.Sleep(2 * time.Millisecond)
				}
			}()
			// Besides the concurrent writer, two letters land between every two pages, so
			// inserts before and after the cursor are certain, not a matter of timing.
			got := listAllWith(t, s, query, 7, func() { // fails on any repeated id
				for range 2 {
					persist(t, s, newLetter())
					inserted.Add(1)
				}
			})
			close(stop)
			wg.Wait()
			require.NoError(t, writeErr)
			require.Positive(t, inserted.Load(), "the writer ran while paging")
			for _, id := range before {
				require.True(t, slices.Contains(got, id), "%s existed before paging and was skipped", id)
			}
			t.Logf("%s: %d listed, %d existed before, %d inserted meanwhile", query, len(got), len(before), inserted.Load())
		})
	}
}

// TestLettersSearch: q folds diacritics, đ and case on both sides, in NFC or NFD, over
// subject, content, respondent and (for letters that are not protected) the sender's name;
// hits in the subject rank first; letter numbers and ID numbers are found too.
func TestLettersSearch(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	day := today().String()
	body := func(subject, content, respondent, sender string) map[string]any {
		b := letterBody(day)
		b["subject"], b["content"], b["respondent"] = subject, content, respondent
		b["senders"] = []map[string]any{{"full_name": sender, "address": "Hà Nội", "id_number": "001203004567", "phone": "0912345678"}}
		return b
	}
	inSubject := createLetter(t, s, body("Khiếu nại ông Nguyễn Văn Đức, chủ tịch xã", "Về việc bồi thường.", "UBND xã", "Lê Thị Hoa"))["id"].(string)
	inContent := createLetter(t, s, body("Khiếu nại về bồi thường", "Ông Nguyễn Văn Đức đã ký quyết định thu hồi đất đai.", "UBND xã", "Phạm Văn Bình"))["id"].(string)
	inRespondent := createLetter(t, s, body("Kiến nghị về môi trường", "Bãi rác gây ô nhiễm.", "Nguyễn Văn Đức", "Trương Văn Cường"))["id"].(string)
	nfdIntake := createLetter(t, s, body(nfd("Phản ánh về đường giao thông"), "Đường hỏng.", "Sở Xây dựng", "Hồ Văn Dũng"))
	other := createLetter(t, s, body("Kiến nghị về lương hưu", "Chế độ chính sách.", "Bảo hiểm xã hội", "Nguyễn Văn Đạt"))
	// A row stored in NFD (as an import could write it), bypassing intake's normalisation.
	legacy := rmLetter(1, today(), "ubdngs")
	legacy.Intake.Subject, legacy.Intake.Content = nfd("Tố giác khai thác cát trái phép"), nfd("Đội tàu hút cát ở Đồng Nai")
	legacy.Intake.Kind = "recommendation"
	persist(t, s, legacy)

	search := func(q string) []string { return idsOf(listItems(t, s, "q="+url.QueryEscape(q))) }
	for _, q := range []string{"nguyen van duc", "Nguyễn Văn Đức", nfd("Nguyễn Văn Đức"), "NGUYEN VAN DUC", "  nguyễn   VĂN đức "} {
		got := search(q)
		require.Equal(t, inSubject, got[0], "%q: the subject hit ranks first", q)
		require.ElementsMatch(t, []string{inSubject, inContent, inRespondent}, got, "%q", q)
	}
	require.Equal(t, []string{inContent}, search("dat dai"), "đ → d")
	require.Equal(t, []string{nfdIntake["id"].(string)}, search("duong giao thong"))
	require.Equal(t, []string{nfdIntake["id"].(string)}, search("Đường giao thông"))
	require.Equal(t, []string{legacy.ID}, search("khai thác cát"), "NFD row, NFC query")
	require.Equal(t, []string{legacy.ID}, search(nfd("đồng nai")), "NFD row, NFD query")
	require.Equal(t, []string{legacy.ID}, search("dong nai"))
	require.Equal(t, []string{inRespondent}, search("truong van cuong"), "the sender's name of a letter that is not protected")
	require.Equal(t, []string{other["id"].(string)}, search(other["number"].(string)), "the letter number")
	require.Empty(t, search("không có từ này"))
	require.Empty(t, search("!!!"))
	// The ID number (a keyed hash, not the number itself) finds every letter of that sender.
	require.Len(t, search("001203004567"), 5)

	// Filters and sorts combine with q; relevance paging keeps the ranking.
	require.Equal(t, []string{inSubject}, idsOf(listItems(t, s, "q=nguyen+van+duc&limit=1")))
	byDate := idsOf(listItems(t, s, "q=nguyen+van+duc&sort=received_on"))
	require.Len(t, byDate, 3)
	require.Equal(t, listAll(t, s, "q=nguyen+van+duc", 50), listAll(t, s, "q=nguyen+van+duc", 1))
	require.Empty(t, listItems(t, s, "q=nguyen+van+duc&status=closed"))
}

func nfd(s string) string { return norm.NFD.String(s) }

// TestLettersSearchIdentityOnlyForThoseAllowed: a denouncer's name and ID number are in no
// searchable text; a search by them finds the letter only for the intake officer, the assigned
// handler, the head of the receiving body or a grantee — and writes an audit row each time.
func TestLettersSearchIdentityOnlyForThoseAllowed(t *testing.T) {
	t.Parallel()
	s := testenv.NewStack(t)
	intake := "Bearer " + testenv.Token(t, "intake-1", "ubdngs", "receiving_officer")
	d := createLetter(t, s, denunciationBody(today().String()), "Authorization", intake)
	id := d["id"].(string)
	plain := letterBody(today().String())
	plain["senders"] = []map[string]any{{"full_name": "Đoàn Văn Khánh", "address": "Huế", "id_number": "046090001234"}}
	p := createLetter(t, s, plain)["id"].(string)

	folded := "tran thi canary bi mat"
	tokens := map[string]string{
		"intake":     intake,
		"handler":    "Bearer " + testenv.Token(t, "handler-1", "ubdngs", "handling_officer"),
		"head":       "Bearer " + testenv.Token(t, "head-1", "ubdngs", "head"),
		"supervisor": "Bearer " + testenv.Token(t, "sup-1", "ubdngs", "supervisor"),
		"other head": "Bearer " + testenv.Token(t, "head-2", "ubnd-hue", "head", "supervisor"),
	}
	found := func(who, q string) bool {
		return slices.Contains(idsOf(listItems(t, s, "q="+url.QueryEscape(q), "Authorization", tokens[who])), id)
	}
	for who, want := range map[string]bool{"intake": true, "head": true, "handler": false, "supervisor": false, "other head": false} {
		require.Equal(t, want, found(who, folded), "%s searching the name", who)
		require.Equal(t, want, found(who, canaryID), "%s searching the ID number", who)
		require.Equal(t, want, found(who, canaryName), "%s searching the name with diacritics", who)
	}
	// Everyone finds it by its content; the pseudonym is shown, never the identity.
	items := listItems(t, s, "q=hoi+lo", "Authorization", tokens["supervisor"])
	require.Equal(t, []string{id}, idsOf(items))
	require.Regexp(t, `^Người tố cáo #`, items[0]["sender_display"])
	require.NotContains(t, fmt.Sprint(items), "Canary")
	// A plain sender is found by name by anyone who may list the letter.
	require.Equal(t, []string{p}, idsOf(listItems(t, s, "q=doan+van+khanh", "Authorization", tokens["supervisor"])))

	// Assigning the handler, or a head's grant, opens the search to them.
	act(t, s, id, "assign", map[string]any{"assignee": "handler-1"}, 200)
	require.True(t, found("handler", folded))
	until := time.Now().Add(time.Hour).Format(time.RFC3339)
	res := testenv.Do(t, "POST", s.URL+"/v1/letters/"+id+"/identity-grants", map[string]any{"grantee": "sup-1", "reason": "giám sát", "until": until}, "Authorization", tokens["head"])
	require.Equal(t, 201, res.Status, res.String())
	require.True(t, found("supervisor", folded))
	// An export is searched by the same rule.
	csvOut := testenv.Do(t, "GET", s.URL+"/v1/letters?format=csv&q="+url.QueryEscape(folded), nil, "Authorization", tokens["handler"])
	require.Equal(t, 200, csvOut.Status)
	require.Contains(t, csvOut.String(), id)
	require.NotContains(t, csvOut.String(), "Canary")

	// Each allowed identity hit is audited, without the search text (it is the identity).
	res = testenv.Do(t, "GET", s.URL+"/v1/audit?letter_id="+id, nil, "Authorization", "Bearer "+testenv.Token(t, "aud", "ubdngs", "auditor"))
	require.Equal(t, 200, res.Status, res.String())
	require.NotContains(t, strings.ToLower(res.String()), "canary")
	require.NotContains(t, res.String(), canaryID)
	var audit struct {
		Items []struct{ Actor, Action string }
	}
	res.JSON(t, &audit)
	searches := map[string]int{}
	for _, e := range audit.Items {
		if e.Action == "identity.search" {
			searches[e.Actor]++
		}
	}
	require.Equal(t, map[string]int{"intake-1": 3, "head-1": 3, "handler-1": 2, "sup-1": 1}, searches)
}
