import { TieoutError } from '../../../shared/error.js';
import { CLOSED, type ItemStatus } from '../triage/status.js';
import { slaState, type SlaState } from '../triage/sla.js';
import {
  countReviewRows,
  findReconciliation,
  findSourceById,
  listRuns,
  pageReviewRows,
  reviewRow,
  reviewRunFacts,
  reviewRuns,
  rowExplanation,
  rowMembers,
  ruleSetById,
  type Db,
  type ReviewFilter,
  type ReviewGridRowData,
  type ReviewScope,
  type ReviewSla,
} from '../workspace/index.js';

/** The grid's filter as the contract carries it: sources by name, everything else as stored. */
export interface ReviewPageFilter extends Omit<ReviewFilter, 'sourceIds'> {
  source?: string[] | undefined;
}

export interface ReviewPageRequest {
  runId: number;
  offset: number;
  limit: number;
  sort: { field: string; dir: 'asc' | 'desc' }[];
  filter: ReviewPageFilter;
}

export interface ReviewGridRow extends Omit<ReviewGridRowData, 'createdAt'> {
  sla: SlaState | null;
}

// Counting a million rows takes longer than reading a page, so counts are cached per open
// database. A run's rows never change once written, so a count stays true for filters on them;
// owner and SLA change as people work (and with the clock), so those counts are never cached.
const COUNT_CACHE_SIZE = 500;
const counts = new WeakMap<Db, Map<string, number>>();

function cacheKey(runId: number, f: ReviewPageFilter): string | null {
  if ((f.owner && f.owner.length) || (f.sla && f.sla.length)) return null;
  const norm = (v: readonly unknown[] | undefined) => (v && v.length ? [...v].map(String).sort() : undefined);
  return JSON.stringify([runId, norm(f.status), norm(f.class), norm(f.pass), f.text || undefined, f.minAmount, f.maxAmount, norm(f.source)]);
}

function cached(db: Db, key: string | null): number | undefined {
  return key === null ? undefined : counts.get(db)?.get(key);
}

function remember(db: Db, key: string | null, total: number): void {
  if (key === null) return;
  let m = counts.get(db);
  if (!m) counts.set(db, (m = new Map()));
  if (m.size >= COUNT_CACHE_SIZE) m.delete(m.keys().next().value!);
  m.set(key, total);
}

function scopeOf(db: Db, runId: number, f: ReviewPageFilter, now: string): { scope: ReviewScope; filter: ReviewFilter } {
  const facts = reviewRunFacts(db, runId);
  if (!facts) throw new TieoutError('not_found', `No run ${runId}`);
  const perSide = (side: 'left' | 'right') => facts.sides.filter((s) => s.side === side);
  const soleSide = new Map<number, 'left' | 'right'>();
  for (const side of ['left', 'right'] as const) if (perSide(side).length === 1) soleSide.set(perSide(side)[0]!.sourceId, side);
  const { source, ...rest } = f;
  let sourceIds: number[] | undefined;
  if (source && source.length) {
    const byName = new Map(facts.sides.map((s) => [findSourceById(db, s.sourceId)?.name, s.sourceId]));
    sourceIds = source.map((name) => {
      const id = byName.get(name);
      if (id === undefined) throw new TieoutError('bad_input', `Source "${name}" is not part of this reconciliation`, { path: 'filter.source' });
      return id;
    });
  }
  return { scope: { reconciliationId: facts.reconciliationId, now, soleSide }, filter: { ...rest, ...(sourceIds && { sourceIds }) } };
}

function toGridRow(r: ReviewGridRowData, now: string): ReviewGridRow {
  const { createdAt, ...row } = r;
  const sla =
    r.itemStatus === null || r.dueAt === null || createdAt === null || CLOSED.has(r.itemStatus as ItemStatus)
      ? null
      : slaState({ status: r.itemStatus as ItemStatus, createdAt, dueAt: r.dueAt }, now);
  return { ...row, sla };
}

/**
 * A page of the review grid. The total comes back only when it is already known (cached, or
 * evident from a short last page); otherwise it is null and reviewCount supplies it, so the first
 * page never waits for a count over the whole run.
 */
export function reviewPage(db: Db, q: ReviewPageRequest, now: Date = new Date()): { total: number | null; rows: ReviewGridRow[] } {
  const at = now.toISOString();
  const { scope, filter } = scopeOf(db, q.runId, q.filter, at);
  const key = cacheKey(q.runId, q.filter);
  const known = cached(db, key);
  const rows = pageReviewRows(db, { ...q, filter }, scope, { knownTotal: known, filterFirst: q.sort.length > 0 && selective(db, q.runId, q.filter, scope) });
  let total = known ?? null;
  if (total === null && rows.length < q.limit && (rows.length > 0 || q.offset === 0)) {
    total = q.offset + rows.length;
    remember(db, key, total);
  }
  return { total, rows: rows.map((r) => toGridRow(r, at)) };
}

/** Below this share of the run, a filter's own index beats walking the sort's index. */
const SELECTIVE_SHARE = 0.2;

/**
 * Whether the filter narrows the run enough to find its rows first and sort them. Without table
 * statistics SQLite always walks the sort's index, which for a rare class means reading most of
 * the run to fill one page. Owner and SLA select review items, a small part of any run; status,
 * class and pass are measured with their (cached) counts.
 */
function selective(db: Db, runId: number, f: ReviewPageFilter, scope: ReviewScope): boolean {
  if ((f.owner && f.owner.length) || (f.sla && f.sla.length)) return true;
  const indexed: ReviewPageFilter = { ...(f.status && { status: f.status }), ...(f.class && { class: f.class }), ...(f.pass && { pass: f.pass }) };
  if (Object.values(indexed).every((v) => !v || v.length === 0)) return false;
  const size = (filter: ReviewPageFilter) => {
    const key = cacheKey(runId, filter);
    const known = cached(db, key);
    if (known !== undefined) return known;
    const n = countReviewRows(db, { runId, filter: filter as ReviewFilter }, scope);
    remember(db, key, n);
    return n;
  };
  return size(indexed) <= SELECTIVE_SHARE * size({});
}

/** How many rows the filter selects (cached where the answer cannot change). */
export function reviewCount(db: Db, q: Pick<ReviewPageRequest, 'runId' | 'filter'>, now: Date = new Date()): { total: number } {
  const key = cacheKey(q.runId, q.filter);
  const known = cached(db, key);
  if (known !== undefined) return { total: known };
  const { scope, filter } = scopeOf(db, q.runId, q.filter, now.toISOString());
  const total = countReviewRows(db, { runId: q.runId, filter }, scope);
  remember(db, key, total);
  return { total };
}

/** What the grid's filters can offer for a run: its passes and its sources by side. */
/** The grid's run picker: a reconciliation's runs, newest first, without the totals runs.list adds. */
export function reviewRunList(db: Db, reconciliation: string): { id: number; ruleSetVersion: number; finishedAt: string }[] {
  const rec = findReconciliation(db, reconciliation);
  if (!rec) throw new TieoutError('not_found', `No reconciliation named "${reconciliation}"`);
  return reviewRuns(db, rec.id);
}

export function reviewFacets(db: Db, runId: number): { passes: string[]; sources: { name: string; side: 'left' | 'right' }[]; sla: ReviewSla[] } {
  const facts = reviewRunFacts(db, runId);
  if (!facts) throw new TieoutError('not_found', `No run ${runId}`);
  const rules = ruleSetById(db, facts.ruleSetVersionId)?.rules as { passes?: { id?: unknown }[] } | undefined;
  const passes = (rules?.passes ?? []).map((p) => p.id).filter((id): id is string => typeof id === 'string');
  // Confirmed manual groups are claimed by the reserved "locked" pass before the rule set's own.
  return {
    passes: ['locked', ...passes],
    sources: facts.sides.map((s) => ({ name: findSourceById(db, s.sourceId)?.name ?? `#${s.sourceId}`, side: s.side })),
    sla: ['ok', 'due_soon', 'breached'],
  };
}

/** A group or exception with every member on each side and its stored explanation. */
export function reviewDetail(db: Db, runId: number, rowId: string) {
  const row = reviewRow(db, runId, rowId);
  if (!row) throw new TieoutError('not_found', `Run ${runId} has no group or exception ${rowId}`);
  const run = listRuns(db).find((r) => r.id === runId)!;
  const members = rowMembers(db, runId, rowId).map(({ fieldsJson, ...m }) => ({ ...m, fields: JSON.parse(fieldsJson) as Record<string, string | number | null> }));
  return { row, members, ...rowExplanation(db, runId, rowId), ruleSetVersion: run.ruleSetVersion };
}
