-- +goose Up
-- The identity vault (domain.md §5.3, §8): protected senders' personal data, encrypted with
-- AES-256-GCM in the application (key id stored for rotation). Nothing else in the database
-- holds it in clear: letter rows carry a pseudonym, and reports never join this table.
CREATE TABLE identity_vault (
    letter_id  text PRIMARY KEY,
    key_id     text NOT NULL,
    sealed     bytea NOT NULL,
    pseudonym  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Per-case grants by a head: who may see the identity, why, until when.
CREATE TABLE identity_grants (
    id         bigserial PRIMARY KEY,
    letter_id  text NOT NULL,
    grantee    text NOT NULL,
    reason     text NOT NULL,
    until      timestamptz NOT NULL,
    granted_by text NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX identity_grants_lookup ON identity_grants (letter_id, grantee, until);

-- Append-only audit of sensitive reads and admin changes (reveals, denials, grants).
CREATE TABLE audit_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    action    text NOT NULL,
    letter_id text NOT NULL DEFAULT '',
    allowed   boolean NOT NULL,
    reason    text NOT NULL DEFAULT '',
    detail    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_letter ON audit_log (letter_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE identity_grants;
DROP TABLE identity_vault;
