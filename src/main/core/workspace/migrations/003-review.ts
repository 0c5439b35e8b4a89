// Schema version 3: people, triage of exceptions, comments, reason codes, overrides with
// maker-checker approval, and period sign-off. State changes here are always paired with an
// audit event written in the same transaction.
export default /* sql */ `
-- One row per match group or exception of a run, with the sides' main fields aligned by meaning
-- (reference, amount, date, counterparty, description), so the review grid sorts and filters
-- in SQL over a million rows without touching JSON.
CREATE TABLE review_row (
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
  amount_at_risk INTEGER,
  PRIMARY KEY (run_id, row_id)
) WITHOUT ROWID;
CREATE INDEX review_row_status ON review_row (run_id, status, class);
CREATE INDEX review_row_risk ON review_row (run_id, amount_at_risk);

-- app_user (schema 1) holds the people; the workspace's current user is meta.current_user.

-- One review item per exception (and per suggested group) of a reconciliation. The id is the
-- engine's content-derived id, so the same exception keeps its owner and history across runs.
CREATE TABLE review_item (
  reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
  item_id           TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('exception', 'suggestion')),
  class             TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('open', 'investigating', 'pending_approval', 'resolved', 'written_off')),
  owner             TEXT REFERENCES app_user(id),
  claimed_by        TEXT REFERENCES app_user(id),
  amount_minor      INTEGER NOT NULL,
  currency          TEXT NOT NULL,
  first_seen_run    INTEGER NOT NULL REFERENCES run(id),
  last_seen_run     INTEGER NOT NULL REFERENCES run(id),
  created_at        TEXT NOT NULL,
  due_at            TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  resolution        TEXT,
  PRIMARY KEY (reconciliation_id, item_id)
) WITHOUT ROWID;
CREATE INDEX review_item_queue ON review_item (reconciliation_id, status, due_at);
CREATE INDEX review_item_owner ON review_item (reconciliation_id, owner);

CREATE TABLE comment (
  id        INTEGER PRIMARY KEY,
  target    TEXT NOT NULL,
  actor     TEXT NOT NULL REFERENCES app_user(id),
  at        TEXT NOT NULL,
  text      TEXT NOT NULL
);
CREATE INDEX comment_target ON comment (target, id);

-- Ordered ownership rules: the first whose conditions all hold assigns the owner.
CREATE TABLE ownership_rule (
  id                INTEGER PRIMARY KEY,
  reconciliation_id INTEGER REFERENCES reconciliation(id),
  position          INTEGER NOT NULL,
  match_json        TEXT NOT NULL,
  owner             TEXT NOT NULL REFERENCES app_user(id)
);

-- Service level per exception class, in hours.
CREATE TABLE sla_policy (
  class TEXT PRIMARY KEY,
  hours INTEGER NOT NULL CHECK (hours > 0)
);

CREATE TABLE reason_code (
  code                     TEXT PRIMARY KEY,
  label                    TEXT NOT NULL,
  applies_to_json          TEXT NOT NULL,
  approval                 TEXT NOT NULL CHECK (approval IN ('never', 'always', 'above')),
  approval_threshold_minor INTEGER,
  note_required            INTEGER NOT NULL DEFAULT 0,
  retired_at               TEXT,
  created_at               TEXT NOT NULL
);

-- An override is a reason-coded judgement. It has no effect until it is applied; one that needs
-- approval waits in pending_approval. Undoing one writes a reversing override, never a delete.
CREATE TABLE override (
  id                INTEGER PRIMARY KEY,
  reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
  type              TEXT NOT NULL CHECK (type IN ('force_match', 'unmatch', 'accept_variance', 'write_off', 'reclassify', 'reversal')),
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
CREATE INDEX override_status ON override (reconciliation_id, status);
CREATE INDEX override_target ON override (target);

-- A signed-off period is locked; unlocking needs a reason and an approver. Rows are only added.
CREATE TABLE period_lock_event (
  id                INTEGER PRIMARY KEY,
  reconciliation_id INTEGER NOT NULL REFERENCES reconciliation(id),
  period            TEXT NOT NULL,
  action            TEXT NOT NULL CHECK (action IN ('sign_off', 'unlock')),
  actor             TEXT NOT NULL REFERENCES app_user(id),
  approver          TEXT REFERENCES app_user(id),
  reason            TEXT,
  at                TEXT NOT NULL
);
`;
