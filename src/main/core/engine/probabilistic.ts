import { OK, PassConditions } from './conditions.js';
import type { RunContext } from './context.js';
import { explanation, round4 } from './explain.js';
import { displayKey } from './key-pass.js';
import { DEFAULT_TEXT_CHAIN } from './normalize.js';
import { NO_DATE } from './records.js';
import type { Comparison, ProbabilisticPass } from './rule-set.js';
import { similarAtLeast, similarity } from './similarity.js';
import { AmountRule, DateRule, describeThreshold } from './tolerance.js';
import type { FieldCheck, PassStats } from './types.js';

/**
 * Fellegi–Sunter record linkage for records without usable keys.
 *
 * 1. Candidates: pairs of free records that agree on at least one blocking key. A block with
 *    more than `maxBlockPairs` left×right pairs is skipped (stats.cappedBlocks), so the work is
 *    bounded by blocks × maxBlockPairs, never left × right.
 * 2. Each comparison puts a pair on a level: exact, close, far, or null (value missing).
 * 3. m = P(level | match) and u = P(level | non-match) per comparison are estimated by EM over the
 *    candidates' level patterns, with a Dirichlet prior centred on seeds: m from this run's key
 *    matches (a labelled sample), u from deterministic mismatched pairs of that sample.
 * 4. Score = log2 prior odds + Σ log2(m/u) (null weighs 0). Assignment is one-to-one, greedy by
 *    score, ties by left id then right id.
 */

const NULL = 0;
const FAR = 1;
const CLOSE = 2;
const EXACT = 3;
const LEVEL_NAMES = ['null', 'far', 'close', 'exact'] as const;

interface Compiled {
  id: string;
  levels: number[];
  level(l: number, r: number): number;
  describe(l: number, r: number): Omit<FieldCheck, 'field' | 'level' | 'weight' | 'pass' | 'tolerance'>;
  tolerance: string;
}

function compile(ctx: RunContext, c: Comparison): Compiled {
  const L = ctx.L;
  const R = ctx.R;
  switch (c.type) {
    case 'amount': {
      const rule = new AmountRule(c.close);
      const rightIn = (r: number, cur: string | null): number => {
        const a = R.amount[r]!;
        const rc = R.currency[r]!;
        if (rc === cur) return a;
        if (!c.fx || rc === null || cur === null || Number.isNaN(a)) return NaN;
        const d = R.date[r]!;
        return ctx.fx.convert(a, rc, cur, d === NO_DATE ? null : d)?.minor ?? NaN;
      };
      return {
        id: c.id,
        levels: [FAR, CLOSE, EXACT],
        tolerance: `close ${rule.describe()}`,
        level(l, r) {
          const la = L.amount[l]!;
          if (Number.isNaN(la) || Number.isNaN(R.amount[r]!)) return NULL;
          const lc = L.currency[l]!;
          const ra = rightIn(r, lc);
          if (Number.isNaN(ra)) return FAR; // other currency, not convertible
          if (ra === la) return EXACT;
          return Math.abs(ra - la) <= rule.allowance(la, lc ?? '') ? CLOSE : FAR;
        },
        describe(l, r) {
          const la = L.amount[l]!;
          const lc = L.currency[l]!;
          const ra = rightIn(r, lc);
          return {
            left: Number.isNaN(la) ? null : la,
            right: Number.isNaN(ra) ? (Number.isNaN(R.amount[r]!) ? null : R.amount[r]!) : ra,
            unit: lc ?? '',
            measure: 'difference',
            value: Number.isNaN(la) || Number.isNaN(ra) ? null : ra - la,
          };
        },
      };
    }
    case 'date': {
      const rule = new DateRule(c.close);
      const lf = c.left ?? ctx.rs.sides.left.fields.date!;
      const rf = c.right ?? ctx.rs.sides.right.fields.date!;
      const ld = L.dateColumn(lf);
      const rd = R.dateColumn(rf);
      return {
        id: c.id,
        levels: [FAR, CLOSE, EXACT],
        tolerance: `close ${rule.describe()}`,
        level(l, r) {
          const a = ld[l]!;
          const b = rd[r]!;
          if (a === NO_DATE || b === NO_DATE) return NULL;
          if (a === b) return EXACT;
          return rule.ok(b - a) ? CLOSE : FAR;
        },
        describe(l, r) {
          const a = ld[l]!;
          const b = rd[r]!;
          const lv = L.records[l]!.fields[lf];
          const rv = R.records[r]!.fields[rf];
          return {
            left: typeof lv === 'string' ? lv : null,
            right: typeof rv === 'string' ? rv : null,
            measure: 'days',
            value: a === NO_DATE || b === NO_DATE ? null : b - a,
          };
        },
      };
    }
    case 'text': {
      const chain = ctx.chain(c.normalize ?? DEFAULT_TEXT_CHAIN);
      const lt = L.textColumn(ctx.rs.sides.left.fields.text[c.role]!, chain);
      const rt = R.textColumn(ctx.rs.sides.right.fields.text[c.role]!, chain);
      return {
        id: c.id,
        levels: [FAR, CLOSE, EXACT],
        tolerance: `close ${describeThreshold(c.measure, c.threshold)}`,
        level(l, r) {
          const a = lt.get(l);
          const b = rt.get(r);
          if (a === null || b === null) return NULL;
          if (a === b) return EXACT;
          return similarAtLeast(c.measure, a, b, c.threshold) ? CLOSE : FAR;
        },
        describe(l, r) {
          const a = lt.get(l);
          const b = rt.get(r);
          return { left: a, right: b, measure: c.measure, value: a === null || b === null ? null : round4(similarity(c.measure, a, b)) };
        },
      };
    }
    case 'exact': {
      const kl = ctx.keyColumn('left', c.left, undefined);
      const kr = ctx.keyColumn('right', c.right, undefined);
      return {
        id: c.id,
        levels: [FAR, EXACT],
        tolerance: 'equal',
        level(l, r) {
          const a = kl.get(l);
          const b = kr.get(r);
          if (a === null || b === null) return NULL;
          return a === b ? EXACT : FAR;
        },
        describe(l, r) {
          const a = kl.get(l);
          const b = kr.get(r);
          return { left: a, right: b, measure: 'equal', value: a === null || b === null ? null : a === b ? 1 : 0 };
        },
      };
    }
  }
}

/** Growable list of pair codes (left * nR + right), exact in a float64 up to 2^53. */
class PairList {
  data = new Float64Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.n++] = x;
  }
  sortedUnique(): Float64Array {
    const a = this.data.subarray(0, this.n).sort();
    let k = 0;
    for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[k - 1]) a[k++] = a[i]!;
    return a.slice(0, k);
  }
}

/** First 8 hex digits of a group id as a number (ids made here are uniform hex). */
function idPrefix(id: string): number {
  let h = 0;
  for (let k = 0; k < 8; k++) {
    const c = id.charCodeAt(k);
    h = h * 16 + (c <= 57 ? c - 48 : (c | 32) - 87);
  }
  return h;
}

/** Deterministic pick of up to `max` labelled pairs: smallest group ids, which are hashes. */
function labelledSample(ctx: RunContext, max: number): { l: number[]; r: number[] } {
  const lab = ctx.labelled;
  const n = lab.g.length;
  const id = (k: number) => ctx.groups[lab.g[k]!]!.id;
  // Ids are uniform: keep those under a cut-off (about 1.5 × max), then sort only those.
  const cut = Math.min(1, (max * 1.5) / Math.max(1, n)) * 0x100000000;
  let order: number[] = [];
  for (let k = 0; k < n; k++) if (n <= max || idPrefix(id(k)) < cut) order.push(k);
  order.sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  order = order.slice(0, max);
  return { l: order.map((k) => lab.l[k]!), r: order.map((k) => lab.r[k]!) };
}

interface Params {
  m: number[][];
  u: number[][];
  lambda: number;
}

/** m seeds without a labelled sample: agreement likely, "close" nearly as telling as exact. */
const DEFAULT_M = [0, 0.05, 0.35, 0.6];
const DEFAULT_M_EXACT = [0, 0.05, 0, 0.95];

/**
 * Deterministic "random" pairs over all records, for u seeds when there is no labelled sample:
 * both sides in id order, left k·a mod nL with right k·b + c mod nR (a, b odd steps).
 */
function spreadPairs(ctx: RunContext, max: number): { l: number[]; r: number[] } {
  const byId = (ids: string[]) => Array.from({ length: ids.length }, (_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  const ls = byId(ctx.L.ids);
  const rs = byId(ctx.R.ids);
  const n = Math.min(max, ls.length * rs.length);
  const l: number[] = [];
  const r: number[] = [];
  for (let k = 0; k < n; k++) {
    l.push(ls[(k * 7919) % ls.length]!);
    r.push(rs[(k * 104_729 + 13) % rs.length]!);
  }
  return { l, r };
}

function normalizeLevels(counts: number[], levels: number[], smooth: number): number[] {
  const p = [0, 0, 0, 0];
  let total = 0;
  for (const lv of levels) total += counts[lv]! + smooth;
  for (const lv of levels) p[lv] = (counts[lv]! + smooth) / total;
  return p;
}

/** EM over pattern counts with a Dirichlet prior (weight `alpha`) centred on the seeds. */
function em(patterns: { levels: number[]; count: number }[], comps: Compiled[], m0: number[][], u0: number[][], lambda0: number, iterations: number, alpha: number): Params {
  let m = m0.map((x) => [...x]);
  let u = u0.map((x) => [...x]);
  let lambda = lambda0;
  const nc = comps.length;
  for (let it = 0; it < iterations; it++) {
    const M = Array.from({ length: nc }, () => [0, 0, 0, 0]);
    const U = Array.from({ length: nc }, () => [0, 0, 0, 0]);
    let matchMass = 0;
    let total = 0;
    for (const p of patterns) {
      let lm = Math.log(lambda);
      let lu = Math.log(1 - lambda);
      for (let c = 0; c < nc; c++) {
        const lv = p.levels[c]!;
        if (lv === NULL) continue;
        lm += Math.log(m[c]![lv]!);
        lu += Math.log(u[c]![lv]!);
      }
      const g = 1 / (1 + Math.exp(lu - lm));
      const gm = p.count * g;
      const gu = p.count - gm;
      matchMass += gm;
      total += p.count;
      for (let c = 0; c < nc; c++) {
        const lv = p.levels[c]!;
        if (lv === NULL) continue;
        M[c]![lv]! += gm;
        U[c]![lv]! += gu;
      }
    }
    lambda = Math.min(1 - 1e-9, Math.max(1e-9, matchMass / total));
    m = comps.map((comp, c) => {
      const out = [0, 0, 0, 0];
      let sum = alpha;
      for (const lv of comp.levels) sum += M[c]![lv]!;
      for (const lv of comp.levels) out[lv] = Math.max(1e-6, (M[c]![lv]! + alpha * m0[c]![lv]!) / sum);
      return out;
    });
    u = comps.map((comp, c) => {
      const out = [0, 0, 0, 0];
      let sum = alpha;
      for (const lv of comp.levels) sum += U[c]![lv]!;
      for (const lv of comp.levels) out[lv] = Math.max(1e-6, (U[c]![lv]! + alpha * u0[c]![lv]!) / sum);
      return out;
    });
  }
  return { m, u, lambda };
}

export function runProbabilisticPass(ctx: RunContext, pass: ProbabilisticPass, order: number, stats: PassStats): void {
  const L = ctx.L;
  const R = ctx.R;
  const nR = R.n;

  // 1. Candidate pairs from blocking keys, over free records only.
  const pairs = new PairList();
  const blockKeys = pass.blocking.map((b) => ({ l: ctx.keyColumn('left', b.left, b.normalize), r: ctx.keyColumn('right', b.right, b.normalize) }));
  for (const bk of blockKeys) {
    const blocks = new Map<string, { l: number[]; r: number[] }>();
    for (let i = 0; i < L.n; i++) {
      ctx.tick(pass.id, i, L.n);
      if (ctx.ownL[i] !== 0) continue;
      const k = bk.l.get(i);
      if (k === null) continue;
      const b = blocks.get(k);
      if (b) b.l.push(i);
      else blocks.set(k, { l: [i], r: [] });
    }
    for (let j = 0; j < nR; j++) {
      ctx.tick(pass.id, j, nR);
      if (ctx.ownR[j] !== 0) continue;
      const k = bk.r.get(j);
      if (k === null) continue;
      blocks.get(k)?.r.push(j);
    }
    for (const b of blocks.values()) {
      if (b.r.length === 0) continue;
      if (b.l.length * b.r.length > pass.maxBlockPairs) {
        stats.cappedBlocks++;
        continue;
      }
      for (const l of b.l) for (const r of b.r) pairs.push(l * nR + r);
    }
  }
  let cand = pairs.sortedUnique();
  if (ctx.hasApart) {
    cand = cand.filter((code) => {
      const l = Math.floor(code / nR);
      return !ctx.apart(l, code - l * nR);
    });
  }

  // Hard conditions, if any, filter candidates before scoring.
  if (pass.tolerance) {
    const cond = new PassConditions(ctx, pass.tolerance, false);
    cand = cand.filter((code) => {
      ctx.tick(pass.id, 0, 0);
      const l = Math.floor(code / nR);
      return cond.evaluate(l, code - l * nR, false) === OK;
    });
  }
  stats.candidates = cand.length;
  if (cand.length === 0) return;

  // 2. Levels per candidate and pattern counts.
  const comps = pass.comparisons.map((c) => compile(ctx, c));
  const nc = comps.length;
  const np = cand.length;
  const levels = new Uint8Array(np * nc);
  const patternCount = new Map<number, number>();
  for (let p = 0; p < np; p++) {
    ctx.tick(pass.id, p, np);
    const code = cand[p]!;
    const l = Math.floor(code / nR);
    const r = code - l * nR;
    let pat = 0;
    for (let c = 0; c < nc; c++) {
      const lv = comps[c]!.level(l, r);
      levels[p * nc + c] = lv;
      pat = pat * 4 + lv;
    }
    patternCount.set(pat, (patternCount.get(pat) ?? 0) + 1);
  }
  const patterns = [...patternCount.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([pat, count]) => {
      const lv: number[] = new Array<number>(nc);
      for (let c = nc - 1; c >= 0; c--) {
        lv[c] = pat % 4;
        pat = Math.floor(pat / 4);
      }
      return { levels: lv, count };
    });

  // 3. Seeds: m from labelled key matches; u from the same sample, each left with another's right.
  const sample = labelledSample(ctx, pass.em.sample);
  const ns = sample.l.length;
  const mCounts = comps.map(() => [0, 0, 0, 0]);
  const uCounts = comps.map(() => [0, 0, 0, 0]);
  const shift = Math.max(1, Math.floor(ns / 2) + 1);
  for (let k = 0; k < ns && ns >= 10; k++) {
    const l = sample.l[k]!;
    const r = sample.r[k]!;
    const ru = sample.r[(k + shift) % ns]!;
    for (let c = 0; c < nc; c++) {
      mCounts[c]![comps[c]!.level(l, r)]!++;
      uCounts[c]![comps[c]!.level(l, ru)]!++;
    }
  }
  const labelled = ns >= 10;
  const m0 = comps.map((comp, c) =>
    labelled ? normalizeLevels(mCounts[c]!, comp.levels, 1) : normalizeLevels((comp.levels.length === 2 ? DEFAULT_M_EXACT : DEFAULT_M).map((x) => x * 100), comp.levels, 0),
  );
  if (!labelled) {
    const spread = spreadPairs(ctx, pass.em.sample);
    for (let k = 0; k < spread.l.length; k++) for (let c = 0; c < nc; c++) uCounts[c]![comps[c]!.level(spread.l[k]!, spread.r[k]!)]!++;
  }
  const u0 = comps.map((comp, c) => normalizeLevels(uCounts[c]!, comp.levels, 1));
  const freeL = countFree(ctx.ownL);
  const freeR = countFree(ctx.ownR);
  const lambda0 = Math.min(0.5, Math.max(1e-6, Math.min(freeL, freeR) / np));
  const params = em(patterns, comps, m0, u0, lambda0, pass.em.iterations, pass.em.priorWeight);

  // 4. Weights (rounded so reported parts add up to the reported score) and scores.
  const weights = comps.map((comp, c) => [0, 1, 2, 3].map((lv) => (lv === NULL || !comp.levels.includes(lv) ? 0 : round4(Math.log2(params.m[c]![lv]! / params.u[c]![lv]!)))));
  const prior = round4(Math.log2(params.lambda / (1 - params.lambda)));
  const scores = new Float64Array(np);
  const bestL = new Map<number, number[]>();
  const bestR = new Map<number, number[]>();
  const top2 = (map: Map<number, number[]>, k: number, s: number) => {
    const t = map.get(k);
    if (!t) map.set(k, [s, -Infinity]);
    else if (s > t[0]!) {
      t[1] = t[0]!;
      t[0] = s;
    } else if (s > t[1]!) t[1] = s;
  };
  const eligible: number[] = [];
  for (let p = 0; p < np; p++) {
    let s = prior;
    for (let c = 0; c < nc; c++) s += weights[c]![levels[p * nc + c]!]!;
    s = round4(s);
    scores[p] = s;
    const code = cand[p]!;
    const l = Math.floor(code / nR);
    const r = code - l * nR;
    top2(bestL, l, s);
    top2(bestR, r, s);
    if (s >= pass.thresholds.suggest) eligible.push(p);
  }

  // 5. Greedy one-to-one assignment.
  const lid = (p: number) => L.ids[Math.floor(cand[p]! / nR)]!;
  const rid = (p: number) => R.ids[cand[p]! % nR]!;
  eligible.sort((a, b) => scores[b]! - scores[a]! || (lid(a) < lid(b) ? -1 : lid(a) > lid(b) ? 1 : rid(a) < rid(b) ? -1 : rid(a) > rid(b) ? 1 : 0));
  const thresholds = { match: pass.thresholds.match, suggest: pass.thresholds.suggest };
  for (const p of eligible) {
    const code = cand[p]!;
    const l = Math.floor(code / nR);
    const r = code - l * nR;
    if (ctx.ownL[l] !== 0 || ctx.ownR[r] !== 0) continue;
    const s = scores[p]!;
    const tl = bestL.get(l)!;
    const tr = bestR.get(r)!;
    const rival = Math.max(tl[0] === s ? tl[1]! : tl[0]!, tr[0] === s ? tr[1]! : tr[0]!);
    const margin = s - rival;
    const notes: string[] = [];
    let status: 'matched' | 'suggested' = 'suggested';
    if (s >= pass.thresholds.match && pass.confirm === 'auto') {
      if (margin >= pass.minMargin) status = 'matched';
      else notes.push(`a rival candidate scores within ${pass.minMargin} of this pair (margin ${round4(margin)}): needs review`);
    }
    if (status === 'suggested' && s < pass.thresholds.match) notes.push(`score ${s} is below the match threshold ${pass.thresholds.match}`);
    const checks: FieldCheck[] = comps.map((comp, c) => {
      const lv = levels[p * nc + c]!;
      return {
        field: comp.id,
        ...comp.describe(l, r),
        tolerance: comp.tolerance,
        pass: lv === NULL ? null : lv !== FAR,
        level: LEVEL_NAMES[lv]!,
        weight: weights[c]![lv]!,
      };
    });
    const keysL: string[] = [];
    const keysR: string[] = [];
    for (const bk of blockKeys) {
      const a = bk.l.get(l);
      if (a !== null && a === bk.r.get(r)) {
        keysL.push(displayKey(a));
        keysR.push(displayKey(a));
      }
    }
    const ex = explanation(pass.id, 'probabilistic', ctx.version, { left: keysL, right: keysR }, checks, '1:1', notes);
    ex.prior = prior;
    ex.score = s;
    ex.thresholds = thresholds;
    ctx.addGroup(order, pass.id, 'probabilistic', status, [l], [r], s, ex);
    stats.groups++;
    if (status === 'matched') stats.matched++;
    else stats.suggested++;
    stats.left++;
    stats.right++;
  }
}

function countFree(own: Int32Array): number {
  let n = 0;
  for (let i = 0; i < own.length; i++) if (own[i] === 0) n++;
  return n;
}
