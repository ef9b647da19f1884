-- +goose Up
-- dn_dup_text called dn_norm unqualified. pg_dump/pg_restore run with an empty search_path,
-- and restoring the letters table (whose dup_text column inlines this function) failed with
-- "function dn_norm(text) does not exist": a backup of the database could not be restored.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION dn_dup_text(subject text, content text, respondent text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT public.dn_norm(coalesce(subject, '') || ' ' || left(coalesce(content, ''), 400) || ' ' || coalesce(respondent, '')) $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION dn_dup_text(subject text, content text, respondent text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT dn_norm(coalesce(subject, '') || ' ' || left(coalesce(content, ''), 400) || ' ' || coalesce(respondent, '')) $$;
-- +goose StatementEnd
