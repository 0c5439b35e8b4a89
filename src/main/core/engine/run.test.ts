import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { runEngine, unpackExplanation } from './index.js';
import { assertEachOnce, buy, inv, keyPass, outcomeOf, rules } from './test-fixtures.js';

describe('runEngine', () => {
  it('claims locked groups before pass 1 and reports them under their own id', () => {
    const records = [buy('b1', 'A', 100), inv('i1', 'A', 100), inv('i2', 'B', 100)];
    const r = runEngine({ ruleSet: rules([keyPass()]), ruleSetVersion: 1, records, locked: [{ groupId: 'manual-1', left: ['b1'], right: ['i2', 'gone'] }] });
    assertEachOnce(records, r);
    expect(r.groups[0]).toMatchObject({ id: 'manual-1', pass: 'locked', passKind: 'locked', status: 'matched', left: ['b1'], right: ['i2'] });
    expect(unpackExplanation(r.groups[0]!.explanation, r.explanationTemplates).notes).toEqual(['confirmed by an analyst', 'some of its records are no longer in the input']);
    expect(outcomeOf(r).get('i1')).toBe('unmatched_right');
    expect(r.stats.passes[0]).toMatchObject({ pass: 'locked', groups: 1, left: 1, right: 1 });
  });

  it('rejects a record in two locked groups, duplicate ids and bad values as bad_input', () => {
    const bad = (f: () => unknown, re: RegExp) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(TieoutError);
        expect((e as TieoutError).code).toBe('bad_input');
        expect((e as TieoutError).message).toMatch(re);
      }
    };
    const rs = rules([keyPass()]);
    bad(() => runEngine({ ruleSet: rs, ruleSetVersion: 1, records: [buy('b1', 'A', 1)], locked: [{ groupId: 'x', left: ['b1'], right: [] }, { groupId: 'y', left: ['b1'], right: [] }] }), /more than one locked group/);
    bad(() => runEngine({ ruleSet: rs, ruleSetVersion: 1, records: [buy('b1', 'A', 1), buy('b1', 'B', 2)] }), /appears twice/);
    bad(() => runEngine({ ruleSet: rs, ruleSetVersion: 1, records: [buy('b1', 'A', 12.5)] }), /integer minor units/);
    bad(() => runEngine({ ruleSet: rs, ruleSetVersion: 1, records: [buy('b1', 'A', 1, { date: '03/01/2026' })] }), /YYYY-MM-DD/);
    bad(() => runEngine({ ruleSet: { name: 'x' } as never, ruleSetVersion: 1, records: [] }), /rule set/);
  });

  it('stops with a cancelled TieoutError when asked, and reports progress per pass', () => {
    const records = Array.from({ length: 20_000 }, (_, i) => buy(`b${i}`, `R${i}`, i));
    const seen: string[] = [];
    expect(() =>
      runEngine({ ruleSet: rules([keyPass()]), ruleSetVersion: 1, records }, { isCancelled: () => true, onProgress: (p) => seen.push(p.pass) }),
    ).toThrow(expect.objectContaining({ code: 'cancelled' }));
    const passes: string[] = [];
    runEngine({ ruleSet: rules([keyPass({ id: 'one' }), keyPass({ id: 'two' })]), ruleSetVersion: 1, records: records.slice(0, 10) }, { onProgress: (p) => passes.push(`${p.pass}:${p.done}/${p.total}`) });
    expect(passes).toEqual(['one:0/1', 'one:1/1', 'two:0/1', 'two:1/1', 'finish:0/1', 'finish:1/1']);
  });

  it('counts per pass and per class without any timing', () => {
    const records = [buy('b1', 'A', 100), inv('i1', 'A', 100), buy('b2', 'B', 100), inv('i2', 'B', 90), buy('b3', 'C', 5)];
    const r = runEngine({ ruleSet: rules([keyPass()]), ruleSetVersion: 1, records });
    expect(r.stats).toEqual({
      records: { left: 3, right: 2 },
      passes: [{ pass: 'key', kind: 'key', groups: 1, matched: 1, suggested: 0, left: 1, right: 1, exceptions: 1, cappedBlocks: 0 }],
      classes: {
        amount_variance: { count: 1, left: 1, right: 1 },
        date_variance: { count: 0, left: 0, right: 0 },
        currency_mismatch: { count: 0, left: 0, right: 0 },
        duplicate: { count: 0, left: 0, right: 0 },
        ambiguous: { count: 0, left: 0, right: 0 },
        unmatched_left: { count: 1, left: 1, right: 0 },
        unmatched_right: { count: 0, left: 0, right: 0 },
        record_changed: { count: 0, left: 0, right: 0 },
      },
      matched: { groups: 1, left: 1, right: 1 },
      suggested: { groups: 0, left: 0, right: 0 },
    });
    expect(r.exceptions.find((x) => x.class === 'unmatched_left')).toMatchObject({ left: ['b3'], amountAtRisk: { minor: 5, currency: 'USD' }, detail: 'Unbilled: no Invoices record matched' });
  });
});
