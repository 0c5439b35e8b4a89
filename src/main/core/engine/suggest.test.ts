import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SOURCES, generateDemo } from '../demo/index.js';
import { loadDemo, type LoadedDemo } from './demo-loader.js';
import { previewPasses, runEngine, suggestRuleSet } from './index.js';
import { measureQuality } from './quality.js';
import { RuleSet } from './rule-set.js';

describe('suggestRuleSet', () => {
  let dir = '';
  let demo: LoadedDemo;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tieout-engine-suggest-'));
    await generateDemo({ seed: 11, buys: 2_000, outDir: dir });
    demo = await loadDemo(dir);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const sample = () => ({
    left: { label: 'Buys', unmatchedLabel: 'Unbilled', ...DEMO_SOURCES.buys.mapping },
    right: { label: 'Invoices', unmatchedLabel: 'Not authorized', ...DEMO_SOURCES.invoices.mapping },
    leftRecords: demo.records.filter((r) => r.side === 'left'),
    rightRecords: demo.records.filter((r) => r.side === 'right'),
  });

  it('proposes key passes, normalizers, a date window and aliases from roles and data', () => {
    const { ruleSet, reasons } = suggestRuleSet(sample());
    const rs = RuleSet.parse(ruleSet);
    const [pair, split, consolidated, prob] = rs.passes;
    expect(pair).toMatchObject({ kind: 'key', cardinality: '1:1', key: { left: [{ field: 'line_id' }], right: [{ field: 'po_reference', normalize: ['upper', 'alnum', { op: 'strip_prefix', values: ['PO'] }] }] } });
    expect(split).toMatchObject({ kind: 'key', cardinality: '1:N' });
    expect(consolidated).toMatchObject({ kind: 'key', cardinality: 'N:1', key: { left: [{ field: 'io_number' }] } });
    expect(prob).toMatchObject({ kind: 'probabilistic', confirm: 'suggest' });
    expect(pair!.tolerance?.date).toMatchObject({ min: 0 });
    expect(pair!.tolerance!.date!.max).toBeGreaterThanOrEqual(45);
    expect(pair!.tolerance!.date!.max).toBeLessThanOrEqual(60);
    expect(pair!.tolerance?.amount).toMatchObject({ abs: 0 });
    expect(rs.sides.left.fields).toMatchObject({ amount: 'net_cost', currency: 'currency', date: 'flight_end', text: { vendor: 'vendor' } });
    expect(rs.aliases.counterparty?.['Facebook Ads']).toBe('Meta');
    expect(reasons.length).toBeGreaterThan(3);
  });

  it('gives rules that already reconcile the sample well, and a per-pass preview', () => {
    const { ruleSet } = suggestRuleSet(sample());
    const result = runEngine({ ruleSet, ruleSetVersion: 1, records: demo.records });
    const q = measureQuality(result, demo.truth, demo.recordIdOf);
    expect(q.pairs.precision).toBeGreaterThanOrEqual(0.995);
    expect(q.pairs.recall).toBeGreaterThanOrEqual(0.97);
    const preview = previewPasses(ruleSet, demo.records);
    expect(preview.map((p) => p.pass)).toEqual(['key-1to1', 'key-split', 'key-consolidated', 'probabilistic']);
    expect(preview[0]!.matched).toBeGreaterThan(1_000);
  });
});
