import { hash32 } from './group-id.js';
import type { Column } from './records.js';

/**
 * Key blocks: records of both sides grouped by equal normalized key, only keys present on both
 * sides. Instead of a Map from key to records (millions of inserts and lookups), every keyed
 * free record becomes one number — 31-bit key hash × 2^22 + index × 2 + side — and one native
 * typed-array sort brings equal keys together; only within a run of equal hashes are the key
 * strings compared (to split the rare hash collisions). Several times faster than a Map here,
 * and no per-block allocation: `visit` gets shared scratch buffers valid during the call.
 */
export type BlockVisitor = (key: string, lefts: Int32Array, nl: number, rights: Int32Array, nr: number) => void;

const SCALE = 2 ** 22;
/** Indices must fit in 21 bits for the packing above; larger tables use the Map path. */
const MAX_INDEX = 2 ** 21;

export function forEachKeyBlock(
  nL: number,
  nR: number,
  leftKeys: Column,
  rightKeys: Column,
  leftFree: Int32Array,
  rightFree: Int32Array,
  visit: BlockVisitor,
  tick: () => void,
): void {
  if (nL >= MAX_INDEX || nR >= MAX_INDEX) return forEachKeyBlockMap(nL, nR, leftKeys, rightKeys, leftFree, rightFree, visit, tick);
  const codes = new Float64Array(nL + nR);
  let m = 0;
  for (let i = 0; i < nL; i++) {
    tick();
    if (leftFree[i] !== 0) continue;
    const k = leftKeys.get(i);
    if (k !== null) codes[m++] = (hash32(k) >>> 1) * SCALE + i * 2;
  }
  for (let j = 0; j < nR; j++) {
    tick();
    if (rightFree[j] !== 0) continue;
    const k = rightKeys.get(j);
    if (k !== null) codes[m++] = (hash32(k) >>> 1) * SCALE + j * 2 + 1;
  }
  const sorted = codes.subarray(0, m).sort();
  let lBuf = new Int32Array(16);
  let rBuf = new Int32Array(16);
  for (let s = 0; s < m; ) {
    tick();
    const h = Math.floor(sorted[s]! / SCALE);
    let e = s + 1;
    while (e < m && Math.floor(sorted[e]! / SCALE) === h) e++;
    if (e - s > 1) {
      if (e - s > lBuf.length) {
        lBuf = new Int32Array(e - s);
        rBuf = new Int32Array(e - s);
      }
      let nl = 0;
      let nr = 0;
      let key: string | null = null;
      let collision = false;
      for (let q = s; q < e; q++) {
        const low = sorted[q]! - h * SCALE;
        const idx = low >>> 1;
        const k = low & 1 ? rightKeys.get(idx) : leftKeys.get(idx);
        if (key === null) key = k;
        else if (k !== key) collision = true;
        if (low & 1) rBuf[nr++] = idx;
        else lBuf[nl++] = idx;
      }
      if (collision) splitRun(lBuf, nl, rBuf, nr, leftKeys, rightKeys, visit);
      else if (nl > 0 && nr > 0) visit(key!, lBuf, nl, rBuf, nr);
    }
    s = e;
  }
}

/** Distinct keys that share a hash: group the run by key string. */
function splitRun(lBuf: Int32Array, nl: number, rBuf: Int32Array, nr: number, leftKeys: Column, rightKeys: Column, visit: BlockVisitor): void {
  const byKey = new Map<string, { l: number[]; r: number[] }>();
  for (let q = 0; q < nl; q++) {
    const k = leftKeys.get(lBuf[q]!)!;
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = { l: [], r: [] }));
    g.l.push(lBuf[q]!);
  }
  for (let q = 0; q < nr; q++) {
    const g = byKey.get(rightKeys.get(rBuf[q]!)!);
    if (g) g.r.push(rBuf[q]!);
  }
  for (const [k, g] of byKey) if (g.r.length > 0) visit(k, Int32Array.from(g.l), g.l.length, Int32Array.from(g.r), g.r.length);
}

/** The plain Map version, for tables too large to pack. */
function forEachKeyBlockMap(
  nL: number,
  nR: number,
  leftKeys: Column,
  rightKeys: Column,
  leftFree: Int32Array,
  rightFree: Int32Array,
  visit: BlockVisitor,
  tick: () => void,
): void {
  const byKey = new Map<string, { l: number[]; r: number[] }>();
  for (let i = 0; i < nL; i++) {
    tick();
    if (leftFree[i] !== 0) continue;
    const k = leftKeys.get(i);
    if (k === null) continue;
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = { l: [], r: [] }));
    g.l.push(i);
  }
  for (let j = 0; j < nR; j++) {
    tick();
    if (rightFree[j] !== 0) continue;
    const k = rightKeys.get(j);
    if (k !== null) byKey.get(k)?.r.push(j);
  }
  for (const [k, g] of byKey) if (g.r.length > 0) visit(k, Int32Array.from(g.l), g.l.length, Int32Array.from(g.r), g.r.length);
}
