// Schema version 4: where each incremental API pull of a source left off.
export default /* sql */ `
-- One row per (source, connector): the highest value of the connector's incremental field seen
-- in an imported pull. Written in (or right after) the import's transaction; only ever moves forward.
CREATE TABLE pull_state (
  source_id      INTEGER NOT NULL REFERENCES source(id),
  connector      TEXT NOT NULL,
  field          TEXT NOT NULL,
  watermark_json TEXT,
  batch_id       INTEGER REFERENCES batch(id),
  updated_at     TEXT NOT NULL,
  updated_by     TEXT NOT NULL,
  PRIMARY KEY (source_id, connector)
);
`;
