import { TieoutError } from '../../../shared/error.js';
import { displayMinor } from '../../../shared/money.js';
import { exceptionId } from '../engine/group-id.js';
import { assertTransition, canTransition, type ItemStatus } from '../triage/status.js';
import type { Db } from '../workspace/index.js';
import {
  insertItem,
  selectExceptionMembers,
  selectGroupMembers,
  selectItem,
  selectOverrides,
  slaHours,
  updateItemState,
  type ItemRow,
} from '../workspace/overrides.js';
import { toOverride, type Effect, type ItemSnapshot, type Override } from './types.js';

/** Used when no SLA policy names the class: three days. */
const DEFAULT_SLA_HOURS = 72;

/**
 * The id the engine gives an unmatched record, so an item surfaced by an unmatch is the same
 * item a later run reports when the record stays unmatched.
 */
export function unmatchedItemId(side: 'left' | 'right', recordId: number): string {
  return side === 'left' ? exceptionId('unmatched_left', undefined, [String(recordId)], []) : exceptionId('unmatched_right', undefined, [], [String(recordId)]);
}

export function snapshot(db: Db, reconciliationId: number, itemId: string): ItemSnapshot {
  const i = selectItem(db, reconciliationId, itemId);
  return i ? { itemId, exists: true, status: i.status, class: i.class, resolution: i.resolution } : { itemId, exists: false };
}

export function describeItem(i: ItemRow): string {
  return `${i.class} item ${i.itemId} (${displayMinor(i.amountMinor, i.currency || 'USD')} ${i.currency})`;
}

/**
 * Moves an item through the status machine. A closed item only reopens, so restoring a
 * closed item to `investigating` goes through `open`; every step is checked.
 */
export function moveItem(db: Db, item: ItemRow, to: ItemStatus, fields: { class?: string; resolution?: string | null; lastSeenRun?: number }, at: string): void {
  const from = item.status;
  if (from !== to) {
    if (canTransition(from, to) || !canTransition(from, 'open') || !canTransition('open', to)) assertTransition(from, to, item.itemId);
    else {
      assertTransition(from, 'open', item.itemId);
      assertTransition('open', to, item.itemId);
    }
  }
  updateItemState(db, item.reconciliationId, item.itemId, {
    status: to,
    class: fields.class ?? item.class,
    resolution: fields.resolution === undefined ? item.resolution : fields.resolution,
    updatedAt: at,
    ...(fields.lastSeenRun !== undefined && { lastSeenRun: fields.lastSeenRun }),
  });
}

export function requireItem(db: Db, reconciliationId: number, itemId: string): ItemRow {
  const i = selectItem(db, reconciliationId, itemId);
  if (!i) throw new TieoutError('not_found', `No review item ${itemId} in this reconciliation`, { value: itemId });
  return i;
}

/** An item a new override may change: open or being investigated, with nothing pending on it. */
export function assertActionable(db: Db, item: ItemRow): void {
  if (item.status === 'pending_approval') {
    const pending = overridesTouching(db, item.reconciliationId, item.itemId).find((o) => o.status === 'pending_approval');
    throw new TieoutError('conflict', `${describeItem(item)} waits for approval${pending ? ` of override #${pending.id}` : ''}; approve or reject that first`, { item: item.itemId });
  }
  if (item.status === 'resolved' || item.status === 'written_off') {
    throw new TieoutError('conflict', `${describeItem(item)} is already ${item.status.replace('_', ' ')}; reverse the override that closed it or reopen it first`, { item: item.itemId });
  }
}

/** Overrides of a reconciliation whose effects touch the item, oldest first. */
export function overridesTouching(db: Db, reconciliationId: number, itemId: string): Override[] {
  return selectOverrides(db, { reconciliationId })
    .map(toOverride)
    .filter((o) => o.payload.effects.some((e) => e.itemId === itemId));
}

/**
 * The records an item covers: its exception's (or suggestion's) members in the run that last
 * reported it; for an item surfaced by an unmatch, the record named in that override.
 */
export function itemRecords(db: Db, item: ItemRow): { left: number[]; right: number[] } {
  const members =
    item.kind === 'suggestion' ? selectGroupMembers(db, item.lastSeenRun, item.itemId) : selectExceptionMembers(db, item.lastSeenRun, item.itemId);
  const out = { left: [] as number[], right: [] as number[] };
  for (const m of members) out[m.side].push(m.recordId);
  if (members.length === 0) {
    for (const o of overridesTouching(db, item.reconciliationId, item.itemId)) {
      for (const e of o.payload.effects) if (e.itemId === item.itemId && e.action === 'surface' && !out[e.side].includes(e.recordId)) out[e.side].push(e.recordId);
    }
  }
  return out;
}

function resolutionText(o: Pick<Override, 'id' | 'type' | 'reasonCode' | 'amountMinor' | 'currency'>): string {
  const base = `${o.type.replace('_', ' ')} by override #${o.id} (${o.reasonCode ?? 'no code'})`;
  return o.type === 'write_off' && o.amountMinor !== null ? `${displayMinor(o.amountMinor, o.currency || 'USD')} ${o.currency ?? ''} written off by override #${o.id} (${o.reasonCode ?? 'no code'})` : base;
}

/** Marks the items an override would change as waiting for approval. Surfaced items do not exist yet: nothing to mark. */
export function markPending(db: Db, reconciliationId: number, effects: readonly Effect[], at: string): void {
  for (const e of effects) {
    if (e.action === 'surface') continue;
    const item = requireItem(db, reconciliationId, e.itemId);
    moveItem(db, item, 'pending_approval', {}, at);
  }
}

/** Carries out the effects of an approved or immediately applied override. */
export function applyEffects(db: Db, o: Pick<Override, 'id' | 'type' | 'reasonCode' | 'amountMinor' | 'currency' | 'reconciliationId' | 'payload'>, at: string): void {
  const rec = o.reconciliationId;
  for (const e of o.payload.effects) {
    const item = selectItem(db, rec, e.itemId);
    switch (e.action) {
      case 'resolve':
        moveItem(db, need(item, e.itemId), 'resolved', { resolution: resolutionText(o) }, at);
        break;
      case 'write_off':
        moveItem(db, need(item, e.itemId), 'written_off', { resolution: resolutionText(o) }, at);
        break;
      case 'reclassify': {
        const i = need(item, e.itemId);
        // Approval decides pending items; a reclassified one is still open work.
        moveItem(db, i, i.status === 'pending_approval' ? 'investigating' : i.status, { class: e.toClass }, at);
        break;
      }
      case 'surface': {
        if (!item) {
          const due = new Date(Date.parse(at) + (slaHours(db, e.class) ?? DEFAULT_SLA_HOURS) * 3_600_000).toISOString();
          insertItem(db, {
            reconciliationId: rec,
            itemId: e.itemId,
            kind: 'exception',
            class: e.class,
            status: 'open',
            amountMinor: e.amountMinor,
            currency: e.currency,
            firstSeenRun: o.payload.runId,
            lastSeenRun: o.payload.runId,
            createdAt: at,
            dueAt: due,
            updatedAt: at,
            resolution: null,
          });
        } else {
          const closed = item.status === 'resolved' || item.status === 'written_off';
          moveItem(db, item, closed ? 'open' : item.status, { class: e.class, resolution: closed ? null : item.resolution, lastSeenRun: Math.max(item.lastSeenRun, o.payload.runId) }, at);
        }
        break;
      }
    }
  }
}

/** Rejection: the items go back to investigation. */
export function unmarkPending(db: Db, reconciliationId: number, effects: readonly Effect[], at: string): void {
  for (const e of effects) {
    if (e.action === 'surface') continue;
    const item = selectItem(db, reconciliationId, e.itemId);
    if (item && item.status === 'pending_approval') moveItem(db, item, 'investigating', {}, at);
  }
}

/** Reversal: each item back to its state before the override; an item the override created is closed, never deleted. */
export function restoreItems(db: Db, reconciliationId: number, before: readonly ItemSnapshot[], reversedId: number, at: string): void {
  for (const b of before) {
    const item = selectItem(db, reconciliationId, b.itemId);
    if (!item) continue;
    if (item.status === 'pending_approval') {
      throw new TieoutError('conflict', `${describeItem(item)} waits for approval of another override; approve or reject it before reversing #${reversedId}`, { item: item.itemId });
    }
    if (!b.exists) moveItem(db, item, 'resolved', { resolution: `withdrawn: override #${reversedId} was reversed` }, at);
    else moveItem(db, item, b.status, { class: b.class, resolution: b.resolution }, at);
  }
}

function need(item: ItemRow | undefined, id: string): ItemRow {
  if (!item) throw new TieoutError('not_found', `Review item ${id} is gone`, { value: id });
  return item;
}
