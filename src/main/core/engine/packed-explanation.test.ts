import { describe, expect, it } from 'vitest';
import type { Explanation } from './types.js';
import { ExplanationPacker, explanationKeys, packExplanation, unpackExplanation } from './packed-explanation.js';

const keyPass: Explanation = {
  pass: 'line-1to1',
  passKind: 'key',
  ruleSetVersion: 3,
  keys: { left: ['IO202603770602'], right: ['IO202603770602'] },
  checks: [
    { field: 'amount', left: 776217, right: 776217, unit: 'USD', measure: 'difference', value: 0, tolerance: 'exact', pass: true, weight: null },
    { field: 'date', left: '2026-10-15', right: '2026-11-01', measure: 'days', value: 17, tolerance: '[0, 45] days', pass: true, weight: null },
  ],
  cardinality: '1:1',
};

const probabilistic: Explanation = {
  pass: 'no-po',
  passKind: 'probabilistic',
  ruleSetVersion: 1,
  keys: { left: ['meta|2026-03'], right: ['meta|2026-04', 'meta|2026-03'] },
  checks: [
    { field: 'vendor', left: 'META', right: 'META', measure: 'jaro_winkler', value: 1, tolerance: '≥ 0.9', pass: true, level: 'exact', weight: 6.2146 },
    { field: 'amount', left: 1200, right: null, unit: 'EUR', measure: 'difference', value: null, tolerance: '±1%', pass: null, level: 'null', weight: 0 },
    { field: 'amount', left: 1200, right: 1180, unit: 'EUR', measure: 'difference', value: -20, tolerance: '±1%', pass: false, weight: null, note: 'right 12.00 GBP converted at GBP/EUR 1.1' },
  ],
  prior: -9.5,
  score: 3.25,
  thresholds: { match: 8, suggest: 2 },
  notes: ['blocked on vendor and month'],
};

describe('a packed explanation', () => {
  it('unpacks equal to the explanation the engine made, for key and probabilistic passes', () => {
    for (const e of [keyPass, probabilistic]) expect(unpackExplanation(packExplanation(e))).toEqual(e);
  });

  it('takes less than half the bytes of the explanation written as an object', () => {
    expect(packExplanation(keyPass).length).toBeLessThan(JSON.stringify(keyPass).length / 2);
  });

  it('keeps a check member it has no place for by storing the whole explanation as an object', () => {
    const odd = { ...keyPass, checks: [{ ...keyPass.checks[0]!, extra: 'kept' } as never] };
    const stored = packExplanation(odd);
    expect(JSON.parse(stored)).toEqual(odd);
    expect(unpackExplanation(stored)).toEqual(odd);
  });

  it('reads explanations stored as objects by earlier versions, and none when none was stored', () => {
    expect(unpackExplanation(JSON.stringify(keyPass))).toEqual(keyPass);
    expect(unpackExplanation(null)).toBeNull();
  });

  it('keeps the right keys apart from the left ones when they differ', () => {
    const e = { ...keyPass, keys: { left: ['A'], right: ['B'] } };
    expect(unpackExplanation(packExplanation(e))!.keys).toEqual({ left: ['A'], right: ['B'] });
  });

  it('gives its keys without unpacking the checks, in either form, whatever the keys hold', () => {
    const odd = { ...probabilistic, pass: 'a "quoted", [bracketed] \\ pass', keys: { left: ['x,"y"]', '\\', 'ü{}'], right: ['[', ']'] } };
    const sameOdd = { ...keyPass, keys: { left: ['a"],0,b'], right: ['a"],0,b'] } };
    for (const e of [keyPass, probabilistic, odd, sameOdd, { ...keyPass, keys: { left: [], right: [] } }]) {
      expect(explanationKeys(packExplanation(e))).toEqual(e.keys);
      expect(explanationKeys(JSON.stringify(e) as never)).toEqual(e.keys);
    }
  });

  it('packed by a run, unpacks with the run\'s templates equal to the explanation the engine made, and a pass shares one template', () => {
    const packer = new ExplanationPacker();
    const second = { ...keyPass, keys: { left: ['IO2'], right: ['IO2'] }, checks: [{ ...keyPass.checks[0]!, left: 5, right: 7, value: 2, pass: false }, keyPass.checks[1]!] };
    const odd = { ...keyPass, checks: [{ ...keyPass.checks[0]!, extra: 'kept' } as never] };
    const packed = [keyPass, probabilistic, second, odd].map((e) => packer.pack(e));
    // Stored and read back as JSON, the templates still unpack every form.
    const templates = JSON.parse(JSON.stringify(packer.templates)) as unknown[];
    expect(packed.map((p) => unpackExplanation(p, templates))).toEqual([keyPass, probabilistic, second, odd]);
    expect(templates).toHaveLength(2);
    expect(packed[0]!.length).toBeLessThanOrEqual(packExplanation(keyPass).length / 2);
    for (const [i, e] of [keyPass, probabilistic, second].entries()) expect(explanationKeys(packed[i]!)).toEqual(e.keys);
    expect(() => unpackExplanation(packed[0]!)).toThrow(/template 0 is missing/);
    // Roles are free text: two skeletons that read the same once joined must not share a template.
    const check = (field: string, unit: string) => ({ field, left: 1, right: 1, unit, measure: 'difference' as const, value: 0, tolerance: 'exact', pass: true, weight: null });
    const a = { ...keyPass, checks: [check('x', 'U\u0002V')] };
    const b = { ...keyPass, checks: [check('x\u0002U', 'V')] };
    const own = new ExplanationPacker();
    const both = [own.pack(a), own.pack(b)];
    expect(both.map((p) => unpackExplanation(p, own.templates))).toEqual([a, b]);
  });
});
