import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { DEMO_RULE_SET } from '../engine/demo-rules.js';
import { runEngine } from '../engine/index.js';
import { loadInputs } from '../reconcile/load-inputs.js';
import { findReconciliation, latestRuleSet, listFxRates } from '../workspace/index.js';
import { selectItem } from '../workspace/overrides.js';
import {
  effectiveGroups,
  getOverride,
  itemOverrides,
  lockedGroupsFor,
  makeBulkOverride,
  makeOverride,
  unmatchedItemId,
} from './index.js';
import { auditActions, auditCount, chainOk, exceptionsOf, type Fixture, fixturePerTest, itemOf, matchedGroups, recordsFingerprint } from './test-fixture.js';

const fixtures = fixturePerTest();
let f: Fixture;

function thrown(fn: () => unknown): TieoutError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TieoutError);
    return e as TieoutError;
  }
  throw new Error('expected a TieoutError');
}

/** Asserts a refused change wrote nothing: no audit event, no override, items untouched. */
function refusedWithoutTrace(fn: () => unknown, code: string, message?: RegExp): TieoutError {
  const events = auditCount(f.db);
  const overrides = (f.db.prepare('SELECT COUNT(*) AS n FROM override').get() as { n: number }).n;
  const items = JSON.stringify(f.db.prepare('SELECT * FROM review_item ORDER BY item_id').all());
  const e = thrown(fn);
  expect(e.code).toBe(code);
  if (message) expect(e.message).toMatch(message);
  expect(auditCount(f.db)).toBe(events);
  expect((f.db.prepare('SELECT COUNT(*) AS n FROM override').get() as { n: number }).n).toBe(overrides);
  expect(JSON.stringify(f.db.prepare('SELECT * FROM review_item ORDER BY item_id').all())).toBe(items);
  return e;
}

describe('force_match', () => {
  it('pairs an unbilled buy with an unauthorized invoice line as a manual group, resolves both items and locks the group for the engine', () => {
    f = fixtures.fresh();
    const before = recordsFingerprint(f.db);
    const left = exceptionsOf(f.db, f.runId, 'unmatched_left')[0]!;
    const right = exceptionsOf(f.db, f.runId, 'unmatched_right')[0]!;
    const seq = auditCount(f.db);
    const o = makeOverride(f.db, { type: 'force_match', reconciliationId: f.recId, left: left.left, right: right.right, reasonCode: 'timing_difference', note: 'invoice came late' }, 'ana');
    expect(o.status).toBe('applied');
    expect(o.approvalReason).toBeNull();
    expect(o.maker).toBe('ana');
    expect(o.amountMinor).toBe(Math.abs(left.amountMinor - right.amountMinor));
    expect(o.payload.effects.map((e) => e.itemId).sort()).toEqual([left.exceptionId, right.exceptionId].sort());
    expect(itemOf(f, left.exceptionId).status).toBe('resolved');
    expect(itemOf(f, right.exceptionId).status).toBe('resolved');
    expect(itemOf(f, left.exceptionId).resolution).toContain(`override #${o.id}`);
    expect(o.before!.items.every((s) => s.exists && s.status === 'open')).toBe(true);
    expect(o.after!.items.every((s) => s.exists && s.status === 'resolved')).toBe(true);
    // One override event and one event on each item's own target, all in the same transaction.
    expect(auditActions(f.db, seq)).toEqual(['item.status', 'item.status', 'override.force_match']);
    expect(chainOk(f.db)).toBe(true);

    const locked = lockedGroupsFor(f.db, f.recId);
    expect(locked).toEqual([{ groupId: o.payload.groupId, left: left.left.map(String), right: right.right.map(String), overrideId: o.id }]);
    expect(o.target).toBe(`group:${o.payload.groupId}`);
    expect(effectiveGroups(f.db, f.recId, f.runId).manual).toMatchObject([{ overrideId: o.id, status: 'applied', inRun: false }]);
    expect(recordsFingerprint(f.db)).toBe(before);

    // The engine keeps the pair together under the same id on the next run.
    const rec = findReconciliation(f.db, f.recId)!;
    const inputs = loadInputs(f.db, rec);
    const result = runEngine({ ruleSet: latestRuleSet(f.db, f.recId)!.rules as never, ruleSetVersion: 1, records: inputs.records, fx: listFxRates(f.db), locked });
    const g = result.groups.find((x) => x.id === o.payload.groupId)!;
    expect(g.passKind).toBe('locked');
    expect(g.left).toEqual(left.left.map(String));
  });

  it('refuses records the rules already matched, records on the wrong side, records not in the run, and records already in a manual group', () => {
    f = fixtures.fresh();
    const g = matchedGroups(f.db, f.runId)[0]!;
    const left = exceptionsOf(f.db, f.runId, 'unmatched_left')[0]!;
    const right = exceptionsOf(f.db, f.runId, 'unmatched_right')[0]!;
    const req = { type: 'force_match' as const, reconciliationId: f.recId, reasonCode: 'timing_difference', note: 'x' };
    refusedWithoutTrace(() => makeOverride(f.db, { ...req, left: g.left, right: right.right }, 'ana'), 'conflict', /already matched in group/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...req, left: right.right, right: left.left }, 'ana'), 'bad_input', /on the right side/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...req, left: [999_999], right: right.right }, 'ana'), 'not_found', /not in the latest run/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...req, left: [], right: right.right }, 'ana'), 'bad_input');
    makeOverride(f.db, { ...req, left: left.left, right: right.right }, 'ana');
    const other = exceptionsOf(f.db, f.runId, 'unmatched_right')[1]!;
    refusedWithoutTrace(() => makeOverride(f.db, { ...req, left: left.left, right: other.right }, 'ana'), 'conflict', /already in the manual match of override/);
  });

  it('leaves an item alone when only some of its records are matched, and says so', () => {
    f = fixtures.fresh();
    const variance = exceptionsOf(f.db, f.runId, 'amount_variance')[0]!;
    const right = exceptionsOf(f.db, f.runId, 'unmatched_right')[0]!;
    const o = makeOverride(f.db, { type: 'force_match', reconciliationId: f.recId, left: variance.left, right: right.right, reasonCode: 'data_entry_error', note: 'wrong PO on the line' }, 'ana');
    expect(o.payload.partialItems).toEqual([variance.exceptionId]);
    expect(itemOf(f, variance.exceptionId).status).toBe('open');
    expect(itemOf(f, right.exceptionId).status).toBe('resolved');
  });
});

describe('unmatch', () => {
  it('breaks a matched group: its records become unmatched items, the group is reported broken, and they can then be force matched', () => {
    f = fixtures.fresh();
    const before = recordsFingerprint(f.db);
    const g = matchedGroups(f.db, f.runId)[0]!;
    const seq = auditCount(f.db);
    const o = makeOverride(f.db, { type: 'unmatch', reconciliationId: f.recId, groupId: g.groupId, reasonCode: 'wrong_match', note: 'different flights' }, 'ana');
    expect(o.status).toBe('applied');
    const li = unmatchedItemId('left', g.left[0]!);
    const ri = unmatchedItemId('right', g.right[0]!);
    expect(itemOf(f, li)).toMatchObject({ class: 'unmatched_left', status: 'open', kind: 'exception', firstSeenRun: f.runId });
    expect(itemOf(f, ri)).toMatchObject({ class: 'unmatched_right', status: 'open' });
    expect(o.before!.items.map((s) => s.exists)).toEqual([false, false]);
    expect(auditActions(f.db, seq)).toEqual(['item.create', 'item.create', 'override.unmatch']);
    expect(effectiveGroups(f.db, f.recId, f.runId).broken).toEqual([{ groupId: g.groupId, overrideId: o.id, by: 'unmatch' }]);
    refusedWithoutTrace(() => makeOverride(f.db, { type: 'unmatch', reconciliationId: f.recId, groupId: g.groupId, reasonCode: 'wrong_match', note: 'again' }, 'ana'), 'conflict', /already unmatched/);

    const right = exceptionsOf(f.db, f.runId, 'unmatched_right')[0]!;
    const fm = makeOverride(f.db, { type: 'force_match', reconciliationId: f.recId, left: g.left, right: right.right, reasonCode: 'data_entry_error', note: 're-pair' }, 'ana');
    expect(fm.payload.effects.map((e) => e.itemId).sort()).toEqual([li, right.exceptionId].sort());
    expect(itemOf(f, li).status).toBe('resolved');
    expect(itemOf(f, ri).status).toBe('open');
    expect(recordsFingerprint(f.db)).toBe(before);
    expect(chainOk(f.db)).toBe(true);
  });

  it('refuses a group that is not in the latest run', () => {
    f = fixtures.fresh();
    refusedWithoutTrace(() => makeOverride(f.db, { type: 'unmatch', reconciliationId: f.recId, groupId: 'ffffffffffffffff', reasonCode: 'wrong_match', note: 'x' }, 'ana'), 'not_found', /No group/);
  });
});

describe('accept_variance, write_off, reclassify', () => {
  it('accept_variance resolves a variance item and refuses anything that is not a variance', () => {
    f = fixtures.fresh();
    const v = exceptionsOf(f.db, f.runId, 'amount_variance').find((x) => x.amountMinor <= 10_000)!;
    const seq = auditCount(f.db);
    const o = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'fx_rounding' }, 'ana');
    expect(o).toMatchObject({ status: 'applied', target: `item:${v.exceptionId}`, amountMinor: v.amountMinor, currency: v.currency, reasonCode: 'fx_rounding' });
    expect(o.before!.items).toEqual([{ itemId: v.exceptionId, exists: true, status: 'open', class: 'amount_variance', resolution: null }]);
    expect(itemOf(f, v.exceptionId).status).toBe('resolved');
    expect(auditActions(f.db, seq)).toEqual(['item.status', 'override.accept_variance']);
    const u = exceptionsOf(f.db, f.runId, 'unmatched_left')[0]!;
    refusedWithoutTrace(() => makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: u.exceptionId, reasonCode: 'timing_difference' }, 'ana'), 'bad_input', /Only a variance/);
    refusedWithoutTrace(() => makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'fx_rounding' }, 'ana'), 'conflict', /already resolved/);
  });

  it('write_off closes an item as written off with the amount, and refuses more than is at risk or a fractional amount', () => {
    f = fixtures.fresh();
    const v = exceptionsOf(f.db, f.runId, 'amount_variance').find((x) => x.amountMinor > 100 && x.amountMinor <= 100_000)!;
    const base = { type: 'write_off' as const, reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'immaterial_write_off' };
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, amountMinor: v.amountMinor + 1 }, 'ana'), 'bad_input', /Cannot write off/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, amountMinor: 12.5 }, 'ana'), 'bad_input');
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, amountMinor: -1 }, 'ana'), 'bad_input');
    const o = makeOverride(f.db, { ...base, amountMinor: v.amountMinor - 100 }, 'ana');
    expect(o).toMatchObject({ status: 'applied', amountMinor: v.amountMinor - 100, currency: v.currency });
    const item = itemOf(f, v.exceptionId);
    expect(item.status).toBe('written_off');
    expect(item.resolution).toMatch(/written off by override/);
  });

  it('write_off defaults to the whole amount at risk', () => {
    f = fixtures.fresh();
    const v = exceptionsOf(f.db, f.runId, 'amount_variance').find((x) => x.amountMinor <= 100_000)!;
    const o = makeOverride(f.db, { type: 'write_off', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'immaterial_write_off' }, 'ana');
    expect(o.amountMinor).toBe(v.amountMinor);
  });

  it('reclassify changes the class and keeps the item open; the same class is refused', () => {
    f = fixtures.fresh();
    const d = exceptionsOf(f.db, f.runId, 'unmatched_right')[0]!;
    const seq = auditCount(f.db);
    const o = makeOverride(f.db, { type: 'reclassify', reconciliationId: f.recId, itemId: d.exceptionId, toClass: 'duplicate', reasonCode: 'data_entry_error', note: 'billed twice' }, 'ana');
    expect(o.payload).toMatchObject({ fromClass: 'unmatched_right', toClass: 'duplicate' });
    expect(itemOf(f, d.exceptionId)).toMatchObject({ class: 'duplicate', status: 'open' });
    expect(auditActions(f.db, seq)).toEqual(['item.class', 'override.reclassify']);
    refusedWithoutTrace(
      () => makeOverride(f.db, { type: 'reclassify', reconciliationId: f.recId, itemId: d.exceptionId, toClass: 'duplicate', reasonCode: 'data_entry_error', note: 'x' }, 'ana'),
      'bad_input',
      /already duplicate/,
    );
    refusedWithoutTrace(() => makeOverride(f.db, { type: 'reclassify', reconciliationId: f.recId, itemId: d.exceptionId, toClass: 'nonsense' as never, reasonCode: 'data_entry_error', note: 'x' }, 'ana'), 'bad_input');
    expect(itemOverrides(f.db, f.recId, d.exceptionId).map((x) => x.id)).toEqual([o.id]);
  });
});

describe('validation in the core', () => {
  it('refuses unknown, retired and inapplicable codes, a missing required note, unknown items, auditors and unknown users', () => {
    f = fixtures.fresh();
    const v = exceptionsOf(f.db, f.runId, 'amount_variance')[0]!;
    const base = { type: 'accept_variance' as const, reconciliationId: f.recId, itemId: v.exceptionId };
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, reasonCode: 'because' }, 'ana'), 'not_found', /No reason code "because".*timing_difference/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, reasonCode: 'wrong_match', note: 'x' }, 'ana'), 'bad_input', /does not apply to accept_variance/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, reasonCode: 'rate_card_difference' }, 'ana'), 'bad_input', /needs a note/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, reasonCode: 'rate_card_difference', note: '   ' }, 'ana'), 'bad_input', /needs a note/);
    f.db.prepare("UPDATE reason_code SET retired_at = '2026-01-01T00:00:00.000Z' WHERE code = 'timing_difference'").run();
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, reasonCode: 'timing_difference' }, 'ana'), 'conflict', /retired/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, itemId: 'nope', reasonCode: 'fx_rounding' }, 'ana'), 'not_found', /No review item/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, reasonCode: 'fx_rounding' }, 'aud'), 'forbidden', /auditor/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, reasonCode: 'fx_rounding' }, 'zed'), 'not_found', /No user/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, reconciliationId: 999, reasonCode: 'fx_rounding' }, 'ana'), 'not_found', /No reconciliation/);
    refusedWithoutTrace(() => makeOverride(f.db, { ...base, type: 'frobnicate' } as never, 'ana'), 'bad_input', /Unknown override type/);
  });

  it('refuses an item someone else has claimed', () => {
    f = fixtures.fresh();
    const v = exceptionsOf(f.db, f.runId, 'amount_variance')[0]!;
    f.db.prepare("UPDATE review_item SET claimed_by = 'bob', status = 'investigating' WHERE item_id = ?").run(v.exceptionId);
    refusedWithoutTrace(() => makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'data_entry_error', note: 'x' }, 'ana'), 'conflict', /being worked by bob/);
    const o = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v.exceptionId, reasonCode: 'data_entry_error', note: 'x' }, 'bob');
    expect(o.status).toBe('applied');
    expect(itemOf(f, v.exceptionId).claimedBy).toBeNull();
  });
});

describe('bulk', () => {
  it('makes several overrides as one action with one bulk id and one bulk event, or none at all', () => {
    f = fixtures.fresh();
    const [a, b] = exceptionsOf(f.db, f.runId, 'amount_variance').filter((x) => x.amountMinor <= 100_000);
    const req = (itemId: string) => ({ type: 'write_off' as const, reconciliationId: f.recId, itemId, reasonCode: 'immaterial_write_off' });
    // The second names an item that does not exist: nothing is made.
    refusedWithoutTrace(() => makeBulkOverride(f.db, [req(a!.exceptionId), req('missing')], 'ana'), 'not_found');
    expect(selectItem(f.db, f.recId, a!.exceptionId)!.status).toBe('open');
    const seq = auditCount(f.db);
    const r = makeBulkOverride(f.db, [req(a!.exceptionId), req(b!.exceptionId)], 'ana');
    expect(r.overrides.map((o) => o.bulkId)).toEqual([r.bulkId, r.bulkId]);
    expect(auditActions(f.db, seq)).toEqual(['item.status', 'item.status', 'override.bulk']);
    expect(getOverride(f.db, r.overrides[1]!.id).status).toBe('applied');
    expect(chainOk(f.db)).toBe(true);
  });
});
