import { TieoutError } from '../../../shared/error.js';
import { bulkInserter } from './bulk-insert.js';
import type { Db } from './open.js';

/** SQL for the review grid's rows: written once per run, read a page at a time. */

export interface ReviewRowData {
  rowId: string;
  kind: 'group' | 'exception';
  status: 'matched' | 'suggested' | 'exception';
  class: string | null;
  pass: string | null;
  score: number | null;
  leftCount: number;
  rightCount: number;
  keyText: string | null;
  leftRef: string | null;
  leftAmount: number | null;
  leftDate: string | null;
  leftParty: string | null;
  leftDesc: string | null;
  rightRef: string | null;
  rightAmount: number | null;
  rightDate: string | null;
  rightParty: string | null;
  rightDesc: string | null;
  currency: string | null;
  deltaAmount: number | null;
  deltaDays: number | null;
  amountAtRisk: number | null;
}

const COLUMNS = {
  rowId: 'row_id',
  kind: 'kind',
  status: 'status',
  class: 'class',
  pass: 'pass',
  score: 'score',
  leftCount: 'left_count',
  rightCount: 'right_count',
  keyText: 'key_text',
  leftRef: 'left_ref',
  leftAmount: 'left_amount',
  leftDate: 'left_date',
  leftParty: 'left_party',
  leftDesc: 'left_desc',
  rightRef: 'right_ref',
  rightAmount: 'right_amount',
  rightDate: 'right_date',
  rightParty: 'right_party',
  rightDesc: 'right_desc',
  currency: 'currency',
  deltaAmount: 'delta_amount',
  deltaDays: 'delta_days',
  amountAtRisk: 'amount_at_risk',
} as const satisfies Record<keyof ReviewRowData, string>;
export type ReviewColumn = keyof typeof COLUMNS;
export const REVIEW_COLUMNS = Object.keys(COLUMNS) as ReviewColumn[];

/** Buffered writer for a run's review rows; write them in row id order (the primary key) and call `finish`. */
export function reviewRowWriter(db: Db, runId: number): { write(r: ReviewRowData): void; finish(): void } {
  // Values are passed in this order below, without a per-row map over the keys.
  const order: readonly ReviewColumn[] = ['rowId', 'kind', 'status', 'class', 'pass', 'score', 'leftCount', 'rightCount', 'keyText', 'leftRef', 'leftAmount', 'leftDate',
    'leftParty', 'leftDesc', 'rightRef', 'rightAmount', 'rightDate', 'rightParty', 'rightDesc', 'currency', 'deltaAmount', 'deltaDays', 'amountAtRisk'];
  const insert = bulkInserter(db, 'review_row', ['run_id', ...order.map((k) => COLUMNS[k])]);
  return {
    write: (r) =>
      insert.row(
        runId, r.rowId, r.kind, r.status, r.class, r.pass, r.score, r.leftCount, r.rightCount, r.keyText, r.leftRef, r.leftAmount, r.leftDate, r.leftParty,
        r.leftDesc, r.rightRef, r.rightAmount, r.rightDate, r.rightParty, r.rightDesc, r.currency, r.deltaAmount, r.deltaDays, r.amountAtRisk,
      ),
    finish: () => insert.flush(),
  };
}

export interface ReviewQuery {
  runId: number;
  offset: number;
  limit: number;
  sort: { field: string; dir: 'asc' | 'desc' }[];
  filter: {
    status?: string[] | undefined;
    class?: string[] | undefined;
    pass?: string[] | undefined;
    text?: string | undefined;
    minAmount?: number | undefined;
    maxAmount?: number | undefined;
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A page of a run's review rows; sort columns are checked against the known list, values are bound. */
export function pageReviewRows(db: Db, q: ReviewQuery): { total: number; rows: ReviewRowData[] } {
  const where = ['run_id = ?'];
  const params: unknown[] = [q.runId];
  const inList = (col: string, values: string[] | undefined) => {
    if (!values || values.length === 0) return;
    where.push(`${col} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  inList('status', q.filter.status);
  inList('class', q.filter.class);
  inList('pass', q.filter.pass);
  if (q.filter.minAmount !== undefined) (where.push('amount_at_risk >= ?'), params.push(q.filter.minAmount));
  if (q.filter.maxAmount !== undefined) (where.push('amount_at_risk <= ?'), params.push(q.filter.maxAmount));
  if (q.filter.text) {
    const like = `%${escapeLike(q.filter.text)}%`;
    const textCols = ['row_id', 'key_text', 'left_ref', 'left_party', 'left_desc', 'right_ref', 'right_party', 'right_desc'];
    where.push(`(${textCols.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    params.push(...textCols.map(() => like));
  }
  const order = q.sort.map((s) => {
    const col = COLUMNS[s.field as ReviewColumn];
    if (!col) throw new TieoutError('bad_input', `Cannot sort by "${s.field}"`, { column: s.field });
    return `${col} ${s.dir === 'desc' ? 'DESC' : 'ASC'}`;
  });
  order.push('row_id ASC');
  const sql = where.join(' AND ');
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM review_row WHERE ${sql}`).get(...params) as { n: number }).n;
  const select = Object.entries(COLUMNS)
    .map(([k, c]) => `${c} AS "${k}"`)
    .join(', ');
  const rows = db.prepare(`SELECT ${select} FROM review_row WHERE ${sql} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`).all(...params, q.limit, q.offset) as ReviewRowData[];
  return { total, rows };
}

export function reviewRow(db: Db, runId: number, rowId: string): ReviewRowData | undefined {
  const select = Object.entries(COLUMNS)
    .map(([k, c]) => `${c} AS "${k}"`)
    .join(', ');
  return db.prepare(`SELECT ${select} FROM review_row WHERE run_id = ? AND row_id = ?`).get(runId, rowId) as ReviewRowData | undefined;
}

/** The records of a group or exception, with their side, source and mapped fields. */
export function rowMembers(db: Db, runId: number, rowId: string) {
  // Two indexed lookups: SQLite without statistics would scan the whole run for an OR.
  const cols = `m.side, r.id AS recordId, s.name AS source, r.fields_json AS fieldsJson, r.amount_minor AS amount, r.currency, r.record_date AS date,
              r.batch_id AS batchId, r.row_number AS rowNumber`;
  return db
    .prepare(
      `SELECT ${cols} FROM run_member m INDEXED BY run_member_group JOIN record r ON r.id = m.record_id JOIN source s ON s.id = r.source_id
        WHERE m.run_id = ? AND m.group_id = ?
       UNION ALL
       SELECT ${cols} FROM run_member m INDEXED BY run_member_exception JOIN record r ON r.id = m.record_id JOIN source s ON s.id = r.source_id
        WHERE m.run_id = ? AND m.exception_id = ?
       ORDER BY 1, 2`,
    )
    .all(runId, rowId, runId, rowId) as { side: 'left' | 'right'; recordId: number; source: string; fieldsJson: string; amount: number | null; currency: string | null; date: string | null; batchId: number; rowNumber: number }[];
}

export function rowExplanation(db: Db, runId: number, rowId: string): { explanation: unknown; detail: string | null } {
  const g = db.prepare('SELECT explanation_json FROM match_group WHERE run_id = ? AND group_id = ?').get(runId, rowId) as { explanation_json: string } | undefined;
  if (g) return { explanation: JSON.parse(g.explanation_json), detail: null };
  const e = db.prepare('SELECT explanation_json, detail FROM run_exception WHERE run_id = ? AND exception_id = ?').get(runId, rowId) as
    | { explanation_json: string | null; detail: string }
    | undefined;
  return { explanation: e?.explanation_json ? JSON.parse(e.explanation_json) : null, detail: e?.detail ?? null };
}
