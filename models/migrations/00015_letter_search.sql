-- +goose Up
-- Full-text search behind GET /v1/letters?q=. The document is folded by dn_norm (NFC, no
-- diacritics, đ -> d, lower case), so "nguyen van duc" finds "Nguyễn Văn Đức" whatever the
-- normalisation form of either side. Word matching (the 'simple' configuration: no stemming,
-- no stop words, which suits Vietnamese syllables) is what lets a GIN index answer a
-- three-word query without the huge posting lists of trigrams such as "ngu" or "uye".
-- Weights rank a hit in the subject (A) above the respondent and sender (B) and the body of
-- the letter (C). The sender's name is indexed only for letters that are not protected: a
-- protected letter's sender_display is a pseudonym, and its identity is never in this column
-- (an identity search goes through sender_keys and the reveal rules instead).
ALTER TABLE letters ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, dn_norm(subject)), 'A') ||
    setweight(to_tsvector('simple'::regconfig, dn_norm(respondent || ' ' ||
        CASE WHEN confidential OR anonymous THEN '' ELSE sender_display END)), 'B') ||
    setweight(to_tsvector('simple'::regconfig, dn_norm(content)), 'C')
) STORED;
-- One GIN index with the holder and the receiving body as extra keys (btree_gin): a search
-- scoped to a body (an officer's queue, body_id=) intersects the posting lists inside the
-- index instead of fetching every letter of the country that matches the words. GIN uses any
-- subset of its columns, so a search across bodies uses the same index.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX letters_search ON letters USING gin (body_id, receiving_body_id, search);

-- +goose Down
DROP INDEX letters_search;
ALTER TABLE letters DROP COLUMN search;
