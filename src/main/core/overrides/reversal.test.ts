import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { approve, effectiveGroups, getOverride, listOverrides, lockedGroupsFor, makeBulkOverride, makeOverride, overrideHistory, reject, reverse, reverseBulk, unmatchedItemId } from './index.js';
import { auditActions, auditCount, chainOk, exceptionsOf, expectRefused, type Fixture, fixturePerTest, itemOf, matchedGroups, recordsFingerprint } from './test-fixture.js';

const fixtures = fixturePerTest();
let f: Fixture;

const refused = (fn: () => unknown, code: string, message: RegExp) => expectRefused(f.db, fn, code, message);

const small = () => exceptionsOf(f.db, f.runId, 'amount_variance').filter((x) => x.amountMinor <= 100_000);

describe('reverse', () => {
  it('undoes a write-off: a reversal override references the original, which becomes reversed; the item is open again; nothing is deleted', () => {
    f = fixtures.fresh();
    const v = small()[0]!;
    const o = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'immaterial_write_off' }, 'ana');
    const seq = auditCount(f.db);
    const r = reverse(f.db, o.id, 'bob', 'override_in_error', 'wrong item');
    expect(r).toMatchObject({ type: 'reversal', reverses: o.id, target: `override:${o.id}`, status: 'applied', maker: 'bob', reasonCode: 'override_in_error', note: 'wrong item' });
    expect(r.before!.items[0]).toMatchObject({ status: 'written_off' });
    expect(r.after!.items[0]).toMatchObject({ status: 'open' });
    expect(getOverride(f.db, o.id).status).toBe('reversed');
    expect(itemOf(f, v.exceptionId)).toMatchObject({ status: 'open', resolution: null });
    expect(listOverrides(f.db, f.recId).map((x) => x.id)).toEqual([o.id, r.id]);
    expect(auditActions(f.db, seq)).toEqual(['item.status', 'override.reverse']);
    expect(chainOk(f.db)).toBe(true);
    // Once reversed the item can take a new override.
    expect(makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'fx_rounding' }, 'ana').status).toBe('applied');
  });

  it('restores the class of a reclassified item and the status it had before (investigating via open)', () => {
    f = fixtures.fresh();
    const v = small()[0]!;
    f.db.prepare("UPDATE review_item SET status = 'investigating' WHERE item_id = ?").run(v.exceptionId);
    const rc = makeOverride(f.db, { type: 'reclassify', reconciliationId: f.recId, itemId: v.exceptionId, toClass: 'duplicate', reasonCode: 'duplicate_billing_disputed', note: 'x' }, 'ana');
    approve(f.db, rc.id, 'fin', 'ok');
    const acc = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'immaterial_write_off' }, 'ana');
    // Last in, first out: the later write-off stands on the reclassification.
    refused(() => reverse(f.db, rc.id, 'ana', 'override_in_error', 'x'), 'conflict', new RegExp(`#${acc.id} \\(write_off\\) came later`));
    reverse(f.db, acc.id, 'ana', 'override_in_error', 'x');
    expect(itemOf(f, v.exceptionId)).toMatchObject({ status: 'investigating', class: 'duplicate' });
    reverse(f.db, rc.id, 'ana', 'override_in_error', 'x');
    expect(itemOf(f, v.exceptionId)).toMatchObject({ status: 'investigating', class: 'amount_variance' });
  });

  it('undoes a force match: the group is no longer locked and its items reopen', () => {
    f = fixtures.fresh();
    const left = exceptionsOf(f.db, f.runId, 'unmatched_left')[0]!;
    const right = exceptionsOf(f.db, f.runId, 'unmatched_right')[0]!;
    const o = makeOverride(f.db, { type: 'force_match', reconciliationId: f.recId, left: left.left, right: right.right, reasonCode: 'timing_difference' }, 'ana');
    expect(lockedGroupsFor(f.db, f.recId)).toHaveLength(1);
    reverse(f.db, o.id, 'ana', 'data_entry_error', 'wrong invoice');
    expect(lockedGroupsFor(f.db, f.recId)).toEqual([]);
    expect(effectiveGroups(f.db, f.recId, f.runId).manual).toEqual([]);
    expect(itemOf(f, left.exceptionId).status).toBe('open');
    expect(itemOf(f, right.exceptionId).status).toBe('open');
    // The records are free again.
    expect(makeOverride(f.db, { type: 'force_match', reconciliationId: f.recId, left: left.left, right: right.right, reasonCode: 'timing_difference' }, 'ana').status).toBe('applied');
  });

  it('undoes an unmatch: the group stands again and the items it surfaced are closed, not deleted', () => {
    f = fixtures.fresh();
    const before = recordsFingerprint(f.db);
    const g = matchedGroups(f.db, f.runId)[0]!;
    const o = makeOverride(f.db, { type: 'unmatch', reconciliationId: f.recId, groupId: g.groupId, reasonCode: 'wrong_match', note: 'x' }, 'ana');
    const li = unmatchedItemId('left', g.left[0]!);
    const right = exceptionsOf(f.db, f.runId, 'unmatched_right')[0]!;
    const fm = makeOverride(f.db, { type: 'force_match', reconciliationId: f.recId, left: g.left, right: right.right, reasonCode: 'timing_difference' }, 'ana');
    refused(() => reverse(f.db, o.id, 'ana', 'override_in_error', 'x'), 'conflict', new RegExp(`#${fm.id} \\(force_match\\) came later`));
    reverse(f.db, fm.id, 'ana', 'override_in_error', 'x');
    reverse(f.db, o.id, 'ana', 'override_in_error', 'x');
    expect(effectiveGroups(f.db, f.recId, f.runId).broken).toEqual([]);
    expect(itemOf(f, li)).toMatchObject({ status: 'resolved', resolution: `withdrawn: override #${o.id} was reversed` });
    expect(recordsFingerprint(f.db)).toBe(before);
    expect(chainOk(f.db)).toBe(true);
  });

  it('refuses pending, rejected, already reversed and reversal overrides, and codes that do not apply to reversals', () => {
    f = fixtures.fresh();
    const [a, b] = small();
    const pending = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: a!.exceptionId, reasonCode: 'make_good', note: 'x' }, 'ana');
    refused(() => reverse(f.db, pending.id, 'ana', 'override_in_error', 'x'), 'conflict', /waits for approval/);
    reject(f.db, pending.id, 'fin', 'no');
    refused(() => reverse(f.db, pending.id, 'ana', 'override_in_error', 'x'), 'conflict', /was rejected/);
    const o = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: b!.exceptionId, reasonCode: 'fx_rounding' }, 'ana');
    refused(() => reverse(f.db, o.id, 'ana', 'timing_difference', 'x'), 'bad_input', /does not apply to reversal/);
    refused(() => reverse(f.db, o.id, 'ana', 'override_in_error', ''), 'bad_input', /needs a note/);
    refused(() => reverse(f.db, o.id, 'aud', 'override_in_error', 'x'), 'forbidden', /auditor/);
    const r = reverse(f.db, o.id, 'ana', 'override_in_error', 'x');
    refused(() => reverse(f.db, o.id, 'ana', 'override_in_error', 'x'), 'conflict', /already reversed/);
    refused(() => reverse(f.db, r.id, 'ana', 'override_in_error', 'x'), 'conflict', /itself a reversal/);
  });
});

describe('reverseBulk', () => {
  it('reverses every override of a bulk action as one event', () => {
    f = fixtures.fresh();
    const [a, b, c] = small();
    const bulk = makeBulkOverride(
      f.db,
      [a!, b!, c!].map((x) => ({ type: 'write_off' as const, reconciliationId: f.recId, itemId: x.exceptionId, reasonCode: 'immaterial_write_off' })),
      'ana',
    );
    const seq = auditCount(f.db);
    const r = reverseBulk(f.db, bulk.bulkId, 'ana', 'override_in_error', 'wrong batch');
    expect(r.reversals.map((x) => x.reverses).sort()).toEqual(bulk.overrides.map((o) => o.id).sort());
    expect(new Set(r.reversals.map((x) => x.bulkId))).toEqual(new Set([r.bulkId]));
    for (const o of bulk.overrides) expect(getOverride(f.db, o.id).status).toBe('reversed');
    for (const x of [a!, b!, c!]) expect(itemOf(f, x.exceptionId).status).toBe('open');
    const actions = auditActions(f.db, seq);
    expect(actions.filter((x) => x.startsWith('override.'))).toEqual(['override.reverse_bulk']);
    expect(actions.filter((x) => x === 'item.status')).toHaveLength(3);
    refused(() => reverseBulk(f.db, bulk.bulkId, 'ana', 'override_in_error', 'again'), 'conflict', /nothing to reverse/);
    refused(() => reverseBulk(f.db, 'no-such-bulk', 'ana', 'override_in_error', 'x'), 'not_found', /No bulk action/);
    expect(chainOk(f.db)).toBe(true);
  });

  it('is refused while an override of the bulk still waits for approval', () => {
    f = fixtures.fresh();
    const [a] = small();
    const big = exceptionsOf(f.db, f.runId, 'amount_variance').find((x) => x.amountMinor > 100_000)!;
    const bulk = makeBulkOverride(
      f.db,
      [a!, big].map((x) => ({ type: 'write_off' as const, reconciliationId: f.recId, itemId: x.exceptionId, reasonCode: 'immaterial_write_off' })),
      'ana',
    );
    expect(bulk.overrides.map((o) => o.status)).toEqual(['applied', 'pending_approval']);
    refused(() => reverseBulk(f.db, bulk.bulkId, 'ana', 'override_in_error', 'x'), 'conflict', /wait for approval/);
  });

  it('shows an item\'s history (its overrides and the reversals that undid them) and a group\'s unmatch', () => {
    f = fixtures.fresh();
    const [v, w] = small();
    const o1 = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: v!.exceptionId, reasonCode: 'immaterial_write_off' }, 'ana');
    makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: w!.exceptionId, reasonCode: 'immaterial_write_off' }, 'ana');
    const r = reverse(f.db, o1.id, 'bob', 'override_in_error', 'wrong item');
    const o2 = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v!.exceptionId, reasonCode: 'fx_rounding' }, 'ana');
    expect(overrideHistory(f.db, f.recId, v!.exceptionId).map((o) => [o.id, o.type, o.status])).toEqual([
      [o1.id, 'write_off', 'reversed'],
      [r.id, 'reversal', 'applied'],
      [o2.id, 'accept_variance', 'applied'],
    ]);
    const g = matchedGroups(f.db, f.runId)[0]!;
    const u = makeOverride(f.db, { type: 'unmatch', reconciliationId: f.recId, groupId: g.groupId, reasonCode: 'wrong_match', note: 'different POs' }, 'ana');
    expect(overrideHistory(f.db, f.recId, g.groupId).map((o) => o.id)).toEqual([u.id]);
    // The records it surfaced carry it too.
    expect(overrideHistory(f.db, f.recId, unmatchedItemId('left', g.left[0]!)).map((o) => o.id)).toEqual([u.id]);
  });
});
