import { TieoutError } from '../../../shared/error.js';
import type { Db } from '../workspace/index.js';
import { findReviewItem, type ReviewItemRow } from '../workspace/triage.js';

export type { ReviewItemRow as ReviewItem, ItemKind } from '../workspace/triage.js';

/** Names one review item: the reconciliation and the engine's content-derived id. */
export interface ItemRef {
  reconciliationId: number;
  itemId: string;
}

/** The audit target of an item. Every event about an item uses exactly this form. */
export function itemTarget(ref: ItemRef): string {
  return `item:${ref.reconciliationId}:${ref.itemId}`;
}

/** The inverse of itemTarget; undefined for targets that are not items. */
export function parseItemTarget(target: string): ItemRef | undefined {
  const m = /^item:(\d+):(.+)$/.exec(target);
  return m ? { reconciliationId: Number(m[1]), itemId: m[2]! } : undefined;
}

export function requireItem(db: Db, ref: ItemRef): ReviewItemRow {
  const item = findReviewItem(db, ref.reconciliationId, ref.itemId);
  if (!item) throw new TieoutError('not_found', `No review item ${ref.itemId} in reconciliation ${ref.reconciliationId}`, { item: ref.itemId });
  return item;
}

/** Times are ISO-8601 UTC text everywhere, so SQL can compare them as strings. */
export function toIso(t: Date | string): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) throw new TieoutError('bad_input', `Not a time: ${String(t)}`);
  return d.toISOString();
}

export function addHours(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
}

/** A justification or note: trimmed, and required when `what` is given. */
export function requireText(text: string | null | undefined, what: string, max = 4000): string {
  const t = (text ?? '').trim();
  if (t === '') throw new TieoutError('bad_input', `${what} is required`, { path: what });
  if (t.length > max) throw new TieoutError('bad_input', `${what} is longer than ${max} characters`, { path: what });
  return t;
}

export function findItem(db: Db, ref: ItemRef): ReviewItemRow | undefined {
  return findReviewItem(db, ref.reconciliationId, ref.itemId);
}
