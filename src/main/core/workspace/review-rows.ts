import { TieoutError } from '../../../shared/error.js';
import { bulkInserter } from './bulk-insert.js';
import { unpackExplanation } from '../engine/index.js';
import { explanationTemplates } from './runs.js';
import type { Db } from './open.js';
import { createRunTable, runTable, type MemberIndex, type RunTable } from './run-tables.js';

/** SQL for the review grid's rows: written once per run into the run's own table (run-tables.ts), read a page at a time. */

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
  const table = createRunTable(db, runId, 'review');
  const insert = bulkInserter(db, table.name, ['run_id', ...order.map((k) => COLUMNS[k])]);
  return {
    write: (r) =>
      insert.row(
        runId, r.rowId, r.kind, r.status, r.class, r.pass, r.score, r.leftCount, r.rightCount, r.keyText, r.leftRef, r.leftAmount, r.leftDate, r.leftParty,
        r.leftDesc, r.rightRef, r.rightAmount, r.rightDate, r.rightParty, r.rightDesc, r.currency, r.deltaAmount, r.deltaDays, r.amountAtRisk,
      ),
    finish: () => {
      insert.flush();
      table.buildIndexes();
    },
  };
}

/** SLA states as triage computes them (see triage/sla.ts); the SQL below follows the same rule, and
 * "ok" means an open item on time (closed items have no SLA in the grid). */
export type ReviewSla = 'ok' | 'due_soon' | 'breached';

export interface ReviewFilter {
  status?: string[] | undefined;
  class?: string[] | undefined;
  pass?: string[] | undefined;
  text?: string | undefined;
  minAmount?: number | undefined;
  maxAmount?: number | undefined;
  /** Owner of the row's review item; null = no owner. Rows without an item (matches) never pass. */
  owner?: (string | null)[] | undefined;
  sla?: ReviewSla[] | undefined;
  /** Rows with at least one record from one of these sources (ids). */
  sourceIds?: number[] | undefined;
}

export interface ReviewQuery {
  runId: number;
  offset: number;
  limit: number;
  sort: { field: string; dir: 'asc' | 'desc' }[];
  filter: ReviewFilter;
}

/** What the page query needs beyond the request: the run's reconciliation and the time for SLA. */
export interface ReviewScope {
  reconciliationId: number;
  now: string;
  /** Sources that are alone on their side: their filter is just "that side has records". */
  soleSide: ReadonlyMap<number, 'left' | 'right'>;
}

/** A grid row with its review item's triage state (null for matches, which are not work). */
export interface ReviewGridRowData extends ReviewRowData {
  owner: string | null;
  itemStatus: string | null;
  createdAt: string | null;
  dueAt: string | null;
}

/**
 * Columns the grid may sort by, each with the ORDER BY it stands for. Each one is backed by an
 * index on (run_id, ...) whose implicit rowid tail finishes the order (see orderOf), so a page of a
 * million-row run is read in index order instead of sorting the run (reconcile/review.test.ts
 * checks the plans). Status sorts by (status, class) to use the status index whole.
 */
const SORTS: Record<string, string[]> = {
  status: ['status', 'class'],
  amountAtRisk: ['amount_at_risk'],
  deltaAmount: ['delta_amount'],
  leftDate: ['left_date'],
  pass: ['pass'],
};
export const REVIEW_SORTABLE = Object.keys(SORTS);

const OPEN = "ri.status IN ('open', 'investigating', 'pending_approval')";
const BREACHED = `(${OPEN} AND ri.due_at <= @now)`;
// Less than a quarter of the window left <=> now is past created + 3/4 of the window (triage/sla.ts).
const DUE_SOON = `(${OPEN} AND ri.due_at > @now AND julianday(@now) > julianday(ri.created_at) + 0.75 * (julianday(ri.due_at) - julianday(ri.created_at)))`;

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function list(name: string, values: readonly unknown[], params: Record<string, unknown>): string {
  return values.map((v, i) => ((params[`${name}${i}`] = v), `@${name}${i}`)).join(', ');
}

/** One class by amount at risk: the class_risk index holds exactly that order. */
function classRiskOrder(q: Pick<ReviewQuery, 'filter' | 'sort'>): boolean {
  const f = q.filter;
  const field = q.sort[0]?.field;
  return f.class?.length === 1 && !(f.status && f.status.length) && field === 'amountAtRisk';
}

/** The WHERE of a filtered run, with named parameters; only fixed fragments are joined. */
function whereOf(
  q: Pick<ReviewQuery, 'runId' | 'filter'> & { sort?: ReviewQuery['sort'] },
  scope: ReviewScope,
  members: () => RunTable<MemberIndex>,
): { sql: string; params: Record<string, unknown> } {
  const f = q.filter;
  const params: Record<string, unknown> = { run: q.runId };
  const where = ['rr.run_id = @run'];
  const inList = (col: string, name: string, values: readonly string[] | undefined) => {
    if (values && values.length) where.push(`rr.${col} IN (${list(name, values, params)})`);
  };
  inList('status', 'st', f.status);
  inList('class', 'cl', f.class);
  // Listing every status lets a class filter use the status index (run_id, status, class).
  if (f.class && f.class.length && !(f.status && f.status.length) && !classRiskOrder({ filter: f, sort: q.sort ?? [] })) {
    where.push("rr.status IN ('matched', 'suggested', 'exception')");
  }
  inList('pass', 'ps', f.pass);
  if (f.minAmount !== undefined) (where.push('rr.amount_at_risk >= @amin'), (params['amin'] = f.minAmount));
  if (f.maxAmount !== undefined) (where.push('rr.amount_at_risk <= @amax'), (params['amax'] = f.maxAmount));
  if (f.text) {
    params['text'] = `%${escapeLike(f.text)}%`;
    const textCols = ['row_id', 'key_text', 'left_ref', 'left_party', 'left_desc', 'right_ref', 'right_party', 'right_desc'];
    where.push(`(${textCols.map((c) => `rr.${c} LIKE @text ESCAPE '\\'`).join(' OR ')})`);
  }
  // Owner and SLA live on review_item (they change as people work); the item subquery runs on
  // its own indexes and the grid row is then found by primary key.
  const item: string[] = [];
  if (f.owner && f.owner.length) {
    const named = f.owner.filter((o): o is string => o !== null);
    const parts = [...(named.length ? [`ri.owner IN (${list('ow', named, params)})`] : []), ...(f.owner.includes(null) ? ['ri.owner IS NULL'] : [])];
    item.push(`(${parts.join(' OR ')})`);
  }
  if (f.sla && f.sla.length) {
    params['now'] = scope.now;
    item.push(`(${f.sla.map((s) => (s === 'breached' ? BREACHED : s === 'due_soon' ? DUE_SOON : `(${OPEN} AND NOT (${BREACHED} OR ${DUE_SOON}))`)).join(' OR ')})`);
  }
  if (item.length) {
    params['rec'] = scope.reconciliationId;
    where.push(`rr.row_id IN (SELECT ri.item_id FROM review_item ri WHERE ri.reconciliation_id = @rec AND ${item.join(' AND ')})`);
  }
  if (f.sourceIds && f.sourceIds.length) {
    // A source alone on its side is in every row that has records on that side; only a side
    // of several sources needs the members, looked up through their indexes row by row.
    const parts = f.sourceIds.map((id, i) => {
      const side = scope.soleSide.get(id);
      if (side) return `rr.${side}_count > 0`;
      params[`src${i}`] = id;
      const t = members();
      const member = (idx: MemberIndex, col: string) =>
        `EXISTS (SELECT 1 FROM ${t.name} m INDEXED BY ${t.index(idx)} JOIN record r ON r.id = m.record_id WHERE m.run_id = rr.run_id AND m.${col} = rr.row_id AND r.source_id = @src${i})`;
      return `(${member('group', 'group_id')} OR ${member('exception', 'exception_id')})`;
    });
    where.push(`(${parts.join(' OR ')})`);
  }
  return { sql: where.join(' AND '), params };
}

/**
 * ORDER BY terms for the first sort key (or the primary key), and the same order reversed. With
 * `filterFirst` the sort column is written `+col`, which keeps SQLite from walking the sort index:
 * for a selective filter it is faster to find the few rows through the filter's index and sort them.
 */
function orderOf(sort: ReviewQuery['sort'], filterFirst = false): { forward: string; backward: string } {
  const first = sort[0];
  const cols = first ? SORTS[first.field] : [];
  if (!cols) throw new TieoutError('bad_input', `Cannot sort by "${first!.field}"`, { column: first!.field });
  // Ties go by row id, the same way as the sort. Rows are written in row id order, so under a sort
  // column that is the rowid order, which every sort index ends with: naming rowid lets the index
  // give the whole order. Named as row_id, SQLite sorted each run of equal values itself, and
  // the 900,000 matched rows of a 1M-buy run share one amount at risk (middle page: 1.46 -> 0.12 s).
  const desc = first?.dir === 'desc';
  const terms = [...cols.map((c) => `${filterFirst ? '+' : ''}rr.${c}`), cols.length > 0 ? 'rr.rowid' : 'rr.row_id'];
  return {
    forward: terms.map((t) => `${t} ${desc ? 'DESC' : 'ASC'}`).join(', '),
    backward: terms.map((t) => `${t} ${desc ? 'ASC' : 'DESC'}`).join(', '),
  };
}

const SELECT_ROW = [
  ...Object.entries(COLUMNS).map(([k, c]) => `rr.${c} AS "${k}"`),
  'ri.owner AS owner',
  'ri.status AS itemStatus',
  'ri.created_at AS createdAt',
  'ri.due_at AS dueAt',
].join(', ');

/** How the page query should find its rows (see reviewPage, which decides). */
export interface PagePlan {
  /** The total, when known: pages in the second half are then read from the end. */
  knownTotal?: number | undefined;
  /** Find the filtered rows through the filter's index and sort them, instead of walking the sort index. */
  filterFirst?: boolean | undefined;
}

function pageSql(db: Db, q: ReviewQuery, scope: ReviewScope, plan: PagePlan, fromEnd: boolean): { sql: string; params: Record<string, unknown> } {
  const { sql, params } = whereOf(q, scope, () => runTable(db, q.runId, 'member'));
  const rows = runTable(db, q.runId, 'review');
  const order = orderOf(q.sort, plan.filterFirst && !classRiskOrder(q));
  params['rec'] = scope.reconciliationId;
  const by = fromEnd ? order.backward : order.forward;
  // Without statistics SQLite cannot tell a rare class from a common one; when reviewPage has
  // measured the filter as selective, name the filter's index.
  const f = q.filter;
  const index = classRiskOrder(q)
    ? `INDEXED BY ${rows.index('class_risk')}`
    : !plan.filterFirst
      ? ''
      : (f.status && f.status.length) || (f.class && f.class.length)
        ? `INDEXED BY ${rows.index('status')}`
        : f.pass && f.pass.length
          ? `INDEXED BY ${rows.index('pass')}`
          : '';
  // The inner query pages over row ids only, so an OFFSET skips index entries, not joined rows;
  // the outer one fetches the page's rows and sorts those few again (a join keeps no order).
  // CROSS JOIN keeps the page as the outer loop, and the unary plus keeps the outer sort of
  // those rows from being read off an index of the whole run.
  const outer = (fromEnd ? order.backward : order.forward).replace(/rr\./g, '+rr.').replace(/\+\+/g, '+');
  return {
    sql: `SELECT ${SELECT_ROW} FROM (SELECT rr.row_id FROM ${rows.name} rr ${index} WHERE ${sql} ORDER BY ${by} LIMIT @limit OFFSET @offset) page
            CROSS JOIN ${rows.name} rr ON rr.run_id = @run AND rr.row_id = page.row_id
            LEFT JOIN review_item ri ON ri.reconciliation_id = @rec AND ri.item_id = rr.row_id
           ORDER BY ${outer}`,
    params,
  };
}

/**
 * A page of a run's review rows, without counting them (a count walks every matching row; see
 * countReviewRows). When the caller knows the total and the page lies in the second half, the
 * page is read from the end in reverse order, so jumping to the last row costs what the first does.
 */
export function pageReviewRows(db: Db, q: ReviewQuery, scope: ReviewScope, plan: PagePlan = {}): ReviewGridRowData[] {
  const known = plan.knownTotal;
  const fromEnd = known !== undefined && q.offset > known / 2;
  const limit = fromEnd ? Math.max(0, Math.min(q.limit, known - q.offset)) : q.limit;
  const offset = fromEnd ? Math.max(0, known - q.offset - limit) : q.offset;
  if (limit === 0) return [];
  const { sql, params } = pageSql(db, q, scope, plan, fromEnd);
  const rows = db.prepare(sql).all({ ...params, limit, offset }) as ReviewGridRowData[];
  return fromEnd ? rows.reverse() : rows;
}

/** How many rows a filter selects. */
export function countReviewRows(db: Db, q: Pick<ReviewQuery, 'runId' | 'filter'>, scope: ReviewScope): number {
  const { sql, params } = whereOf(q, scope, () => runTable(db, q.runId, 'member'));
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${runTable(db, q.runId, 'review').name} rr WHERE ${sql}`).get(params) as { n: number }).n;
}

/** The query plan of a page, for tests that check the indexes are used. */
export function explainReviewQuery(db: Db, q: ReviewQuery, scope: ReviewScope, plan: PagePlan = {}): string[] {
  const { sql, params } = pageSql(db, q, scope, plan, false);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ...params, limit: q.limit, offset: q.offset }) as { detail: string }[]).map((p) => p.detail);
}

/** A reconciliation's runs for the grid's run picker, newest first, without their totals (which walk the run). */
export function reviewRuns(db: Db, reconciliationId: number): { id: number; ruleSetVersion: number; finishedAt: string }[] {
  return db
    .prepare(
      `SELECT r.id AS id, v.version AS ruleSetVersion, r.finished_at AS finishedAt FROM run r JOIN rule_set_version v ON v.id = r.rule_set_version_id
        WHERE r.reconciliation_id = ? ORDER BY r.id DESC`,
    )
    .all(reconciliationId) as { id: number; ruleSetVersion: number; finishedAt: string }[];
}

/** What the page query needs to know about a run: its reconciliation, rule set and sides. */
export function reviewRunFacts(db: Db, runId: number): { reconciliationId: number; ruleSetVersionId: number; sides: { sourceId: number; side: 'left' | 'right' }[] } | undefined {
  const run = db.prepare('SELECT reconciliation_id, rule_set_version_id FROM run WHERE id = ?').get(runId) as { reconciliation_id: number; rule_set_version_id: number } | undefined;
  if (!run) return undefined;
  const sides = db.prepare('SELECT source_id, position FROM reconciliation_side WHERE reconciliation_id = ? ORDER BY position, source_id').all(run.reconciliation_id) as {
    source_id: number;
    position: number;
  }[];
  return {
    reconciliationId: run.reconciliation_id,
    ruleSetVersionId: run.rule_set_version_id,
    sides: sides.map((s) => ({ sourceId: s.source_id, side: s.position === 0 ? 'left' : 'right' })),
  };
}

export function reviewRow(db: Db, runId: number, rowId: string): ReviewRowData | undefined {
  const select = Object.entries(COLUMNS)
    .map(([k, c]) => `${c} AS "${k}"`)
    .join(', ');
  return db.prepare(`SELECT ${select} FROM ${runTable(db, runId, 'review').name} WHERE run_id = ? AND row_id = ?`).get(runId, rowId) as ReviewRowData | undefined;
}

/** The records of a group or exception, with their side, source and mapped fields. */
export function rowMembers(db: Db, runId: number, rowId: string) {
  // Two indexed lookups: SQLite without statistics would scan the whole run for an OR.
  const m = runTable(db, runId, 'member');
  const cols = `m.side, r.id AS recordId, s.name AS source, r.fields_json AS fieldsJson, r.amount_minor AS amount, r.currency, r.record_date AS date,
              r.batch_id AS batchId, r.row_number AS rowNumber`;
  return db
    .prepare(
      `SELECT ${cols} FROM ${m.name} m INDEXED BY ${m.index('group')} JOIN record r ON r.id = m.record_id JOIN source s ON s.id = r.source_id
        WHERE m.run_id = ? AND m.group_id = ?
       UNION ALL
       SELECT ${cols} FROM ${m.name} m INDEXED BY ${m.index('exception')} JOIN record r ON r.id = m.record_id JOIN source s ON s.id = r.source_id
        WHERE m.run_id = ? AND m.exception_id = ?
       ORDER BY 1, 2`,
    )
    .all(runId, rowId, runId, rowId) as { side: 'left' | 'right'; recordId: number; source: string; fieldsJson: string; amount: number | null; currency: string | null; date: string | null; batchId: number; rowNumber: number }[];
}

export function rowExplanation(db: Db, runId: number, rowId: string): { explanation: unknown; detail: string | null } {
  const templates = explanationTemplates(db, runId);
  const g = db.prepare('SELECT explanation_json FROM match_group WHERE run_id = ? AND group_id = ?').get(runId, rowId) as { explanation_json: string } | undefined;
  if (g) return { explanation: unpackExplanation(g.explanation_json, templates), detail: null };
  const e = db.prepare('SELECT explanation_json, detail FROM run_exception WHERE run_id = ? AND exception_id = ?').get(runId, rowId) as
    | { explanation_json: string | null; detail: string }
    | undefined;
  return { explanation: unpackExplanation(e?.explanation_json ?? null, templates), detail: e?.detail ?? null };
}
