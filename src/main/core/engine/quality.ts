import type { EngineResult, ExceptionClass, Side } from './types.js';

/** One planted case (the demo's truth.csv row). */
export interface TruthCase {
  case: string;
  /** Left natural keys (buy Line IDs). */
  buyLineIds: string[];
  /** Right natural keys (`<Invoice No>#<Invoice Line>`). */
  invoiceKeys: string[];
}

/** Record ids carrying a natural key; several when a row was duplicated byte for byte. */
export type RecordIdOf = (side: Side, naturalKey: string) => readonly string[];

export interface PrecisionRecall {
  expected: number;
  predicted: number;
  correct: number;
  precision: number;
  recall: number;
}

export interface QualityReport {
  /** Linked (left, right) pairs: groups plus variance pairs (amount/date/currency). */
  pairs: PrecisionRecall;
  /** Pairs in groups only (matched or suggested). */
  groupPairs: PrecisionRecall;
  /** Pairs in auto-matched groups only (precision of what nobody reviews). */
  autoPairs: PrecisionRecall;
  /** `pairs`, restricted to the records of each case kind. */
  pairsByCase: Record<string, PrecisionRecall>;
  /** Records expected in each exception class vs found there. */
  exceptions: Record<string, PrecisionRecall>;
  /** A few wrong or missed pairs, for debugging rules. */
  examples: { wrong: string[]; missed: string[] };
}

/** Which exception class a case's records should land in. */
const CASE_CLASS: Record<string, ExceptionClass | undefined> = {
  over_billing: 'amount_variance',
  currency_mismatch: 'currency_mismatch',
  unbilled: 'unmatched_left',
  unauthorized: 'unmatched_right',
};

const PAIR_CLASSES = new Set<ExceptionClass>(['amount_variance', 'date_variance', 'currency_mismatch']);

function pr(expected: number, predicted: number, correct: number): PrecisionRecall {
  return { expected, predicted, correct, precision: predicted === 0 ? 1 : correct / predicted, recall: expected === 0 ? 1 : correct / expected };
}

function score(expected: Set<string>, predicted: Set<string>): PrecisionRecall {
  let correct = 0;
  for (const p of predicted) if (expected.has(p)) correct++;
  return pr(expected.size, predicted.size, correct);
}

/**
 * Precision and recall of a result against planted truth, in natural-key space (so duplicated
 * rows, which share a key, count once). A pair is (buy line id, invoice key).
 */
export function measureQuality(result: EngineResult, truth: readonly TruthCase[], recordIdOf: RecordIdOf): QualityReport {
  const keyOf = new Map<string, string>(); // "L:<record id>" → natural key
  const caseOf = new Map<string, string>(); // "L:<natural key>" → case kind
  const expectedPairs = new Set<string>();
  const expectedInClass = new Map<string, Set<string>>();
  const expect = (cls: string, tag: string) => {
    let s = expectedInClass.get(cls);
    if (!s) expectedInClass.set(cls, (s = new Set()));
    s.add(tag);
  };
  for (const t of truth) {
    for (const k of t.buyLineIds) {
      caseOf.set(`L:${k}`, t.case);
      for (const id of recordIdOf('left', k)) keyOf.set(`L:${id}`, k);
    }
    for (const k of t.invoiceKeys) {
      caseOf.set(`R:${k}`, t.case);
      const ids = recordIdOf('right', k);
      for (const id of ids) keyOf.set(`R:${id}`, k);
      if (t.case === 'duplicate' && ids.length > 1) expect('duplicate', `R:${k}`);
    }
    if (t.buyLineIds.length > 0 && t.invoiceKeys.length > 0) {
      for (const b of t.buyLineIds) for (const i of t.invoiceKeys) expectedPairs.add(`${b}\u0000${i}`);
    }
    const cls = CASE_CLASS[t.case];
    if (cls) {
      if (cls !== 'unmatched_right') for (const k of t.buyLineIds) expect(cls, `L:${k}`);
      if (cls !== 'unmatched_left') for (const k of t.invoiceKeys) expect(cls, `R:${k}`);
    }
  }
  const natural = (side: 'L' | 'R', id: string) => keyOf.get(`${side}:${id}`) ?? `?${id}`;

  const all = new Set<string>();
  const inGroups = new Set<string>();
  const auto = new Set<string>();
  const addPairs = (left: string[], right: string[], into: Set<string>[]) => {
    for (const l of left) for (const r of right) for (const s of into) s.add(`${natural('L', l)}\u0000${natural('R', r)}`);
  };
  for (const g of result.groups) addPairs(g.left, g.right, g.status === 'matched' ? [all, inGroups, auto] : [all, inGroups]);
  const foundInClass = new Map<string, Set<string>>();
  for (const x of result.exceptions) {
    if (PAIR_CLASSES.has(x.class)) addPairs(x.left, x.right, [all]);
    let s = foundInClass.get(x.class);
    if (!s) foundInClass.set(x.class, (s = new Set()));
    for (const l of x.left) s.add(`L:${natural('L', l)}`);
    for (const r of x.right) s.add(`R:${natural('R', r)}`);
  }

  const caseOfPair = (p: string) => {
    const cut = p.indexOf('\u0000');
    return caseOf.get(`L:${p.slice(0, cut)}`) ?? caseOf.get(`R:${p.slice(cut + 1)}`);
  };
  // One pass over each pair set, bucketing by case (a pair counts for the case of either record).
  const expByCase = new Map<string, Set<string>>();
  const predByCase = new Map<string, Set<string>>();
  const bucket = (m: Map<string, Set<string>>, c: string | undefined, p: string) => {
    if (c === undefined) return;
    let set = m.get(c);
    if (!set) m.set(c, (set = new Set()));
    set.add(p);
  };
  for (const p of expectedPairs) bucket(expByCase, caseOfPair(p), p);
  for (const p of all) {
    const cut = p.indexOf('\u0000');
    const lc = caseOf.get(`L:${p.slice(0, cut)}`);
    const rc = caseOf.get(`R:${p.slice(cut + 1)}`);
    bucket(predByCase, lc, p);
    if (rc !== lc) bucket(predByCase, rc, p);
  }
  const pairsByCase: Record<string, PrecisionRecall> = {};
  for (const c of [...new Set(truth.map((t) => t.case))].sort()) {
    const exp = expByCase.get(c) ?? new Set<string>();
    const pred = predByCase.get(c) ?? new Set<string>();
    if (exp.size > 0 || pred.size > 0) pairsByCase[c] = score(exp, pred);
  }
  const exceptions: Record<string, PrecisionRecall> = {};
  for (const cls of new Set([...expectedInClass.keys(), ...foundInClass.keys()])) {
    exceptions[cls] = score(expectedInClass.get(cls) ?? new Set(), foundInClass.get(cls) ?? new Set());
  }
  const wrong = [...all].filter((p) => !expectedPairs.has(p)).slice(0, 10).map((p) => `${p.replace('\u0000', ' ↔ ')} (${caseOfPair(p) ?? '?'})`);
  const missed = [...expectedPairs].filter((p) => !all.has(p)).slice(0, 10).map((p) => `${p.replace('\u0000', ' ↔ ')} (${caseOfPair(p) ?? '?'})`);
  return {
    pairs: score(expectedPairs, all),
    groupPairs: score(expectedPairs, inGroups),
    autoPairs: score(expectedPairs, auto),
    pairsByCase,
    exceptions,
    examples: { wrong, missed },
  };
}
