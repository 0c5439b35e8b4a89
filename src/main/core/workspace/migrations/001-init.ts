// Schema version 1. Applied migrations are recorded with their SHA-256, so an edited one is caught.
export default /* sql */ `
-- Tieout workspace schema, version 1.
-- Records are never edited in place: a changed record is a new row that supersedes the old one.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE app_user (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  email      TEXT,
  role       TEXT NOT NULL CHECK (role IN ('analyst', 'approver', 'auditor')),
  created_at TEXT NOT NULL
);

CREATE TABLE source (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

-- A mapping template; editing one writes a new version.
CREATE TABLE template (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES source(id),
  version      INTEGER NOT NULL,
  mapping_json TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  created_by   TEXT,
  UNIQUE (source_id, version)
);

CREATE TABLE batch (
  id               INTEGER PRIMARY KEY,
  source_id        INTEGER NOT NULL REFERENCES source(id),
  origin           TEXT NOT NULL CHECK (origin IN ('file', 'pull')),
  file_name        TEXT NOT NULL,
  file_size        INTEGER NOT NULL,
  sha256           TEXT NOT NULL,
  sheet            TEXT,
  template_id      INTEGER REFERENCES template(id),
  importer_version TEXT NOT NULL,
  imported_at      TEXT NOT NULL,
  imported_by      TEXT,
  rows_read        INTEGER NOT NULL,
  rows_accepted    INTEGER NOT NULL,
  rows_rejected    INTEGER NOT NULL,
  rows_duplicate   INTEGER NOT NULL,
  rows_new         INTEGER NOT NULL,
  rows_changed     INTEGER NOT NULL,
  rows_unchanged   INTEGER NOT NULL,
  warnings_json    TEXT NOT NULL DEFAULT '[]',
  provenance_json  TEXT NOT NULL DEFAULT '{}'
);
-- Not unique: the same bytes may be read again after the mapping was fixed.
CREATE INDEX batch_source_sha ON batch (source_id, sha256);

CREATE TABLE record (
  id            INTEGER PRIMARY KEY,
  source_id     INTEGER NOT NULL REFERENCES source(id),
  batch_id      INTEGER NOT NULL REFERENCES batch(id),
  row_number    INTEGER NOT NULL,
  natural_key   TEXT,
  version       INTEGER NOT NULL DEFAULT 1,
  supersedes    INTEGER REFERENCES record(id),
  is_current    INTEGER NOT NULL DEFAULT 1,
  content_hash  TEXT NOT NULL,
  duplicate_of  INTEGER REFERENCES record(id),
  record_ref    TEXT,
  amount_minor  INTEGER,
  currency      TEXT,
  record_date   TEXT,
  fields_json   TEXT NOT NULL,
  raw_json      TEXT NOT NULL
);
CREATE INDEX record_source_current ON record (source_id, is_current, id);

CREATE TABLE rejected_row (
  id         INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL REFERENCES batch(id),
  row_number INTEGER NOT NULL,
  column_name TEXT,
  value      TEXT,
  reason     TEXT NOT NULL,
  raw_json   TEXT NOT NULL
);
CREATE INDEX rejected_row_batch ON rejected_row (batch_id, row_number);

-- The append-only, hash-chained audit log.
CREATE TABLE audit_event (
  seq         INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  before_json TEXT,
  after_json  TEXT,
  reason_code TEXT,
  note        TEXT,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX audit_event_target ON audit_event (target);
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END;
`;
