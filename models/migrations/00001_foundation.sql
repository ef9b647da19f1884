-- +goose Up
-- unaccent and pg_trgm power Vietnamese diacritics-insensitive search and duplicate hints.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Smoke runs prove the whole path API -> Temporal -> worker -> PostgreSQL (POST /v1/ops/smoke).
CREATE TABLE smoke_runs (
    id          text PRIMARY KEY,
    workflow_id text NOT NULL,
    note        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE smoke_runs;
