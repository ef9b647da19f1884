-- +goose Up
-- dn_norm folds Vietnamese text for search and duplicate hints: NFC, no diacritics (đ -> d),
-- lower case. IMMUTABLE so it can back expression indexes; the unaccent dictionary is named
-- explicitly because that is what makes the call immutable in practice.
CREATE FUNCTION dn_norm(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, normalize(t, NFC))) $$;

-- Letter numbers are allocated in the same transaction that first stores the letter, so a
-- failed request never burns a number (no gaps).
CREATE TABLE letter_numbers (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

-- letters is the read model of LetterWorkflow: one row per letter, written only by the
-- worker's activities, and only when the workflow's version is newer than the stored one.
CREATE TABLE letters (
    id               text PRIMARY KEY,
    number           text NOT NULL UNIQUE,
    version          bigint NOT NULL,
    kind             text NOT NULL DEFAULT '',
    channel          text NOT NULL,
    status           text NOT NULL,
    body_id          text NOT NULL,          -- the body that holds the letter now
    receiving_body_id text NOT NULL,
    assignee         text NOT NULL DEFAULT '',
    received_on      date NOT NULL,
    subject          text NOT NULL,
    content          text NOT NULL,
    respondent       text NOT NULL DEFAULT '',
    subject_province text NOT NULL DEFAULT '',
    anonymous        boolean NOT NULL DEFAULT false,
    remote_area      boolean NOT NULL DEFAULT false,
    confidential     boolean NOT NULL DEFAULT false,
    sender_display   text NOT NULL DEFAULT '',  -- a name, or a pseudonym for protected senders
    senders          jsonb NOT NULL DEFAULT '[]',
    sender_keys      text[] NOT NULL DEFAULT '{}', -- keyed hashes of ID numbers / names, for duplicate hints
    signer_count     integer NOT NULL DEFAULT 0,
    field            text NOT NULL DEFAULT '',
    topic            text NOT NULL DEFAULT '',
    eligible         boolean,
    competent        boolean,
    duplicate_of     text REFERENCES letters(id),
    duplicate_count  integer NOT NULL DEFAULT 0,
    forwarded_to     text NOT NULL DEFAULT '',
    follow_up_count  integer NOT NULL DEFAULT 0,
    escalation_level integer NOT NULL DEFAULT 0,
    clocks           jsonb NOT NULL DEFAULT '[]',
    due_at           timestamptz,             -- the nearest due instant among running clocks
    overdue          boolean NOT NULL DEFAULT false,
    reception_visit_id text NOT NULL DEFAULT '',
    forwarded_by     text NOT NULL DEFAULT '',
    detail           jsonb NOT NULL DEFAULT '{}', -- classification, hops, responses, evaluation
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz
);
CREATE INDEX letters_body_due ON letters (body_id, due_at, id) WHERE closed_at IS NULL;
CREATE INDEX letters_status ON letters (status, id);
CREATE INDEX letters_received ON letters (received_on, id);
CREATE INDEX letters_sender_keys ON letters USING gin (sender_keys);
CREATE INDEX letters_content_trgm ON letters USING gin (dn_norm(subject || ' ' || content || ' ' || respondent) gin_trgm_ops);

-- Append-only audit trail: one row per workflow event, unique per letter and sequence, so a
-- retried activity can never write an event twice.
CREATE TABLE letter_events (
    letter_id text NOT NULL,
    seq       bigint NOT NULL,
    at        timestamptz NOT NULL,
    type      text NOT NULL,
    actor     text NOT NULL DEFAULT '',
    data      jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (letter_id, seq)
);

-- Notifications to deliver (warnings, overdue, escalations, citizen notices), keyed so that a
-- milestone fired twice by a retried activity is still one notification.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    dedupe_key  text NOT NULL UNIQUE,
    letter_id   text NOT NULL,
    kind        text NOT NULL,
    target      text NOT NULL DEFAULT '',
    payload     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    next_try_at timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX outbox_pending ON outbox (next_try_at) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE letter_events;
DROP TABLE letters;
DROP TABLE letter_numbers;
DROP FUNCTION dn_norm(text);
