-- +goose Up
-- Indexes for the read side (lists, overdue lists, reports). Each one serves a query shape of
-- models/letters_list.go or models/reports_*.go; the plans were reviewed with EXPLAIN ANALYZE
-- on 100 k and 1 M seeded letters (dannguyen bench reads).
--
-- A body's letters newest first (GET /v1/letters?body_id=B, the default sort). An officer's
-- own-body list is the union of these and of the letters the body received and forwarded
-- elsewhere, which the partial index holds: only forwarded letters, so that branch of the
-- union walks no entry of the letters the body still holds.
CREATE INDEX letters_body_received ON letters (body_id, received_on, id);
CREATE INDEX letters_forwarded_received ON letters (receiving_body_id, received_on, id) WHERE receiving_body_id <> body_id;
-- A body's open letters newest first: overdue=true&body_id=B walks it and checks due_at, so a
-- page reads about limit / (overdue share of open letters) rows, whatever the page depth.
CREATE INDEX letters_open_body_received ON letters (body_id, received_on, id) WHERE closed_at IS NULL;
-- Open letters by due instant across bodies: supervisors' overdue list sorted by due_at and
-- the overdue / at-risk report (a range scan up to the at-risk horizon).
CREATE INDEX letters_open_due ON letters (due_at, id) WHERE closed_at IS NULL;
-- An officer's own queue (assignee=me), newest first.
CREATE INDEX letters_assignee_received ON letters (assignee, received_on, id);

-- +goose Down
DROP INDEX letters_assignee_received;
DROP INDEX letters_open_due;
DROP INDEX letters_open_body_received;
DROP INDEX letters_forwarded_received;
DROP INDEX letters_body_received;
