import { TieoutError } from '../../../shared/error.js';
import { displayMinor } from '../../../shared/money.js';
import type { FieldValue } from '../engine/types.js';
import { exceptionId } from '../engine/group-id.js';
import { addHours, itemTarget } from '../triage/items.js';
import { effectiveOwnershipRules, fallbackOwner, pickOwner, rulesNeedRecords } from '../triage/ownership.js';
import { slaHoursFor, slaPolicy } from '../triage/sla.js';
import { assertTransition, canTransition, CLOSED, type ItemStatus } from '../triage/status.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import {
  insertItem,
  selectExceptionMembers,
  selectGroupMembers,
  selectItem,
  selectOverrides,
  selectRecordFacts,
  updateItemState,
  type ItemRow,
} from '../workspace/overrides.js';
import { applyAdjustment } from './adjust.js';
import { toOverride, type Effect, type ItemSnapshot, type Override } from './types.js';

/**
 * Review items as overrides change them. Each change to an item also writes an event on the
 * item's own audit target (`item:<rec>:<item>`, as triage does), so the item's timeline shows
 * it, and a maker sending an item for approval is recorded the way triage's maker-checker reads.
 */

/** Who is acting, for which override: carried into every item event. */
export interface Acting {
  actor: string;
  at: string;
  overrideId: number;
  type: string;
  reasonCode: string | null;
  note: string | null;
  bulkId: string | null;
}

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

function itemEvent(db: Db, item: ItemRow, after: { status: string; class: string; resolution: string | null }, act: Acting): void {
  const action = after.status !== item.status ? 'item.status' : 'item.class';
  appendAuditEvent(
    db,
    {
      actor: act.actor,
      action,
      target: itemTarget(item),
      before: { status: item.status, class: item.class, resolution: item.resolution },
      after: { ...after, override: act.overrideId, overrideType: act.type, ...(act.bulkId && { bulkId: act.bulkId }) },
      reasonCode: act.reasonCode,
      note: act.note,
    },
    act.at,
  );
}

/**
 * Moves an item through the status machine, with its item event. A closed item only reopens,
 * so restoring a closed item to `investigating` goes through `open`; every step is checked.
 */
export function moveItem(db: Db, item: ItemRow, to: ItemStatus, fields: { class?: string; resolution?: string | null; lastSeenRun?: number }, act: Acting): void {
  const from = item.status;
  if (from !== to) {
    if (canTransition(from, to) || !canTransition(from, 'open') || !canTransition('open', to)) assertTransition(from, to, item.itemId);
    else {
      assertTransition(from, 'open', item.itemId);
      assertTransition('open', to, item.itemId);
    }
  }
  const after = { status: to, class: fields.class ?? item.class, resolution: fields.resolution === undefined ? item.resolution : fields.resolution };
  updateItemState(db, item.reconciliationId, item.itemId, {
    ...after,
    updatedAt: act.at,
    // As in triage: closing or reopening ends anyone's claim on the work.
    clearClaim: from !== to && (CLOSED.has(to) || to === 'open'),
    ...(fields.lastSeenRun !== undefined && { lastSeenRun: fields.lastSeenRun }),
  });
  if (after.status !== item.status || after.class !== item.class || after.resolution !== item.resolution) itemEvent(db, item, after, act);
}

export function requireItem(db: Db, reconciliationId: number, itemId: string): ItemRow {
  const i = selectItem(db, reconciliationId, itemId);
  if (!i) throw new TieoutError('not_found', `No review item ${itemId} in this reconciliation`, { item: itemId });
  return i;
}

/** An item a new override may change: open or being investigated, nothing pending, not claimed by someone else. */
export function assertActionable(db: Db, item: ItemRow, actor: string): void {
  if (item.status === 'pending_approval') {
    const pending = pendingOverrideFor(db, item.reconciliationId, item.itemId);
    throw new TieoutError('conflict', `${describeItem(item)} waits for approval${pending ? ` of override #${pending.id}` : ''}; approve or reject that first`, { item: item.itemId });
  }
  if (CLOSED.has(item.status)) {
    throw new TieoutError('conflict', `${describeItem(item)} is already ${item.status.replace('_', ' ')}; reverse the override that closed it or reopen it first`, { item: item.itemId });
  }
  if (item.claimedBy !== null && item.claimedBy !== actor) {
    throw new TieoutError('conflict', `${describeItem(item)} is being worked by ${item.claimedBy}`, { item: item.itemId, holder: item.claimedBy });
  }
}

/** Overrides of a reconciliation whose effects touch the item, oldest first. */
export function overridesTouching(db: Db, reconciliationId: number, itemId: string): Override[] {
  return selectOverrides(db, { reconciliationId, itemId }).map(toOverride);
}

/** The override an item waits on, if any. Triage should send decisions on such items to approve/reject. */
export function pendingOverrideFor(db: Db, reconciliationId: number, itemId: string): Override | undefined {
  return selectOverrides(db, { reconciliationId, status: 'pending_approval', itemId })
    .map(toOverride)
    .find((o) => o.payload.effects.some((e) => e.itemId === itemId && e.action !== 'surface'));
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
  const code = o.reasonCode ?? 'no code';
  if (o.type === 'write_off' && o.amountMinor !== null) return `${displayMinor(o.amountMinor, o.currency || 'USD')} ${o.currency ?? ''} written off by override #${o.id} (${code})`;
  return `${o.type.replace('_', ' ')} by override #${o.id} (${code})`;
}

/** Marks the items an override would change as waiting for approval. Surfaced items do not exist yet: nothing to mark. */
export function markPending(db: Db, reconciliationId: number, effects: readonly Effect[], act: Acting): void {
  for (const e of effects) {
    if (e.action === 'surface') continue;
    moveItem(db, requireItem(db, reconciliationId, e.itemId), 'pending_approval', {}, act);
  }
}

/** Creates an unmatched item the way triage's sync would: owner by the ownership rules, due by the SLA policy. */
function createSurfaced(db: Db, reconciliationId: number, runId: number, e: Extract<Effect, { action: 'surface' }>, act: Acting): void {
  const rules = effectiveOwnershipRules(db, reconciliationId);
  const facts = selectRecordFacts(db, e.recordId);
  const records = rulesNeedRecords(rules) && facts ? [{ source: facts.source, fields: JSON.parse(facts.fieldsJson) as Record<string, FieldValue> }] : [];
  const owner = pickOwner(rules, { class: e.class, amountMinor: e.amountMinor, currency: e.currency, records })?.owner ?? fallbackOwner(db);
  const item = {
    reconciliationId,
    itemId: e.itemId,
    kind: 'exception' as const,
    class: e.class,
    status: 'open' as const,
    owner,
    amountMinor: e.amountMinor,
    currency: e.currency,
    firstSeenRun: runId,
    lastSeenRun: runId,
    createdAt: act.at,
    dueAt: addHours(act.at, slaHoursFor(slaPolicy(db), e.class)),
    updatedAt: act.at,
    resolution: null,
  };
  insertItem(db, item);
  appendAuditEvent(
    db,
    {
      actor: act.actor,
      action: 'item.create',
      target: itemTarget(item),
      after: { kind: item.kind, class: item.class, amountMinor: item.amountMinor, currency: item.currency, owner, dueAt: item.dueAt, run: runId, override: act.overrideId, record: e.recordId },
      reasonCode: act.reasonCode,
      note: act.note,
    },
    act.at,
  );
}

/** Carries out the effects of an approved or immediately applied override. */
export function applyEffects(db: Db, o: Pick<Override, 'id' | 'type' | 'reasonCode' | 'amountMinor' | 'currency' | 'reconciliationId' | 'payload'>, act: Acting): void {
  const rec = o.reconciliationId;
  if (o.payload.adjustment) applyAdjustment(db, o.payload.adjustment, { actor: act.actor, at: act.at, overrideId: o.id, reasonCode: act.reasonCode, note: act.note });
  for (const e of o.payload.effects) {
    const item = selectItem(db, rec, e.itemId);
    switch (e.action) {
      case 'resolve':
        moveItem(db, need(item, e.itemId), 'resolved', { resolution: resolutionText(o) }, act);
        break;
      case 'write_off':
        moveItem(db, need(item, e.itemId), 'written_off', { resolution: resolutionText(o) }, act);
        break;
      case 'reclassify': {
        const i = need(item, e.itemId);
        // Approval decides a pending item; a reclassified one is still open work.
        moveItem(db, i, i.status === 'pending_approval' ? 'investigating' : i.status, { class: e.toClass }, act);
        break;
      }
      case 'surface':
        if (!item) createSurfaced(db, rec, o.payload.runId, e, act);
        else {
          const closed = CLOSED.has(item.status);
          moveItem(db, item, closed ? 'open' : item.status, { class: e.class, resolution: closed ? null : item.resolution, lastSeenRun: Math.max(item.lastSeenRun, o.payload.runId) }, act);
        }
        break;
    }
  }
}

/** Rejection: the items go back to investigation. */
export function unmarkPending(db: Db, reconciliationId: number, effects: readonly Effect[], act: Acting): void {
  for (const e of effects) {
    if (e.action === 'surface') continue;
    const item = selectItem(db, reconciliationId, e.itemId);
    if (item && item.status === 'pending_approval') moveItem(db, item, 'investigating', {}, act);
  }
}

/** Reversal: each item back to its state before the override; an item the override created is closed, never deleted. */
export function restoreItems(db: Db, reconciliationId: number, before: readonly ItemSnapshot[], act: Acting & { reversed: number }): void {
  for (const b of before) {
    const item = selectItem(db, reconciliationId, b.itemId);
    if (!item) continue;
    if (item.status === 'pending_approval') {
      throw new TieoutError('conflict', `${describeItem(item)} waits for approval of another override; approve or reject it before reversing #${act.reversed}`, { item: item.itemId });
    }
    if (!b.exists) moveItem(db, item, 'resolved', { resolution: `withdrawn: override #${act.reversed} was reversed` }, act);
    else moveItem(db, item, b.status, { class: b.class, resolution: b.resolution }, act);
  }
}

function need(item: ItemRow | undefined, id: string): ItemRow {
  if (!item) throw new TieoutError('not_found', `Review item ${id} is gone`, { item: id });
  return item;
}
