import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { DEMO_RULE_SET } from './demo-rules.js';
import { EXAMPLE_AD_OPS, EXAMPLE_BANK, parseRuleSet, RuleSet } from './rule-set.js';
import { keyPass, rules } from './test-fixtures.js';

describe('rule set schema', () => {
  it('accepts the examples and fills defaults', () => {
    for (const ex of [EXAMPLE_AD_OPS, EXAMPLE_BANK, DEMO_RULE_SET]) {
      const rs = RuleSet.parse(JSON.parse(JSON.stringify(ex)));
      expect(rs.passes.length).toBeGreaterThan(0);
      expect(rs.duplicates).toEqual({ left: true, right: true });
    }
    const rs = parseRuleSet(EXAMPLE_AD_OPS);
    const first = rs.passes[0]!;
    expect(first.kind === 'key' && first.limits).toEqual({ maxPerSide: 12, maxSteps: 20_000 });
  });

  it('names what is wrong, as a bad_input TieoutError', () => {
    const bad = rules([keyPass({ id: 'a' }), keyPass({ id: 'a', key: { left: [{ field: 'ref', normalize: 'nope' }], right: [{ field: 'ref' }] } })]);
    try {
      parseRuleSet(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TieoutError);
      const err = e as TieoutError;
      expect(err.code).toBe('bad_input');
      const paths = err.details?.issues?.map((i) => i.path) ?? [];
      expect(paths).toContain('passes.1.id');
      expect(paths).toContain('passes.1.key.left.0.normalize');
    }
  });

  it('refuses a misspelt key instead of ignoring it, and names where it is', () => {
    const typo = rules([{ ...keyPass(), tolerence: { amount: { abs: 5 } } } as never]);
    const nested = rules([keyPass({ tolerance: { amount: { abs: 5, pc: 1 } } as never })]);
    for (const [bad, path] of [
      [typo, 'passes.0'],
      [nested, 'passes.0.tolerance.amount'],
    ] as const) {
      const r = RuleSet.safeParse(bad);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', path: path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) });
    }
  });

  it('requires alias steps last, known tables, declared text roles and valid regexes', () => {
    const r = rules([
      keyPass({
        key: { left: [{ field: 'ref', normalize: [{ op: 'alias', table: 'vendors' }, 'upper'] }], right: [{ field: 'ref', normalize: [{ op: 'alias', table: 'x' }] }] },
        tolerance: { text: [{ role: 'nope', threshold: 0.9 }] },
      }),
      keyPass({ id: 'k2', key: { left: [{ field: 'ref', normalize: [{ op: 'regex_extract', pattern: '(' }] }], right: [{ field: 'ref' }] } }),
    ]);
    const res = RuleSet.safeParse(r);
    expect(res.success).toBe(false);
    const msgs = res.error!.issues.map((i) => i.message).join('\n');
    expect(msgs).toMatch(/alias must be the last step/);
    expect(msgs).toMatch(/unknown alias table "x"/);
    expect(msgs).toMatch(/text role "nope" is not declared/);
    expect(msgs).toMatch(/invalid regular expression/);
  });

  it('rejects thresholds in the wrong order and one-sided windows with min > max', () => {
    expect(RuleSet.safeParse(rules([keyPass({ tolerance: { date: { min: 5, max: 1 } } })])).success).toBe(false);
    const prob = { id: 'p', kind: 'probabilistic', blocking: [{ left: [{ field: 'amount' }], right: [{ field: 'amount' }] }], comparisons: [{ id: 'a', type: 'amount' }], thresholds: { match: 1, suggest: 5 } };
    expect(RuleSet.safeParse(rules([prob as never])).success).toBe(false);
  });
});
