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

function tokens(s: string): string[] {
  const out = new Set<string>();
  for (const t of s.split(TOKEN_SPLIT)) if (t.length > 0) out.add(t);
  return [...out].sort();
}

/** Longest common subsequence length (two-row DP; texts here are short). */
function lcs(a: string, b: string): number {
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
  const ta = tokens(a);
  const tb = tokens(b);
  if (ta.length === 0 && tb.length === 0) return 1;
  if (ta.length === 0 || tb.length === 0) return 0;
  const sb = new Set(tb);
  const sa = new Set(ta);
  const inter = ta.filter((t) => sb.has(t));
  const diffAB = ta.filter((t) => !sb.has(t));
  const diffBA = tb.filter((t) => !sa.has(t));
  const dab = diffAB.join(' ');
  const dba = diffBA.join(' ');
  if (inter.length === 0) return indelRatio(dab, dba);
  if (diffAB.length === 0 || diffBA.length === 0) return 1;
  const t0 = inter.join(' ');
  const t1 = `${t0} ${dab}`;
  const t2 = `${t0} ${dba}`;
  return Math.max(indelRatio(t0, t1), indelRatio(t0, t2), indelRatio(t1, t2));
}

export function similarity(measure: TextMeasure, a: string, b: string): number {
  return measure === 'jaro_winkler' ? jaroWinkler(a, b) : tokenSet(a, b);
}
