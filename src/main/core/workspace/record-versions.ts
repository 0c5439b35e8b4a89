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
 * The newest version of each record: follows `supersedes` links forward. Ids that were never
 * replaced map to themselves. One scan of the versioned records, so call it once per run.
 */
export function newestVersions(db: Db, ids: readonly number[]): Map<number, number> {
  const next = new Map<number, number>();
  for (const [id, old] of db.prepare('SELECT id, supersedes FROM record WHERE supersedes IS NOT NULL').raw().iterate() as Iterable<[number, number]>) next.set(old, id);
  const out = new Map<number, number>();
  for (const id of ids) {
    let cur = id;
    for (let hops = 0; next.has(cur) && hops < 1000; hops++) cur = next.get(cur)!;
    out.set(id, cur);
  }
  return out;
}
