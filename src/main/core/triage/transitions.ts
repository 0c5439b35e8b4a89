import { TieoutError } from '../../../shared/error.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import { findUserRow, lastSubmitter, updateReviewItem, type ItemPatch, type ReviewItemRow, type UserRow } from '../workspace/triage.js';
import { itemRecords, pendingOverrideFor } from '../overrides/items.js';
import { assertUnlocked, lockedPeriods } from '../overrides/sign-off.js';
import { itemTarget, requireItem, toIso, type ItemRef } from './items.js';
import { CLOSED, ITEM_STATUSES, canTransition, type ItemStatus } from './status.js';
import { requireEditor } from './users.js';

export function isItemStatus(s: string): s is ItemStatus {
  return (ITEM_STATUSES as readonly string[]).includes(s);
}

function holderName(db: Db, id: string): string {
  return findUserRow(db, id)?.name ?? id;
}

export function claimedByOtherError(db: Db, item: ReviewItemRow): TieoutError {
  return new TieoutError('conflict', `Item ${item.itemId} is being worked by ${holderName(db, item.claimedBy ?? '')}`, {
    item: item.itemId,
    holder: item.claimedBy,
  });
}

/**
 * Why `user` may not move `item` to `to`, or null when allowed:
 * - the status machine (status.ts) must allow the step;
 * - an item waiting on a pending override leaves pending_approval only through that override's
 *   approval, rejection or reversal, never by a bare status change (which would leave the
 *   override pending with its item closed or reopened under it);
 * - leaving pending_approval is the approval decision: approvers only, and never the person who
 *   submitted it (maker-checker); approvers decide whoever holds the claim;
 * - an item whose records fall in a signed-off period does not change until the period is unlocked;
 * - otherwise an item claimed by someone else is theirs to change.
 * Auditors are refused before this is asked (requireEditor).
 */
export function statusChangeRefusal(db: Db, item: ReviewItemRow, to: ItemStatus, user: UserRow): TieoutError | null {
  const target = itemTarget(item);
  if (!canTransition(item.status, to)) {
    const allowed = ITEM_STATUSES.filter((s) => canTransition(item.status, s)).join(', ');
    return new TieoutError('conflict', `Item ${item.itemId} cannot go from ${item.status} to ${to}; allowed: ${allowed}`, { item: item.itemId, from: item.status, to });
  }
  if (item.status === 'pending_approval') {
    const pending = pendingOverrideFor(db, item.reconciliationId, item.itemId);
    if (pending) {
      return new TieoutError('conflict', `Item ${item.itemId} waits for approval of override #${pending.id} (${pending.type} by ${pending.maker}${pending.reasonCode ? `, reason ${pending.reasonCode}` : ''}); approve or reject that override instead of setting its status`, {
        item: item.itemId,
        override: pending.id,
      });
    }
    const locked = lockRefusal(db, item);
    if (locked) return locked;
    if (user.role !== 'approver') return new TieoutError('forbidden', `Only an approver can decide item ${item.itemId}, which is pending approval`, { item: item.itemId });
    const maker = lastSubmitter(db, target);
    if (maker === user.id) return new TieoutError('forbidden', `${user.name} submitted item ${item.itemId} for approval and cannot also approve it`, { item: item.itemId });
    return null;
  }
  if (item.claimedBy !== null && item.claimedBy !== user.id) return claimedByOtherError(db, item);
  return lockRefusal(db, item);
}

/** A signed-off period holds the item's records: the refusal naming it, else null. */
export function lockRefusal(db: Db, item: ReviewItemRow): TieoutError | null {
  // Most reconciliations have nothing signed off: skip reading the item's records then.
  if (lockedPeriods(db, item.reconciliationId).length === 0) return null;
  try {
    const r = itemRecords(db, item);
    assertUnlocked(db, item.reconciliationId, [...r.left, ...r.right]);
    return null;
  } catch (e) {
    if (e instanceof TieoutError) return e;
    throw e;
  }
}

/** The columns a status change writes besides the status itself. */
export function statusPatch(item: ReviewItemRow, to: ItemStatus, user: UserRow, note: string | null, at: string): ItemPatch {
  if (CLOSED.has(to)) {
    // Closing ends the work: the claim goes, and the resolution says how it ended.
    return { status: to, claimedBy: null, resolution: note ?? `${to === 'resolved' ? 'Resolved' : 'Written off'} by ${user.name}`, updatedAt: at };
  }
  if (to === 'open') return { status: to, claimedBy: null, resolution: null, updatedAt: at };
  // Starting to investigate takes a free claim. A submission keeps the maker's claim, and a
  // rejection hands the item back to them, so the approver never ends up holding it.
  const takes = to === 'investigating' && item.status !== 'pending_approval';
  return { status: to, claimedBy: takes ? (item.claimedBy ?? user.id) : item.claimedBy, resolution: null, updatedAt: at };
}

export function snapshot(item: Pick<ReviewItemRow, 'status' | 'owner' | 'claimedBy' | 'resolution'>) {
  return { status: item.status, owner: item.owner, claimedBy: item.claimedBy, resolution: item.resolution };
}

/** Moves an item through the status machine, checked against claims and roles, with its audit event. */
export function setStatus(db: Db, ref: ItemRef, to: ItemStatus, actor: string, note?: string | null, now: Date | string = new Date()): ReviewItemRow {
  if (!isItemStatus(to)) throw new TieoutError('bad_input', `Unknown status "${String(to)}"`, { path: 'status' });
  const at = toIso(now);
  const text = note?.trim() || null;
  return db.transaction(() => {
    const user = requireEditor(db, actor);
    const item = requireItem(db, ref);
    const refusal = statusChangeRefusal(db, item, to, user);
    if (refusal) throw refusal;
    const patch = statusPatch(item, to, user, text, at);
    updateReviewItem(db, item.reconciliationId, item.itemId, patch);
    const after = { ...item, ...patch };
    appendAuditEvent(db, { actor: user.id, action: 'item.status', target: itemTarget(item), before: snapshot(item), after: snapshot(after), note: text }, at);
    return after;
  }).immediate();
}
