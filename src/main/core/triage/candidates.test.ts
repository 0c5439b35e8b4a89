import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../shared/date.js';
import { formatMinor } from '../../../shared/money.js';
import { DEMO_RULE_SET } from '../engine/demo-rules.js';
import { parseRuleSet } from '../engine/index.js';
import { runTable } from '../workspace/index.js';
import { CANDIDATE_WEIGHTS, candidatesFor, candidateSpec, scoreCandidate, type ScoredRecord } from './candidates.js';
import { demoFixture, importInvoices, runAndSync, type Fixture } from './test-fixture.js';

const spec = candidateSpec(parseRuleSet(DEMO_RULE_SET));
const buy: ScoredRecord = {
  recordId: 1,
  side: 'left',
  fields: { vendor: 'Meta', placement: 'Instagram Feed', campaign: 'Spring Sale', line_id: 'L-1001' },
  amountMinor: 125_000,
  currency: 'USD',
  date: '2026-03-31',
};
const invoice = (over: Partial<ScoredRecord> & { fields?: Record<string, string> }): ScoredRecord => ({
  recordId: 2,
  side: 'right',
  fields: { vendor_name: 'Meta Platforms, Inc.', description: 'Spring Sale - Instagram Feed', po_reference: 'PO L-1001' },
  amountMinor: 125_000,
  currency: 'USD',
  date: '2026-04-10',
  ...over,
});

describe('candidate scoring (pure)', () => {
  it('reads roles, key fields, the date window and aliases from the rule set', () => {
    expect(spec.textRoles.map((r) => r.role)).toEqual(['campaign', 'description', 'vendor']);
    expect(spec.references[0]).toEqual({ left: ['line_id'], right: ['po_reference'] });
    expect(spec.window).toEqual({ min: 0, max: 45 });
  });

  it('scores a partner agreeing on everything near 1, explaining each component', () => {
    const { score, checks } = scoreCandidate(buy, invoice({}), spec);
    expect(score).toBeGreaterThan(0.95);
    expect(checks.map((c) => c.field)).toEqual(['amount', 'date', 'campaign', 'description', 'vendor', 'reference']);
    expect(checks.find((c) => c.field === 'vendor')).toMatchObject({ left: 'META', right: 'META', score: 1 }); // via the alias table
    expect(checks.find((c) => c.field === 'date')).toMatchObject({ value: 10, measure: 'days' });
    expect(checks.reduce((n, c) => n + c.weight, 0)).toBeCloseTo(1);
  });

  it('ranks amount closeness, then dates inside the window, above dates outside it', () => {
    const exact = scoreCandidate(buy, invoice({}), spec).score;
    const off5 = scoreCandidate(buy, invoice({ amountMinor: 131_250 }), spec).score;
    const late = scoreCandidate(buy, invoice({ date: '2026-06-30' }), spec);
    expect(exact).toBeGreaterThan(off5);
    expect(off5).toBeGreaterThan(scoreCandidate(buy, invoice({ amountMinor: 200_000 }), spec).score);
    expect(late.checks.find((c) => c.field === 'date')).toMatchObject({ score: 0, note: 'outside [0, 45] days' });
  });

  it('gives no amount credit across currencies and leaves out what a record lacks', () => {
    const eur = scoreCandidate(buy, invoice({ currency: 'EUR' }), spec);
    expect(eur.checks[0]).toMatchObject({ field: 'amount', score: 0, value: null, note: 'currencies differ (USD / EUR)' });
    const undated = scoreCandidate(buy, invoice({ date: null }), spec);
    expect(undated.checks.some((c) => c.field === 'date')).toBe(false);
    expect(undated.checks.reduce((n, c) => n + c.weight, 0)).toBeCloseTo(1 - CANDIDATE_WEIGHTS.date);
  });

  it('is symmetric in argument order', () => {
    expect(scoreCandidate(invoice({}), buy, spec)).toEqual(scoreCandidate(buy, invoice({}), spec));
  });
});

describe('candidatesFor', () => {
  let f: Fixture;
  let buyId = 0;
  let plantedId = 0;
  beforeAll(async () => {
    f = await demoFixture();
    // Plant a near miss for one unbilled buy: no usable PO, 6% over, billed three weeks later.
    const b = f.ws.db
      .prepare(
        `SELECT r.id, r.fields_json FROM run_exception e JOIN ${runTable(f.ws.db, f.runId, 'member').name} m ON m.run_id = e.run_id AND m.exception_id = e.exception_id JOIN record r ON r.id = m.record_id
          WHERE e.run_id = ? AND e.class = 'unmatched_left' ORDER BY r.id LIMIT 1`,
      )
      .get(f.runId) as { id: number; fields_json: string };
    buyId = b.id;
    const fl = JSON.parse(b.fields_json) as Record<string, string | number>;
    await importInvoices(f.ws, f.dir, [
      {
        no: 'INV-NEAR-1',
        line: 1,
        date: addDays(String(fl['flight_end']), 21),
        vendor: String(fl['vendor']),
        po: '',
        desc: String(fl['placement']),
        amount: formatMinor(Math.round(Number(fl['net_cost']) * 1.06), String(fl['currency'])),
        currency: String(fl['currency']),
      },
    ]);
    await runAndSync(f.ws, f.recName, new Date().toISOString());
    plantedId = (f.ws.db.prepare("SELECT id FROM record WHERE json_extract(fields_json, '$.invoice_no') = 'INV-NEAR-1'").get() as { id: number }).id;
  });
  afterAll(() => f?.close());

  it('ranks the planted near miss first among the other side\'s unmatched records', () => {
    const r = candidatesFor(f.ws.db, f.recId, buyId);
    expect(r.side).toBe('left');
    expect(r.candidates.length).toBeGreaterThan(1);
    expect(r.candidates.length).toBeLessThanOrEqual(5);
    expect(r.candidates[0]).toMatchObject({ recordId: plantedId, side: 'right' });
    expect(r.candidates[0]!.itemId).toBeTruthy();
    const scores = r.candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(r.candidates[0]!.checks.find((c) => c.field === 'amount')!.value).toBeGreaterThan(0);
  });

  it('is deterministic and honours the limit', () => {
    expect(candidatesFor(f.ws.db, f.recId, buyId, 3)).toEqual(candidatesFor(f.ws.db, f.recId, buyId, 3));
    expect(candidatesFor(f.ws.db, f.recId, buyId, 1).candidates).toHaveLength(1);
    expect(() => candidatesFor(f.ws.db, f.recId, buyId, 0)).toThrow(expect.objectContaining({ code: 'bad_input' }));
  });

  it('refuses records that are matched or not in the latest run', () => {
    const run = (f.ws.db.prepare('SELECT MAX(id) AS id FROM run').get() as { id: number }).id;
    const matched = (f.ws.db.prepare(`SELECT record_id FROM ${runTable(f.ws.db, run, 'member').name} WHERE run_id = ? AND group_id IS NOT NULL LIMIT 1`).get(run) as { record_id: number }).record_id;
    expect(() => candidatesFor(f.ws.db, f.recId, matched)).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => candidatesFor(f.ws.db, f.recId, 987654)).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});
