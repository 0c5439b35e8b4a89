/**
 * Bounded subset-sum search inside one key block (pure, over small arrays).
 *
 * Members are local indices 0..n-1 per side, given in id order; a side has at most 16 members
 * (the rule set caps it lower), so a subset is a bitmask. Members of the same *copy class*
 * (same amount, currency and date) are interchangeable: the search enumerates multisets, taking
 * the lowest-id members of each class, so swapping identical copies never counts as a second
 * way to fit. Fit = |right sum − left sum|; a grouping fits when fit ≤ allowance(left sum).
 *
 * 1:N (N:1 mirrored): each left (the "anchor") looks for its best-fitting set of rights. An
 * anchor whose best fit is unique and shares no member with another anchor's best options is
 * taken; the search repeats on what is left. Anchors whose best fit is tied, or whose options
 * collide, end as `ambiguous` (never picked silently).
 * N:M: the whole block when its sums fit; otherwise the smallest fitting (left set, right set)
 * pair, repeatedly; ties at the smallest size are ambiguous.
 * Exceeding `maxSteps` (enumerated subsets) stops the search: what was found stands, and the
 * rest of the block is reported as `capped`.
 */

export interface GroupingProblem {
  nl: number;
  nr: number;
  /** Amounts in one currency (the left one): minor units. */
  lAmt: readonly number[];
  rAmt: readonly number[];
  lClass: readonly number[];
  rClass: readonly number[];
  /** Pairwise conditions other than amount (date window, text). */
  compat: (l: number, r: number) => boolean;
  /** Largest passing |difference| for a left sum. */
  allowance: (leftSum: number) => number;
  cardinality: '1:N' | 'N:1' | 'N:M';
  maxSteps: number;
}

export interface FoundGroup {
  left: number[];
  right: number[];
  fit: number;
  /** Other groupings within tolerance for the same anchor (they fit worse). */
  alternatives: number;
}

export interface AmbiguousSet {
  left: number[];
  right: number[];
  /** Equally good groupings found. */
  options: number;
}

export interface GroupingResult {
  groups: FoundGroup[];
  ambiguous: AmbiguousSet[];
  capped: boolean;
}

class Budget {
  steps = 0;
  constructor(readonly max: number) {}
  spend(): boolean {
    return ++this.steps <= this.max;
  }
}

class OverBudget extends Error {}

function bits(mask: number): number[] {
  const out: number[] = [];
  for (let i = 0; mask !== 0; i++, mask >>>= 1) if (mask & 1) out.push(i);
  return out;
}

function popcount(m: number): number {
  let c = 0;
  while (m) {
    m &= m - 1;
    c++;
  }
  return c;
}

/** Members of `avail` grouped by copy class, in id order: classes[c] = member indices. */
function classesOf(avail: number, cls: readonly number[]): number[][] {
  const byClass = new Map<number, number[]>();
  const out: number[][] = [];
  for (const i of bits(avail)) {
    const c = cls[i]!;
    let list = byClass.get(c);
    if (!list) {
      list = [];
      byClass.set(c, list);
      out.push(list);
    }
    list.push(i);
  }
  return out;
}

/** Calls visit(mask, sum) for every non-empty canonical sub-multiset of `avail`. */
function enumerate(avail: number, amt: readonly number[], cls: readonly number[], budget: Budget, visit: (mask: number, sum: number) => void): void {
  const classes = classesOf(avail, cls);
  const rec = (ci: number, mask: number, sum: number): void => {
    if (ci === classes.length) {
      if (mask === 0) return;
      if (!budget.spend()) throw new OverBudget();
      visit(mask, sum);
      return;
    }
    const members = classes[ci]!;
    const v = amt[members[0]!]!;
    let m = mask;
    let s = sum;
    rec(ci + 1, m, s);
    for (const i of members) {
      m |= 1 << i;
      s += v;
      rec(ci + 1, m, s);
    }
  };
  rec(0, 0, 0);
}

interface AnchorOptions {
  anchor: number;
  best: number[];
  bestFit: number;
  within: number;
}

/** 1:N / N:1 with anchors on side A (the "one" side) and members on side B. */
function solveAnchored(
  nA: number,
  nB: number,
  aAmt: readonly number[],
  bAmt: readonly number[],
  bClass: readonly number[],
  compat: (a: number, b: number) => boolean,
  tolerance: (anchorAmt: number, memberSum: number) => number,
  budget: Budget,
): { groups: { a: number; b: number; fit: number; alternatives: number }[]; ambiguous: { a: number[]; b: number; options: number }[]; capped: boolean } {
  let availA = (1 << nA) - 1;
  let availB = (1 << nB) - 1;
  const groups: { a: number; b: number; fit: number; alternatives: number }[] = [];
  let options: AnchorOptions[] = [];
  let capped = false;
  try {
    for (;;) {
      options = [];
      for (const a of bits(availA)) {
        let candidates = 0;
        for (const b of bits(availB)) if (compat(a, b)) candidates |= 1 << b;
        if (candidates === 0) continue;
        const target = aAmt[a]!;
        const o: AnchorOptions = { anchor: a, best: [], bestFit: Infinity, within: 0 };
        enumerate(candidates, bAmt, bClass, budget, (mask, sum) => {
          const fit = Math.abs(sum - target);
          if (fit > tolerance(target, sum)) return;
          o.within++;
          if (fit < o.bestFit) {
            o.bestFit = fit;
            o.best = [mask];
          } else if (fit === o.bestFit) o.best.push(mask);
        });
        if (o.best.length > 0) options.push(o);
      }
      let progress = false;
      for (const o of options) {
        if (o.best.length !== 1) continue;
        const mask = o.best[0]!;
        const clash = options.some((p) => p !== o && p.best.some((m) => (m & mask) !== 0));
        if (clash) continue;
        groups.push({ a: o.anchor, b: mask, fit: o.bestFit, alternatives: o.within - 1 });
        availA &= ~(1 << o.anchor);
        availB &= ~mask;
        progress = true;
      }
      if (!progress) break;
    }
  } catch (e) {
    if (!(e instanceof OverBudget)) throw e;
    capped = true;
    options = [];
  }
  // What is left with options is ambiguous: merge anchors whose options share members.
  const ambiguous: { a: number[]; b: number; options: number }[] = [];
  for (const o of options) {
    const union = o.best.reduce((u, m) => u | m, 0) & availB;
    let merged = { a: [o.anchor], b: union, options: o.best.length };
    for (let k = ambiguous.length - 1; k >= 0; k--) {
      if ((ambiguous[k]!.b & merged.b) !== 0) {
        const other = ambiguous[k]!;
        merged = { a: [...other.a, ...merged.a], b: other.b | merged.b, options: other.options + merged.options };
        ambiguous.splice(k, 1);
      }
    }
    ambiguous.push(merged);
  }
  for (const s of ambiguous) s.a.sort((x, y) => x - y);
  return { groups, ambiguous, capped };
}

function solveManyToMany(p: GroupingProblem, budget: Budget): GroupingResult {
  let availL = (1 << p.nl) - 1;
  let availR = (1 << p.nr) - 1;
  const compatR: number[] = [];
  for (let l = 0; l < p.nl; l++) {
    let m = 0;
    for (let r = 0; r < p.nr; r++) if (p.compat(l, r)) m |= 1 << r;
    compatR.push(m);
  }
  const allCompat = (A: number, B: number) => bits(A).every((l) => (compatR[l]! & B) === B);
  const sum = (mask: number, amt: readonly number[]) => bits(mask).reduce((s, i) => s + amt[i]!, 0);
  const groups: FoundGroup[] = [];
  const ambiguous: AmbiguousSet[] = [];

  // The whole block first: the usual N:M case is "these buys were billed as these lines".
  const ls = sum(availL, p.lAmt);
  const rs = sum(availR, p.rAmt);
  if (Math.abs(rs - ls) <= p.allowance(ls) && allCompat(availL, availR)) {
    return { groups: [{ left: bits(availL), right: bits(availR), fit: Math.abs(rs - ls), alternatives: 0 }], ambiguous, capped: false };
  }
  try {
    while (availL !== 0 && availR !== 0) {
      const rights: { mask: number; sum: number }[] = [];
      enumerate(availR, p.rAmt, p.rClass, budget, (mask, s) => rights.push({ mask, sum: s }));
      rights.sort((a, b) => a.sum - b.sum || a.mask - b.mask);
      let bestSize = Infinity;
      let bestFit = Infinity;
      let best: { A: number; B: number }[] = [];
      enumerate(availL, p.lAmt, p.lClass, budget, (A, sA) => {
        const allow = p.allowance(sA);
        let lo = 0;
        let hi = rights.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (rights[mid]!.sum < sA - allow) lo = mid + 1;
          else hi = mid;
        }
        for (let k = lo; k < rights.length && rights[k]!.sum <= sA + allow; k++) {
          if (!budget.spend()) throw new OverBudget();
          const B = rights[k]!.mask;
          if (!allCompat(A, B)) continue;
          const size = popcount(A) + popcount(B);
          const fit = Math.abs(rights[k]!.sum - sA);
          if (size < bestSize || (size === bestSize && fit < bestFit)) {
            bestSize = size;
            bestFit = fit;
            best = [{ A, B }];
          } else if (size === bestSize && fit === bestFit) best.push({ A, B });
        }
      });
      if (best.length === 0) break;
      if (best.length === 1) {
        const { A, B } = best[0]!;
        groups.push({ left: bits(A), right: bits(B), fit: bestFit, alternatives: 0 });
        availL &= ~A;
        availR &= ~B;
        continue;
      }
      const A = best.reduce((u, b) => u | b.A, 0);
      const B = best.reduce((u, b) => u | b.B, 0);
      ambiguous.push({ left: bits(A), right: bits(B), options: best.length });
      availL &= ~A;
      availR &= ~B;
    }
  } catch (e) {
    if (!(e instanceof OverBudget)) throw e;
    return { groups, ambiguous, capped: true };
  }
  return { groups, ambiguous, capped: false };
}

export function solveGrouping(p: GroupingProblem): GroupingResult {
  if (p.nl > 16 || p.nr > 16) return { groups: [], ambiguous: [], capped: true };
  const budget = new Budget(p.maxSteps);
  if (p.cardinality === 'N:M') return solveManyToMany(p, budget);
  if (p.cardinality === '1:N') {
    const r = solveAnchored(p.nl, p.nr, p.lAmt, p.rAmt, p.rClass, p.compat, (target) => p.allowance(target), budget);
    return {
      groups: r.groups.map((g) => ({ left: [g.a], right: bits(g.b), fit: g.fit, alternatives: g.alternatives })),
      ambiguous: r.ambiguous.map((s) => ({ left: s.a, right: bits(s.b), options: s.options })),
      capped: r.capped,
    };
  }
  const r = solveAnchored(p.nr, p.nl, p.rAmt, p.lAmt, p.lClass, (a, b) => p.compat(b, a), (_target, leftSum) => p.allowance(leftSum), budget);
  return {
    groups: r.groups.map((g) => ({ left: bits(g.b), right: [g.a], fit: g.fit, alternatives: g.alternatives })),
    ambiguous: r.ambiguous.map((s) => ({ left: bits(s.b), right: s.a, options: s.options })),
    capped: r.capped,
  };
}
