import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../demo/index.js';
import { DEMO_RULE_SET } from './demo-rules.js';
import { loadDemo, type LoadedDemo } from './demo-loader.js';
import { runEngine } from './index.js';
import { measureQuality, type QualityReport } from './quality.js';
import { assertEachOnce } from './test-fixtures.js';
import type { EngineResult } from './types.js';

describe('demo data quality (5,000 buys)', () => {
  let dir = '';
  let demo: LoadedDemo;
  let result: EngineResult;
  let q: QualityReport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tieout-engine-demo-'));
    await generateDemo({ seed: 7, buys: 5_000, outDir: dir });
    demo = await loadDemo(dir);
    result = runEngine({ ruleSet: DEMO_RULE_SET, ruleSetVersion: 1, records: demo.records });
    q = measureQuality(result, demo.truth, demo.recordIdOf);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('links planted pairs with precision ≥ 0.999 and recall ≥ 0.99', () => {
    assertEachOnce(demo.records, result);
    expect(q.pairs.precision, JSON.stringify(q.examples.wrong)).toBeGreaterThanOrEqual(0.999);
    expect(q.pairs.recall, JSON.stringify(q.examples.missed)).toBeGreaterThanOrEqual(0.99);
    expect(q.autoPairs.precision).toBeGreaterThanOrEqual(0.999);
    for (const c of ['clean', 'split', 'consolidated', 'missing_po', 'credit_note']) {
      expect(q.pairsByCase[c]!.recall, c).toBeGreaterThanOrEqual(0.98);
      expect(q.pairsByCase[c]!.precision, c).toBeGreaterThanOrEqual(0.999);
    }
  });

  it('reports every unbilled, unauthorized and duplicate planted record in its class', () => {
    for (const cls of ['unmatched_left', 'unmatched_right', 'duplicate']) {
      expect(q.exceptions[cls]!.expected, cls).toBeGreaterThan(0);
      expect(q.exceptions[cls]!.recall, cls).toBe(1);
    }
    expect(q.exceptions.amount_variance!.recall).toBeGreaterThanOrEqual(0.99);
    expect(q.exceptions.currency_mismatch!.recall).toBeGreaterThanOrEqual(0.99);
    expect(q.exceptions.unmatched_left!.precision).toBeGreaterThanOrEqual(0.95);
    expect(q.exceptions.unmatched_right!.precision).toBeGreaterThanOrEqual(0.95);
  });
});
