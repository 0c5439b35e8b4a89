import { TieoutError } from '../../../shared/error.js';
import { appendAuditEvent, findReconciliation, listAuditEvents, type Db, type ReconciliationRow } from '../workspace/index.js';
import {
  insertLockEvent,
  latestLockEvent,
  selectLockedPeriods,
  selectLockEvents,
  selectOverrides,
  selectReconciliationPeriods,
  selectRecordPeriods,
  type LockEventRow,
} from '../workspace/overrides.js';
import { allRecords, toOverride } from './types.js';
import { requireActor, requireApprover } from './users.js';

/**
 * Period sign-off. A period is a calendar month, 'YYYY-MM', of one reconciliation.
 *
 * An override falls in the periods of the records it touches: the months of their
 * `record.record_date` (the date the import mapping marked as the record's main date: the
 * flight end of a buy, the invoice date of an invoice line). An item's records are its
 * exception's members in the run that last reported it. Records without a date belong to no
 * period. If any of those months is signed off, the override is refused until an unlock.
 */

export type LockEvent = LockEventRow;

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

function checkPeriod(period: string): void {
  if (!PERIOD.test(period)) throw new TieoutError('bad_input', `A period is a month written YYYY-MM, got "${period}"`, { path: 'period', value: period });
}

function requireReconciliation(db: Db, id: number): ReconciliationRow {
  const r = findReconciliation(db, id);
  if (!r) throw new TieoutError('not_found', `No reconciliation with id ${id}`);
  return r;
}

export function isLocked(db: Db, reconciliationId: number, period: string): boolean {
  return latestLockEvent(db, reconciliationId, period)?.action === 'sign_off';
}

export function lockedPeriods(db: Db, reconciliationId: number): string[] {
  return selectLockedPeriods(db, reconciliationId);
}

/** Every sign-off and unlock of a reconciliation, oldest first. */
export function periodEvents(db: Db, reconciliationId: number): LockEvent[] {
  return selectLockEvents(db, reconciliationId);
}

/** The months the records' dates fall in. */
export function periodsOf(db: Db, recordIds: readonly number[]): string[] {
  return selectRecordPeriods(db, recordIds);
}

/** Refuses a change to records dated in a signed-off period, naming the period. */
export function assertUnlocked(db: Db, reconciliationId: number, recordIds: readonly number[]): void {
  const locked = new Set(selectLockedPeriods(db, reconciliationId));
  if (locked.size === 0) return;
  const hit = selectRecordPeriods(db, recordIds).filter((p) => locked.has(p));
  if (hit.length > 0) {
    const name = findReconciliation(db, reconciliationId)?.name ?? String(reconciliationId);
    throw new TieoutError(
      'forbidden',
      `Period ${hit.join(', ')} of "${name}" is signed off; unlocking it needs a reason and an approver`,
      { period: hit[0], periods: hit },
    );
  }
}

/**
 * Signs a period off, which locks it. Only an approver signs off, and not while overrides in
 * that period still wait for approval: a signed-off period has no open judgements.
 */
export function signOff(db: Db, reconciliationId: number, period: string, actor: string, note?: string | null): LockEvent {
  checkPeriod(period);
  return db.transaction(() => {
    const rec = requireReconciliation(db, reconciliationId);
    requireApprover(db, actor, 'sign off a period');
    if (isLocked(db, rec.id, period)) throw new TieoutError('conflict', `Period ${period} of "${rec.name}" is already signed off`, { period });
    const waiting = selectOverrides(db, { reconciliationId: rec.id, status: 'pending_approval' })
      .map(toOverride)
      .filter((o) => selectRecordPeriods(db, allRecords(o.payload)).includes(period));
    if (waiting.length > 0) {
      throw new TieoutError('conflict', `Period ${period} of "${rec.name}" has overrides waiting for approval (${waiting.map((o) => `#${o.id}`).join(', ')}); approve or reject them first`, { period });
    }
    const at = new Date().toISOString();
    const e = { reconciliationId: rec.id, period, action: 'sign_off' as const, actor, approver: null, reason: note?.trim() || null, at };
    const id = insertLockEvent(db, e);
    appendAuditEvent(db, { actor, action: 'period.sign_off', target: `period:${rec.id}:${period}`, before: { locked: false }, after: { locked: true, reconciliation: rec.name, period }, note: e.reason }, at);
    return { id, ...e };
  }).immediate();
}

/** Unlocks a signed-off period: a reason, and a different user with role approver who agrees. */
export function unlockPeriod(db: Db, reconciliationId: number, period: string, actor: string, approver: string, reason: string): LockEvent {
  checkPeriod(period);
  if (!reason?.trim()) throw new TieoutError('bad_input', 'Unlocking a period needs a reason', { path: 'reason' });
  return db.transaction(() => {
    const rec = requireReconciliation(db, reconciliationId);
    requireActor(db, actor);
    requireApprover(db, approver, 'approve unlocking a period');
    if (approver === actor) throw new TieoutError('forbidden', `${actor} cannot approve their own unlock; another approver must`, { value: actor });
    if (!isLocked(db, rec.id, period)) throw new TieoutError('conflict', `Period ${period} of "${rec.name}" is not signed off`, { period });
    const at = new Date().toISOString();
    const e = { reconciliationId: rec.id, period, action: 'unlock' as const, actor, approver, reason: reason.trim(), at };
    const id = insertLockEvent(db, e);
    appendAuditEvent(
      db,
      { actor, action: 'period.unlock', target: `period:${rec.id}:${period}`, before: { locked: true }, after: { locked: false, reconciliation: rec.name, period, approver }, note: e.reason },
      at,
    );
    return { id, ...e };
  }).immediate();
}

// ---------------------------------------------------------------- periods as a list, and unlocks asked for

/**
 * An unlock asked for and not yet decided. It lives in the audit log only (`period.unlock_request`
 * on the period's target): the request is itself an event, and the unlock that follows, or its
 * refusal, closes it. Whoever asks cannot be the approver who agrees (unlockPeriod refuses that).
 */
export interface UnlockRequest {
  seq: number;
  actor: string;
  reason: string;
  at: string;
}

export interface PeriodState {
  period: string;
  /** Current records of the reconciliation's sources dated in it. */
  records: number;
  /** open: never signed off; signed_off: locked; unlocked: signed off once, now open again. */
  state: 'open' | 'signed_off' | 'unlocked';
  events: LockEvent[];
  unlockRequest: UnlockRequest | null;
  /** Its audit events (sign-offs, unlocks asked for, refused and granted), oldest first. */
  history: { seq: number; at: string; actor: string; action: string; note: string | null; approver: string | null }[];
}

function periodTarget(reconciliationId: number, period: string): string {
  return `period:${reconciliationId}:${period}`;
}

const PERIOD_ACTIONS = new Set(['period.sign_off', 'period.unlock', 'period.unlock_request', 'period.unlock_reject']);

/** The undecided unlock request of a period, if any: the period's latest event is the request. */
export function pendingUnlockRequest(db: Db, reconciliationId: number, period: string): UnlockRequest | null {
  const { events } = listAuditEvents(db, { target: periodTarget(reconciliationId, period), limit: 20 });
  const last = events.find((e) => PERIOD_ACTIONS.has(e.action));
  if (last?.action !== 'period.unlock_request') return null;
  return { seq: last.seq, actor: last.actor, reason: last.note ?? '', at: last.at };
}

function periodHistory(db: Db, reconciliationId: number, period: string): PeriodState['history'] {
  return listAuditEvents(db, { target: periodTarget(reconciliationId, period), limit: 1000 })
    .events.filter((e) => PERIOD_ACTIONS.has(e.action))
    .reverse()
    .map((e) => ({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, note: e.note, approver: (e.after as { approver?: string } | null)?.approver ?? null }));
}

/** Every month the reconciliation's records fall in, and any month ever signed off, with its state. */
export function listPeriods(db: Db, reconciliationId: number): PeriodState[] {
  requireReconciliation(db, reconciliationId);
  const counts = new Map(selectReconciliationPeriods(db, reconciliationId).map((p) => [p.period, p.records]));
  const events = selectLockEvents(db, reconciliationId);
  const months = [...new Set([...counts.keys(), ...events.map((e) => e.period)])].sort();
  return months.map((period) => {
    const own = events.filter((e) => e.period === period);
    const last = own.at(-1);
    return {
      period,
      records: counts.get(period) ?? 0,
      state: !last ? 'open' : last.action === 'sign_off' ? 'signed_off' : 'unlocked',
      events: own,
      unlockRequest: last?.action === 'sign_off' ? pendingUnlockRequest(db, reconciliationId, period) : null,
      history: last ? periodHistory(db, reconciliationId, period) : [],
    };
  });
}

/** Asks for a signed-off period to be unlocked, with a reason; an approver then decides. */
export function requestUnlock(db: Db, reconciliationId: number, period: string, actor: string, reason: string): UnlockRequest {
  checkPeriod(period);
  if (!reason?.trim()) throw new TieoutError('bad_input', 'Unlocking a period needs a reason', { path: 'reason' });
  return db.transaction(() => {
    const rec = requireReconciliation(db, reconciliationId);
    requireActor(db, actor);
    if (!isLocked(db, rec.id, period)) throw new TieoutError('conflict', `Period ${period} of "${rec.name}" is not signed off`, { period });
    const open = pendingUnlockRequest(db, rec.id, period);
    if (open) throw new TieoutError('conflict', `${open.actor} already asked to unlock ${period} of "${rec.name}" ("${open.reason}"); an approver decides that first`, { period });
    const at = new Date().toISOString();
    const seq = appendAuditEvent(
      db,
      { actor, action: 'period.unlock_request', target: periodTarget(rec.id, period), before: { locked: true }, after: { locked: true, requested: true, reconciliation: rec.name, period }, note: reason.trim() },
      at,
    ).seq;
    return { seq, actor, reason: reason.trim(), at };
  }).immediate();
}

/**
 * An approver decides an unlock request: approving unlocks the period (the requester as actor,
 * the approver as the second person); refusing keeps it locked and closes the request.
 */
export function decideUnlock(db: Db, reconciliationId: number, period: string, approver: string, decision: 'approve' | 'reject', note?: string | null): LockEvent | null {
  checkPeriod(period);
  return db.transaction(() => {
    const rec = requireReconciliation(db, reconciliationId);
    const req = pendingUnlockRequest(db, rec.id, period);
    if (!req) throw new TieoutError('conflict', `Nobody has asked to unlock ${period} of "${rec.name}"`, { period });
    if (decision === 'approve') return unlockPeriod(db, rec.id, period, req.actor, approver, req.reason);
    requireApprover(db, approver, 'refuse unlocking a period');
    if (!note?.trim()) throw new TieoutError('bad_input', `To refuse unlocking ${period}, say why in a note`, { path: 'note' });
    appendAuditEvent(
      db,
      { actor: approver, action: 'period.unlock_reject', target: periodTarget(rec.id, period), before: { locked: true, requestedBy: req.actor }, after: { locked: true, reconciliation: rec.name, period }, note: note.trim() },
      new Date().toISOString(),
    );
    return null;
  }).immediate();
}
