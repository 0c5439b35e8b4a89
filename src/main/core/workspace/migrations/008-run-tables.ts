// Schema version 8: a run's members and review rows go into tables of that run's own, made when
// the run is saved (workspace/run-tables.ts). Runs saved before keep theirs in run_member and
// review_row. This registry says which table holds what, so no reader guesses from names.
export default /* sql */ `
CREATE TABLE run_table (
  run_id INTEGER NOT NULL REFERENCES run(id),
  kind   TEXT NOT NULL CHECK (kind IN ('member', 'review')),
  name   TEXT NOT NULL UNIQUE,
  PRIMARY KEY (run_id, kind)
) WITHOUT ROWID;
`;
