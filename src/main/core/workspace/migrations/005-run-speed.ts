// Schema version 5: a run's big tables are cheap to append to.
export default /* sql */ `
-- Every input record of a run has a member row, but only records in groups are looked up by
-- group, and only records in exceptions by exception (about one in ten). Partial indexes skip
-- the NULL entries, so saving a million-record run maintains far fewer index entries; lookups
-- by "group_id = ?" or "exception_id = ?" imply NOT NULL, so SQLite (and INDEXED BY) still use them.
DROP INDEX run_member_group;
CREATE INDEX run_member_group ON run_member (run_id, group_id) WHERE group_id IS NOT NULL;
DROP INDEX run_member_exception;
CREATE INDEX run_member_exception ON run_member (run_id, exception_id) WHERE exception_id IS NOT NULL;

-- match_group and review_row become rowid tables with a unique (run, id) index. As WITHOUT ROWID
-- tables their wide rows (explanation JSON, aligned review fields) sat in every B-tree node, so
-- the trees were deep and each insert of a million-row run split pages all the way up; a rowid
-- table appends rows to its last page. Same columns, same constraints, rows copied unchanged.
CREATE TABLE match_group_v7 (
  run_id             INTEGER NOT NULL REFERENCES run(id),
  group_id           TEXT NOT NULL,
  pass               TEXT NOT NULL,
  pass_kind          TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('matched', 'suggested')),
  score              REAL,
  left_count         INTEGER NOT NULL,
  right_count        INTEGER NOT NULL,
  left_amount_minor  INTEGER,
  right_amount_minor INTEGER,
  currency           TEXT,
  explanation_json   TEXT NOT NULL
);
INSERT INTO match_group_v7 (run_id, group_id, pass, pass_kind, status, score, left_count, right_count, left_amount_minor, right_amount_minor, currency, explanation_json)
  SELECT run_id, group_id, pass, pass_kind, status, score, left_count, right_count, left_amount_minor, right_amount_minor, currency, explanation_json
    FROM match_group ORDER BY run_id, group_id;
DROP TABLE match_group;
ALTER TABLE match_group_v7 RENAME TO match_group;
CREATE UNIQUE INDEX match_group_id ON match_group (run_id, group_id);

CREATE TABLE review_row_v7 (
  run_id         INTEGER NOT NULL REFERENCES run(id),
  row_id         TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('group', 'exception')),
  status         TEXT NOT NULL CHECK (status IN ('matched', 'suggested', 'exception')),
  class          TEXT,
  pass           TEXT,
  score          REAL,
  left_count     INTEGER NOT NULL,
  right_count    INTEGER NOT NULL,
  key_text       TEXT,
  left_ref       TEXT,
  left_amount    INTEGER,
  left_date      TEXT,
  left_party     TEXT,
  left_desc      TEXT,
  right_ref      TEXT,
  right_amount   INTEGER,
  right_date     TEXT,
  right_party    TEXT,
  right_desc     TEXT,
  currency       TEXT,
  delta_amount   INTEGER,
  delta_days     INTEGER,
  amount_at_risk INTEGER
);
INSERT INTO review_row_v7 SELECT run_id, row_id, kind, status, class, pass, score, left_count, right_count, key_text, left_ref, left_amount, left_date, left_party,
       left_desc, right_ref, right_amount, right_date, right_party, right_desc, currency, delta_amount, delta_days, amount_at_risk
  FROM review_row ORDER BY run_id, row_id;
DROP TABLE review_row;
ALTER TABLE review_row_v7 RENAME TO review_row;
CREATE UNIQUE INDEX review_row_id ON review_row (run_id, row_id);
CREATE INDEX review_row_status ON review_row (run_id, status, class);
CREATE INDEX review_row_risk ON review_row (run_id, amount_at_risk);
`;
