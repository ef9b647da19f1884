-- +goose Up
-- The holiday calendar is data (domain.md §2.1): public holidays, compensatory days, and the
-- annual day swaps. Working days are Monday–Friday except these; a swap_work row makes a
-- weekend day a working day.
CREATE TABLE holidays (
    day         date PRIMARY KEY,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('holiday', 'compensatory', 'swap_off', 'swap_work')),
    provisional boolean NOT NULL DEFAULT false,
    basis       text NOT NULL DEFAULT '',
    updated_by  text NOT NULL DEFAULT 'seed',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Every change to the calendar, kept forever: an old deadline can only be explained with the
-- calendar as it was when it was computed.
CREATE TABLE holiday_changes (
    id          bigserial PRIMARY KEY,
    day         date NOT NULL,
    action      text NOT NULL CHECK (action IN ('put', 'delete', 'seed')),
    before      jsonb,
    after       jsonb,
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    cases_recomputed integer
);
CREATE INDEX holiday_changes_day ON holiday_changes (day, changed_at);

-- +goose Down
DROP TABLE holiday_changes;
DROP TABLE holidays;
