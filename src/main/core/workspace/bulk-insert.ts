import type { Statement } from 'better-sqlite3';
import type { Db } from './open.js';

/** Rows per multi-row INSERT: large enough to amortize the per-call cost, far below SQLite's 32,766 variables. */
const ROWS_PER_STATEMENT = 200;

export interface BulkInserter {
  /** Queues one row; its values follow the column order given to `bulkInserter`. */
  row(...values: unknown[]): void;
  /** Writes the queued rows. Call before reading the table back. */
  flush(): void;
}

/**
 * Buffered multi-row INSERT into a fixed table and column list. A run writes millions of small
 * rows, and one statement call per row spends more time crossing into SQLite than inserting.
 * The column names are fixed fragments from the caller; every value is a bound parameter.
 */
export function bulkInserter(db: Db, table: string, columns: readonly string[]): BulkInserter {
  const width = columns.length;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const sql = (rows: number) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
  const full = db.prepare<unknown[]>(sql(ROWS_PER_STATEMENT));
  const partial = new Map<number, Statement<unknown[]>>();
  let buf: unknown[] = [];
  const flush = () => {
    const rows = buf.length / width;
    if (rows === 0) return;
    if (rows === ROWS_PER_STATEMENT) full.run(buf);
    else {
      let stmt = partial.get(rows);
      if (!stmt) partial.set(rows, (stmt = db.prepare<unknown[]>(sql(rows))));
      stmt.run(buf);
    }
    buf = [];
  };
  return {
    row(...values) {
      for (let i = 0; i < width; i++) buf.push(values[i]);
      if (buf.length === ROWS_PER_STATEMENT * width) flush();
    },
    flush,
  };
}
