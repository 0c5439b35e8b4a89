import { TieoutError } from '../../../shared/error.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import { deleteSlaPolicy, listSlaPolicyRows, redateOpenItems, upsertSlaPolicy } from '../workspace/triage.js';
import { toIso } from './items.js';
import { requireEditor } from './users.js';
import { CLOSED, type ItemStatus } from './status.js';

/** Hours to work an item of each class, before sla_policy overrides. */
export const DEFAULT_SLA_HOURS: Readonly<Record<string, number>> = {
  unmatched_left: 72,
  unmatched_right: 72,
  amount_variance: 48,
  date_variance: 48,
  currency_mismatch: 48,
  duplicate: 24,
  ambiguous: 24,
  record_changed: 24,
  suggested: 24,
};
/** For a class nobody has configured (e.g. one a newer engine adds). */
export const FALLBACK_SLA_HOURS = 72;
/** "Due soon" once less than this share of the window is left. */
export const DUE_SOON_SHARE = 0.25;

export type SlaState = 'ok' | 'due_soon' | 'breached';
export const SLA_STATES: readonly SlaState[] = ['ok', 'due_soon', 'breached'];

/** What SLA arithmetic needs of an item. */
export interface SlaFacts {
  status: ItemStatus;
  createdAt: string;
  dueAt: string;
}

export function slaHoursFor(policy: Readonly<Record<string, number>>, cls: string): number {
  return policy[cls] ?? FALLBACK_SLA_HOURS;
}

/**
 * Closed items are never late. Otherwise breached at or after the due time, due soon when less
 * than a quarter of the created→due window is left. queue.ts filters with the same rule in SQL.
 */
export function slaState(item: SlaFacts, now: Date | string): SlaState {
  if (CLOSED.has(item.status)) return 'ok';
  const t = Date.parse(toIso(now));
  const due = Date.parse(item.dueAt);
  const created = Date.parse(item.createdAt);
  const left = due - t;
  if (left <= 0) return 'breached';
  return left < DUE_SOON_SHARE * (due - created) ? 'due_soon' : 'ok';
}

/** Whole hours since the item was first seen. */
export function age(item: Pick<SlaFacts, 'createdAt'>, now: Date | string): number {
  return Math.max(0, Math.floor((Date.parse(toIso(now)) - Date.parse(item.createdAt)) / 3_600_000));
}

/**
 * Sort key, ascending = most urgent first: open items before closed ones, then by due time, so
 * breached items (due in the past) come first, then those due soonest; the id breaks ties.
 */
export function urgencyKey(item: SlaFacts & { itemId: string }): string {
  return `${CLOSED.has(item.status) ? 1 : 0}|${item.dueAt}|${item.itemId}`;
}

export function compareUrgency(a: SlaFacts & { itemId: string }, b: SlaFacts & { itemId: string }): number {
  const ka = urgencyKey(a);
  const kb = urgencyKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Defaults merged with the workspace's sla_policy. */
export function slaPolicy(db: Db): Record<string, number> {
  const out: Record<string, number> = { ...DEFAULT_SLA_HOURS };
  for (const r of listSlaPolicyRows(db)) out[r.class] = r.hours;
  return out;
}

/**
 * Sets (or with null, resets to the default) a class's SLA. Not-closed items of the class are
 * re-dated from their creation time, so the queue reflects the policy in force.
 */
export function setSlaHours(db: Db, cls: string, hours: number | null, actor: string, now: Date | string = new Date()): { class: string; hours: number; redated: number } {
  if (!/^[a-z_]{1,40}$/.test(cls)) throw new TieoutError('bad_input', `Not an exception class: "${cls}"`, { path: 'class' });
  if (hours !== null && (!Number.isInteger(hours) || hours <= 0 || hours > 24 * 366)) {
    throw new TieoutError('bad_input', 'SLA hours must be a whole number between 1 and 8784', { path: 'hours' });
  }
  const at = toIso(now);
  return db.transaction(() => {
    requireEditor(db, actor);
    const before = slaPolicy(db)[cls] ?? FALLBACK_SLA_HOURS;
    if (hours === null) deleteSlaPolicy(db, cls);
    else upsertSlaPolicy(db, cls, hours);
    const after = slaHoursFor(slaPolicy(db), cls);
    const redated = before === after ? 0 : redateOpenItems(db, cls, after, at);
    appendAuditEvent(db, { actor, action: 'sla.set', target: `sla:${cls}`, before: { hours: before }, after: { hours: after, redated } }, at);
    return { class: cls, hours: after, redated };
  }).immediate();
}

/** Every known class with its hours, its default, and whether the workspace changed it. */
export function slaSettings(db: Db): { class: string; hours: number; defaultHours: number; custom: boolean }[] {
  const custom = new Map(listSlaPolicyRows(db).map((r) => [r.class, r.hours]));
  const classes = [...new Set([...Object.keys(DEFAULT_SLA_HOURS), ...custom.keys()])];
  return classes.map((cls) => {
    const defaultHours = DEFAULT_SLA_HOURS[cls] ?? FALLBACK_SLA_HOURS;
    const set = custom.get(cls);
    return { class: cls, hours: set ?? defaultHours, defaultHours, custom: set !== undefined };
  });
}
