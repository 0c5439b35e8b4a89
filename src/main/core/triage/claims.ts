import { TieoutError } from '../../../shared/error.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import { updateReviewItem, type ReviewItemRow } from '../workspace/triage.js';
import { itemTarget, requireItem, requireText, toIso, type ItemRef } from './items.js';
import { CLOSED } from './status.js';
import { claimedByOtherError } from './transitions.js';
import { requireEditor, requireUser } from './users.js';

export interface ClaimOptions {
  /** Take the item from its current holder; recorded as `item.reassign`. */
  reassign?: boolean;
  note?: string | null;
  now?: Date | string;
}

/** One person works an item at a time. Claiming one's own claim again changes nothing. */
export function claim(db: Db, ref: ItemRef, user: string, opts: ClaimOptions = {}): ReviewItemRow {
  const at = toIso(opts.now ?? new Date());
  const note = opts.note?.trim() || null;
  return db.transaction(() => {
    const u = requireEditor(db, user);
    const item = requireItem(db, ref);
    if (item.claimedBy === u.id) return item;
    if (CLOSED.has(item.status)) throw new TieoutError('conflict', `Item ${item.itemId} is ${item.status}; reopen it before working on it`, { item: item.itemId });
    const taking = item.claimedBy !== null;
    if (taking && !opts.reassign) throw claimedByOtherError(db, item);
    updateReviewItem(db, item.reconciliationId, item.itemId, { claimedBy: u.id, updatedAt: at });
    appendAuditEvent(
      db,
      { actor: u.id, action: taking ? 'item.reassign' : 'item.claim', target: itemTarget(item), before: { claimedBy: item.claimedBy }, after: { claimedBy: u.id }, note },
      at,
    );
    return { ...item, claimedBy: u.id, updatedAt: at };
  }).immediate();
}

/** Gives up one's own claim. Someone else's claim is taken with claim(..., {reassign: true}). */
export function release(db: Db, ref: ItemRef, user: string, now: Date | string = new Date()): ReviewItemRow {
  const at = toIso(now);
  return db.transaction(() => {
    const u = requireUser(db, user);
    const item = requireItem(db, ref);
    if (item.claimedBy === null) return item;
    if (item.claimedBy !== u.id) throw claimedByOtherError(db, item);
    updateReviewItem(db, item.reconciliationId, item.itemId, { claimedBy: null, updatedAt: at });
    appendAuditEvent(db, { actor: u.id, action: 'item.release', target: itemTarget(item), before: { claimedBy: u.id }, after: { claimedBy: null } }, at);
    return { ...item, claimedBy: null, updatedAt: at };
  }).immediate();
}

/**
 * Makes `owner` responsible for the items (claims are untouched: owning is not working on it).
 * All or nothing; one `item.assign` event per item that changes, each carrying the justification.
 */
export function assign(db: Db, refs: readonly ItemRef[], owner: string, actor: string, justification: string, now: Date | string = new Date()): ReviewItemRow[] {
  const why = requireText(justification, 'justification');
  const at = toIso(now);
  return db.transaction(() => {
    requireEditor(db, actor);
    requireUser(db, owner);
    return refs.map((ref) => {
      const item = requireItem(db, ref);
      if (item.owner === owner) return item;
      updateReviewItem(db, item.reconciliationId, item.itemId, { owner, updatedAt: at });
      appendAuditEvent(db, { actor, action: 'item.assign', target: itemTarget(item), before: { owner: item.owner }, after: { owner }, note: why }, at);
      return { ...item, owner, updatedAt: at };
    });
  }).immediate();
}
