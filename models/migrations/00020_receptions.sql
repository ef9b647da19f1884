-- +goose Up
-- The citizen reception register (domain.md §6, form 03/TCD): one row per visit. Visits are
-- records, not long-running cases, so the API writes them; the handling of a visit's content
-- is a letter (channel 'reception', LetterWorkflow) linked both ways.

-- Register numbers are allocated in the transaction that stores the visit: no gaps.
CREATE TABLE reception_numbers (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

CREATE TABLE receptions (
    id                text PRIMARY KEY,
    number            text NOT NULL UNIQUE,
    body_id           text COLLATE "C" NOT NULL REFERENCES bodies (id), -- the receiving body
    held_at           timestamptz NOT NULL,
    held_on           date NOT NULL,                 -- the legal (Asia/Ho_Chi_Minh) date of held_at
    type              text NOT NULL CHECK (type IN ('regular', 'periodic', 'ad_hoc', 'deputy', 'online')),
    receiver          text NOT NULL,
    presided_by       text NOT NULL DEFAULT '',
    interpreter       text NOT NULL DEFAULT '',
    -- A denunciation's citizens live only in identity_vault (key 'reception:<id>'); the row
    -- then holds the pseudonym in citizen_display and empty lists.
    protected         boolean NOT NULL DEFAULT false,
    citizen_display   text NOT NULL,
    citizens          jsonb NOT NULL DEFAULT '[]',
    representatives   jsonb NOT NULL DEFAULT '[]',
    people_count      integer NOT NULL CHECK (people_count BETWEEN 1 AND 100000),
    is_group          boolean GENERATED ALWAYS AS (people_count >= 5) STORED, -- LTCD 29
    content           text NOT NULL DEFAULT '',
    kind              text NOT NULL DEFAULT '',
    field             text NOT NULL DEFAULT '',
    handled_by        jsonb NOT NULL DEFAULT '[]',   -- bodies that already handled the matter
    outcome           text NOT NULL CHECK (outcome IN ('guided_oral', 'guided_written', 'letter_created', 'forwarded', 'refused')),
    refusal_ground    text NOT NULL DEFAULT '',
    guidance          text NOT NULL DEFAULT '',
    guidance_doc_no   text NOT NULL DEFAULT '',
    forwarded_to      text NOT NULL DEFAULT '',
    forwarding_doc_no text NOT NULL DEFAULT '',
    letter_id         text UNIQUE,                   -- no FK: the worker writes the letter row
    repeat_of         text REFERENCES receptions (id),
    matter_id         text NOT NULL,                 -- the first visit on the same matter (itself when new)
    repeat_count      integer NOT NULL DEFAULT 0,    -- earlier visits on the same matter
    -- The written refusal notice (D35, ND154 art 4(3)) for the repeat grounds.
    notice_rule_id    text NOT NULL DEFAULT '',
    notice_start_on   date,
    notice_due_on     date,
    notice_due_at     timestamptz,
    notice_sent_on    date,
    notice_doc_no     text NOT NULL DEFAULT '',
    request_hash      text NOT NULL DEFAULT '',
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((outcome = 'refused') = (refusal_ground <> '')),
    CHECK ((outcome IN ('letter_created', 'forwarded')) = (letter_id IS NOT NULL)),
    CHECK ((repeat_of IS NULL) = (repeat_count = 0))
);
CREATE INDEX receptions_held ON receptions (held_at, id);
CREATE INDEX receptions_body_held ON receptions (body_id, held_at, id);
CREATE INDEX receptions_held_on ON receptions (held_on);
CREATE INDEX receptions_matter ON receptions (matter_id);
CREATE INDEX receptions_repeat_of ON receptions (repeat_of) WHERE repeat_of IS NOT NULL;
CREATE INDEX receptions_notice_open ON receptions (notice_due_at) WHERE notice_due_on IS NOT NULL AND notice_sent_on IS NULL;

-- +goose Down
DROP TABLE receptions;
DROP TABLE reception_numbers;
