import { z } from 'zod';
import { TieoutError } from '../../../shared/error.js';
import type { Db } from '../workspace/index.js';
import { queryItemRows, selectItemRows, type QueueRow, type ReviewItemRow } from '../workspace/triage.js';
import { toIso } from './items.js';
import { age, slaState, SLA_STATES, type SlaState } from './sla.js';
import { ITEM_STATUSES } from './status.js';

const UserId = z.string().min(1).max(64);

/** The queue's filter; bulk actions take the same shape. Lists are "any of"; fields combine with AND. */
export const QueueFilter = z
  .object({
    status: z.array(z.enum(ITEM_STATUSES)).max(ITEM_STATUSES.length).optional(),
    class: z.array(z.string().min(1).max(40)).max(20).optional(),
    kind: z.array(z.enum(['exception', 'suggestion'])).max(2).optional(),
    /** null = no owner. */
    owner: z.array(UserId.nullable()).max(50).optional(),
    /** null = nobody is working on it. */
    claimedBy: z.array(UserId.nullable()).max(50).optional(),
    sla: z.array(z.enum(SLA_STATES as [SlaState, ...SlaState[]])).max(3).optional(),
    /** Amount at risk, minor units, inclusive. */
    amountMin: z.number().int().optional(),
    amountMax: z.number().int().optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code').optional(),
    /** Substring of the item id, class, detail or pass. */
    text: z.string().max(200).optional(),
  })
  .strict();
export type QueueFilter = z.input<typeof QueueFilter>;

export const QueueSort = z.object({
  by: z.enum(['urgency', 'amount', 'age', 'updated', 'class', 'status']).default('urgency'),
  dir: z.enum(['asc', 'desc']).default('asc'),
});
export type QueueSort = z.input<typeof QueueSort>;

export const QueuePage = z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100) });
export type QueuePage = z.input<typeof QueuePage>;

export interface QueueItem extends QueueRow {
  sla: SlaState;
  ageHours: number;
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw TieoutError.fromZod(r.error, 'bad_input', what);
  return r.data;
}

export function parseQueueFilter(filter: unknown): z.output<typeof QueueFilter> {
  return parse(QueueFilter, filter ?? {}, 'queue filter');
}

function describe(row: QueueRow): string | null {
  if (row.detail !== null || row.kind !== 'suggestion') return row.detail;
  const parts = [row.pass, row.score !== null ? `score ${row.score.toFixed(1)}` : null].filter((x): x is string => x !== null);
  return parts.length ? `Suggested match (${parts.join(', ')})` : 'Suggested match';
}

/**
 * One page of a reconciliation's review items. Filtering, sorting and paging run in SQL; the
 * default order is by urgency (breached first, then due soonest, closed last).
 */
export function queryItems(
  db: Db,
  reconciliationId: number,
  filter: QueueFilter = {},
  sort: QueueSort = {},
  page: QueuePage = {},
  now: Date | string = new Date(),
): { total: number; items: QueueItem[] } {
  const f = parseQueueFilter(filter);
  const s = parse(QueueSort, sort, 'queue sort');
  const p = parse(QueuePage, page, 'queue page');
  const at = toIso(now);
  const { total, rows } = queryItemRows(db, reconciliationId, f, at, s.by, s.dir, p.limit, p.offset);
  return { total, items: rows.map((r) => ({ ...r, detail: describe(r), sla: slaState(r, at), ageHours: age(r, at) })) };
}

/** Every item a filter selects (no paging), most urgent first. */
export function selectItems(db: Db, reconciliationId: number, filter: QueueFilter, now: Date | string = new Date()): ReviewItemRow[] {
  return selectItemRows(db, reconciliationId, parseQueueFilter(filter), toIso(now));
}
