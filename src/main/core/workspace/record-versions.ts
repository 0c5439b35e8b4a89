import type { Db } from './open.js';

/** SQL for a record's versions: what replaced it when an overlapping export changed it. */

export interface RecordVersion {
  id: number;
  source: string;
  batchId: number;
  isCurrent: boolean;
  ref: string | null;
  amountMinor: number | null;
  currency: string | null;
  date: string | null;
  fieldsJson: string;
}

export function recordVersions(db: Db, ids: readonly number[]): Map<number, RecordVersion> {
  const stmt = db.prepare(
    `SELECT r.id, s.name AS source, r.batch_id AS batchId, r.is_current AS isCurrent, r.record_ref AS ref, r.amount_minor AS amountMinor,
            r.currency, r.record_date AS date, r.fields_json AS fieldsJson
       FROM record r JOIN source s ON s.id = r.source_id WHERE r.id = ?`,
  );
  const out = new Map<number, RecordVersion>();
  for (const id of ids) {
    const r = stmt.get(id) as (Omit<RecordVersion, 'isCurrent'> & { isCurrent: number }) | undefined;
    if (r) out.set(id, { ...r, isCurrent: r.isCurrent === 1 });
  }
  return out;
}

/**
 * The newest version of each record: follows `supersedes` links forward through their index.
 * Ids that were never replaced map to themselves.
 */
export function newestVersions(db: Db, ids: readonly number[]): Map<number, number> {
  const next = db.prepare('SELECT id FROM record WHERE supersedes = ? LIMIT 1').pluck();
  const out = new Map<number, number>();
  for (const id of ids) {
    let cur = id;
    for (let n = next.get(cur) as number | undefined; n !== undefined; n = next.get(cur) as number | undefined) cur = n;
    out.set(id, cur);
  }
  return out;
}
