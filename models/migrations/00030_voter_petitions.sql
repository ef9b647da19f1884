-- +goose Up
-- Module 3, voters' petitions (domain.md §7). A session cycle (kỳ họp) collects raw petitions
-- from the delegations; synthesis groups the ones about the same matter; each confirmed group
-- is a voter petition (kiến nghị cử tri) that is forwarded, answered, published and evaluated.
-- sessions and voter_petitions are read models of SessionCycleWorkflow and
-- VoterPetitionWorkflow: only the worker's activities write them.

CREATE TABLE sessions (
    id            text COLLATE "C" PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
    term          text NOT NULL,             -- "XV"
    number        integer NOT NULL CHECK (number BETWEEN 1 AND 99),
    opens_on      date NOT NULL,
    closes_on     date NOT NULL,
    next_opens_on date,
    status        text NOT NULL CHECK (status IN ('collecting', 'closed')),
    version       bigint NOT NULL,
    clocks        jsonb NOT NULL DEFAULT '[]',
    due_at        timestamptz,               -- the nearest due instant among running clocks
    overdue       boolean NOT NULL DEFAULT false,
    next_session_id text,                    -- set when the cycle closes and carries over
    detail        jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    closed_at     timestamptz,
    UNIQUE (term, number),
    CHECK (closes_on >= opens_on),
    CHECK (next_opens_on IS NULL OR next_opens_on > closes_on)
);
CREATE INDEX sessions_opens ON sessions (opens_on, id);

CREATE TABLE session_events (
    session_id text NOT NULL,
    seq        bigint NOT NULL,
    at         timestamptz NOT NULL,
    type       text NOT NULL,
    actor      text NOT NULL DEFAULT '',
    data       jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (session_id, seq)
);

-- A group of raw petitions about one matter. Until it is forwarded the session's workflow
-- edits it (synthesis suggests, officers confirm, merge and split); forwarding hands it to its
-- own VoterPetitionWorkflow (claimed), and from then on only that workflow writes the row,
-- guarded by version.
CREATE TABLE voter_petitions (
    id             text COLLATE "C" PRIMARY KEY,
    session_id     text NOT NULL REFERENCES sessions (id),
    number         text UNIQUE,              -- given on confirmation: KN-<session>-0001
    status         text NOT NULL CHECK (status IN ('suggested', 'synthesised', 'merged',
                       'awaiting_answer', 'answered', 'published', 'closed', 'carried_over')),
    claimed        boolean NOT NULL DEFAULT false,
    version        bigint NOT NULL DEFAULT 0,
    title          text NOT NULL,
    topic          text NOT NULL DEFAULT '',
    score          double precision,          -- the weakest link holding a suggested group together
    delegations    text[] NOT NULL DEFAULT '{}', -- as the petitions name them (former provinces kept)
    delegation_ids text[] NOT NULL DEFAULT '{}', -- the current delegations (bodies) they resolve to
    petition_count integer NOT NULL DEFAULT 0,
    voter_count    integer NOT NULL DEFAULT 0,
    merged_into    text REFERENCES voter_petitions (id),
    body_id        text,                     -- the answering body it is forwarded to
    forwarded_on   date,
    received_on    date,                     -- receipt by the answering body: the answer clock's start
    answer_class   text CHECK (answer_class IN ('resolved', 'in_progress', 'explained', 'unresolved')),
    answered_on    date,
    answered_late  boolean,
    published_on   date,
    satisfied      boolean,
    carried_over   boolean NOT NULL DEFAULT false,
    carried_to     text,                     -- the next session whose monitoring takes it over
    clocks         jsonb NOT NULL DEFAULT '[]',
    due_at         timestamptz,
    overdue        boolean NOT NULL DEFAULT false,
    detail         jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    closed_at      timestamptz
);
CREATE INDEX voter_petitions_session ON voter_petitions (session_id, status, id);
CREATE INDEX voter_petitions_body ON voter_petitions (body_id, id);
CREATE INDEX voter_petitions_delegations ON voter_petitions USING gin (delegation_ids);
CREATE INDEX voter_petitions_carried_to ON voter_petitions (carried_to) WHERE carried_to IS NOT NULL;

CREATE TABLE voter_petition_events (
    petition_id text NOT NULL,
    seq         bigint NOT NULL,
    at          timestamptz NOT NULL,
    type        text NOT NULL,
    actor       text NOT NULL DEFAULT '',
    data        jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (petition_id, seq)
);

-- Group numbers per session, allocated in the transaction that confirms the group (no gaps).
CREATE TABLE voter_petition_numbers (
    session_id text PRIMARY KEY,
    last       integer NOT NULL
);

-- Raw petitions as the delegations sent them (API or import). delegation keeps the name as
-- written (a pre-2025 province stays as it was); delegation_id is the current delegation it
-- resolves to, NULL for national syntheses that name no province.
CREATE TABLE petitions (
    id             text COLLATE "C" PRIMARY KEY,
    session_id     text NOT NULL REFERENCES sessions (id),
    source_ref     text NOT NULL DEFAULT '',  -- the sender's own id of the row (import "id")
    delegation     text NOT NULL,
    delegation_id  text REFERENCES bodies (id),
    province       text,                      -- the current province of delegation_id
    meeting_on     date,
    phase          text NOT NULL DEFAULT '' CHECK (phase IN ('', 'before', 'after')),
    locality       text NOT NULL DEFAULT '',
    topic          text NOT NULL DEFAULT '',
    text           text NOT NULL,
    voter_count    integer CHECK (voter_count > 0),
    re_petition_of text REFERENCES voter_petitions (id),
    source         jsonb NOT NULL DEFAULT '{}', -- the other fields of an imported row, as they came
    group_id       text REFERENCES voter_petitions (id),
    import_line    integer,
    created_by     text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX petitions_source_ref ON petitions (session_id, source_ref) WHERE source_ref <> '';
CREATE INDEX petitions_session_group ON petitions (session_id, group_id);

-- +goose Down
DROP TABLE petitions;
DROP TABLE voter_petition_numbers;
DROP TABLE voter_petition_events;
DROP TABLE voter_petitions;
DROP TABLE session_events;
DROP TABLE sessions;
