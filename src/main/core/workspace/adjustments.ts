import type { Db } from './open.js';

/** SQL for corrections to source records: new record versions made by an `adjust` override. */

export interface AdjustableRecord {
  id: number;
  sourceId: number;
  source: string;
  isCurrent: boolean;
  version: number;
  naturalKey: string | null;
  ref: string | null;
  amountMinor: number | null;
  currency: string | null;
  date: string | null;
  fieldsJson: string;
  /** The source's latest mapping template, for the fields' types and roles. */
  mappingJson: string | null;
}

export function selectAdjustableRecord(db: Db, id: number): AdjustableRecord | undefined {
  const r = db
    .prepare(
      `SELECT r.id, r.source_id AS sourceId, s.name AS source, r.is_current AS isCurrent, r.version, r.natural_key AS naturalKey, r.record_ref AS ref,
              r.amount_minor AS amountMinor, r.currency, r.record_date AS date, r.fields_json AS fieldsJson,
              (SELECT t.mapping_json FROM template t WHERE t.source_id = r.source_id ORDER BY t.version DESC LIMIT 1) AS mappingJson
         FROM record r JOIN source s ON s.id = r.source_id WHERE r.id = ?`,
    )
    .get(id) as (Omit<AdjustableRecord, 'isCurrent'> & { isCurrent: number }) | undefined;
  return r && { ...r, isCurrent: r.isCurrent === 1 };
}

export interface AdjustedValues {
  ref: string | null;
  amountMinor: number | null;
  currency: string | null;
  date: string | null;
  fieldsJson: string;
  contentHash: string;
}

/**
 * The corrected record: a copy of the original's provenance (batch, row, raw row) with the new
 * values, as its next version. The original stops being current and is otherwise untouched.
 */
export function insertAdjustedRecord(db: Db, originalId: number, v: AdjustedValues, overrideId: number, changesJson: string): number {
  const id = Number(
    db
      .prepare(
        `INSERT INTO record (source_id, batch_id, row_number, natural_key, version, supersedes, content_hash, duplicate_of,
            record_ref, amount_minor, currency, record_date, fields_json, raw_json)
         SELECT source_id, batch_id, row_number, natural_key, version + 1, id, ?, NULL, ?, ?, ?, ?, ?, raw_json FROM record WHERE id = ?`,
      )
      .run(v.contentHash, v.ref, v.amountMinor, v.currency, v.date, v.fieldsJson, originalId).lastInsertRowid,
  );
  db.prepare('UPDATE record SET is_current = 0 WHERE id = ?').run(originalId);
  db.prepare('INSERT INTO record_adjustment (record_id, original_id, override_id, changes_json) VALUES (?, ?, ?, ?)').run(id, originalId, overrideId, changesJson);
  return id;
}

/** Reversal: the original is current again and the adjusted version is not (both rows stay). */
export function restoreAdjustedRecord(db: Db, adjustedId: number, originalId: number): void {
  db.prepare('UPDATE record SET is_current = 0 WHERE id = ?').run(adjustedId);
  db.prepare('UPDATE record SET is_current = 1 WHERE id = ?').run(originalId);
}

/** Whether a record is current, and the id of any newer version (an import or another adjustment). */
export function recordSuccessor(db: Db, id: number): { isCurrent: boolean; newer: number | null } | undefined {
  const r = db.prepare('SELECT is_current AS c, (SELECT n.id FROM record n WHERE n.supersedes = record.id LIMIT 1) AS newer FROM record WHERE id = ?').get(id) as
    | { c: number; newer: number | null }
    | undefined;
  return r && { isCurrent: r.c === 1, newer: r.newer };
}

/** The correction an override made, if any. */
export function adjustmentByOverride(db: Db, overrideId: number): { recordId: number; originalId: number } | undefined {
  return db.prepare('SELECT record_id AS recordId, original_id AS originalId FROM record_adjustment WHERE override_id = ?').get(overrideId) as
    | { recordId: number; originalId: number }
    | undefined;
}
