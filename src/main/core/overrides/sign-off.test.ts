import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { approve, decideUnlock, isLocked, listPeriods, lockedPeriods, makeOverride, periodEvents, requestUnlock, reverse, signOff, unlockPeriod } from './index.js';
import { auditActions, auditCount, chainOk, exceptionsOf, expectRefused, type Fixture, fixturePerTest, itemOf, periodOf } from './test-fixture.js';

const fixtures = fixturePerTest();
let f: Fixture;

const refused = (fn: () => unknown, code: string, message: RegExp) => expectRefused(f.db, fn, code, message);

/** A small variance, and the month of its buy (its invoice may fall in the next one). */
function variance() {
  const v = exceptionsOf(f.db, f.runId, 'amount_variance').find((x) => x.amountMinor <= 10_000)!;
  return { v, period: periodOf(f.db, v.left[0]!), periods: [periodOf(f.db, v.left[0]!), periodOf(f.db, v.right[0]!)] };
}

describe('period sign-off', () => {
  it('signing off locks the period; an override on an item dated in it is refused, naming the period', () => {
    f = fixtures.fresh();
    const { v, period } = variance();
    expect(isLocked(f.db, f.recId, period)).toBe(false);
    const seq = auditCount(f.db);
    const e = signOff(f.db, f.recId, period, 'fin');
    expect(e).toMatchObject({ action: 'sign_off', actor: 'fin', period });
    expect(auditActions(f.db, seq)).toEqual(['period.sign_off']);
    expect(isLocked(f.db, f.recId, period)).toBe(true);
    expect(lockedPeriods(f.db, f.recId)).toEqual([period]);
    const err = refused(() => makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'fx_rounding' }, 'ana'), 'forbidden', new RegExp(`Period ${period} .* is signed off`));
    expect(err.details?.['period']).toBe(period);
    expect(itemOf(f, v.exceptionId).status).toBe('open');
    refused(() => signOff(f.db, f.recId, period, 'max'), 'conflict', /already signed off/);
  });

  it('locks reversals in the period too', () => {
    f = fixtures.fresh();
    const { v, period } = variance();
    const o = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'fx_rounding' }, 'ana');
    signOff(f.db, f.recId, period, 'fin');
    refused(() => reverse(f.db, o.id, 'ana', 'override_in_error', 'x'), 'forbidden', new RegExp(period));
  });

  it('only an approver signs off, a period is YYYY-MM, and a period with overrides waiting for approval cannot be signed off', () => {
    f = fixtures.fresh();
    const { v, period } = variance();
    refused(() => signOff(f.db, f.recId, period, 'ana'), 'forbidden', /only an approver can sign off/);
    refused(() => signOff(f.db, f.recId, '2026-13', 'fin'), 'bad_input', /YYYY-MM/);
    refused(() => signOff(f.db, f.recId, 'March', 'fin'), 'bad_input', /YYYY-MM/);
    refused(() => signOff(f.db, 999, period, 'fin'), 'not_found', /No reconciliation/);
    const o = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'make_good', note: 'x' }, 'ana');
    refused(() => signOff(f.db, f.recId, period, 'fin'), 'conflict', new RegExp(`waiting for approval \\(#${o.id}\\)`));
    approve(f.db, o.id, 'fin', 'ok');
    expect(signOff(f.db, f.recId, period, 'fin').action).toBe('sign_off');
  });

  it('unlocking needs a reason and a different user who is an approver; both are recorded, then overrides work again', () => {
    f = fixtures.fresh();
    const { v, period } = variance();
    signOff(f.db, f.recId, period, 'fin');
    refused(() => unlockPeriod(f.db, f.recId, period, 'ana', 'fin', ' '), 'bad_input', /needs a reason/);
    refused(() => unlockPeriod(f.db, f.recId, period, 'fin', 'fin', 'late credit'), 'forbidden', /cannot approve their own unlock/);
    refused(() => unlockPeriod(f.db, f.recId, period, 'ana', 'bob', 'late credit'), 'forbidden', /only an approver/);
    refused(() => unlockPeriod(f.db, f.recId, period, 'aud', 'fin', 'late credit'), 'forbidden', /auditor/);
    refused(() => unlockPeriod(f.db, f.recId, '2020-01', 'ana', 'fin', 'x'), 'conflict', /not signed off/);
    const seq = auditCount(f.db);
    const u = unlockPeriod(f.db, f.recId, period, 'ana', 'fin', 'late vendor credit');
    expect(u).toMatchObject({ action: 'unlock', actor: 'ana', approver: 'fin', reason: 'late vendor credit' });
    expect(auditActions(f.db, seq)).toEqual(['period.unlock']);
    const ev = f.db.prepare('SELECT * FROM audit_event WHERE seq > ?').get(seq) as { note: string; after_json: string };
    expect(ev.note).toBe('late vendor credit');
    expect(JSON.parse(ev.after_json)).toMatchObject({ approver: 'fin', locked: false });
    expect(isLocked(f.db, f.recId, period)).toBe(false);
    expect(periodEvents(f.db, f.recId).map((e) => e.action)).toEqual(['sign_off', 'unlock']);
    expect(makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'fx_rounding' }, 'ana').status).toBe('applied');
    // It can be signed off again; the history keeps every event.
    signOff(f.db, f.recId, period, 'max');
    expect(periodEvents(f.db, f.recId).map((e) => e.action)).toEqual(['sign_off', 'unlock', 'sign_off']);
    expect(chainOk(f.db)).toBe(true);
  });

  it('other periods stay open', () => {
    f = fixtures.fresh();
    const { v, periods } = variance();
    const other = '2030-01';
    expect(periods).not.toContain(other);
    signOff(f.db, f.recId, other, 'fin');
    expect(makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'fx_rounding' }, 'ana').status).toBe('applied');
  });

  it('lists the months of the data with their state, and unlocks on request once a different approver agrees', () => {
    f = fixtures.fresh();
    const { v, period } = variance();
    const months = (f.db.prepare("SELECT DISTINCT substr(record_date, 1, 7) AS p FROM record WHERE is_current = 1 AND record_date IS NOT NULL ORDER BY p").all() as { p: string }[]).map((r) => r.p);
    const before = listPeriods(f.db, f.recId);
    expect(before.map((p) => p.period)).toEqual(months);
    expect(before.every((p) => p.state === 'open' && p.records > 0 && p.unlockRequest === null)).toBe(true);

    signOff(f.db, f.recId, period, 'fin', 'March closed');
    expect(listPeriods(f.db, f.recId).find((p) => p.period === period)).toMatchObject({ state: 'signed_off', events: [expect.objectContaining({ action: 'sign_off', actor: 'fin', reason: 'March closed' })] });
    refused(() => requestUnlock(f.db, f.recId, period, 'ana', '  '), 'bad_input', /needs a reason/);
    refused(() => decideUnlock(f.db, f.recId, period, 'max', 'approve'), 'conflict', /Nobody has asked/);

    const seq = auditCount(f.db);
    const req = requestUnlock(f.db, f.recId, period, 'ana', 'late vendor credit');
    expect(auditActions(f.db, seq)).toEqual(['period.unlock_request']);
    expect(isLocked(f.db, f.recId, period)).toBe(true);
    expect(listPeriods(f.db, f.recId).find((p) => p.period === period)!.unlockRequest).toMatchObject({ actor: 'ana', reason: 'late vendor credit', seq: req.seq });
    refused(() => requestUnlock(f.db, f.recId, period, 'bob', 'me too'), 'conflict', /already asked/);
    // Analysts cannot agree; an approver refusing needs a note and keeps it locked.
    refused(() => decideUnlock(f.db, f.recId, period, 'bob', 'approve'), 'forbidden', /approver/);
    refused(() => decideUnlock(f.db, f.recId, period, 'max', 'reject'), 'bad_input', /note/);
    decideUnlock(f.db, f.recId, period, 'max', 'reject', 'not this month');
    expect(isLocked(f.db, f.recId, period)).toBe(true);
    expect(listPeriods(f.db, f.recId).find((p) => p.period === period)!.unlockRequest).toBeNull();

    // An approver who asked cannot agree to their own request.
    requestUnlock(f.db, f.recId, period, 'fin', 'credit arrived');
    refused(() => decideUnlock(f.db, f.recId, period, 'fin', 'approve'), 'forbidden', /cannot approve their own unlock/);
    const e = decideUnlock(f.db, f.recId, period, 'max', 'approve');
    expect(e).toMatchObject({ action: 'unlock', actor: 'fin', approver: 'max', reason: 'credit arrived' });
    expect(listPeriods(f.db, f.recId).find((p) => p.period === period)).toMatchObject({ state: 'unlocked', unlockRequest: null });
    expect(periodEvents(f.db, f.recId).map((x) => x.action)).toEqual(['sign_off', 'unlock']);
    expect(listPeriods(f.db, f.recId).find((p) => p.period === period)!.history.map((h) => [h.action, h.actor, h.note, h.approver])).toEqual([
      ['period.sign_off', 'fin', 'March closed', null],
      ['period.unlock_request', 'ana', 'late vendor credit', null],
      ['period.unlock_reject', 'max', 'not this month', null],
      ['period.unlock_request', 'fin', 'credit arrived', null],
      ['period.unlock', 'fin', 'credit arrived', 'max'],
    ]);
    makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'fx_rounding' }, 'ana');
    expect(chainOk(f.db)).toBe(true);
  });
});
