package workflows

import (
	"time"

	"github.com/dannguyen/dannguyen/deadline"
)

// Names of the voters' petition workflows (domain.md §7), shared by the API, the worker and the
// tests.
const (
	SessionWorkflowName       = "SessionCycleWorkflow"
	VoterPetitionWorkflowName = "VoterPetitionWorkflow"
	UpdateOpenSession         = "open"
	SignalCarryOver           = "carry-over"
	CaseKindSession           = "session"
	CaseKindVoterPetition     = "voter_petition"
)

// SessionWorkflowID and VoterPetitionWorkflowID derive workflow ids from the read model's ids,
// so ops find a session or a petition in the Temporal UI by the id the API shows.
func SessionWorkflowID(id string) string       { return "session-" + id }
func VoterPetitionWorkflowID(id string) string { return "voter-petition-" + id }

// Session statuses: a cycle collects, synthesises, forwards and monitors until it closes and
// carries its open items into the next cycle.
const (
	SessionCollecting = "collecting"
	SessionClosed     = "closed"
)

// Voter petition statuses (domain.md §7.2). suggested and synthesised belong to the session
// (synthesis and officers' confirmation); from the first forward the petition's own workflow
// moves it.
const (
	VPSuggested      = "suggested"
	VPSynthesised    = "synthesised"
	VPMerged         = "merged"
	VPAwaitingAnswer = "awaiting_answer"
	VPAnswered       = "answered"
	VPPublished      = "published"
	VPClosed         = "closed"
	VPCarriedOver    = "carried_over"
)

// Answer classes of domain.md §7.2, and the reasons an answer stays "in progress".
var (
	AnswerClasses    = []string{"resolved", "in_progress", "explained", "unresolved"}
	InProgressReason = []string{"has_roadmap", "no_roadmap", "lacks_resources", "needs_higher_documents", "submitted_to_government", "cannot_resolve_yet", "other"}
)

// SessionPlan is a validated POST /v1/sessions body.
type SessionPlan struct {
	Term        string         `json:"term"`
	Number      int            `json:"number"`
	OpensOn     deadline.Date  `json:"opens_on"`
	ClosesOn    deadline.Date  `json:"closes_on"`
	NextOpensOn *deadline.Date `json:"next_opens_on,omitempty"`
	// RequestHash tells a retry from a second request that reuses the id with other dates.
	RequestHash string `json:"request_hash,omitempty"`
}

// SessionStart starts a SessionCycleWorkflow; State is set instead when continuing as new.
type SessionStart struct {
	ID    string        `json:"id"`
	Plan  *SessionPlan  `json:"plan,omitempty"`
	Actor Actor         `json:"actor"`
	State *SessionState `json:"state,omitempty"`
}

// SessionState is everything the session workflow knows; raw petitions and groups live in the
// read model, the state keeps counts.
type SessionState struct {
	CaseCore
	ID            string         `json:"id"`
	Plan          SessionPlan    `json:"plan"`
	Status        string         `json:"status"`
	OfficeID      string         `json:"office_id"` // the body running the cycle (the petitions committee)
	Petitions     int            `json:"petitions"`
	Synthesised   int            `json:"synthesised_runs,omitempty"`
	Finalized     []string       `json:"finalized,omitempty"` // phases whose synthesis is done
	ResultsOn     *deadline.Date `json:"results_reported_on,omitempty"`
	NextSessionID string         `json:"next_session_id,omitempty"`
	CarriedOver   int            `json:"carried_over,omitempty"`
	CloseDueFired bool           `json:"close_due_fired,omitempty"`
	ClosedAt      *time.Time     `json:"closed_at,omitempty"`
	CreatedBy     Actor          `json:"created_by"`
}

// RawPetition is one petition as a delegation sent it, validated by the API.
type RawPetition struct {
	ID           string         `json:"id"`
	SourceRef    string         `json:"source_ref,omitempty"`
	Delegation   string         `json:"delegation"`
	DelegationID string         `json:"delegation_id,omitempty"`
	Province     string         `json:"province,omitempty"`
	MeetingOn    *deadline.Date `json:"meeting_on,omitempty"`
	Phase        string         `json:"phase,omitempty"`
	Locality     string         `json:"locality,omitempty"`
	Topic        string         `json:"topic,omitempty"`
	Text         string         `json:"text"`
	VoterCount   *int           `json:"voter_count,omitempty"`
	RePetitionOf string         `json:"re_petition_of,omitempty"`
	Source       map[string]any `json:"source,omitempty"`
	Line         int            `json:"line,omitempty"`
}

// GroupEdit is an officer's change to the session's groups: confirm suggested groups, merge
// groups into the first, split petitions off a group into a new one, or finalize the
// synthesis of a phase (every petition of it is in a confirmed group).
type GroupEdit struct {
	Action      string   `json:"action"`
	GroupIDs    []string `json:"group_ids,omitempty"`
	GroupID     string   `json:"group_id,omitempty"`
	PetitionIDs []string `json:"petition_ids,omitempty"`
	Title       string   `json:"title,omitempty"`
	Phase       string   `json:"phase,omitempty"`
}

// SessionAction is the argument of every session Update.
type SessionAction struct {
	Actor         Actor          `json:"actor"`
	IfMatch       *int64         `json:"if_match,omitempty"`
	On            *deadline.Date `json:"on,omitempty"`
	Petitions     []RawPetition  `json:"petitions,omitempty"`
	Groups        *GroupEdit     `json:"groups,omitempty"`
	NextOpensOn   *deadline.Date `json:"next_opens_on,omitempty"`
	NextSessionID string         `json:"next_session_id,omitempty"`
}

// SessionResult is what a session Update returns: the new version plus what the action did.
type SessionResult struct {
	ID          string           `json:"id"`
	Version     int64            `json:"version"`
	Status      string           `json:"status"`
	RequestHash string           `json:"request_hash,omitempty"`
	Collected   *CollectResult   `json:"collected,omitempty"`
	Synthesis   *SynthesisResult `json:"synthesis,omitempty"`
	Groups      *GroupEditResult `json:"groups,omitempty"`
	CarriedOver int              `json:"carried_over,omitempty"`
}

// VoterPetitionStart starts a VoterPetitionWorkflow; State is set when continuing as new.
type VoterPetitionStart struct {
	ID    string              `json:"id"`
	Actor Actor               `json:"actor"`
	State *VoterPetitionState `json:"state,omitempty"`
}

// VPAnswer is the answering body's answer (domain.md §7.2).
type VPAnswer struct {
	Class      string        `json:"class"`
	Reason     string        `json:"reason,omitempty"` // why it is still in progress
	Summary    string        `json:"summary,omitempty"`
	DocumentNo string        `json:"document_no,omitempty"`
	AnsweredOn deadline.Date `json:"answered_on"`
	Late       bool          `json:"late"`
	By         string        `json:"by"`
}

// VPEvaluation is a delegation's judgement of the answer.
type VPEvaluation struct {
	Satisfied bool          `json:"satisfied"`
	Note      string        `json:"note,omitempty"`
	On        deadline.Date `json:"on"`
	By        string        `json:"by"`
	BodyID    string        `json:"body_id,omitempty"`
}

// VoterPetitionState is everything a voter petition's workflow knows.
type VoterPetitionState struct {
	CaseCore
	ID              string         `json:"id"`
	SessionID       string         `json:"session_id"`
	OfficeID        string         `json:"office_id"`
	Number          string         `json:"number"`
	Title           string         `json:"title"`
	DelegationIDs   []string       `json:"delegation_ids,omitempty"`
	Status          string         `json:"status"`
	BodyID          string         `json:"body_id,omitempty"`
	Hops            []Hop          `json:"hops,omitempty"`
	ReceivedOn      *deadline.Date `json:"received_on,omitempty"`
	Answer          *VPAnswer      `json:"answer,omitempty"`
	PublishedOn     *deadline.Date `json:"published_on,omitempty"`
	Evaluation      *VPEvaluation  `json:"evaluation,omitempty"`
	CarriedOver     bool           `json:"carried_over,omitempty"`
	CarriedTo       string         `json:"carried_to,omitempty"`
	FollowUps       int            `json:"follow_ups,omitempty"`
	EscalationLevel int            `json:"escalation_level,omitempty"`
	ClosedAt        *time.Time     `json:"closed_at,omitempty"`
	CreatedBy       Actor          `json:"created_by"`
}

// VPAction is the argument of every voter petition Update.
type VPAction struct {
	Actor      Actor          `json:"actor"`
	IfMatch    *int64         `json:"if_match,omitempty"`
	On         *deadline.Date `json:"on,omitempty"`
	ToBodyID   string         `json:"to_body_id,omitempty"`
	ReceivedOn *deadline.Date `json:"received_on,omitempty"`
	Note       string         `json:"note,omitempty"`
	AnsweredOn *deadline.Date `json:"answered_on,omitempty"`
	Class      string         `json:"class,omitempty"`
	Reason     string         `json:"reason,omitempty"`
	Summary    string         `json:"summary,omitempty"`
	DocumentNo string         `json:"document_no,omitempty"`
	Satisfied  *bool          `json:"satisfied,omitempty"`
}

// CarryOver tells a voter petition that its session's cycle closed: it stays open and is
// monitored in the next session's cycle.
type CarryOver struct {
	ToSessionID string `json:"to_session_id"`
}

// Activity names of the voters' petition workflows.
const (
	ActPersistSession       = "PersistSession"
	ActStorePetitions       = "StorePetitions"
	ActSynthesizeSession    = "SynthesizeSession"
	ActEditGroups           = "EditGroups"
	ActNextSession          = "NextSession"
	ActOpenVoterPetitions   = "OpenVoterPetitions"
	ActCarryOverUnforwarded = "CarryOverUnforwarded"
	ActClaimVoterPetition   = "ClaimVoterPetition"
	ActPersistVoterPetition = "PersistVoterPetition"
)

// StorePetitionsRequest stores a batch of raw petitions of a session.
type StorePetitionsRequest struct {
	SessionID string        `json:"session_id"`
	Petitions []RawPetition `json:"petitions"`
	By        string        `json:"by"`
}

// CollectResult counts a stored batch: a petition already stored (same id, or the same
// source_ref in the session) is a duplicate and is not stored twice.
type CollectResult struct {
	Received   int      `json:"received"`
	Stored     int      `json:"stored"`
	Duplicates []string `json:"duplicates,omitempty"` // ids of the petitions already stored
	Total      int      `json:"total"`                // raw petitions of the session after the batch
}

// SynthesizeRequest asks for the session's unconfirmed petitions to be grouped again.
type SynthesizeRequest struct {
	SessionID   string    `json:"session_id"`
	Threshold   float64   `json:"threshold"`
	TopicWeight float64   `json:"topic_weight"`
	At          time.Time `json:"at"`
}

// SynthesisResult describes the suggestions a synthesis made.
type SynthesisResult struct {
	Petitions  int      `json:"petitions"`  // petitions considered (not yet in a confirmed group)
	Suggested  []string `json:"suggested"`  // suggested groups of two or more petitions
	Singletons int      `json:"singletons"` // petitions that matched no other
	Confirmed  int      `json:"confirmed"`  // groups already confirmed, left as they were
	Threshold  float64  `json:"threshold"`
}

// GroupEditRequest applies a GroupEdit.
type GroupEditRequest struct {
	SessionID string    `json:"session_id"`
	Edit      GroupEdit `json:"edit"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// GroupEditResult names the groups an edit touched.
type GroupEditResult struct {
	Groups    []string `json:"groups"`
	Finalized string   `json:"finalized,omitempty"`
}

// OpenVoterPetitionsRequest pages the session's voter petitions that are still open.
type OpenVoterPetitionsRequest struct {
	SessionID string `json:"session_id"`
	After     string `json:"after,omitempty"`
	Limit     int    `json:"limit"`
}

// CarryOverRequest carries the session's confirmed but never forwarded groups over.
type CarryOverRequest struct {
	SessionID   string    `json:"session_id"`
	ToSessionID string    `json:"to_session_id"`
	At          time.Time `json:"at"`
}

// Claim is a group handed to its VoterPetitionWorkflow.
type Claim struct {
	Found         bool     `json:"found"`
	Status        string   `json:"status"`
	SessionID     string   `json:"session_id"`
	OfficeID      string   `json:"office_id"`
	Number        string   `json:"number"`
	Title         string   `json:"title"`
	DelegationIDs []string `json:"delegation_ids"`
	Version       int64    `json:"version"`
	Seq           int64    `json:"seq"`
}
