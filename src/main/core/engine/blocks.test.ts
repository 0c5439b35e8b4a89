import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachKeyBlock } from './blocks.js';
import { hash32 } from './group-id.js';
import { Column } from './records.js';

function blocks(left: (string | null)[], right: (string | null)[], claimedLeft: number[] = []): string[] {
  const own = new Int32Array(left.length);
  for (const i of claimedLeft) own[i] = 1;
  const out: string[] = [];
  forEachKeyBlock(
    left.length,
    right.length,
    new Column(left.length, (i) => left[i]!),
    new Column(right.length, (j) => right[j]!),
    own,
    new Int32Array(right.length),
    (key, l, nl, r, nr) => out.push(`${key}:${[...l.subarray(0, nl)].sort()}|${[...r.subarray(0, nr)].sort()}`),
    () => undefined,
  );
  return out.sort();
}

function reference(left: (string | null)[], right: (string | null)[]): string[] {
  const keys = [...new Set(left.filter((k): k is string => k !== null))];
  return keys
    .map((k) => {
      const l = left.flatMap((x, i) => (x === k ? [i] : []));
      const r = right.flatMap((x, j) => (x === k ? [j] : []));
      return r.length ? `${k}:${l.sort()}|${r.sort()}` : null;
    })
    .filter((x): x is string => x !== null)
    .sort();
}

describe('key blocks', () => {
  it('groups equal keys present on both sides, like a Map join', () => {
    const key = fc.option(fc.constantFrom('A', 'B', 'C', 'D', 'E'), { nil: null });
    fc.assert(
      fc.property(fc.array(key), fc.array(key), (l, r) => {
        expect(blocks(l, r)).toEqual(reference(l, r));
      }),
    );
  });

  it('keeps distinct keys apart when their hashes collide', () => {
    expect(hash32('K93997') >>> 1).toBe(hash32('K101782') >>> 1);
    expect(blocks(['K93997', 'K101782', 'K93997'], ['K101782', 'K93997'])).toEqual(['K101782:1|0', 'K93997:0,2|1']);
  });

  it('skips claimed records', () => {
    expect(blocks(['A', 'A'], ['A'], [0])).toEqual(['A:1|0']);
  });
});
