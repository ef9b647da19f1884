package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dannguyen/dannguyen/deadline"
	"github.com/dannguyen/dannguyen/internal/apperr"
	"github.com/dannguyen/dannguyen/internal/textnorm"
	"github.com/dannguyen/dannguyen/models"
	"github.com/dannguyen/dannguyen/workflows"
)

// GroupMember is one petition of a group, with the score that linked it when it was suggested.
type GroupMember struct {
	models.PetitionRow
	Score *float64 `json:"score,omitempty"`
}

// GroupView is a group of petitions about one matter, as synthesis and officers left it.
type GroupView struct {
	ID            string        `json:"id"`
	Number        *string       `json:"number"`
	SessionID     string        `json:"session_id"`
	Status        string        `json:"status"`
	Title         string        `json:"title"`
	Topic         string        `json:"topic"`
	Score         *float64      `json:"score"`
	PetitionCount int           `json:"petition_count"`
	VoterCount    int           `json:"voter_count"`
	Delegations   []string      `json:"delegations"`
	DelegationIDs []string      `json:"delegation_ids"`
	MergedInto    *string       `json:"merged_into,omitempty"`
	CarriedTo     *string       `json:"carried_to,omitempty"`
	Members       []GroupMember `json:"members"`
	Links         gin.H         `json:"links"`
}

// groupViews reads the members of the groups and shows each group with them.
func (s *Server) groupViews(ctx context.Context, sessionID string, rows []models.VoterPetitionRow) ([]GroupView, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	members := map[string][]models.PetitionRow{}
	if len(ids) > 0 {
		ps, err := models.PetitionsOf(ctx, s.DB, sessionID, ids)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			members[*p.GroupID] = append(members[*p.GroupID], p)
		}
	}
	out := make([]GroupView, 0, len(rows))
	for _, r := range rows {
		var d struct {
			Members []struct {
				PetitionID string  `json:"petition_id"`
				Score      float64 `json:"score"`
			} `json:"members"`
		}
		_ = json.Unmarshal(r.Detail, &d)
		scores := map[string]float64{}
		for _, m := range d.Members {
			scores[m.PetitionID] = m.Score
		}
		g := GroupView{ID: r.ID, Number: r.Number, SessionID: r.SessionID, Status: r.Status, Title: r.Title, Topic: r.Topic,
			Score: r.Score, PetitionCount: r.PetitionCount, VoterCount: r.VoterCount, Delegations: orEmpty(r.Delegations),
			DelegationIDs: orEmpty(r.DelegationIDs), MergedInto: r.MergedInto, CarriedTo: r.CarriedTo, Members: []GroupMember{},
			Links: gin.H{"self": "/v1/voter-petitions/" + r.ID}}
		for _, p := range members[r.ID] {
			m := GroupMember{PetitionRow: p}
			if sc, ok := scores[p.ID]; ok {
				m.Score = &sc
			}
			g.Members = append(g.Members, m)
		}
		out = append(out, g)
	}
	return out, nil
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// synthesize groups the session's petitions that are not in a confirmed group yet and answers
// with the suggestions (groups of two or more, with their scores); officers then confirm,
// merge or split them.
func (s *Server) synthesize(c *gin.Context) {
	row, ok := s.loadSessionFor(c, "sessions.synthesize")
	if !ok || !openSession(c, row, "synthesize") {
		return
	}
	_, a, ok := sessionAction(c)
	if !ok {
		return
	}
	res, ok := s.sessionUpdate(c, row.ID, "synthesize", a)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	groups, err := models.GroupsOf(ctx, s.DB, row.ID, res.Synthesis.Suggested)
	if err != nil {
		fail(c, err)
		return
	}
	views, err := s.groupViews(ctx, row.ID, groups)
	if err != nil {
		fail(c, err)
		return
	}
	sy := res.Synthesis
	c.JSON(http.StatusOK, gin.H{"session_id": row.ID, "version": res.Version, "threshold": sy.Threshold, "petitions": sy.Petitions,
		"suggested": views, "singletons": sy.Singletons, "confirmed_groups": sy.Confirmed,
		"links": gin.H{"groups": "/v1/sessions/" + row.ID + "/groups"}})
}

// listGroups lists the session's groups (merged ones left out) with their members.
func (s *Server) listGroups(c *gin.Context) {
	row, ok := s.loadSessionFor(c, "sessions.read")
	if !ok {
		return
	}
	var v apperr.Validation
	f := models.VoterPetitionFilter{SessionID: row.ID, Limit: 50, Cursor: c.Query("cursor"), Now: s.now()}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		v.Check(err == nil && n >= 1 && n <= 500, "limit", "must be a whole number from 1 to 500")
		f.Limit = n
	}
	for _, st := range splitList(c.QueryArray("status")) {
		v.Check(slices.Contains(vpStatuses, st), "status", "must be one of %v", vpStatuses)
		f.Status = append(f.Status, st)
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	rows, next, err := models.ListVoterPetitions(ctx, s.DB, f)
	if err != nil {
		fail(c, err)
		return
	}
	views, err := s.groupViews(ctx, row.ID, rows)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": views, "next_cursor": next})
}

func splitList(raw []string) []string {
	var out []string
	for _, r := range raw {
		for _, p := range strings.Split(r, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

var vpStatuses = []string{workflows.VPSuggested, workflows.VPSynthesised, workflows.VPAwaitingAnswer, workflows.VPAnswered,
	workflows.VPPublished, workflows.VPClosed, workflows.VPCarriedOver}

type groupsRequest struct {
	Action      string   `json:"action"`
	GroupIDs    []string `json:"group_ids"`
	GroupID     *string  `json:"group_id"`
	PetitionIDs []string `json:"petition_ids"`
	Title       *string  `json:"title"`
	Phase       *string  `json:"phase"`
	On          *string  `json:"on"`
}

// editGroups confirms suggested groups, merges groups, splits petitions off a group, or
// finalizes a phase's synthesis (which meets its D41 clock).
func (s *Server) editGroups(c *gin.Context) {
	row, ok := s.loadSessionFor(c, "sessions.synthesize")
	if !ok || !openSession(c, row, "editing groups") {
		return
	}
	var req groupsRequest
	if !decodeJSON(c, &req) {
		return
	}
	edit, on, err := s.validateGroups(c.Request.Context(), row.ID, &req)
	if err != nil {
		fail(c, err)
		return
	}
	res, ok := s.sessionUpdate(c, row.ID, "groups", workflows.SessionAction{Groups: &edit, On: on})
	if !ok {
		return
	}
	ctx := c.Request.Context()
	groups, err := models.GroupsOf(ctx, s.DB, row.ID, res.Groups.Groups)
	if err != nil {
		fail(c, err)
		return
	}
	views, err := s.groupViews(ctx, row.ID, groups)
	if err != nil {
		fail(c, err)
		return
	}
	out := gin.H{"session_id": row.ID, "version": res.Version, "action": edit.Action, "groups": views}
	if res.Groups.Finalized != "" {
		out["finalized"] = res.Groups.Finalized
	}
	c.JSON(http.StatusOK, out)
}

// validateGroups checks the shape of an edit and that the groups and petitions named are the
// session's; the activity checks their states under lock.
func (s *Server) validateGroups(ctx context.Context, sessionID string, r *groupsRequest) (workflows.GroupEdit, *deadline.Date, error) {
	var v apperr.Validation
	e := workflows.GroupEdit{Action: r.Action, GroupIDs: r.GroupIDs, PetitionIDs: r.PetitionIDs}
	if r.GroupID != nil {
		e.GroupID = *r.GroupID
	}
	if r.Title != nil {
		e.Title = textnorm.NFC(*r.Title)
		v.Check(e.Title != "" && len([]rune(e.Title)) <= 500 && textnorm.Problem(e.Title) == "", "title", "must be 1 to 500 printable characters")
	}
	if r.Phase != nil {
		e.Phase = *r.Phase
	}
	var on *deadline.Date
	if r.On != nil {
		d, err := deadline.ParseDate(*r.On)
		v.Check(err == nil, "on", "must be a date YYYY-MM-DD")
		on = &d
	}
	present := map[string]bool{"group_ids": r.GroupIDs != nil, "group_id": r.GroupID != nil, "petition_ids": r.PetitionIDs != nil,
		"title": r.Title != nil, "phase": r.Phase != nil}
	fields := map[string][]string{"confirm": {"group_ids!"}, "merge": {"group_ids!", "title"}, "split": {"group_id!", "petition_ids!", "title"},
		"finalize": {"phase!"}}
	spec, known := fields[r.Action]
	if !known {
		v.Add("action", "must be one of %v", workflows.GroupActions)
		return e, on, v.Err()
	}
	allowed := map[string]bool{}
	for _, f := range spec {
		name := strings.TrimSuffix(f, "!")
		allowed[name] = true
		if strings.HasSuffix(f, "!") && !present[name] {
			v.Add(name, "is required for %s", r.Action)
		}
	}
	for f, p := range present {
		if p && !allowed[f] {
			v.Add(f, "is not a field of %s", r.Action)
		}
	}
	unique := func(field string, ids []string, min int) {
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				v.Add(field, "names %s twice", id)
			}
			seen[id] = true
		}
		if ids != nil && (len(ids) < min || len(ids) > 500) {
			v.Add(field, "must name %d to 500 ids", min)
		}
	}
	switch r.Action {
	case "confirm":
		unique("group_ids", r.GroupIDs, 1)
	case "merge":
		unique("group_ids", r.GroupIDs, 2)
	case "split":
		unique("petition_ids", r.PetitionIDs, 1)
	case "finalize":
		v.Check(e.Phase == "before" || e.Phase == "after", "phase", "must be before or after")
	}
	if err := v.Err(); err != nil {
		return e, on, err
	}
	ids := append(append([]string{}, r.GroupIDs...), e.GroupID)
	if len(ids) > 1 || e.GroupID != "" {
		groups, err := models.GroupsOf(ctx, s.DB, sessionID, ids)
		if err != nil {
			return e, on, err
		}
		found := map[string]models.VoterPetitionRow{}
		for _, g := range groups {
			found[g.ID] = g
		}
		for _, id := range r.GroupIDs {
			if _, ok := found[id]; !ok {
				v.Add("group_ids", "no group %s in session %s", id, sessionID)
			}
		}
		if e.GroupID != "" {
			if _, ok := found[e.GroupID]; !ok {
				v.Add("group_id", "no group %s in session %s", e.GroupID, sessionID)
			}
		}
	}
	if len(r.PetitionIDs) > 0 && e.GroupID != "" {
		known, err := models.PetitionsExist(ctx, s.DB, sessionID, r.PetitionIDs)
		if err != nil {
			return e, on, err
		}
		for _, p := range r.PetitionIDs {
			g, ok := known[p]
			switch {
			case !ok:
				v.Add("petition_ids", "no petition %s in session %s", p, sessionID)
			case g != e.GroupID:
				v.Add("petition_ids", "petition %s is not in group %s", p, e.GroupID)
			}
		}
	}
	return e, on, v.Err()
}
