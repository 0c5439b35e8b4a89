/**
 * Content-derived ids for groups and exceptions: 16 hex digits of a 64-bit hash over a prefix
 * (the pass id, or the exception class) and the sorted member ids of each side. No clock, no
 * randomness: the same members always get the same id.
 *
 * Why not SHA-256: at a million groups per run node:crypto costs ~1.5 s of a few-second budget.
 * This is two independent MurmurHash3-style 32-bit lanes over the UTF-16 code units; for ids
 * (not security) 64 bits make a collision among millions of groups vanishingly unlikely, and
 * runEngine still checks for one.
 */

/** Char codes of '0'..'f'. */
const HEXC = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

let h1 = 0;
let h2 = 0;
let len = 0;

function mixIn(c: number): void {
  let k = Math.imul(c, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h1 ^= k;
  h1 = (h1 << 13) | (h1 >>> 19);
  h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  let j = Math.imul(c ^ 0x5bd1e995, 0x85ebca77);
  j = (j << 17) | (j >>> 15);
  j = Math.imul(j, 0xc2b2ae3d);
  h2 ^= j;
  h2 = (h2 << 11) | (h2 >>> 21);
  h2 = (Math.imul(h2, 9) + 0x27d4eb2f) | 0;
  len++;
}

function mixString(s: string): void {
  for (let i = 0; i < s.length; i++) mixIn(s.charCodeAt(i));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 16 hex digits in one allocation (string concatenation would make seven). */
function hex64(a: number, b: number): string {
  const x = HEXC;
  return String.fromCharCode(
    x[a >>> 28]!, x[(a >>> 24) & 15]!, x[(a >>> 20) & 15]!, x[(a >>> 16) & 15]!, x[(a >>> 12) & 15]!, x[(a >>> 8) & 15]!, x[(a >>> 4) & 15]!, x[a & 15]!,
    x[b >>> 28]!, x[(b >>> 24) & 15]!, x[(b >>> 20) & 15]!, x[(b >>> 16) & 15]!, x[(b >>> 12) & 15]!, x[(b >>> 8) & 15]!, x[(b >>> 4) & 15]!, x[b & 15]!,
  );
}

/** Separators are code points that cannot be confused with id characters' positions. */
const SEP_SIDE = 0x1e;
const SEP_ID = 0x1f;

/** Hash of (prefix, left ids, right ids); pass ids already sorted (callers keep members sorted). */
export function contentId(prefix: string, left: readonly string[], right: readonly string[], salt = 0): string {
  h1 = 0x9747b28c ^ salt;
  h2 = 0x7f4a7c15 ^ Math.imul(salt, 31);
  len = 0;
  mixString(prefix);
  mixIn(SEP_SIDE);
  for (let i = 0; i < left.length; i++) {
    mixString(left[i]!);
    mixIn(SEP_ID);
  }
  mixIn(SEP_SIDE);
  for (let i = 0; i < right.length; i++) {
    mixString(right[i]!);
    mixIn(SEP_ID);
  }
  const a = fmix(h1 ^ len ^ h2);
  const b = fmix(h2 ^ Math.imul(len, 0x9e3779b1) ^ a);
  return hex64(a, b);
}

/** 32-bit hash of one string (for typed-array sorts that stand in for big Sets). */
export function hash32(s: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix(h ^ s.length);
}

const IDX = 2 ** 21;

/**
 * Indices of `strings` ordered by (hash, index), as a typed-array sort; equal strings end up
 * adjacent. `null` when there are too many to pack (caller falls back to a Set or Map).
 */
export function hashOrder(n: number, hashAt: (i: number) => number): Float64Array | null {
  if (n >= IDX) return null;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = hashAt(i) * IDX + i;
  return keys.sort();
}

/** The first string that occurs twice, or null. */
export function firstDuplicate(strings: readonly string[]): string | null {
  const order = hashOrder(strings.length, (i) => hash32(strings[i]!));
  if (order === null) {
    const seen = new Set<string>();
    for (const s of strings) {
      if (seen.has(s)) return s;
      seen.add(s);
    }
    return null;
  }
  for (let k = 1; k < order.length; k++) {
    const h = Math.floor(order[k]! / IDX);
    // Equal hashes are rare; only then compare the strings of the run.
    for (let j = k - 1; j >= 0 && Math.floor(order[j]! / IDX) === h; j--) {
      if (strings[order[k]! % IDX] === strings[order[j]! % IDX]) return strings[order[k]! % IDX]!;
    }
  }
  return null;
}

/** The id of a group: pass id + sorted members. */
export function groupId(passId: string, left: readonly string[], right: readonly string[]): string {
  return contentId(`g:${passId}`, left, right);
}

/** The id of an exception: class (+ pass) + sorted members. */
export function exceptionId(cls: string, passId: string | undefined, left: readonly string[], right: readonly string[]): string {
  return contentId(`x:${cls}:${passId ?? ''}`, left, right);
}

/** Ascending code-unit order, the order ids are sorted in everywhere (not locale-dependent). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts items by id in code-unit order. Ids made here are 16 lowercase hex digits, so the first
 * 8 digits as a number order them; a typed-array sort of (prefix, index) keys avoids millions
 * of string comparisons, and only equal prefixes fall back to comparing whole ids.
 * `onDuplicate` is told of each adjacent pair of equal ids (a hash collision).
 */
export function sortById<T extends { id: string }>(items: T[], onDuplicate?: (a: T, b: T) => void): T[] {
  const n = items.length;
  let fast = n < IDX;
  const keys = fast ? new Float64Array(n) : null;
  for (let i = 0; fast && i < n; i++) {
    const id = items[i]!.id;
    if (id.length !== 16) {
      fast = false;
      break;
    }
    let h = 0;
    for (let k = 0; k < 8; k++) {
      const c = id.charCodeAt(k);
      const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (v < 0) fast = false;
      h = h * 16 + v;
    }
    keys![i] = h * IDX + i;
  }
  if (!fast || keys === null) {
    const out = items.slice().sort((a, b) => compareIds(a.id, b.id));
    for (let i = 1; i < out.length; i++) if (out[i]!.id === out[i - 1]!.id) onDuplicate?.(out[i - 1]!, out[i]!);
    return out;
  }
  keys.sort();
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = items[keys[i]! % IDX]!;
  // Equal 32-bit prefixes are rare; order those runs by the full id.
  for (let i = 0; i < n - 1; ) {
    let j = i + 1;
    const p = Math.floor(keys[i]! / IDX);
    while (j < n && Math.floor(keys[j]! / IDX) === p) j++;
    if (j - i > 1) {
      const run = out.slice(i, j).sort((a, b) => compareIds(a.id, b.id));
      for (let k = i; k < j; k++) out[k] = run[k - i]!;
      for (let k = i + 1; k < j; k++) if (out[k]!.id === out[k - 1]!.id) onDuplicate?.(out[k - 1]!, out[k]!);
    }
    i = j;
  }
  return out;
}
