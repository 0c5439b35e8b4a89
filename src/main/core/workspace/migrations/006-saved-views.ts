// Schema version 6: saved views of the review grid, and the indexes its sorts and pass filter use.
export default /* sql */ `
-- A named grid layout of one reconciliation: column order and visibility, sort and filters, as
-- the renderer describes them (JSON). Deleting a view marks it, so the name can be reused and
-- the audit log still points at the row it talks about.
CREATE TABLE saved_view (
  id                INTEGER PRIMARY KEY,
  reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
  name              TEXT NOT NULL,
  state_json        TEXT NOT NULL,
  created_by        TEXT NOT NULL,
  created_at        TEXT NOT NULL,
  updated_by        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  deleted_at        TEXT
);
CREATE UNIQUE INDEX saved_view_name ON saved_view (reconciliation_id, name) WHERE deleted_at IS NULL;

-- The grid sorts a million-row run by these without sorting it: each index, with the primary
-- key's row_id as its implicit tail, is the whole ORDER BY (see review-rows.ts SORTS).
CREATE INDEX review_row_delta ON review_row (run_id, delta_amount);
CREATE INDEX review_row_left_date ON review_row (run_id, left_date);
CREATE INDEX review_row_pass ON review_row (run_id, pass);
-- An analyst's usual view: one exception class, largest amount at risk first.
CREATE INDEX review_row_class_risk ON review_row (run_id, class, amount_at_risk);
`;
