// Schema version 2: reconciliations, versioned rule sets, FX rates, and immutable runs with their results.
export default /* sql */ `
CREATE TABLE reconciliation (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);

-- Sides are ordered (0 = left, 1 = right); a chain of more sides adds positions, not tables.
CREATE TABLE reconciliation_side (
  reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
  position          INTEGER NOT NULL,
  source_id         INTEGER NOT NULL REFERENCES source(id),
  PRIMARY KEY (reconciliation_id, position, source_id)
);

-- Editing a rule set writes a new version; old versions are never changed.
CREATE TABLE rule_set_version (
  id                INTEGER PRIMARY KEY,
  reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
  version           INTEGER NOT NULL,
  rules_json        TEXT NOT NULL,
  sha256            TEXT NOT NULL,
  created_at        TEXT NOT NULL,
  created_by        TEXT NOT NULL,
  UNIQUE (reconciliation_id, version)
);

CREATE TABLE fx_rate (
  id        INTEGER PRIMARY KEY,
  from_ccy  TEXT NOT NULL,
  to_ccy    TEXT NOT NULL,
  rate      TEXT NOT NULL,
  rate_date TEXT
);

CREATE TABLE run (
  id                  INTEGER PRIMARY KEY,
  reconciliation_id   INTEGER NOT NULL REFERENCES reconciliation(id),
  rule_set_version_id INTEGER NOT NULL REFERENCES rule_set_version(id),
  engine_version      TEXT NOT NULL,
  actor               TEXT NOT NULL,
  started_at          TEXT NOT NULL,
  finished_at         TEXT NOT NULL,
  inputs_json         TEXT NOT NULL,
  stats_json          TEXT NOT NULL,
  result_sha256       TEXT NOT NULL
);

CREATE TABLE match_group (
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
  explanation_json   TEXT NOT NULL,
  PRIMARY KEY (run_id, group_id)
) WITHOUT ROWID;

CREATE TABLE run_exception (
  run_id           INTEGER NOT NULL REFERENCES run(id),
  exception_id     TEXT NOT NULL,
  class            TEXT NOT NULL,
  group_id         TEXT,
  pass             TEXT,
  amount_minor     INTEGER NOT NULL,
  currency         TEXT NOT NULL,
  detail           TEXT NOT NULL,
  explanation_json TEXT,
  PRIMARY KEY (run_id, exception_id)
) WITHOUT ROWID;
CREATE INDEX run_exception_class ON run_exception (run_id, class);

-- Every input record of a run, once: in a group, or in an exception.
CREATE TABLE run_member (
  run_id       INTEGER NOT NULL REFERENCES run(id),
  record_id    INTEGER NOT NULL REFERENCES record(id),
  side         TEXT NOT NULL,
  group_id     TEXT,
  exception_id TEXT,
  PRIMARY KEY (run_id, record_id)
) WITHOUT ROWID;
CREATE INDEX run_member_group ON run_member (run_id, group_id);
CREATE INDEX run_member_exception ON run_member (run_id, exception_id);
`;
