import { describe, expect, it } from 'vitest';
import { runEngine, unpackExplanation } from './index.js';
import { assertEachOnce, buy, inv, keyPass, outcomeOf, rules } from './test-fixtures.js';
import type { EngineRecord } from './types.js';

const run = (passes: Parameters<typeof rules>[0], records: EngineRecord[], fx?: Parameters<typeof runEngine>[0]['fx']) => {
  const r = runEngine({ ruleSet: rules(passes), ruleSetVersion: 7, records, ...(fx ? { fx } : {}) });
  assertEachOnce(records, r);
  return r;
};

describe('key pass 1:1', () => {
  it('matches on normalized keys and explains the match', () => {
    const r = run([keyPass({ tolerance: { amount: { abs: 0 }, date: { min: 0, max: 30 } } })], [buy('b1', 'IO-1-01', 1000), inv('i1', 'po# io 1 01', 1000)]);
    expect(r.groups).toHaveLength(1);
    const g = r.groups[0]!;
    expect(g).toMatchObject({ pass: 'key', passKind: 'key', status: 'matched', left: ['b1'], right: ['i1'], score: null });
    expect(g.id).toMatch(/^[0-9a-f]{16}$/);
    expect(unpackExplanation(g.explanation, r.explanationTemplates)).toMatchObject({ pass: 'key', passKind: 'key', ruleSetVersion: 7, keys: { left: ['IO101'], right: ['IO101'] }, cardinality: '1:1' });
    expect(unpackExplanation(g.explanation, r.explanationTemplates).checks).toEqual([
      { field: 'amount', left: 1000, right: 1000, unit: 'USD', measure: 'difference', value: 0, tolerance: 'exact', pass: true, weight: null },
      { field: 'date', left: '2026-03-01', right: '2026-03-20', measure: 'days', value: 19, tolerance: '[0, 30] days', pass: true, weight: null },
    ]);
  });

  it('keeps a pair whose amount is off as an amount_variance, with the variance at risk', () => {
    const r = run([keyPass()], [buy('b1', 'A1', 10_000), inv('i1', 'A1', 11_250)]);
    expect(r.groups).toHaveLength(0);
    expect(r.exceptions).toHaveLength(1);
    expect(r.exceptions[0]).toMatchObject({ class: 'amount_variance', left: ['b1'], right: ['i1'], amountAtRisk: { minor: 1250, currency: 'USD' }, pass: 'key' });
    expect(r.exceptions[0]!.detail).toMatch(/Amount differs by 12\.50 USD/);
  });

  it('keeps a pair outside the date window as a date_variance; one-sided windows', () => {
    const r = run([keyPass({ tolerance: { amount: { abs: 0 }, date: { min: 0 } } })], [
      buy('b1', 'A1', 100, { date: '2026-03-01' }),
      inv('i1', 'A1', 100, { date: '2026-02-27' }),
      buy('b2', 'A2', 100, { date: '2026-03-01' }),
      inv('i2', 'A2', 100, { date: '2027-03-01' }),
    ]);
    expect(outcomeOf(r).get('b1')).toBe('date_variance');
    expect(outcomeOf(r).get('b2')).toBe('matched:key');
    expect(r.exceptions[0]!.detail).toMatch(/-2 days apart \(window ≥ 0 days\)/);
  });

  it('reports different currencies as currency_mismatch unless an FX rate converts them', () => {
    const recs = [buy('b1', 'A1', 10_850), inv('i1', 'A1', 10_000, { currency: 'EUR' })];
    expect(run([keyPass()], recs).exceptions[0]).toMatchObject({ class: 'currency_mismatch', amountAtRisk: { minor: 10_850, currency: 'USD' } });
    const fxPass = keyPass({ tolerance: { amount: { abs: 0, fx: true } } });
    expect(run([fxPass], recs).exceptions[0]).toMatchObject({ class: 'currency_mismatch' });
    const r = run([fxPass], recs, [{ from: 'EUR', to: 'USD', rate: '1.085' }]);
    expect(r.groups).toHaveLength(1);
    const amount = unpackExplanation(r.groups[0]!.explanation, r.explanationTemplates).checks[0]!;
    expect(amount).toMatchObject({ left: 10_850, right: 10_850, unit: 'USD', pass: true });
    expect(amount.note).toMatch(/100\.00 EUR converted at EUR\/USD 1\.085/);
  });

  it('with onToleranceFail skip leaves failed pairs for later passes', () => {
    const r = run(
      [keyPass({ onToleranceFail: 'skip' }), keyPass({ id: 'loose', tolerance: { amount: { pct: 20 } }, confirm: 'suggest' })],
      [buy('b1', 'A1', 10_000), inv('i1', 'A1', 11_000)],
    );
    expect(r.groups[0]).toMatchObject({ pass: 'loose', status: 'suggested' });
  });

  it('treats text conditions as guards: failing text is not a variance', () => {
    const pass = keyPass({ tolerance: { amount: { abs: 0 }, text: [{ role: 'vendor', measure: 'jaro_winkler', threshold: 0.95, normalize: ['upper', 'alnum', { op: 'alias', table: 'vendors' }] }] } });
    const ok = run([pass], [buy('b1', 'A1', 5), inv('i1', 'A1', 5, { vendor: 'Facebook Ads' })]);
    expect(ok.groups).toHaveLength(1);
    expect(unpackExplanation(ok.groups[0]!.explanation, ok.explanationTemplates).checks[0]).toMatchObject({ field: 'vendor', left: 'META', right: 'META', value: 1, pass: true });
    const no = run([pass], [buy('b1', 'A1', 5), inv('i1', 'A1', 500, { vendor: 'Google LLC' })]);
    expect(no.exceptions.map((x) => x.class).sort()).toEqual(['unmatched_left', 'unmatched_right']);
  });

  it('combines several fields into one key', () => {
    const pass = keyPass({ key: { left: [{ field: 'io' }, { field: 'ref' }], right: [{ field: 'io' }, { field: 'ref' }], normalize: ['upper', 'alnum'] } });
    const r = run([pass], [buy('b1', '01', 5, { io: 'IO-1' }), buy('b2', '01', 5, { io: 'IO-2' }), inv('i1', '01', 5, { io: 'io 2' })]);
    expect(r.groups[0]).toMatchObject({ left: ['b2'], right: ['i1'] });
    expect(unpackExplanation(r.groups[0]!.explanation, r.explanationTemplates).keys.left).toEqual(['IO2 | 01']);
  });

  it('in a block with several records, pairs only mutual single candidates', () => {
    const r = run([keyPass()], [buy('b1', 'K', 100), buy('b2', 'K', 200), inv('i1', 'K', 200), inv('i2', 'K', 100), inv('i3', 'K', 300)]);
    const o = outcomeOf(r);
    expect(r.groups.map((g) => [g.left[0], g.right[0]]).sort()).toEqual([
      ['b1', 'i2'],
      ['b2', 'i1'],
    ]);
    expect(o.get('i3')).toBe('unmatched_right');
  });

  it('sends equally good 1:1 candidates to ambiguous instead of picking one', () => {
    const r = run([keyPass({ tolerance: { amount: { abs: 0 } } })], [buy('b1', 'K', 100), inv('i1', 'K', 100, { date: '2026-03-02' }), inv('i2', 'K', 100, { date: '2026-03-03' })]);
    expect(r.groups).toHaveLength(0);
    expect(r.exceptions).toHaveLength(1);
    expect(r.exceptions[0]).toMatchObject({ class: 'ambiguous', left: ['b1'], right: ['i1', 'i2'], amountAtRisk: { minor: 100, currency: 'USD' } });
  });

  it('never matches records without a key', () => {
    const r = run([keyPass()], [buy('b1', null, 5), inv('i1', '', 5), buy('b2', '--', 5), inv('i2', '  ', 5)]);
    expect(r.groups).toHaveLength(0);
    expect(r.stats.classes.unmatched_left.count).toBe(2);
  });
});

describe('duplicates', () => {
  it('a second identical copy of a matched record is a duplicate referencing the original', () => {
    const r = run([keyPass()], [buy('b1', 'A', 100), inv('i1', 'A', 100), inv('i2', 'A', 100)]);
    expect(r.groups[0]).toMatchObject({ left: ['b1'], right: ['i1'] });
    const dup = r.exceptions.find((x) => x.class === 'duplicate')!;
    expect(dup).toMatchObject({ right: ['i2'], duplicateOf: 'i1', groupId: r.groups[0]!.id, amountAtRisk: { minor: 100, currency: 'USD' } });
  });

  it('an over-billed line written twice is one variance plus a duplicate', () => {
    const r = run([keyPass()], [buy('b1', 'A', 100), inv('i1', 'A', 120), inv('i2', 'A', 120)]);
    expect(outcomeOf(r).get('i1')).toBe('amount_variance');
    expect(r.exceptions.find((x) => x.class === 'duplicate')).toMatchObject({ right: ['i2'], duplicateOf: 'i1' });
  });

  it('equal split lines are not mistaken for duplicates', () => {
    const r = run([keyPass(), keyPass({ id: 'split', cardinality: '1:N', onToleranceFail: 'skip' })], [buy('b1', 'A', 1000), inv('i1', 'A', 500), inv('i2', 'A', 500)]);
    expect(r.groups[0]).toMatchObject({ pass: 'split', left: ['b1'], right: ['i1', 'i2'] });
  });

  it('a copy left over after the waterfall is a duplicate of a claimed record of its side', () => {
    const r = run(
      [keyPass({ id: 'k', key: { left: [{ field: 'ref' }], right: [{ field: 'ref' }] } })],
      [buy('b1', 'A', 100), inv('i1', 'A', 100), buy('b0', 'A', 100, { date: '2026-03-01' })],
    );
    // b0 and b1 are copies in one block: b0 (lowest id) is matched, b1 is its duplicate.
    expect(outcomeOf(r).get('b0')).toBe('matched:k');
    expect(r.exceptions[0]).toMatchObject({ class: 'duplicate', left: ['b1'], duplicateOf: 'b0' });
  });

  it('can be switched off per side', () => {
    const r = runEngine({ ruleSet: rules([keyPass()], { duplicates: { left: true, right: false } }), ruleSetVersion: 1, records: [buy('b1', 'A', 100), inv('i1', 'A', 100), inv('i2', 'A', 100)] });
    expect(outcomeOf(r).get('i2')).toBe('unmatched_right');
  });
});
