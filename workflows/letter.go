package workflows

import (
	"time"

	"github.com/dannguyen/dannguyen/deadline"
)

// TaskQueue-independent names shared by the API, the worker and the tests.
const (
	LetterWorkflowName = "LetterWorkflow"
	UpdateIntake       = "intake"
	SignalCalendar     = "calendar-changed"
	SignalDuplicate    = "duplicate-linked"
	QueryState         = "state"
)

// LetterWorkflowID is the workflow id of a letter: stable, derived from the letter id, so
// ops find a case in the Temporal UI by the id the API shows.
func LetterWorkflowID(letterID string) string { return "letter-" + letterID }

// Letter statuses (domain.md §3.6).
const (
	StatusReceived         = "received"
	StatusRegistered       = "registered"
	StatusClassified       = "classified"
	StatusFiled            = "filed"
	StatusGuided           = "guided"
	StatusAwaitingResponse = "awaiting_response"
	StatusResponseReceived = "response_received"
	StatusWatch            = "watch"
	StatusSettling         = "settling" // the office settles the complaint or denunciation itself (§4, §5)
	StatusClosed           = "closed"
)

// Actor is who acts; it comes from the verified token and is recorded in every event.
type Actor struct {
	Sub    string   `json:"sub"`
	Name   string   `json:"name,omitempty"`
	Roles  []string `json:"roles,omitempty"`
	BodyID string   `json:"body_id,omitempty"`
}

// Sender is one person who signed the letter. Personal data: never logged.
type Sender struct {
	FullName         string `json:"full_name"`
	IDNumber         string `json:"id_number,omitempty"`
	Phone            string `json:"phone,omitempty"`
	Address          string `json:"address,omitempty"`
	IsRepresentative bool   `json:"is_representative,omitempty"`
}

// Intake is a validated POST /v1/letters body plus what the API derived from it.
type Intake struct {
	Kind             string        `json:"kind,omitempty"`
	Channel          string        `json:"channel"`
	ReceivedOn       deadline.Date `json:"received_on"`
	Senders          []Sender      `json:"senders,omitempty"`
	SignerCount      int           `json:"signer_count"`
	Anonymous        bool          `json:"anonymous"`
	Subject          string        `json:"subject"`
	Content          string        `json:"content"`
	Respondent       string        `json:"respondent,omitempty"`
	SubjectProvince  string        `json:"subject_province,omitempty"`
	BodyID           string        `json:"body_id"`
	RemoteArea       bool          `json:"remote_area"`
	Confidential     bool          `json:"confidential,omitempty"`
	ReceptionVisitID string        `json:"reception_visit_id,omitempty"`
	ForwardedBy      string        `json:"forwarded_by,omitempty"`
	// SenderKeys are keyed hashes of the senders' ID numbers and names, computed by the API
	// (which holds the key), so duplicates can be matched without clear ID numbers.
	SenderKeys []string `json:"sender_keys,omitempty"`
	// RequestHash identifies the request body, so a reused Idempotency-Key with another body
	// is told apart from a retry.
	RequestHash string `json:"request_hash,omitempty"`
	// Protected: the senders are in the identity vault, not here; Pseudonym stands for them.
	Protected bool   `json:"protected,omitempty"`
	Pseudonym string `json:"pseudonym,omitempty"`
	// SplitFrom is the mixed letter this one is a part of (T38).
	SplitFrom string `json:"split_from,omitempty"`
}

// NeedsProtection reports whether the senders' identity must live only in the vault: every
// denunciation, a mixed letter (it has a denunciation part) and any letter marked confidential.
func (in Intake) NeedsProtection() bool {
	return in.Kind == "denunciation" || in.Kind == "mixed" || in.Confidential
}

// LetterStart starts a LetterWorkflow; State is set instead when continuing as new.
type LetterStart struct {
	ID     string       `json:"id"`
	Intake *Intake      `json:"intake,omitempty"`
	Actor  Actor        `json:"actor"`
	State  *LetterState `json:"state,omitempty"`
}

// Milestone is one step of a clock's ladder; each fires at most once.
type Milestone struct {
	Kind   string    `json:"kind"` // warning | overdue | escalate_head | escalate_superior | follow_up_due | final
	At     time.Time `json:"at"`
	Fired  bool      `json:"fired,omitempty"`
	Target string    `json:"target,omitempty"`
}

// Clock is one legal or office deadline of a letter. It keeps its inputs so it can be
// recomputed when the calendar changes, and the proof can be rebuilt at any time.
type Clock struct {
	Name       string         `json:"name"`
	RuleID     string         `json:"rule_id"`
	Legs       []ClockLeg     `json:"legs,omitempty"`
	Variant    string         `json:"variant,omitempty"`
	StartOn    deadline.Date  `json:"start_on"`
	DueOn      deadline.Date  `json:"due_on"`
	DueAt      time.Time      `json:"due_at"`
	Status     string         `json:"status"` // running | paused | met | overdue
	MetOn      *deadline.Date `json:"met_on,omitempty"`
	Late       bool           `json:"late,omitempty"`
	LegalBasis string         `json:"legal_basis"`
	Ladder     string         `json:"ladder,omitempty"` // full | due_only | none | final
	Milestones []Milestone    `json:"milestones,omitempty"`
}

// ClockLeg is one rule of a chained clock: the expected answer of a forwarded complaint is
// acceptance + settlement + the 7-working-day report, each starting where the last ended.
type ClockLeg struct {
	RuleID  string        `json:"rule_id"`
	Variant string        `json:"variant,omitempty"`
	StartOn deadline.Date `json:"start_on"`
	DueOn   deadline.Date `json:"due_on"`
	// Options are the leg's extensions, suspensions and tolling; kept so a recomputation
	// (calendar change) applies them again.
	Options deadline.Options `json:"options,omitzero"`
}

// Running reports whether the clock still counts against the office.
func (c Clock) Running() bool { return c.Status == "running" || c.Status == "overdue" }

// Counting reports whether the clock still counts at all: a running clock, or a window that
// runs against the citizen. Both move when the calendar changes and both fire milestones.
func (c Clock) Counting() bool { return c.Running() || c.Status == ClockWindow }

// Event is one audit event; Seq is unique per letter.
type Event struct {
	Seq   int64          `json:"seq"`
	At    time.Time      `json:"at"`
	Type  string         `json:"type"`
	Actor string         `json:"actor,omitempty"`
	Data  map[string]any `json:"data,omitempty"`
}

// Notification is an outbox row; DedupeKey makes a re-fired milestone one notification.
type Notification struct {
	DedupeKey string         `json:"dedupe_key"`
	Kind      string         `json:"kind"`
	Target    string         `json:"target,omitempty"`
	Payload   map[string]any `json:"payload,omitempty"`
}

// Hop is one forwarding of the letter to another body.
type Hop struct {
	From string        `json:"from"`
	To   string        `json:"to"`
	On   deadline.Date `json:"on"`
	Note string        `json:"note,omitempty"`
}

// Response is an answer received from the competent body.
type Response struct {
	FromBodyID string         `json:"from_body_id"`
	ReceivedOn deadline.Date  `json:"received_on"`
	ResolvedOn *deadline.Date `json:"resolved_on,omitempty"`
	Outcome    string         `json:"outcome"`
	Summary    string         `json:"summary,omitempty"`
}

// Classification is the handling officer's reading of the letter (domain.md §3.2).
type Classification struct {
	Kind             string `json:"kind"`
	Field            string `json:"field,omitempty"`
	Topic            string `json:"topic,omitempty"`
	Eligible         *bool  `json:"eligible,omitempty"`
	IneligibleReason string `json:"ineligible_reason,omitempty"`
	Competent        *bool  `json:"competent,omitempty"`
}

// LetterState is everything the workflow knows; it is carried whole across continue-as-new.
type LetterState struct {
	ID              string          `json:"id"`
	Number          string          `json:"number,omitempty"`
	Version         int64           `json:"version"`
	Status          string          `json:"status"`
	Intake          Intake          `json:"intake"`
	BodyID          string          `json:"body_id"`
	Assignee        string          `json:"assignee,omitempty"`
	Classification  *Classification `json:"classification,omitempty"`
	Hops            []Hop           `json:"hops,omitempty"`
	Responses       []Response      `json:"responses,omitempty"`
	Evaluation      map[string]any  `json:"evaluation,omitempty"`
	Guidance        string          `json:"guidance,omitempty"`
	FiledReason     string          `json:"filed_reason,omitempty"`
	DuplicateOf     string          `json:"duplicate_of,omitempty"`
	DuplicateCount  int             `json:"duplicate_count,omitempty"`
	DuplicatesSeen  []string        `json:"duplicates_seen,omitempty"`
	FollowUps       int             `json:"follow_ups,omitempty"`
	EscalationLevel int             `json:"escalation_level,omitempty"`
	Clocks          []Clock         `json:"clocks,omitempty"`
	Case            *Case           `json:"case,omitempty"`              // set when the office settles the matter itself
	Parts           []string        `json:"parts,omitempty"`             // letters this mixed letter was split into
	FirstInstanceOf string          `json:"first_instance_of,omitempty"` // a second-instance complaint's first instance
	LastEventOn     deadline.Date   `json:"last_event_on"`
	Seq             int64           `json:"seq"`
	ClosedAt        *time.Time      `json:"closed_at,omitempty"`
	CreatedBy       Actor           `json:"created_by"`
	// Pending holds what changed since the last persist; PersistLetter writes it.
	PendingEvents []Event        `json:"pending_events,omitempty"`
	PendingOutbox []Notification `json:"pending_outbox,omitempty"`
	Runs          int            `json:"runs,omitempty"` // continue-as-new generations
}

// Overdue reports whether any running clock's overdue milestone has fired.
func (s *LetterState) Overdue() bool {
	for _, c := range s.Clocks {
		if c.Status == "overdue" {
			return true
		}
	}
	return false
}

// NextDue returns the earliest due instant among running clocks.
func (s *LetterState) NextDue() (time.Time, bool) {
	var best time.Time
	for _, c := range s.Clocks {
		if c.Running() && (best.IsZero() || c.DueAt.Before(best)) {
			best = c.DueAt
		}
	}
	return best, !best.IsZero()
}

// Clock returns the named clock.
func (s *LetterState) Clock(name string) *Clock {
	for i := range s.Clocks {
		if s.Clocks[i].Name == name {
			return &s.Clocks[i]
		}
	}
	return nil
}

// Result is what every Update returns: enough for the API to read the new view back.
type Result struct {
	ID          string `json:"id"`
	Number      string `json:"number"`
	Version     int64  `json:"version"`
	Status      string `json:"status"`
	RequestHash string `json:"request_hash,omitempty"`
}
