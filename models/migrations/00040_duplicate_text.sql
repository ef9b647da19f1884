-- +goose Up
-- Duplicate hints run on every registration (activities.duplicateHints), and the benchmark
-- showed them slowing intake down as letters accumulate (26 ms p50, 290 ms max at only 500
-- letters). Three causes, three changes:
--
-- 1. The folding (dn_norm: unaccent, NFC, lower case) of every candidate was computed twice
--    per query. The folded text is now stored once per row version (dup_text).
-- 2. The trigram GIN index could not narrow the search: Vietnamese syllables are short and
--    share their trigrams, so even an unrelated letter passed GIN's loose test for % against
--    most stored letters, each then compared in full. A GiST index answers "the nearest
--    letters above the threshold" by walking in distance order (KNN) and stops after five;
--    siglen=256 keeps each letter's signature selective.
-- 3. Signatures of long texts fill up and stop telling letters apart, so the compared text is
--    the subject, the first 400 characters of the content and the respondent: where a
--    resubmitted letter repeats itself, and all of most letters.
-- dn_dup_text is the one definition of the compared text, for the column and for the query
-- that looks up a new letter's.
-- +goose StatementBegin
CREATE FUNCTION dn_dup_text(subject text, content text, respondent text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT dn_norm(coalesce(subject, '') || ' ' || left(coalesce(content, ''), 400) || ' ' || coalesce(respondent, '')) $$;
-- +goose StatementEnd
ALTER TABLE letters ADD COLUMN dup_text text
    GENERATED ALWAYS AS (dn_dup_text(subject, content, respondent)) STORED;
CREATE INDEX letters_dup_text_trgm ON letters USING gist (dup_text gist_trgm_ops(siglen = 256));
DROP INDEX letters_content_trgm;

-- +goose Down
CREATE INDEX letters_content_trgm ON letters USING gin (dn_norm(subject || ' ' || content || ' ' || respondent) gin_trgm_ops);
DROP INDEX letters_dup_text_trgm;
ALTER TABLE letters DROP COLUMN dup_text;
DROP FUNCTION dn_dup_text(text, text, text);
