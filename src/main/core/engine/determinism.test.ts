import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEMO_RULE_SET } from './demo-rules.js';
import { runEngine } from './index.js';
import type { PassInput, RuleSetInput } from './rule-set.js';
import { assertEachOnce, keyPass, rules } from './test-fixtures.js';
import type { EngineRecord } from './types.js';

/** A deterministic shuffle (seeded LCG), so the test itself is reproducible. */
function shuffle<T>(xs: T[], seed: number): T[] {
  const out = xs.slice();
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const WATERFALL: PassInput[] = [
  keyPass({ id: 'pair', tolerance: { amount: { abs: 0 }, date: { min: 0, max: 40 } } }),
  keyPass({ id: 'split', cardinality: '1:N', onToleranceFail: 'skip' }),
  keyPass({ id: 'io', cardinality: 'N:1', onToleranceFail: 'skip', key: { left: [{ field: 'io' }], right: [{ field: 'ref' }], normalize: 'ref' } }),
  keyPass({ id: 'nm', cardinality: 'N:M', onToleranceFail: 'exception', tolerance: { amount: { abs: 5 } } }),
  {
    id: 'fs',
    kind: 'probabilistic',
    blocking: [
      { left: [{ field: 'amount' }], right: [{ field: 'amount' }] },
      { left: [{ field: 'vendor', normalize: ['upper'] }], right: [{ field: 'vendor', normalize: ['upper'] }] },
    ],
    comparisons: [
      { id: 'amount', type: 'amount', close: { abs: 50 } },
      { id: 'date', type: 'date', close: { min: -5, max: 40 } },
      { id: 'vendor', type: 'text', role: 'vendor', threshold: 0.8 },
    ],
    thresholds: { match: 4, suggest: 0 },
  },
];
const RULES: RuleSetInput = rules(WATERFALL);

/** Small alphabets so keys, amounts and dates collide often: splits, ties, duplicates, ambiguity. */
const recordArb = fc.record({
  side: fc.constantFrom('left' as const, 'right' as const),
  ref: fc.option(fc.constantFrom('A', 'B', 'C', 'D', 'po a', 'IO-1', 'io 2', ''), { nil: null }),
  io: fc.constantFrom('IO-1', 'IO-2'),
  amount: fc.option(fc.constantFrom(-100, 100, 200, 300, 300, 400, 600), { nil: null, freq: 20 }),
  currency: fc.constantFrom('USD', 'USD', 'USD', 'USD', 'USD', 'EUR'),
  date: fc.constantFrom('2026-03-01', '2026-03-01', '2026-03-15', '2026-06-30'),
  vendor: fc.constantFrom('Meta', 'META', 'Google', 'Roku'),
});

type Raw = typeof recordArb extends fc.Arbitrary<infer T> ? T : never;

function build(raw: Raw[]): EngineRecord[] {
  return raw.map((r, i) => ({
    id: `${r.side === 'left' ? 'L' : 'R'}${String(i).padStart(3, '0')}`,
    side: r.side,
    source: 'gen',
    fields: { ref: r.ref, io: r.io, amount: r.amount, currency: r.currency, date: r.date, vendor: r.vendor, text: '' },
  }));
}

describe('determinism and the every-record-once invariant', () => {
  it('puts every input record in exactly one group or exception, for any input', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 60 }), (raw) => {
        const records = build(raw);
        assertEachOnce(records, runEngine({ ruleSet: RULES, ruleSetVersion: 1, records }));
      }),
      { numRuns: 300 },
    );
  });

  it('gives byte-identical JSON when run twice and when the input is shuffled', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 60 }), fc.integer(), (raw, seed) => {
        const records = build(raw);
        const a = JSON.stringify(runEngine({ ruleSet: RULES, ruleSetVersion: 1, records }));
        const b = JSON.stringify(runEngine({ ruleSet: RULES, ruleSetVersion: 1, records }));
        const c = JSON.stringify(runEngine({ ruleSet: RULES, ruleSetVersion: 1, records: shuffle(records, seed) }));
        expect(b).toBe(a);
        expect(c).toBe(a);
      }),
      { numRuns: 150 },
    );
  });

  it('is order-independent on the demo rules too', () => {
    const records: EngineRecord[] = [];
    for (let i = 0; i < 40; i++) {
      const line = `IO-2026-00000${i % 4}-0${i % 7}`;
      records.push({ id: `b${i}`, side: 'left', source: 'b', fields: { io_number: line.slice(0, 14), line_id: line, vendor: 'Meta', placement: 'Feed', campaign: 'Sale', flight_end: '2026-03-01', net_cost: 1000 + (i % 5) * 100, currency: 'USD' } });
      records.push({ id: `i${i}`, side: 'right', source: 'i', fields: { po_reference: i % 6 === 0 ? '' : `PO# ${line}`, vendor_name: 'Facebook Ads', description: 'Sale - Feed', invoice_date: '2026-03-31', amount: 1000 + (i % 3) * 100, currency: 'USD' } });
    }
    const a = JSON.stringify(runEngine({ ruleSet: DEMO_RULE_SET, ruleSetVersion: 1, records }));
    for (const seed of [1, 2, 3]) expect(JSON.stringify(runEngine({ ruleSet: DEMO_RULE_SET, ruleSetVersion: 1, records: shuffle(records, seed) }))).toBe(a);
  });

  it('orders groups by pass, then id; exceptions by class, then id', () => {
    const records = build(fc.sample(fc.array(recordArb, { minLength: 40, maxLength: 40 }), { numRuns: 1, seed: 7 })[0]!);
    const r = runEngine({ ruleSet: RULES, ruleSetVersion: 1, records });
    const passOrder = ['locked', ...WATERFALL.map((p) => p.id)];
    const gk = r.groups.map((g) => [passOrder.indexOf(g.pass), g.id] as const);
    expect(gk).toEqual([...gk].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1)));
    const classes = ['amount_variance', 'date_variance', 'currency_mismatch', 'duplicate', 'ambiguous', 'unmatched_left', 'unmatched_right'];
    const xk = r.exceptions.map((x) => [classes.indexOf(x.class), x.id] as const);
    expect(xk).toEqual([...xk].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1)));
  });
});
