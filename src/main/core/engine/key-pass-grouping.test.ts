import { describe, expect, it } from 'vitest';
import { runEngine, unpackExplanation } from './index.js';
import { assertEachOnce, buy, inv, keyPass, outcomeOf, rules } from './test-fixtures.js';
import type { PassInput } from './rule-set.js';
import type { EngineRecord } from './types.js';

const run = (passes: PassInput[], records: EngineRecord[]) => {
  const r = runEngine({ ruleSet: rules(passes), ruleSetVersion: 1, records });
  assertEachOnce(records, r);
  return r;
};
const oneToOne = keyPass({ id: 'pair' });
const split = keyPass({ id: 'split', cardinality: '1:N', onToleranceFail: 'skip', tolerance: { amount: { abs: 0 }, date: { min: 0, max: 45 } } });
const consolidated = keyPass({ id: 'io', cardinality: 'N:1', onToleranceFail: 'skip', key: { left: [{ field: 'io' }], right: [{ field: 'ref' }], normalize: 'ref' } });

describe('key pass grouping', () => {
  it('1:N: a buy split over several invoice lines (with a credit note)', () => {
    const r = run([oneToOne, split], [buy('b1', 'L-1', 1000), inv('i1', 'L-1', 700), inv('i2', 'PO L-1', 300), buy('b2', 'L-2', 500), inv('i3', 'L-2', 620), inv('i4', 'L-2', -120)]);
    expect(r.groups.map((g) => [g.pass, g.left.join(), g.right.join()])).toEqual(
      expect.arrayContaining([
        ['split', 'b1', 'i1,i2'],
        ['split', 'b2', 'i3,i4'],
      ]),
    );
    const g = r.groups.find((x) => x.left[0] === 'b1')!;
    const e = unpackExplanation(g.explanation, r.explanationTemplates);
    expect(e.cardinality).toBe('1:N');
    expect(e.checks.find((c) => c.field === 'amount')).toMatchObject({ left: 1000, right: 1000, value: 0, pass: true });
  });

  it('N:1: buys of one IO consolidated on a line that references the IO only', () => {
    const r = run(
      [oneToOne, split, consolidated],
      [
        buy('b1', 'IO-9-01', 300, { io: 'IO-9' }),
        buy('b2', 'IO-9-02', 500, { io: 'IO-9' }),
        buy('b3', 'IO-9-03', 999, { io: 'IO-9' }),
        inv('i1', 'PO# IO 9', 800),
      ],
    );
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]).toMatchObject({ pass: 'io', left: ['b1', 'b2'], right: ['i1'], status: 'matched' });
    expect(outcomeOf(r).get('b3')).toBe('unmatched_left');
  });

  it('equally fitting groupings go to ambiguous', () => {
    const r = run([split], [buy('b1', 'K', 1000), inv('i1', 'K', 600), inv('i2', 'K', 400), inv('i3', 'K', 700), inv('i4', 'K', 300)]);
    expect(r.groups).toHaveLength(0);
    expect(r.exceptions).toHaveLength(1);
    expect(r.exceptions[0]).toMatchObject({ class: 'ambiguous', left: ['b1'], right: ['i1', 'i2', 'i3', 'i4'], pass: 'split' });
    expect(r.exceptions[0]!.detail).toMatch(/2 groupings fit equally well/);
  });

  it('N:M: several buys against several lines of one key', () => {
    const nm = keyPass({ id: 'nm', cardinality: 'N:M' });
    const r = run([nm], [buy('b1', 'K', 100), buy('b2', 'K', 200), inv('i1', 'K', 150), inv('i2', 'K', 150)]);
    expect(r.groups[0]).toMatchObject({ left: ['b1', 'b2'], right: ['i1', 'i2'] });
  });

  it('with onToleranceFail exception, a split that does not add up is one amount_variance', () => {
    const r = run([keyPass({ id: 'split', cardinality: '1:N' })], [buy('b1', 'K', 1000), inv('i1', 'K', 700), inv('i2', 'K', 400)]);
    expect(r.exceptions).toHaveLength(1);
    expect(r.exceptions[0]).toMatchObject({ class: 'amount_variance', left: ['b1'], right: ['i1', 'i2'], amountAtRisk: { minor: 100, currency: 'USD' } });
  });

  it('blocks over maxPerSide are left for later passes and say so when unmatched', () => {
    const capped = keyPass({ id: 'split', cardinality: '1:N', limits: { maxPerSide: 2, maxSteps: 100 } });
    const records = [buy('b1', 'K', 600), inv('i1', 'K', 100), inv('i2', 'K', 200), inv('i3', 'K', 300)];
    const r = run([capped], records);
    expect(r.stats.passes[0]!.cappedBlocks).toBe(1);
    expect(r.exceptions.find((x) => x.left[0] === 'b1')!.detail).toMatch(/too large/);
    const later = run([capped, keyPass({ id: 'wide', cardinality: '1:N' })], records);
    expect(later.groups[0]).toMatchObject({ pass: 'wide', right: ['i1', 'i2', 'i3'] });
  });

  it('groups only within one currency; other currencies convert with FX', () => {
    const fxSplit = keyPass({ id: 'split', cardinality: '1:N', tolerance: { amount: { abs: 1, fx: true } } });
    const records = [buy('b1', 'K', 2000), inv('i1', 'K', 1000), inv('i2', 'K', 922, { currency: 'EUR' })];
    const r = runEngine({ ruleSet: rules([fxSplit]), ruleSetVersion: 1, records, fx: [{ from: 'EUR', to: 'USD', rate: '1.0850' }] });
    assertEachOnce(records, r);
    expect(r.groups[0]).toMatchObject({ left: ['b1'], right: ['i1', 'i2'] }); // 922 EUR cents → 1000.37 → 1000
  });
});
