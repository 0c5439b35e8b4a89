import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { lastSubmitter } from '../workspace/triage.js';
import { selectItem } from '../workspace/overrides.js';
import { approve, effectiveGroups, getOverride, lockedGroupsFor, makeOverride, pendingApprovals, pendingOverrideFor, reject, unmatchedItemId } from './index.js';
import { overridesTouching } from './items.js';
import { auditActions, auditCount, chainOk, exceptionsOf, expectRefused, type Fixture, fixturePerTest, itemOf, matchedGroups } from './test-fixture.js';

const fixtures = fixturePerTest();
let f: Fixture;

const refused = (fn: () => unknown, code: string, message: RegExp) => expectRefused(f.db, fn, code, message);

/** A variance item above the immaterial write-off threshold (1,000.00). */
function bigVariance() {
  const all = [...exceptionsOf(f.db, f.runId, 'amount_variance'), ...exceptionsOf(f.db, f.runId, 'currency_mismatch')];
  return all.find((x) => x.amountMinor > 100_000)!;
}

function smallVariance() {
  return exceptionsOf(f.db, f.runId, 'amount_variance').find((x) => x.amountMinor <= 10_000)!;
}

describe('approval rules', () => {
  it('applies at once when the code never needs approval', () => {
    f = fixtures.fresh();
    const o = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: bigVariance().exceptionId, reasonCode: 'timing_difference' }, 'ana');
    expect(o.status).toBe('applied');
  });

  it('"above": at or below the threshold applies at once; above it waits for approval', () => {
    f = fixtures.fresh();
    const small = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: smallVariance().exceptionId, reasonCode: 'immaterial_write_off' }, 'ana');
    expect(small.status).toBe('applied');
    const big = bigVariance();
    const exactly = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: big.exceptionId, amountMinor: 100_000, reasonCode: 'immaterial_write_off' }, 'ana');
    expect(exactly.status).toBe('applied');
  });

  it('"above": a write-off over 1,000.00 is pending, its item waits, and nothing else happens until approved', () => {
    f = fixtures.fresh();
    const big = bigVariance();
    const o = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: big.exceptionId, reasonCode: 'immaterial_write_off' }, 'ana');
    expect(o.status).toBe('pending_approval');
    expect(o.approvalReason).toMatch(/above the 1,000.00 .* approval threshold/);
    expect(itemOf(f, big.exceptionId)).toMatchObject({ status: 'pending_approval', resolution: null });
    expect(pendingOverrideFor(f.db, f.recId, big.exceptionId)?.id).toBe(o.id);
    // Recorded as triage reads maker-checker: the maker sent the item for approval.
    expect(lastSubmitter(f.db, `item:${f.recId}:${big.exceptionId}`)).toBe('ana');
  });

  it("finds an item's own overrides among the reconciliation's others, and only its own pending one", () => {
    f = fixtures.fresh();
    const smallId = smallVariance().exceptionId;
    const bigId = bigVariance().exceptionId;
    const small = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: smallId, reasonCode: 'immaterial_write_off' }, 'ana');
    const big = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: bigId, reasonCode: 'immaterial_write_off' }, 'ana');
    expect(overridesTouching(f.db, f.recId, smallId).map((o) => o.id)).toEqual([small.id]);
    expect(overridesTouching(f.db, f.recId, bigId).map((o) => o.id)).toEqual([big.id]);
    expect(pendingOverrideFor(f.db, f.recId, smallId)).toBeUndefined();
    expect(pendingOverrideFor(f.db, f.recId, bigId)?.id).toBe(big.id);
  });

  it('"always": a make-good waits for approval whatever the amount', () => {
    f = fixtures.fresh();
    const o = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: smallVariance().exceptionId, reasonCode: 'make_good', note: 'bonus impressions' }, 'ana');
    expect(o.status).toBe('pending_approval');
    expect(o.approvalReason).toMatch(/always needs approval/);
  });

  it('a pending force match locks nothing and a pending unmatch breaks nothing until approved', () => {
    f = fixtures.fresh();
    const left = exceptionsOf(f.db, f.runId, 'unmatched_left')[0]!;
    const right = exceptionsOf(f.db, f.runId, 'unmatched_right')[0]!;
    const fm = makeOverride(f.db, { type: 'force_match', reconciliationId: f.recId, left: left.left, right: right.right, reasonCode: 'make_good', note: 'make-good line' }, 'ana');
    expect(fm.status).toBe('pending_approval');
    expect(lockedGroupsFor(f.db, f.recId)).toEqual([]);
    expect(itemOf(f, left.exceptionId).status).toBe('pending_approval');
    expect(effectiveGroups(f.db, f.recId, f.runId).manual).toMatchObject([{ overrideId: fm.id, status: 'pending_approval' }]);

    const g = matchedGroups(f.db, f.runId)[0]!;
    const um = makeOverride(f.db, { type: 'unmatch', reconciliationId: f.recId, groupId: g.groupId, reasonCode: 'duplicate_billing_disputed', note: 'disputed' }, 'ana');
    expect(um.status).toBe('pending_approval');
    expect(selectItem(f.db, f.recId, unmatchedItemId('left', g.left[0]!))).toBeUndefined();
    expect(effectiveGroups(f.db, f.recId, f.runId).broken).toEqual([]);

    approve(f.db, fm.id, 'fin', 'make-good confirmed with the vendor');
    expect(lockedGroupsFor(f.db, f.recId).map((x) => x.groupId)).toEqual([fm.payload.groupId]);
    expect(itemOf(f, left.exceptionId).status).toBe('resolved');
    approve(f.db, um.id, 'fin', 'dispute is real');
    expect(itemOf(f, unmatchedItemId('left', g.left[0]!))).toMatchObject({ status: 'open', class: 'unmatched_left' });
    expect(effectiveGroups(f.db, f.recId, f.runId).broken.map((b) => b.groupId)).toEqual([g.groupId]);
    expect(getOverride(f.db, um.id).before!.items.every((s) => !s.exists)).toBe(true);
    expect(chainOk(f.db)).toBe(true);
  });
});

describe('approve and reject', () => {
  it('approval by a different approver applies the effect with its comment, in one transaction with its events', () => {
    f = fixtures.fresh();
    const big = bigVariance();
    const o = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: big.exceptionId, reasonCode: 'immaterial_write_off' }, 'ana');
    const seq = auditCount(f.db);
    const a = approve(f.db, o.id, 'fin', 'within policy');
    expect(a).toMatchObject({ status: 'applied', checker: 'fin', checkNote: 'within policy' });
    expect(a.before!.items[0]).toMatchObject({ status: 'open' });
    expect(a.after!.items[0]).toMatchObject({ status: 'written_off' });
    expect(itemOf(f, big.exceptionId).status).toBe('written_off');
    expect(auditActions(f.db, seq)).toEqual(['item.status', 'override.approve']);
    refused(() => approve(f.db, o.id, 'max', 'again'), 'conflict', /is applied, not waiting/);
    expect(chainOk(f.db)).toBe(true);
  });

  it('refuses self-approval, a non-approver, an unknown checker and a decision without a comment', () => {
    f = fixtures.fresh();
    const own = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: smallVariance().exceptionId, reasonCode: 'make_good', note: 'mine' }, 'fin');
    refused(() => approve(f.db, own.id, 'fin', 'looks good to me'), 'forbidden', /fin made override #\d+ and cannot approve it/);
    refused(() => reject(f.db, own.id, 'fin', 'nah'), 'forbidden', /cannot reject it/);
    refused(() => approve(f.db, own.id, 'bob', 'ok'), 'forbidden', /bob is an analyst; only an approver/);
    refused(() => approve(f.db, own.id, 'aud', 'ok'), 'forbidden', /only an approver/);
    refused(() => approve(f.db, own.id, 'nobody', 'ok'), 'not_found', /No user/);
    refused(() => approve(f.db, own.id, 'max', '  '), 'bad_input', /say why/);
    refused(() => approve(f.db, 424242, 'max', 'x'), 'not_found', /No override/);
    expect(itemOf(f, own.payload.itemId!).status).toBe('pending_approval');
    expect(approve(f.db, own.id, 'max', 'checked').status).toBe('applied');
  });

  it('rejection leaves the effect unapplied and returns the item to investigating', () => {
    f = fixtures.fresh();
    const v = smallVariance();
    const o = makeOverride(f.db, { type: 'reclassify', reconciliationId: f.recId, itemId: v.exceptionId, toClass: 'duplicate', reasonCode: 'duplicate_billing_disputed', note: 'same invoice twice' }, 'ana');
    expect(itemOf(f, v.exceptionId)).toMatchObject({ status: 'pending_approval', class: 'amount_variance' });
    const seq = auditCount(f.db);
    const r = reject(f.db, o.id, 'fin', 'not a duplicate: different flights');
    expect(r).toMatchObject({ status: 'rejected', checker: 'fin', checkNote: 'not a duplicate: different flights' });
    expect(itemOf(f, v.exceptionId)).toMatchObject({ status: 'investigating', class: 'amount_variance' });
    expect(auditActions(f.db, seq)).toEqual(['item.status', 'override.reject']);
    refused(() => approve(f.db, o.id, 'max', 'too late'), 'conflict', /is rejected/);
    // The item can be worked again.
    expect(makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'fx_rounding' }, 'ana').status).toBe('applied');
  });

  it('an approved reclassify moves the item to investigating with its new class', () => {
    f = fixtures.fresh();
    const v = smallVariance();
    const o = makeOverride(f.db, { type: 'reclassify', reconciliationId: f.recId, itemId: v.exceptionId, toClass: 'duplicate', reasonCode: 'duplicate_billing_disputed', note: 'x' }, 'ana');
    approve(f.db, o.id, 'fin', 'yes');
    expect(itemOf(f, v.exceptionId)).toMatchObject({ status: 'investigating', class: 'duplicate' });
  });

  it('a new override on an item waiting for approval is refused', () => {
    f = fixtures.fresh();
    const big = bigVariance();
    const o = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: big.exceptionId, reasonCode: 'immaterial_write_off' }, 'ana');
    refused(
      () => makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: big.exceptionId, reasonCode: 'timing_difference' }, 'bob'),
      'conflict',
      new RegExp(`waits for approval of override #${o.id}`),
    );
  });
});

describe('pendingApprovals', () => {
  it('lists each pending override with its item, records, periods and the engine explanation', () => {
    f = fixtures.fresh();
    const big = bigVariance();
    const o = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: big.exceptionId, reasonCode: 'immaterial_write_off' }, 'ana');
    const g = matchedGroups(f.db, f.runId)[0]!;
    const um = makeOverride(f.db, { type: 'unmatch', reconciliationId: f.recId, groupId: g.groupId, reasonCode: 'duplicate_billing_disputed', note: 'disputed' }, 'bob');
    makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: smallVariance().exceptionId, reasonCode: 'fx_rounding' }, 'ana');
    const list = pendingApprovals(f.db, f.recId);
    expect(list.map((p) => p.id)).toEqual([o.id, um.id]);
    const w = list[0]!;
    expect(w.approvalReason).toMatch(/threshold/);
    expect(w.context.items).toMatchObject([{ itemId: big.exceptionId, class: big.class, amountMinor: big.amountMinor, currency: big.currency, status: 'pending_approval' }]);
    expect(w.context.items[0]!.explanation).toMatchObject({ passKind: 'key' });
    expect(w.context.records.map((r) => r.id).sort()).toEqual([...big.left, ...big.right].sort());
    expect(w.context.records.find((r) => r.side === 'left')!.amountMinor).toEqual(expect.any(Number));
    expect(w.context.periods.length).toBeGreaterThan(0);
    const u = list[1]!;
    expect(u.context.group).toMatchObject({ groupId: g.groupId, status: 'matched', leftAmountMinor: g.leftAmount });
    expect(u.context.group!.explanation).toMatchObject({ checks: expect.any(Array) });
    expect(u.context.records.map((r) => r.side).sort()).toEqual(['left', 'right']);
  });
});
