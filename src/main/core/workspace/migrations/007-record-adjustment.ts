// Schema version 7: corrections to source records. The original row is never edited: an
// adjustment is a new version of the record (record.supersedes points at the original) made by
// an `adjust` override, and record_adjustment says which override made it and what it changed.
// SQLite cannot alter a CHECK, so the override table is rebuilt to accept the new type
// (migrations run with foreign keys off; rows and ids are copied as they are).
export default /* sql */ `
CREATE TABLE override_v8 (
  id                INTEGER PRIMARY KEY,
  reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
  type              TEXT NOT NULL CHECK (type IN ('force_match', 'unmatch', 'accept_variance', 'write_off', 'reclassify', 'adjust', 'reversal')),
  target            TEXT NOT NULL,
  payload_json      TEXT NOT NULL,
  amount_minor      INTEGER,
  currency          TEXT,
  reason_code       TEXT REFERENCES reason_code(code),
  note              TEXT,
  maker             TEXT NOT NULL REFERENCES app_user(id),
  made_at           TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('pending_approval', 'applied', 'rejected', 'reversed')),
  checker           TEXT REFERENCES app_user(id),
  checked_at        TEXT,
  check_note        TEXT,
  reverses          INTEGER REFERENCES override(id),
  bulk_id           TEXT,
  before_json       TEXT,
  after_json        TEXT
);
INSERT INTO override_v8 SELECT id, reconciliation_id, type, target, payload_json, amount_minor, currency, reason_code, note, maker, made_at,
  status, checker, checked_at, check_note, reverses, bulk_id, before_json, after_json FROM override;
DROP TABLE override;
ALTER TABLE override_v8 RENAME TO override;
CREATE INDEX override_status ON override (reconciliation_id, status);
CREATE INDEX override_target ON override (target);

CREATE TABLE record_adjustment (
  record_id    INTEGER PRIMARY KEY REFERENCES record(id),
  original_id  INTEGER NOT NULL REFERENCES record(id),
  override_id  INTEGER NOT NULL REFERENCES override(id),
  changes_json TEXT NOT NULL
);
CREATE INDEX record_adjustment_original ON record_adjustment (original_id);
CREATE INDEX record_adjustment_override ON record_adjustment (override_id);
-- Finding a record's newer version (to refuse undoing a correction a later import replaced).
CREATE INDEX record_supersedes ON record (supersedes) WHERE supersedes IS NOT NULL;
`;
