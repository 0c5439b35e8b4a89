import { randomUUID } from 'node:crypto';
import { TieoutError } from '../../../shared/error.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import { insertOverride, selectOverride, selectOverrides, setOverrideStates, setOverrideStatus } from '../workspace/overrides.js';
import { revertAdjustment } from './adjust.js';
import { restoreItems } from './items.js';
import { stateOf } from './overrides.js';
import { chooseReasonCode } from './reason-codes.js';
import { assertUnlocked } from './sign-off.js';
import { allRecords, toOverride, type Override, type OverridePayload, type OverrideState } from './types.js';
import { requireActor } from './users.js';

/**
 * Reversal undoes an applied override without deleting anything: a `reversal` override records
 * who undid it and why, the original becomes `reversed`, and its items return to their state from
 * before it (a manual group stops being locked; a broken group stands again). Reversals take
 * effect at once: they return work to an unresolved state, which needs no second pair of eyes.
 */

/** What an override touches: the items it changes and the records it names. Two overrides touch when they share one. */
function touchKeys(o: Override): string[] {
  return [...o.payload.effects.map((e) => `item:${e.itemId}`), ...o.payload.records.left.map((id) => `left:${id}`), ...o.payload.records.right.map((id) => `right:${id}`)];
}

/**
 * The overrides of a reconciliation still in force (applied or waiting), indexed by what they
 * touch, read once per reversal action: a bulk reversal asks it once per override it undoes.
 */
class InForce {
  private readonly live = new Map<number, Override>();
  private readonly byKey = new Map<string, number[]>();

  constructor(db: Db, reconciliationId: number) {
    for (const r of selectOverrides(db, { reconciliationId })) {
      if (r.type === 'reversal' || (r.status !== 'applied' && r.status !== 'pending_approval')) continue;
      const o = toOverride(r);
      this.live.set(o.id, o);
      for (const k of touchKeys(o)) this.byKey.set(k, [...(this.byKey.get(k) ?? []), o.id]);
    }
  }

  /** The first override made after `o` that touches the same items or records, if it is still in force. */
  laterTouching(o: Override): Override | undefined {
    let first: number | undefined;
    for (const k of touchKeys(o)) for (const id of this.byKey.get(k) ?? []) if (id > o.id && this.live.has(id) && (first === undefined || id < first)) first = id;
    return first === undefined ? undefined : this.live.get(first);
  }

  undone(id: number): void {
    this.live.delete(id);
  }
}

function reverseOne(db: Db, o: Override, actor: string, reasonCode: string, note: string | null, at: string, bulkId: string | null, inForce: InForce): Override {
  if (o.type === 'reversal') throw new TieoutError('conflict', `Override #${o.id} is itself a reversal; make a new override instead`, { value: String(o.id) });
  if (o.status === 'pending_approval') throw new TieoutError('conflict', `Override #${o.id} waits for approval and has had no effect; an approver can reject it`, { value: String(o.id) });
  if (o.status === 'rejected') throw new TieoutError('conflict', `Override #${o.id} was rejected and never took effect`, { value: String(o.id) });
  if (o.status === 'reversed') throw new TieoutError('conflict', `Override #${o.id} is already reversed`, { value: String(o.id) });
  // Undo in the opposite order of doing: a later judgement on the same items or records goes first.
  const later = inForce.laterTouching(o);
  if (later) {
    throw new TieoutError('conflict', `Override #${later.id} (${later.type}) came later and touches the same items or records; ${later.status === 'applied' ? 'reverse' : 'reject'} it first`, {
      value: String(later.id),
    });
  }
  assertUnlocked(db, o.reconciliationId, allRecords(o.payload));
  const current = stateOf(db, o.reconciliationId, o.payload.effects, o.after?.group);
  const payload: OverridePayload = { runId: o.payload.runId, records: o.payload.records, approval: null, effects: [], reverses: [o.id], ...(o.payload.groupId && { groupId: o.payload.groupId }) };
  const id = insertOverride(db, {
    reconciliationId: o.reconciliationId,
    type: 'reversal',
    target: `override:${o.id}`,
    payloadJson: JSON.stringify(payload),
    amountMinor: o.amountMinor,
    currency: o.currency,
    reasonCode,
    note,
    maker: actor,
    madeAt: at,
    status: 'applied',
    checker: null,
    checkedAt: null,
    checkNote: null,
    reverses: o.id,
    bulkId,
    beforeJson: JSON.stringify(current),
    afterJson: null,
  });
  restoreItems(db, o.reconciliationId, o.before?.items ?? [], { actor, at, overrideId: id, type: 'reversal', reasonCode, note, bulkId, reversed: o.id });
  revertAdjustment(db, o.id, { actor, at, reasonCode, note, reversal: id });
  const group = o.before?.group && { ...o.before.group, locked: false, broken: false };
  const restored: OverrideState = { ...stateOf(db, o.reconciliationId, o.payload.effects, group), status: 'reversed' };
  setOverrideStates(db, id, JSON.stringify(current), JSON.stringify(restored));
  setOverrideStatus(db, o.id, 'reversed');
  inForce.undone(o.id);
  return toOverride(selectOverride(db, id)!);
}

function requireOverride(db: Db, id: number): Override {
  const r = selectOverride(db, id);
  if (!r) throw new TieoutError('not_found', `No override #${id}`, { value: String(id) });
  return toOverride(r);
}

/** Reverses one applied override; returns the reversal. */
export function reverse(db: Db, overrideId: number, actor: string, reasonCode: string, note?: string | null): Override {
  return db.transaction(() => {
    requireActor(db, actor);
    const code = chooseReasonCode(db, reasonCode, 'reversal', note);
    const o = requireOverride(db, overrideId);
    const at = new Date().toISOString();
    const r = reverseOne(db, o, actor, code.code, note?.trim() || null, at, null, new InForce(db, o.reconciliationId));
    appendAuditEvent(
      db,
      { actor, action: 'override.reverse', target: `override:${o.id}`, before: { status: o.status, type: o.type, state: r.before }, after: { status: 'reversed', reversal: r.id, state: r.after }, reasonCode: code.code, note: r.note },
      at,
    );
    return r;
  }).immediate();
}

/**
 * Reverses every applied override of a bulk action, as one event. Refused while any of them
 * still waits for approval, so the bulk is never left half undone.
 */
export function reverseBulk(db: Db, bulkId: string, actor: string, reasonCode: string, note?: string | null): { bulkId: string; reversals: Override[] } {
  return db.transaction(() => {
    requireActor(db, actor);
    const code = chooseReasonCode(db, reasonCode, 'reversal', note);
    const all = selectOverrides(db, { bulkId }).map(toOverride).filter((o) => o.type !== 'reversal');
    if (all.length === 0) throw new TieoutError('not_found', `No bulk action ${bulkId}`, { value: bulkId });
    const waiting = all.filter((o) => o.status === 'pending_approval');
    if (waiting.length > 0) throw new TieoutError('conflict', `Overrides ${waiting.map((o) => `#${o.id}`).join(', ')} of this bulk action wait for approval; approve or reject them first`, { value: bulkId });
    const applied = all.filter((o) => o.status === 'applied');
    if (applied.length === 0) throw new TieoutError('conflict', `Nothing in bulk action ${bulkId} is applied; there is nothing to reverse`, { value: bulkId });
    const at = new Date().toISOString();
    const reversalBulk = randomUUID();
    // Last made, first undone: within a bulk, later overrides may build on earlier ones.
    const inForce = new InForce(db, applied[0]!.reconciliationId);
    const reversals = [...applied].reverse().map((o) => reverseOne(db, o, actor, code.code, note?.trim() || null, at, reversalBulk, inForce));
    appendAuditEvent(
      db,
      {
        actor,
        action: 'override.reverse_bulk',
        target: `bulk:${bulkId}`,
        before: applied.map((o) => ({ id: o.id, status: o.status })),
        after: reversals.map((r) => ({ id: r.reverses, status: 'reversed', reversal: r.id, state: r.after })),
        reasonCode: code.code,
        note: note?.trim() || null,
      },
      at,
    );
    return { bulkId: reversalBulk, reversals };
  }).immediate();
}

/**
 * The overrides a reviewer sees for one item or group, oldest first: those that target it or
 * change it, and the reversals that undid them. Each applied one can be reversed from there.
 */
export function overrideHistory(db: Db, reconciliationId: number, itemOrGroupId: string): Override[] {
  const all = selectOverrides(db, { reconciliationId }).map(toOverride);
  const mine = new Set(
    all
      .filter((o) => o.target === `item:${itemOrGroupId}` || o.target === `group:${itemOrGroupId}` || o.payload.effects.some((e) => e.itemId === itemOrGroupId))
      .map((o) => o.id),
  );
  return all.filter((o) => mine.has(o.id) || (o.reverses !== null && mine.has(o.reverses)));
}
