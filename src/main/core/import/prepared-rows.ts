import { hash } from 'node:crypto';
import { isRejection, type RowParser } from './row-parser.js';

/**
 * A file row made ready to store: parsed, its raw cells and canonical fields as JSON, and its
 * content hash. Rows travel in flat batches (STRIDE slots per row) rather than one object each,
 * because a batch is what crosses from the parse worker to the writing thread, and a flat array
 * of strings and numbers is the cheapest thing to clone and read back.
 */
export const STRIDE = 13;
export const SLOT = {
  row: 0,
  /** string[] of layout problems, or null. */
  issues: 1,
  rawJson: 2,
  /** Set (with value and reason) when the row is rejected; the slots below are then null. */
  rejectColumn: 3,
  rejectValue: 4,
  rejectReason: 5,
  naturalKey: 6,
  /** Null when the writing thread is to compute it (see prepareRow). */
  contentHash: 7,
  recordRef: 8,
  amountMinor: 9,
  currency: 10,
  date: 11,
  fieldsJson: 12,
} as const;

export type PreparedBatch = unknown[];

export interface ReadRow {
  row: number;
  cells: string[];
  issues?: string[];
}

/** Rows per batch: large enough to amortise messaging, small enough to keep memory flat. */
export const BATCH_ROWS = 2000;

/**
 * The content hash covers the canonical fields and the currency, so the same record written
 * differently ("1,234.50" / "1234.5") hashes the same.
 */
export function contentHash(fieldsJson: string, currency: string | null): string {
  return hash('sha1', `${fieldsJson}|${currency ?? ''}`, 'base64');
}

/**
 * Appends one row to `out`. `withHash: false` leaves the content hash to the writing thread,
 * which evens out the work when parsing runs on a worker.
 */
export function prepareRow(parser: RowParser, r: ReadRow, out: PreparedBatch, withHash = true): void {
  const rawJson = JSON.stringify(r.cells);
  const parsed = parser.parseTransient(r.cells);
  const issues = r.issues && r.issues.length > 0 ? r.issues : null;
  if (isRejection(parsed)) {
    out.push(r.row, issues, rawJson, parsed.column, parsed.value, parsed.reason, null, null, null, null, null, null, null);
    return;
  }
  const fieldsJson = JSON.stringify(parsed.fields);
  out.push(
    r.row,
    issues,
    rawJson,
    null,
    null,
    null,
    parsed.naturalKey,
    withHash ? contentHash(fieldsJson, parsed.currency) : null,
    parsed.recordRef,
    parsed.amountMinor,
    parsed.currency,
    parsed.date,
    fieldsJson,
  );
}
