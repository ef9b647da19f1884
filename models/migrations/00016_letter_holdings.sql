-- +goose Up
-- Which body held a letter on which dates. Reports attribute a letter to the body that held
-- it at the cut-off date (domain.md §9: a transferred letter counts once per table), and the
-- cut-off is often in the past, while letters.body_id is only the holder now.
--
-- Why a table and not a query over letters.detail->'hops' at report time: a report filtered by
-- body must find "letters held by B on date D" without unpacking the JSON of every letter in
-- the country; as intervals [held_from, held_until) with an index on (body_id, held_from) it is
-- a range scan. Why a trigger and not an activity: the hops are already in the snapshot the
-- worker writes, so deriving the intervals in the same statement keeps them consistent with
-- every writer of the read model (the snapshot upsert, imports, seeds) without a second code
-- path in the workflow, and it is transactional with the snapshot.
CREATE TABLE letter_holdings (
    letter_id  text    NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
    seq        integer NOT NULL,  -- 0: the receiving body; n: after the n-th forwarding
    body_id    text    NOT NULL,
    held_from  date    NOT NULL,
    held_until date,              -- exclusive; NULL while the body still holds it
    PRIMARY KEY (letter_id, seq)
);
CREATE INDEX letter_holdings_body ON letter_holdings (body_id, held_from) INCLUDE (held_until);

-- letter_holdings_of derives the intervals from a snapshot. A hop's date that is missing or not
-- a date counts as the previous one, and dates never go backwards (a running maximum), so a
-- malformed snapshot yields odd intervals rather than an error in the worker's write path.
-- Two hops on the same day leave the middle body an empty interval: it never held the letter
-- at the end of any day.
-- +goose StatementBegin
CREATE FUNCTION letter_holdings_of(p_id text, p_receiving text, p_received date, p_detail jsonb)
RETURNS TABLE (letter_id text, seq integer, body_id text, held_from date, held_until date)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH hops AS (
        SELECT 0 AS seq, p_receiving AS body_id, p_received AS on_date
        UNION ALL
        SELECT h.ord::integer, h.hop->>'to',
               CASE WHEN h.hop->>'on' ~ '^\d{4}-\d{2}-\d{2}$' THEN (h.hop->>'on')::date END
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_detail->'hops') = 'array'
                                       THEN p_detail->'hops' ELSE '[]'::jsonb END) WITH ORDINALITY AS h(hop, ord)
        WHERE coalesce(h.hop->>'to', '') <> ''
    ), dated AS (
        SELECT seq, body_id, max(coalesce(on_date, p_received)) OVER (ORDER BY seq) AS held_from FROM hops
    )
    SELECT p_id, d.seq, d.body_id, d.held_from, lead(d.held_from) OVER (ORDER BY d.seq) FROM dated d
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION letters_sync_holdings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM letter_holdings WHERE letter_id = NEW.id;
    BEGIN
        INSERT INTO letter_holdings
        SELECT * FROM letter_holdings_of(NEW.id, NEW.receiving_body_id, NEW.received_on, NEW.detail);
    EXCEPTION WHEN others THEN
        -- Never fail the worker's snapshot write over a derived table: reports fall back to
        -- the current holder for a letter without holdings.
        RAISE WARNING 'letter_holdings of %: %', NEW.id, SQLERRM;
    END;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER letters_holdings_insert AFTER INSERT ON letters
    FOR EACH ROW EXECUTE FUNCTION letters_sync_holdings();
CREATE TRIGGER letters_holdings_update AFTER UPDATE OF detail, receiving_body_id, received_on ON letters
    FOR EACH ROW WHEN (OLD.detail->'hops' IS DISTINCT FROM NEW.detail->'hops'
                       OR OLD.receiving_body_id IS DISTINCT FROM NEW.receiving_body_id
                       OR OLD.received_on IS DISTINCT FROM NEW.received_on)
    EXECUTE FUNCTION letters_sync_holdings();

INSERT INTO letter_holdings
SELECT h.* FROM letters l, LATERAL letter_holdings_of(l.id, l.receiving_body_id, l.received_on, l.detail) h;

-- +goose Down
DROP TRIGGER letters_holdings_update ON letters;
DROP TRIGGER letters_holdings_insert ON letters;
DROP FUNCTION letters_sync_holdings();
DROP FUNCTION letter_holdings_of(text, text, date, jsonb);
DROP TABLE letter_holdings;
