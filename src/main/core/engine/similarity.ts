import type { TextMeasure } from './rule-set.js';

/**
 * Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4, boost only above 0.7,
 * as in Winkler's original). Compares UTF-16 code units; inputs are normalized text.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const aMatched = new Uint8Array(la);
  const bMatched = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (bMatched[j] === 0 && b.charCodeAt(j) === c) {
        aMatched[i] = 1;
        bMatched[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let half = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (aMatched[i] === 0) continue;
    while (bMatched[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) half++;
    k++;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - half / 2) / m) / 3;
  if (jaro <= 0.7) return jaro;
  let prefix = 0;
  const maxPrefix = Math.min(4, la, lb);
  while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

const TOKEN_SPLIT = /[^\p{L}\p{N}]+/u;

/** Sorted distinct tokens; memoized because one record's text meets many candidates. */
const tokenCache = new Map<string, string[]>();

function tokens(s: string): string[] {
  const hit = tokenCache.get(s);
  if (hit) return hit;
  const set = new Set<string>();
  for (const t of s.split(TOKEN_SPLIT)) if (t.length > 0) set.add(t);
  const out = [...set].sort();
  if (tokenCache.size >= 50_000) tokenCache.clear();
  tokenCache.set(s, out);
  return out;
}

/** Longest common subsequence length by dynamic programming (reference for `lcs`). */
export function lcsDp(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const c = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = c === b.charCodeAt(j - 1) ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length]!;
}

const BITS = 30;
const WORD = (1 << BITS) - 1;

/**
 * Longest common subsequence length, bit-parallel (Allison–Dix: V' = (V + (V & M)) | (V & ~M),
 * LCS = zero bits of V) over 30-bit words so carries stay exact: O(|a|·|b|/30).
 */
export function lcs(a: string, b: string): number {
  const m = b.length;
  if (a.length === 0 || m === 0) return 0;
  const words = Math.ceil(m / BITS);
  const masks = new Map<number, Int32Array>();
  for (let j = 0; j < m; j++) {
    const c = b.charCodeAt(j);
    let mk = masks.get(c);
    if (!mk) masks.set(c, (mk = new Int32Array(words)));
    mk[(j / BITS) | 0]! |= 1 << j % BITS;
  }
  const top = m % BITS === 0 ? WORD : (1 << m % BITS) - 1;
  const v = new Int32Array(words).fill(WORD);
  v[words - 1] = top;
  for (let i = 0; i < a.length; i++) {
    const mk = masks.get(a.charCodeAt(i));
    if (!mk) continue;
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const x = v[w]!;
      const u = x & mk[w]!;
      const sum = x + u + carry;
      carry = sum > WORD ? 1 : 0;
      v[w] = ((sum & WORD) | (x & ~mk[w]!)) & (w === words - 1 ? top : WORD);
    }
  }
  let ones = 0;
  for (let w = 0; w < words; w++) {
    let x = v[w]!;
    while (x) {
      x &= x - 1;
      ones++;
    }
  }
  return m - ones;
}

/** Indel-normalized similarity: 1 − (insertions + deletions) / (|a| + |b|). */
export function indelRatio(a: string, b: string): number {
  const total = a.length + b.length;
  if (total === 0) return 1;
  return (2 * lcs(a, b)) / total;
}

/**
 * Token-set similarity in [0, 1] (the token_set_ratio of fuzzy matching libraries): word order
 * and repeated words do not matter, and one text's words being a subset of the other's scores 1,
 * so "Instagram Feed" against "Spring Sale - Instagram Feed - Mar 2026" is 1.
 */
export function tokenSet(a: string, b: string): number {
  return tokenSetScore(a, b, -1);
}

/**
 * Token-set similarity, or any value below `floor` as soon as the cheap bounds show the true
 * value is below it (so threshold checks skip most LCS work).
 */
function tokenSetScore(a: string, b: string, floor: number): number {
  const ta = tokens(a);
  const tb = tokens(b);
  if (ta.length === 0 && tb.length === 0) return 1;
  if (ta.length === 0 || tb.length === 0) return 0;
  const inter: string[] = [];
  const diffAB: string[] = [];
  const diffBA: string[] = [];
  // Both sorted: one merge pass splits them into intersection and differences.
  let i = 0;
  let j = 0;
  while (i < ta.length || j < tb.length) {
    const x = ta[i];
    const y = tb[j];
    if (y === undefined || (x !== undefined && x < y)) {
      diffAB.push(x!);
      i++;
    } else if (x === undefined || y < x) {
      diffBA.push(y);
      j++;
    } else {
      inter.push(x);
      i++;
      j++;
    }
  }
  const dab = diffAB.join(' ');
  const dba = diffBA.join(' ');
  if (inter.length === 0) {
    if ((2 * Math.min(dab.length, dba.length)) / (dab.length + dba.length) < floor) return 0;
    return indelRatio(dab, dba);
  }
  if (diffAB.length === 0 || diffBA.length === 0) return 1;
  // t0 = intersection, t1 = t0 + " " + dab, t2 = t0 + " " + dba. t0 is a prefix of t1 and t2,
  // so their LCS is |t0| and LCS(t1, t2) = |t0| + 1 + LCS(dab, dba): no DP over the shared part.
  const n0 = inter.join(' ').length;
  const n1 = n0 + 1 + dab.length;
  const n2 = n0 + 1 + dba.length;
  const r01 = (2 * n0) / (n0 + n1);
  const r02 = (2 * n0) / (n0 + n2);
  const known = Math.max(r01, r02);
  if (known >= floor && floor >= 0) return known;
  const bound12 = (2 * (n0 + 1 + Math.min(dab.length, dba.length))) / (n1 + n2);
  if (bound12 <= known || bound12 < floor) return known;
  const r12 = (2 * (n0 + 1 + lcs(dab, dba))) / (n1 + n2);
  return Math.max(known, r12);
}

export function similarity(measure: TextMeasure, a: string, b: string): number {
  return measure === 'jaro_winkler' ? jaroWinkler(a, b) : tokenSet(a, b);
}

/** similarity(measure, a, b) ≥ threshold, skipping work the answer does not need. */
export function similarAtLeast(measure: TextMeasure, a: string, b: string, threshold: number): boolean {
  if (a === b) return true;
  if (measure === 'jaro_winkler') return jaroWinkler(a, b) >= threshold;
  return tokenSetScore(a, b, threshold) >= threshold;
}
