import { describe, expect, it } from 'vitest';
import { runEngine, unpackExplanation } from './index.js';
import type { PassInput } from './rule-set.js';
import { assertEachOnce, buy, inv, keyPass, outcomeOf, rules } from './test-fixtures.js';
import type { EngineRecord } from './types.js';

const vendors = ['Meta', 'Google', 'Spotify', 'Hulu', 'Roku'];
const prob = (over: Partial<Extract<PassInput, { kind: 'probabilistic' }>> = {}): PassInput => ({
  id: 'fs',
  kind: 'probabilistic',
  blocking: [
    { left: [{ field: 'amount' }, { field: 'currency' }], right: [{ field: 'amount' }, { field: 'currency' }] },
    { left: [{ field: 'vendor', normalize: ['upper'] }, { field: 'date', normalize: ['month'] }], right: [{ field: 'vendor', normalize: ['upper'] }, { field: 'date', normalize: ['month'] }] },
  ],
  comparisons: [
    { id: 'amount', type: 'amount', close: { pct: 1 } },
    { id: 'date', type: 'date', close: { min: 0, max: 45 } },
    { id: 'vendor', type: 'text', role: 'vendor', measure: 'jaro_winkler', threshold: 0.9 },
  ],
  thresholds: { match: 8, suggest: 3 },
  ...over,
});

/** 60 key-matched pairs to learn from, then pairs without references, plus noise. */
function dataset(): EngineRecord[] {
  const recs: EngineRecord[] = [];
  for (let i = 0; i < 60; i++) {
    const v = vendors[i % 5]!;
    const day = String(1 + (i % 27)).padStart(2, '0');
    recs.push(buy(`k${i}`, `REF${i}`, 10_000 + i * 137, { vendor: v, date: `2026-03-${day}` }));
    recs.push(inv(`ki${i}`, `REF${i}`, 10_000 + i * 137, { vendor: v, date: `2026-04-${day}` }));
  }
  for (let i = 0; i < 6; i++) {
    const v = vendors[i % 5]!;
    recs.push(buy(`p${i}`, null, 50_000 + i * 911, { vendor: v, date: '2026-05-03' }));
    recs.push(inv(`pi${i}`, null, 50_000 + i * 911, { vendor: v, date: '2026-05-31' }));
  }
  // Noise: same vendor and month as a no-reference buy, unrelated amounts.
  recs.push(inv('n1', null, 77_777, { vendor: 'Meta', date: '2026-05-20' }));
  recs.push(buy('n2', null, 88_888, { vendor: 'Google', date: '2026-05-10' }));
  return recs;
}

describe('probabilistic pass', () => {
  it('matches records without keys, learning m/u from the key matches', () => {
    const records = dataset();
    const r = runEngine({ ruleSet: rules([keyPass(), prob()]), ruleSetVersion: 3, records });
    assertEachOnce(records, r);
    const o = outcomeOf(r);
    for (let i = 0; i < 6; i++) expect(o.get(`p${i}`), `p${i}`).toBe('matched:fs');
    const pairs = r.groups.filter((g) => g.pass === 'fs').map((g) => `${g.left[0]}-${g.right[0]}`);
    expect(pairs.sort()).toEqual(['p0-pi0', 'p1-pi1', 'p2-pi2', 'p3-pi3', 'p4-pi4', 'p5-pi5']);
    expect(o.get('n1')).toBe('unmatched_right');
    expect(o.get('n2')).toBe('unmatched_left');
  });

  it('explains the score as prior plus one weight per comparison', () => {
    const r = runEngine({ ruleSet: rules([keyPass(), prob()]), ruleSetVersion: 3, records: dataset() });
    const g = r.groups.find((x) => x.pass === 'fs')!;
    const e = unpackExplanation(g.explanation, r.explanationTemplates);
    expect(e.passKind).toBe('probabilistic');
    expect(e.thresholds).toEqual({ match: 8, suggest: 3 });
    expect(e.checks.map((c) => c.field)).toEqual(['amount', 'date', 'vendor']);
    expect(e.checks.map((c) => c.level)).toEqual(['exact', 'close', 'exact']);
    const sum = e.checks.reduce((s, c) => s + (c.weight ?? 0), e.prior!);
    expect(sum).toBeCloseTo(e.score!, 3);
    expect(g.score).toBe(e.score);
    expect(e.keys.left.length).toBeGreaterThan(0);
    expect(e.checks[0]!.weight!).toBeGreaterThan(0);
  });

  it('suggests instead of matching below the match threshold or with confirm: suggest', () => {
    const records = dataset();
    const r = runEngine({ ruleSet: rules([keyPass(), prob({ confirm: 'suggest' })]), ruleSetVersion: 1, records });
    expect(r.groups.filter((g) => g.pass === 'fs').every((g) => g.status === 'suggested')).toBe(true);
    const high = runEngine({ ruleSet: rules([keyPass(), prob({ thresholds: { match: 1000, suggest: 3 } })]), ruleSetVersion: 1, records });
    const g = high.groups.find((x) => x.pass === 'fs')!;
    expect(g.status).toBe('suggested');
    expect(unpackExplanation(g.explanation, high.explanationTemplates).notes?.[0]).toMatch(/below the match threshold/);
  });

  it('does not auto-match when a rival candidate scores about the same', () => {
    const records = [...dataset(), inv('twin', null, 50_000, { vendor: 'Meta', date: '2026-05-31' })];
    const r = runEngine({ ruleSet: rules([keyPass(), prob()]), ruleSetVersion: 1, records });
    assertEachOnce(records, r);
    const g = r.groups.find((x) => x.left[0] === 'p0')!;
    expect(g.status).toBe('suggested');
    expect(g.right).toEqual(['pi0']); // tie broken by id
    expect(unpackExplanation(g.explanation, r.explanationTemplates).notes?.[0]).toMatch(/rival/);
  });

  it('skips blocks larger than maxBlockPairs', () => {
    const r = runEngine({ ruleSet: rules([keyPass(), prob({ maxBlockPairs: 1 })]), ruleSetVersion: 1, records: dataset() });
    const s = r.stats.passes.find((p) => p.pass === 'fs')!;
    expect(s.cappedBlocks).toBeGreaterThan(0);
  });

  it('works without any key matches to learn from', () => {
    const records = dataset().filter((x) => !x.id.startsWith('k'));
    const r = runEngine({ ruleSet: rules([prob({ thresholds: { match: 4, suggest: 1 } })]), ruleSetVersion: 1, records });
    assertEachOnce(records, r);
    expect(r.groups.filter((g) => g.pass === 'fs').length).toBe(6);
  });
});
