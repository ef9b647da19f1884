package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/dannguyen/dannguyen/internal/synthesis"
	"github.com/dannguyen/dannguyen/workflows"
)

// groupNS scopes the ids of suggested and split groups: the same members give the same id, so
// a retried activity or a repeated synthesis finds the group it made before.
var groupNS = uuid.MustParse("3c9a1f4e-8d2b-4e6a-9f71-5b0c2d8e4a13")

func groupID(sessionID string, members []string) string {
	sorted := append([]string(nil), members...)
	sort.Strings(sorted)
	return uuid.NewSHA1(groupNS, []byte(sessionID+"\x00"+strings.Join(sorted, "\x00"))).String()
}

type petitionDoc struct {
	ID    string
	Text  string
	Topic string
}

// titleRunes bounds a group title taken from a petition's text.
const titleRunes = 500

func titleOf(text string) string {
	r := []rune(strings.TrimSpace(text))
	if len(r) > titleRunes {
		return string(r[:titleRunes-1]) + "…"
	}
	return string(r)
}

// SynthesizeSession groups again every petition of the session that is not in a confirmed
// group: the previous suggestions are dropped and new ones stored, each with its score and
// its members' scores. Confirmed groups are left as they are.
func (a *Activities) SynthesizeSession(ctx context.Context, req workflows.SynthesizeRequest) (workflows.SynthesisResult, error) {
	opt := synthesis.Defaults
	if req.Threshold > 0 {
		opt.Threshold = req.Threshold
	}
	if req.TopicWeight > 0 {
		opt.TopicWeight = req.TopicWeight
	}
	out := workflows.SynthesisResult{Threshold: opt.Threshold, Suggested: []string{}}
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`SELECT id FROM sessions WHERE id = ? FOR UPDATE`, req.SessionID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE petitions SET group_id = NULL WHERE session_id = ? AND group_id IN
			(SELECT id FROM voter_petitions WHERE session_id = ? AND status = 'suggested')`, req.SessionID, req.SessionID).Error; err != nil {
			return fmt.Errorf("release suggested groups: %w", err)
		}
		if err := tx.Exec(`DELETE FROM voter_petitions WHERE session_id = ? AND status = 'suggested'`, req.SessionID).Error; err != nil {
			return fmt.Errorf("drop suggested groups: %w", err)
		}
		var docs []petitionDoc
		if err := tx.Raw(`SELECT id, text, topic FROM petitions WHERE session_id = ? AND group_id IS NULL ORDER BY created_at, id`,
			req.SessionID).Scan(&docs).Error; err != nil {
			return err
		}
		out.Petitions = len(docs)
		in := make([]synthesis.Doc, len(docs))
		for i, d := range docs {
			in[i] = synthesis.Doc{ID: d.ID, Text: d.Text, Topic: d.Topic}
		}
		for _, g := range synthesis.New(in, opt).Cluster() {
			members := make([]string, len(g.Members))
			scores := make([]map[string]any, len(g.Members))
			for i, m := range g.Members {
				members[i] = docs[m.Index].ID
				scores[i] = map[string]any{"petition_id": docs[m.Index].ID, "score": round3(m.Score)}
			}
			id := groupID(req.SessionID, members)
			detail, _ := json.Marshal(map[string]any{"members": scores, "suggested_at": req.At})
			if err := tx.Exec(`INSERT INTO voter_petitions (id, session_id, status, title, score, detail) VALUES (?, ?, 'suggested', ?, ?, ?)`,
				id, req.SessionID, titleOf(docs[g.Representative].Text), round3(g.Score), string(detail)).Error; err != nil {
				return fmt.Errorf("store suggested group: %w", err)
			}
			if err := tx.Exec(`UPDATE petitions SET group_id = ? WHERE id IN ?`, id, members).Error; err != nil {
				return err
			}
			if err := refreshGroup(tx, id); err != nil {
				return err
			}
			if len(members) > 1 {
				out.Suggested = append(out.Suggested, id)
			} else {
				out.Singletons++
			}
		}
		var confirmed int64
		if err := tx.Raw(`SELECT count(*) FROM voter_petitions WHERE session_id = ? AND status NOT IN ('suggested', 'merged')`,
			req.SessionID).Scan(&confirmed).Error; err != nil {
			return err
		}
		out.Confirmed = int(confirmed)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("synthesize %s: %w", req.SessionID, err)
	}
	return out, nil
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// refreshGroup recomputes what a group sums up from its members: every delegation (as written
// and as resolved), the petition and voter counts, and the most common topic.
func refreshGroup(tx *gorm.DB, id string) error {
	return tx.Exec(`UPDATE voter_petitions g SET
			petition_count = s.n, voter_count = s.v,
			delegations = coalesce(s.d, '{}'), delegation_ids = coalesce(s.di, '{}'),
			topic = coalesce((SELECT topic FROM petitions WHERE group_id = g.id GROUP BY topic ORDER BY count(*) DESC, topic LIMIT 1), ''),
			updated_at = now()
		FROM (SELECT count(*) AS n, coalesce(sum(voter_count), 0) AS v,
		             array_agg(DISTINCT delegation) AS d,
		             array_remove(array_agg(DISTINCT delegation_id), NULL) AS di
		      FROM petitions WHERE group_id = ?) s
		WHERE g.id = ?`, id, id).Error
}

func groupError(kind, format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), kind, nil)
}

type groupRow struct {
	ID         string
	Status     string
	Claimed    bool
	Number     *string
	MergedInto *string
}

// lockGroups locks the session's groups named by ids and checks they may still be edited.
func lockGroups(tx *gorm.DB, sessionID string, ids []string) (map[string]groupRow, error) {
	var rows []groupRow
	if err := tx.Raw(`SELECT id, status, claimed, number, merged_into FROM voter_petitions WHERE session_id = ? AND id IN ? ORDER BY id FOR UPDATE`,
		sessionID, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]groupRow{}
	for _, r := range rows {
		out[r.ID] = r
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			return nil, groupError("NotFound", "no group %s in session %s", id, sessionID)
		}
	}
	return out, nil
}

func editable(g groupRow) error {
	if g.Claimed || (g.Status != workflows.VPSuggested && g.Status != workflows.VPSynthesised) {
		return groupError("Conflict", "group %s is %s and can no longer be edited", g.ID, g.Status)
	}
	return nil
}

// confirmGroup makes a group a voter petition: it gets its number, once.
func confirmGroup(tx *gorm.DB, sessionID string, g groupRow, title, by string, at time.Time, typ string, data map[string]any) error {
	number := ""
	if g.Number != nil {
		number = *g.Number
	} else {
		var n int
		if err := tx.Raw(`INSERT INTO voter_petition_numbers (session_id, last) VALUES (?, 1)
			ON CONFLICT (session_id) DO UPDATE SET last = voter_petition_numbers.last + 1 RETURNING last`, sessionID).Scan(&n).Error; err != nil {
			return fmt.Errorf("allocate a number: %w", err)
		}
		number = fmt.Sprintf("KN-%s-%04d", strings.ToUpper(sessionID), n)
	}
	set := "status = 'synthesised', number = ?, updated_at = now()"
	args := []any{number}
	if title != "" {
		set += ", title = ?"
		args = append(args, title)
	}
	if err := tx.Exec("UPDATE voter_petitions SET "+set+" WHERE id = ?", append(args, g.ID)...).Error; err != nil {
		return err
	}
	if err := refreshGroup(tx, g.ID); err != nil {
		return err
	}
	if data == nil {
		data = map[string]any{}
	}
	data["number"] = number
	return appendCaseEvent(tx, "voter_petition_events", "petition_id", g.ID, at, typ, by, data)
}

// EditGroups applies an officer's confirm, merge, split or finalize to the session's groups in
// one transaction. Each edit is idempotent: repeating it (a retried activity) changes nothing.
func (a *Activities) EditGroups(ctx context.Context, req workflows.GroupEditRequest) (workflows.GroupEditResult, error) {
	var out workflows.GroupEditResult
	e := req.Edit
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		switch e.Action {
		case "confirm":
			groups, err := lockGroups(tx, req.SessionID, e.GroupIDs)
			if err != nil {
				return err
			}
			for _, id := range e.GroupIDs {
				g := groups[id]
				if g.Status == workflows.VPSynthesised {
					out.Groups = append(out.Groups, id) // already confirmed
					continue
				}
				if err := editable(g); err != nil {
					return err
				}
				if err := confirmGroup(tx, req.SessionID, g, "", req.By, req.At, "confirmed", nil); err != nil {
					return err
				}
				out.Groups = append(out.Groups, id)
			}
		case "merge":
			return mergeGroups(tx, req, &out)
		case "split":
			return splitGroup(tx, req, &out)
		case "finalize":
			var open int64
			if err := tx.Raw(`SELECT count(*) FROM petitions p LEFT JOIN voter_petitions g ON g.id = p.group_id
				WHERE p.session_id = ? AND p.phase = ? AND (p.group_id IS NULL OR g.status = 'suggested')`,
				req.SessionID, e.Phase).Scan(&open).Error; err != nil {
				return err
			}
			if open > 0 {
				return groupError("Conflict", "%d petitions of the %s-session phase are not in a confirmed group yet; synthesize and confirm them first", open, e.Phase)
			}
			out.Finalized = e.Phase
		default:
			return groupError("Invalid", "unknown group action %q", e.Action)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("%s groups of %s: %w", e.Action, req.SessionID, err)
	}
	return out, nil
}

// mergeGroups moves every member of the other groups into the first one; the others stay as
// "merged" rows pointing at it, so the history of each suggestion survives.
func mergeGroups(tx *gorm.DB, req workflows.GroupEditRequest, out *workflows.GroupEditResult) error {
	e := req.Edit
	groups, err := lockGroups(tx, req.SessionID, e.GroupIDs)
	if err != nil {
		return err
	}
	target := e.GroupIDs[0]
	if err := editable(groups[target]); err != nil {
		return err
	}
	var moved []string
	for _, id := range e.GroupIDs[1:] {
		g := groups[id]
		if g.Status == workflows.VPMerged && g.MergedInto != nil && *g.MergedInto == target {
			continue // merged by an earlier attempt
		}
		if err := editable(g); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE petitions SET group_id = ? WHERE group_id = ?`, target, id).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE voter_petitions SET status = 'merged', merged_into = ?, updated_at = now() WHERE id = ?`, target, id).Error; err != nil {
			return err
		}
		if err := appendCaseEvent(tx, "voter_petition_events", "petition_id", id, req.At, "merged", req.By, map[string]any{"into": target}); err != nil {
			return err
		}
		moved = append(moved, id)
	}
	if err := confirmGroup(tx, req.SessionID, groups[target], e.Title, req.By, req.At, "merged_from", map[string]any{"groups": moved}); err != nil {
		return err
	}
	out.Groups = append([]string{target}, e.GroupIDs[1:]...)
	return nil
}

// splitGroup moves the named petitions out of a group into a new confirmed one; both keep every
// delegation and voter count of their members.
func splitGroup(tx *gorm.DB, req workflows.GroupEditRequest, out *workflows.GroupEditResult) error {
	e := req.Edit
	groups, err := lockGroups(tx, req.SessionID, []string{e.GroupID})
	if err != nil {
		return err
	}
	newID := groupID(req.SessionID+"/split/"+e.GroupID, e.PetitionIDs)
	var existing int64
	if err := tx.Raw(`SELECT count(*) FROM voter_petitions WHERE id = ?`, newID).Scan(&existing).Error; err != nil {
		return err
	}
	if existing > 0 {
		out.Groups = []string{e.GroupID, newID} // split by an earlier attempt
		return nil
	}
	g := groups[e.GroupID]
	if err := editable(g); err != nil {
		return err
	}
	var members []string
	if err := tx.Raw(`SELECT id FROM petitions WHERE group_id = ?`, e.GroupID).Scan(&members).Error; err != nil {
		return err
	}
	in := map[string]bool{}
	for _, m := range members {
		in[m] = true
	}
	for _, p := range e.PetitionIDs {
		if !in[p] {
			return groupError("Invalid", "petition %s is not in group %s", p, e.GroupID)
		}
	}
	if len(e.PetitionIDs) >= len(members) {
		return groupError("Invalid", "a split must leave at least one petition in group %s", e.GroupID)
	}
	var text string
	if err := tx.Raw(`SELECT text FROM petitions WHERE id = ?`, e.PetitionIDs[0]).Scan(&text).Error; err != nil {
		return err
	}
	title := e.Title
	if title == "" {
		title = titleOf(text)
	}
	detail, _ := json.Marshal(map[string]any{"split_from": e.GroupID})
	if err := tx.Exec(`INSERT INTO voter_petitions (id, session_id, status, title, detail) VALUES (?, ?, 'synthesised', ?, ?)`,
		newID, req.SessionID, title, string(detail)).Error; err != nil {
		return err
	}
	if err := tx.Exec(`UPDATE petitions SET group_id = ? WHERE id IN ?`, newID, e.PetitionIDs).Error; err != nil {
		return err
	}
	if err := confirmGroup(tx, req.SessionID, groupRow{ID: newID, Status: workflows.VPSynthesised}, "", req.By, req.At, "split_from",
		map[string]any{"group": e.GroupID, "petitions": e.PetitionIDs}); err != nil {
		return err
	}
	if err := confirmGroup(tx, req.SessionID, g, "", req.By, req.At, "split", map[string]any{"into": newID, "petitions": e.PetitionIDs}); err != nil {
		return err
	}
	out.Groups = []string{e.GroupID, newID}
	return nil
}
