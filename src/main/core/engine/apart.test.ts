import { describe, expect, it } from 'vitest';
import { runEngine } from './index.js';
import type { PassInput } from './rule-set.js';
import { assertEachOnce, buy, inv, keyPass, outcomeOf, rules } from './test-fixtures.js';
import type { ApartSet, EngineRecord } from './types.js';

const run = (passes: PassInput[], records: EngineRecord[], apart?: ApartSet[]) => {
  const r = runEngine({ ruleSet: rules(passes), ruleSetVersion: 1, records, ...(apart && { apart }) });
  assertEachOnce(records, r);
  return r;
};

describe('records an analyst split apart', () => {
  it('are never paired again by a key pass, and each says why it is unmatched', () => {
    const records = [buy('b1', 'A', 100), inv('i1', 'A', 100)];
    expect(outcomeOf(run([keyPass()], records)).get('b1')).toBe('matched:key');
    const r = run([keyPass()], records, [{ by: 'override #7', left: ['b1'], right: ['i1'] }]);
    expect(outcomeOf(r)).toEqual(new Map([['b1', 'unmatched_left'], ['i1', 'unmatched_right']]));
    expect(r.exceptions.map((x) => x.detail)).toEqual([expect.stringContaining('kept apart from its former match by override #7'), expect.stringContaining('override #7')]);
  });

  it('do not come back as a variance pair either', () => {
    const records = [buy('b1', 'A', 100), inv('i1', 'A', 150)];
    expect(outcomeOf(run([keyPass()], records)).get('b1')).toBe('amount_variance');
    expect(outcomeOf(run([keyPass()], records, [{ by: 'x', left: ['b1'], right: ['i1'] }])).get('b1')).toBe('unmatched_left');
  });

  it('stay free to match other records: the next candidate wins instead of an ambiguity', () => {
    const records = [buy('b1', 'A', 100), inv('i1', 'A', 100), inv('i2', 'A', 100, { date: '2026-03-21' })];
    const pass = keyPass({ tolerance: { amount: { abs: 0 } } });
    expect(outcomeOf(run([pass], records)).get('b1')).toBe('ambiguous');
    const r = run([pass], records, [{ by: 'x', left: ['b1'], right: ['i1'] }]);
    expect(r.groups.map((g) => [g.left, g.right])).toEqual([[['b1'], ['i2']]]);
  });

  it('are not grouped together by a 1:N grouping pass', () => {
    const records = [buy('b1', 'A', 300), inv('i1', 'A', 100), inv('i2', 'A', 200), inv('i3', 'A', 300)];
    const split = keyPass({ id: 'split', cardinality: '1:N', tolerance: { amount: { abs: 0 } } });
    // Without the decision, both groupings fit equally well.
    expect(outcomeOf(run([split], records)).get('b1')).toBe('ambiguous');
    const r = run([split], records, [{ by: 'x', left: ['b1'], right: ['i3'] }]);
    expect(r.groups.map((g) => [g.left, g.right])).toEqual([[['b1'], ['i1', 'i2']]]);
  });

  it('are not paired by the probabilistic pass', () => {
    const prob: PassInput = {
      id: 'fs',
      kind: 'probabilistic',
      blocking: [{ left: [{ field: 'amount' }], right: [{ field: 'amount' }] }],
      comparisons: [
        { id: 'amount', type: 'amount', close: { pct: 1 } },
        { id: 'vendor', type: 'text', role: 'vendor', measure: 'jaro_winkler', threshold: 0.9 },
      ],
      thresholds: { match: 0.5, suggest: 0.1 },
    } as PassInput;
    const records = [buy('b1', null, 100, { vendor: 'Meta' }), inv('i1', null, 100, { vendor: 'Meta' })];
    expect(outcomeOf(run([prob], records)).get('b1')).not.toBe('unmatched_left');
    expect(outcomeOf(run([prob], records, [{ by: 'x', left: ['b1'], right: ['i1'] }])).get('b1')).toBe('unmatched_left');
  });

  it('ignore ids that are not in the input', () => {
    const records = [buy('b1', 'A', 100), inv('i1', 'A', 100)];
    expect(outcomeOf(run([keyPass()], records, [{ by: 'x', left: ['gone'], right: ['i1'] }])).get('b1')).toBe('matched:key');
  });
});
