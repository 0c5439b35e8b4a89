import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { approvalNeeded, DEFAULT_REASON_CODES, ensureDefaultReasonCodes, getReasonCode, listReasonCodes, makeOverride, retireReasonCode, saveReasonCode } from './index.js';
import { auditActions, auditCount, chainOk, exceptionsOf, expectRefused, type Fixture, fixturePerTest } from './test-fixture.js';

const fixtures = fixturePerTest();
let f: Fixture;

const refused = (fn: () => unknown, code: string, message: RegExp) => expectRefused(f.db, fn, code, message);

describe('reason codes', () => {
  it('ships defaults for ad-ops and finance once; a second call adds nothing and writes no event', () => {
    f = fixtures.fresh();
    const codes = listReasonCodes(f.db).map((c) => c.code);
    for (const c of ['timing_difference', 'fx_rounding', 'make_good', 'vendor_credit_pending', 'immaterial_write_off', 'data_entry_error', 'duplicate_billing_disputed', 'rate_card_difference']) {
      expect(codes).toContain(c);
    }
    expect(codes).toHaveLength(DEFAULT_REASON_CODES.length);
    const events = auditCount(f.db);
    expect(ensureDefaultReasonCodes(f.db)).toEqual([]);
    expect(auditCount(f.db)).toBe(events);
    expect(getReasonCode(f.db, 'immaterial_write_off')).toMatchObject({ approval: 'above', approvalThresholdMinor: 100_000 });
    expect(getReasonCode(f.db, 'make_good')).toMatchObject({ approval: 'always', noteRequired: true });
    expect(getReasonCode(f.db, 'duplicate_billing_disputed')).toMatchObject({ approval: 'always' });
  });

  it('does not bring back a default an approver retired', () => {
    f = fixtures.fresh();
    retireReasonCode(f.db, 'fx_rounding', 'fin');
    expect(ensureDefaultReasonCodes(f.db)).toEqual([]);
    expect(getReasonCode(f.db, 'fx_rounding')!.retiredAt).not.toBeNull();
  });

  it('approvers create and edit codes, each with an audit event; analysts are refused', () => {
    f = fixtures.fresh();
    const seq = auditCount(f.db);
    const c = saveReasonCode(f.db, { code: 'bonus_inventory', label: 'Bonus inventory', appliesTo: ['accept_variance', 'write_off'], approval: 'above', approvalThresholdMinor: 50_000, noteRequired: true }, 'fin');
    expect(c).toMatchObject({ code: 'bonus_inventory', appliesTo: ['accept_variance', 'write_off'], approvalThresholdMinor: 50_000, retiredAt: null });
    saveReasonCode(f.db, { code: 'bonus_inventory', label: 'Bonus inventory (vendor)', appliesTo: ['write_off'], approval: 'always' }, 'max');
    expect(getReasonCode(f.db, 'bonus_inventory')).toMatchObject({ label: 'Bonus inventory (vendor)', approval: 'always', approvalThresholdMinor: null, noteRequired: false });
    expect(auditActions(f.db, seq)).toEqual(['reason_code.create', 'reason_code.update']);
    refused(() => saveReasonCode(f.db, { code: 'sneaky', label: 'Sneaky', appliesTo: ['write_off'], approval: 'never' }, 'ana'), 'forbidden', /only an approver/);
    expect(getReasonCode(f.db, 'sneaky')).toBeUndefined();
    expect(chainOk(f.db)).toBe(true);
  });

  it('validates a code: a threshold only with "above", known override types, a sane code', () => {
    f = fixtures.fresh();
    refused(() => saveReasonCode(f.db, { code: 'x_above', label: 'X', appliesTo: ['write_off'], approval: 'above' }, 'fin'), 'bad_input', /needs a threshold/);
    refused(() => saveReasonCode(f.db, { code: 'x_never', label: 'X', appliesTo: ['write_off'], approval: 'never', approvalThresholdMinor: 5 }, 'fin'), 'bad_input', /only applies to approval "above"/);
    refused(() => saveReasonCode(f.db, { code: 'x_types', label: 'X', appliesTo: ['teleport' as never], approval: 'never' }, 'fin'), 'bad_input', /appliesTo/);
    refused(() => saveReasonCode(f.db, { code: 'x_none', label: 'X', appliesTo: [], approval: 'never' }, 'fin'), 'bad_input', /at least one/);
    refused(() => saveReasonCode(f.db, { code: 'Bad Code', label: 'X', appliesTo: ['write_off'], approval: 'never' }, 'fin'), 'bad_input', /code/);
    refused(() => saveReasonCode(f.db, { code: 'x_frac', label: 'X', appliesTo: ['write_off'], approval: 'above', approvalThresholdMinor: 1.5 }, 'fin'), 'bad_input', /approvalThresholdMinor/);
  });

  it('a retired code stays readable (and on old overrides) but cannot be chosen', () => {
    f = fixtures.fresh();
    const v = exceptionsOf(f.db, f.runId, 'amount_variance');
    const old = makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v[0]!.exceptionId, reasonCode: 'timing_difference' }, 'ana');
    const seq = auditCount(f.db);
    const r = retireReasonCode(f.db, 'timing_difference', 'fin');
    expect(r.retiredAt).not.toBeNull();
    expect(auditActions(f.db, seq)).toEqual(['reason_code.retire']);
    expect(listReasonCodes(f.db).find((c) => c.code === 'timing_difference')!.retiredAt).not.toBeNull();
    expect(listReasonCodes(f.db, { for: 'accept_variance' }).map((c) => c.code)).not.toContain('timing_difference');
    expect(listReasonCodes(f.db, { for: 'accept_variance', includeRetired: true }).map((c) => c.code)).toContain('timing_difference');
    expect(old.reasonCode).toBe('timing_difference');
    refused(() => makeOverride(f.db, { type: 'accept_variance', reconciliationId: f.recId, itemId: v[1]!.exceptionId, reasonCode: 'timing_difference' }, 'ana'), 'conflict', /retired .* can no longer be chosen/);
    refused(() => retireReasonCode(f.db, 'timing_difference', 'fin'), 'conflict', /already retired/);
    refused(() => retireReasonCode(f.db, 'no_such_code', 'fin'), 'not_found', /No reason code/);
    refused(() => retireReasonCode(f.db, 'fx_rounding', 'bob'), 'forbidden', /only an approver/);
  });

  it('approvalNeeded: never, always, above (strictly), and an unknown amount needs approval', () => {
    const base = { code: 'c', label: 'C', appliesTo: ['write_off' as const], noteRequired: false, retiredAt: null, createdAt: '' };
    expect(approvalNeeded({ ...base, approval: 'never', approvalThresholdMinor: null }, 10 ** 9, 'USD')).toBeNull();
    expect(approvalNeeded({ ...base, approval: 'always', approvalThresholdMinor: null }, 0, 'USD')).toMatch(/always/);
    const above = { ...base, approval: 'above' as const, approvalThresholdMinor: 100_000 };
    expect(approvalNeeded(above, 100_000, 'USD')).toBeNull();
    expect(approvalNeeded(above, 100_001, 'USD')).toBe('1,000.01 USD is above the 1,000.00 USD approval threshold of reason code "c"');
    expect(approvalNeeded(above, null, null)).toMatch(/not known/);
  });
});
