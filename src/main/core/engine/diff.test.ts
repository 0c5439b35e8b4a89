import { describe, expect, it } from 'vitest';
import { diffResults, runEngine } from './index.js';
import { buy, inv, keyPass, rules } from './test-fixtures.js';

describe('diffResults (dry run of a draft rule set)', () => {
  it('lists new and lost matches and records whose outcome changed', () => {
    const records = [buy('b1', 'A', 100), inv('i1', 'A', 100), buy('b2', 'B', 100), inv('i2', 'B', 103)];
    const current = runEngine({ ruleSet: rules([keyPass()]), ruleSetVersion: 1, records });
    const draft = runEngine({ ruleSet: rules([keyPass({ tolerance: { amount: { abs: 5 } }, confirm: 'suggest' })]), ruleSetVersion: 2, records });
    const d = diffResults(current, draft);
    expect(d.newMatches.map((g) => g.left)).toEqual([['b2']]);
    expect(d.lostMatches).toEqual([]);
    expect(d.changedStatus.map((c) => [c.current.status, c.draft.status])).toEqual([['matched', 'suggested']]);
    expect(d.changedClasses).toEqual([
      { side: 'left', recordId: 'b1', from: 'matched', to: 'suggested' },
      { side: 'left', recordId: 'b2', from: 'amount_variance', to: 'suggested' },
      { side: 'right', recordId: 'i1', from: 'matched', to: 'suggested' },
      { side: 'right', recordId: 'i2', from: 'amount_variance', to: 'suggested' },
    ]);
    expect(d.summary).toEqual({ newMatches: 1, lostMatches: 0, changedStatus: 1, changedClasses: 4, unchangedGroups: 0 });
    expect(diffResults(current, current).summary).toEqual({ newMatches: 0, lostMatches: 0, changedStatus: 0, changedClasses: 0, unchangedGroups: 1 });
  });
});
