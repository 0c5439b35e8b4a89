import { describe, expect, it } from 'vitest';
import { Column } from './records.js';

describe('a normalized column', () => {
  it('computes each value once and gives the same values while sparse and after it fills up', () => {
    const n = 1000;
    const calls = new Array<number>(n).fill(0);
    const col = new Column(n, (i) => {
      calls[i]!++;
      return i % 7 === 0 ? null : `v${i}`;
    });
    // A scattered tenth first (sparse), then everything twice (it moves to an array past a quarter).
    for (let i = 0; i < n; i += 10) expect(col.get((i * 37) % n)).toBe(((i * 37) % n) % 7 === 0 ? null : `v${(i * 37) % n}`);
    for (let round = 0; round < 2; round++) for (let i = n - 1; i >= 0; i--) expect(col.get(i)).toBe(i % 7 === 0 ? null : `v${i}`);
    expect(calls.every((c) => c === 1)).toBe(true);
  });
});
