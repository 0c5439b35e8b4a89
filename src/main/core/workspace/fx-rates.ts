import type { Db } from './open.js';

/** SQL for the workspace's FX table: rows are added, never edited or removed. */

export interface FxRateRow {
  from: string;
  to: string;
  /** Exact decimal text. */
  rate: string;
  date?: string;
}

export function listFxRates(db: Db): FxRateRow[] {
  const rows = db.prepare('SELECT from_ccy, to_ccy, rate, rate_date FROM fx_rate ORDER BY id').raw().all() as [string, string, string, string | null][];
  return rows.map(([from, to, rate, date]) => ({ from, to, rate, ...(date && { date }) }));
}

export function insertFxRate(db: Db, r: FxRateRow): void {
  db.prepare('INSERT INTO fx_rate (from_ccy, to_ccy, rate, rate_date) VALUES (?, ?, ?, ?)').run(r.from, r.to, r.rate, r.date ?? null);
}
