import { describe, expect, it } from 'vitest';
import { Prng, WeightedIndex } from './prng.js';

describe('Prng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const seq = (seed: number): number[] => {
      const p = new Prng(seed);
      return Array.from({ length: 32 }, () => p.u32());
    };
    expect(seq(42)).toEqual(seq(42));
    expect(seq(42)).not.toEqual(seq(43));
    expect(seq(1)).not.toEqual(seq(1 + 2 ** 32)); // high bits of large seeds count
  });

  it('is pinned: the first outputs for seed 42 never change', () => {
    const p = new Prng(42);
    const first = [p.u32(), p.u32(), p.u32()];
    expect(first).toMatchInlineSnapshot(`
      [
        2796912455,
        4258306155,
        1242540590,
      ]
    `);
  });

  it('draws integers within inclusive bounds, covering them', () => {
    const p = new Prng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) seen.add(p.int(-3, 3));
    expect([...seen].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
  });

  it('picks by weight', () => {
    const p = new Prng(9);
    const w = new WeightedIndex([1, 0, 3]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[w.next(p)]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.7);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.3);
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => new Prng(0.5)).toThrow(RangeError);
  });
});
