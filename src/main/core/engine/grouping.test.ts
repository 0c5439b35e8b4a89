import { describe, expect, it } from 'vitest';
import { solveGrouping, type GroupingProblem } from './grouping.js';

function problem(l: number[], r: number[], over: Partial<GroupingProblem> = {}): GroupingProblem {
  // Copy classes by amount, as key-pass builds them (same key, amount, currency, date).
  const cls = (a: number[]) => a.map((x, i) => a.indexOf(x) === i ? i : a.indexOf(x));
  return { nl: l.length, nr: r.length, lAmt: l, rAmt: r, lClass: cls(l), rClass: cls(r), compat: () => true, allowance: () => 0, cardinality: '1:N', maxSteps: 20_000, ...over };
}

describe('subset-sum grouping', () => {
  it('1:N finds the lines that sum to the buy, including a credit note', () => {
    expect(solveGrouping(problem([1000], [600, 400, 250])).groups).toEqual([{ left: [0], right: [0, 1], fit: 0, alternatives: 0 }]);
    expect(solveGrouping(problem([1000], [1150, -150])).groups[0]).toMatchObject({ left: [0], right: [0, 1] });
  });

  it('N:1 finds the buys consolidated on one line; the allowance applies to the left sum', () => {
    const p = problem([300, 500, 200], [800], { cardinality: 'N:1' });
    expect(solveGrouping(p).groups).toEqual([{ left: [0, 1], right: [0], fit: 0, alternatives: 0 }]);
    const loose = problem([300, 505], [800], { cardinality: 'N:1', allowance: (s) => Math.floor(s / 100) });
    expect(solveGrouping(loose).groups[0]).toMatchObject({ left: [0, 1], fit: 5 });
  });

  it('resolves several anchors in one block when their best sets do not collide', () => {
    const p = problem([300, 500, 200, 400], [800, 600], { cardinality: 'N:1' });
    const g = solveGrouping(p).groups;
    expect(g).toEqual([
      { left: [0, 1], right: [0], fit: 0, alternatives: 0 },
      { left: [2, 3], right: [1], fit: 0, alternatives: 0 },
    ]);
  });

  it('equally good groupings are ambiguous, never picked', () => {
    const r = solveGrouping(problem([1000], [600, 400, 700, 300]));
    expect(r.groups).toEqual([]);
    expect(r.ambiguous).toEqual([{ left: [0], right: [0, 1, 2, 3], options: 2 }]);
  });

  it('a better fit wins over a worse one but is flagged as having alternatives', () => {
    const r = solveGrouping(problem([1000], [600, 400, 598], { allowance: () => 5 }));
    expect(r.groups).toEqual([{ left: [0], right: [0, 1], fit: 0, alternatives: 1 }]);
  });

  it('identical copies are interchangeable: the lowest ids are taken, once', () => {
    const r = solveGrouping(problem([1000], [500, 500, 500]));
    expect(r.groups).toEqual([{ left: [0], right: [0, 1], fit: 0, alternatives: 0 }]);
  });

  it('respects pairwise conditions (date windows, text)', () => {
    const r = solveGrouping(problem([1000], [600, 400, 400], { compat: (_l, r) => r !== 1 }));
    expect(r.groups[0]!.right).toEqual([0, 2]);
  });

  it('N:M takes the whole block when sums agree, else the smallest fitting grouping', () => {
    expect(solveGrouping(problem([100, 200], [150, 150], { cardinality: 'N:M' })).groups).toEqual([{ left: [0, 1], right: [0, 1], fit: 0, alternatives: 0 }]);
    const r = solveGrouping(problem([100, 200, 999], [150, 150, 7], { cardinality: 'N:M' }));
    expect(r.groups).toEqual([{ left: [0, 1], right: [0, 1], fit: 0, alternatives: 0 }]);
  });

  it('stops at maxSteps and reports the block as capped', () => {
    const many = Array.from({ length: 12 }, (_, i) => 101 + i * 7);
    const r = solveGrouping(problem([5], many, { maxSteps: 100 }));
    expect(r).toEqual({ groups: [], ambiguous: [], capped: true });
  });
});
