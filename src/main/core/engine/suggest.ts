import { TieoutError } from '../../../shared/error.js';
import type { FieldRole } from '../../../shared/mapping.js';
import { isLocalDate, toDayNumber } from '../../../shared/date.js';
import { alnum } from './normalize.js';
import { jaroWinkler } from './similarity.js';
import type { ComparisonInput, KeySpec, NormalizerStep, PassInput, RuleSetInput } from './rule-set.js';
import type { EngineRecord, PassStats, Side } from './types.js';
import { runEngine } from './run.js';

/** What is known about one side's fields (a mapping template satisfies this). */
export interface FieldRoleInfo {
  label?: string;
  unmatchedLabel?: string;
  fields: { name: string; role?: FieldRole; type?: string }[];
  amount?: string;
  currency?: { field: string } | { code: string };
  date?: string;
}

export interface SuggestSample {
  left: FieldRoleInfo;
  right: FieldRoleInfo;
  leftRecords: EngineRecord[];
  rightRecords: EngineRecord[];
}

export interface Suggestion {
  ruleSet: RuleSetInput;
  /** Why each choice was made, for the rule editor to show. */
  reasons: string[];
}

const REF_CHAIN: NormalizerStep[] = ['upper', 'alnum'];

function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v);
  return s.trim() === '' ? null : s;
}

function refNorm(v: unknown): string | null {
  const s = str(v);
  if (s === null) return null;
  const k = alnum(s.toUpperCase());
  return k === '' ? null : k;
}

function byRole(info: FieldRoleInfo, ...roles: FieldRole[]): string[] {
  return info.fields.filter((f) => f.role !== undefined && roles.includes(f.role)).map((f) => f.name);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))]!;
}

interface KeyCandidate {
  leftField: string;
  rightField: string;
  prefixes: string[];
  hits: number;
  /** Right index → left indices sharing its key. */
  pairs: Map<number, number[]>;
}

/**
 * Prefixes that, stripped from a right reference, make it equal a left reference: e.g. "PO"
 * for "PO# IO-2026-1" vs "IO-2026-1". Only prefixes seen on several records count.
 */
function detectPrefixes(leftKeys: Set<string>, rightValues: (string | null)[]): string[] {
  const counts = new Map<string, number>();
  for (const r of rightValues) {
    if (r === null || leftKeys.has(r)) continue;
    for (let n = 1; n <= 4 && n < r.length; n++) {
      if (leftKeys.has(r.slice(n))) counts.set(r.slice(0, n), (counts.get(r.slice(0, n)) ?? 0) + 1);
    }
  }
  const min = Math.max(2, Math.ceil(rightValues.length * 0.005));
  return [...counts.entries()].filter(([, c]) => c >= min).map(([p]) => p).sort();
}

function stripPrefix(v: string, prefixes: string[]): string {
  for (const p of [...prefixes].sort((a, b) => b.length - a.length)) if (v.startsWith(p)) return v.slice(p.length);
  return v;
}

function keyCandidate(sample: SuggestSample, lf: string, rf: string): KeyCandidate {
  const lk = sample.leftRecords.map((r) => refNorm(r.fields[lf]));
  const index = new Map<string, number[]>();
  lk.forEach((k, i) => {
    if (k === null) return;
    const list = index.get(k);
    if (list) list.push(i);
    else index.set(k, [i]);
  });
  const rv = sample.rightRecords.map((r) => refNorm(r.fields[rf]));
  const prefixes = detectPrefixes(new Set(index.keys()), rv);
  const pairs = new Map<number, number[]>();
  rv.forEach((v, j) => {
    if (v === null) return;
    const hit = index.get(stripPrefix(v, prefixes));
    if (hit) pairs.set(j, hit);
  });
  return { leftField: lf, rightField: rf, prefixes, hits: pairs.size, pairs };
}

function rightChain(prefixes: string[]): NormalizerStep[] {
  return prefixes.length > 0 ? ['upper', 'alnum', { op: 'strip_prefix', values: prefixes }] : REF_CHAIN;
}

function dayOf(v: unknown): number | null {
  return typeof v === 'string' && isLocalDate(v) ? toDayNumber(v) : null;
}

/**
 * Proposes a starting rule set from field roles and a sample of records:
 * - key passes on the reference pair that links the most right records (normalizers chosen from
 *   the key formats, e.g. a "PO" prefix to strip), included when at least 20% link;
 * - 1:N when a left key is shared by several rights, N:1 when another left reference links rights
 *   the main key did not;
 * - the date pair and window from the lags of key-linked pairs (one-sided when no lag is negative);
 * - exact amounts when most linked pairs agree exactly, else a percentage covering 90% of them;
 * - a vendor alias table from counterparty names that consistently differ on linked pairs;
 * - a probabilistic pass on the leftovers, blocked on amount + currency and counterparty + month.
 */
export function suggestRuleSet(sample: SuggestSample): Suggestion {
  const reasons: string[] = [];
  const { left, right, leftRecords, rightRecords } = sample;
  const amountOf = (info: FieldRoleInfo) => info.amount ?? byRole(info, 'amount')[0];
  const lAmount = amountOf(left);
  const rAmount = amountOf(right);
  if (!lAmount || !rAmount) throw new TieoutError('bad_input', 'Both sides need an amount field (role "amount") to suggest rules', { path: lAmount ? 'right' : 'left' });
  const currencyOf = (info: FieldRoleInfo) =>
    info.currency && 'field' in info.currency ? { currency: info.currency.field } : info.currency && 'code' in info.currency ? { defaultCurrency: info.currency.code } : byRole(info, 'currency')[0] ? { currency: byRole(info, 'currency')[0]! } : {};

  // Keys.
  const lRefs = byRole(left, 'reference', 'record_id');
  const rRefs = byRole(right, 'reference', 'record_id');
  const candidates: KeyCandidate[] = [];
  for (const lf of lRefs) for (const rf of rRefs) candidates.push(keyCandidate(sample, lf, rf));
  candidates.sort((a, b) => b.hits - a.hits || (a.leftField + a.rightField < b.leftField + b.rightField ? -1 : 1));
  const best = candidates[0];
  const share = best && rightRecords.length > 0 ? best.hits / rightRecords.length : 0;
  // Exact equality of normalized references rarely happens by chance, so a few links are
  // evidence enough (samples of the two sides need not cover the same records).
  const useKeys = best !== undefined && best.hits >= 3 && share >= 0.01;
  const passes: PassInput[] = [];
  const linked: [number, number][] = [];
  if (useKeys) {
    for (const [j, ls] of best.pairs) if (ls.length === 1) linked.push([ls[0]!, j]);
    reasons.push(`${Math.round(share * 100)}% of ${right.label ?? 'right'} records link by ${best.rightField} → ${best.leftField}${best.prefixes.length ? ` after stripping prefix ${best.prefixes.join(', ')}` : ''}`);
  } else reasons.push('no reference links enough records: key passes left out');

  // Dates: the pair of date fields whose lag on linked pairs is tightest.
  const lDates = left.date ? [left.date, ...byRole(left, 'date').filter((f) => f !== left.date)] : byRole(left, 'date');
  const rDates = right.date ? [right.date, ...byRole(right, 'date').filter((f) => f !== right.date)] : byRole(right, 'date');
  let window: { min?: number; max: number } | undefined;
  let lDate = lDates[0];
  let rDate = rDates[0];
  let bestSpread = Infinity;
  for (const lf of lDates) {
    for (const rf of rDates) {
      const lags: number[] = [];
      for (const [l, r] of linked) {
        const a = dayOf(leftRecords[l]!.fields[lf]);
        const b = dayOf(rightRecords[r]!.fields[rf]);
        if (a !== null && b !== null) lags.push(b - a);
      }
      if (lags.length < 5) continue;
      lags.sort((x, y) => x - y);
      const lo = quantile(lags, 0.01);
      const hi = quantile(lags, 0.99);
      if (hi - lo < bestSpread) {
        bestSpread = hi - lo;
        lDate = lf;
        rDate = rf;
        const slack = Math.max(2, Math.ceil((hi - lo) * 0.1));
        window = lo >= 0 ? { min: 0, max: hi + slack } : { min: lo - slack, max: hi + slack };
      }
    }
  }
  if (window) reasons.push(`${rDate} − ${lDate} lies in [${window.min}, ${window.max}] days on linked pairs`);

  // Amounts.
  let amountTol: { abs?: number; pct?: number } = { abs: 0 };
  if (linked.length >= 5) {
    const rel: number[] = [];
    let exact = 0;
    for (const [l, r] of linked) {
      const a = leftRecords[l]!.fields[lAmount];
      const b = rightRecords[r]!.fields[rAmount];
      if (typeof a !== 'number' || typeof b !== 'number') continue;
      if (a === b) exact++;
      else if (a !== 0) rel.push(Math.abs(b - a) / Math.abs(a));
    }
    if (exact >= linked.length * 0.5) reasons.push(`${Math.round((exact / linked.length) * 100)}% of linked pairs agree exactly on amount: exact tolerance`);
    else {
      rel.sort((x, y) => x - y);
      const pct = Math.ceil(quantile(rel, 0.9) * 1000) / 10;
      amountTol = { pct };
      reasons.push(`amounts differ on most linked pairs; ${pct}% covers 90% of them`);
    }
  }

  // Text roles and vendor aliases.
  const text: { left: Record<string, string>; right: Record<string, string> } = { left: {}, right: {} };
  const lCp = byRole(left, 'counterparty');
  const rCp = byRole(right, 'counterparty');
  const aliases: Record<string, string> = {};
  let vendorPair: [string, string] | undefined;
  const pairSimilarity = (pairs: [number, number][], lf: string, rf: string) => {
    let sum = 0;
    for (const [l, r] of pairs) sum += jaroWinkler(refNorm(leftRecords[l]!.fields[lf]) ?? '', refNorm(rightRecords[r]!.fields[rf]) ?? '');
    return sum / pairs.length;
  };
  const distinct = (recs: EngineRecord[], f: string) => [...new Set(recs.map((r) => refNorm(r.fields[f])).filter((v): v is string => v !== null))].sort().slice(0, 100);
  const valueSimilarity = (lf: string, rf: string) => {
    const ls = distinct(leftRecords, lf);
    const rs = distinct(rightRecords, rf);
    if (ls.length === 0 || rs.length === 0) return 0;
    let sum = 0;
    for (const a of ls) sum += Math.max(...rs.map((b) => jaroWinkler(a, b)));
    return sum / ls.length;
  };
  if (lCp.length > 0 && rCp.length > 0) {
    // The counterparty fields that agree best (a buy may have advertiser and vendor): on linked
    // pairs when there are some, else by how well each left value finds a look-alike on the right.
    let bestSim = -1;
    for (const lf of lCp) {
      for (const rf of rCp) {
        const avg = linked.length >= 5 ? pairSimilarity(linked, lf, rf) : valueSimilarity(lf, rf);
        if (avg > bestSim) {
          bestSim = avg;
          vendorPair = [lf, rf];
        }
      }
    }
    const [lf, rf] = vendorPair!;
    text.left.vendor = lf;
    text.right.vendor = rf;
    const seen = new Map<string, Map<string, number>>();
    const raw = new Map<string, string>();
    for (const [l, r] of linked) {
      const a = str(leftRecords[l]!.fields[lf]);
      const b = str(rightRecords[r]!.fields[rf]);
      if (a === null || b === null || refNorm(a) === refNorm(b)) continue;
      const m = seen.get(b) ?? new Map<string, number>();
      m.set(a, (m.get(a) ?? 0) + 1);
      seen.set(b, m);
      raw.set(b, b);
    }
    for (const [variant, m] of [...seen.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      const total = [...m.values()].reduce((s, c) => s + c, 0);
      const [canonical, count] = [...m.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]!;
      if (count >= 2 && count >= total * 0.9) aliases[variant] = canonical;
    }
    if (Object.keys(aliases).length) reasons.push(`${Object.keys(aliases).length} ${rf} spellings consistently map to a ${lf}: alias table "counterparty"`);
  }
  const lDesc = byRole(left, 'description');
  const rDesc = byRole(right, 'description');
  if (lDesc.length && rDesc.length) {
    text.left.description = lDesc[lDesc.length - 1]!;
    text.right.description = rDesc[0]!;
  }
  const vendorChain: NormalizerStep[] = Object.keys(aliases).length ? ['upper', 'alnum', { op: 'alias', table: 'counterparty' }] : ['upper', 'alnum'];

  const tolerance = { amount: amountTol, ...(window ? { date: window } : {}) };
  if (useKeys) {
    const key: KeySpec = { left: [{ field: best.leftField, normalize: REF_CHAIN }], right: [{ field: best.rightField, normalize: rightChain(best.prefixes) }] };
    passes.push({ id: 'key-1to1', kind: 'key', cardinality: '1:1', confirm: 'auto', key, tolerance: { ...tolerance, text: [] }, onToleranceFail: 'exception', limits: { maxPerSide: 12, maxSteps: 20_000 } });
    const rightsPerLeft = new Map<number, number>();
    for (const ls of best.pairs.values()) for (const l of ls) rightsPerLeft.set(l, (rightsPerLeft.get(l) ?? 0) + 1);
    const multi = [...rightsPerLeft.values()].filter((c) => c > 1).length;
    if (multi > 0) {
      passes.push({ id: 'key-split', kind: 'key', cardinality: '1:N', confirm: 'auto', key, tolerance: { ...tolerance, text: [] }, onToleranceFail: 'skip', limits: { maxPerSide: 12, maxSteps: 20_000 } });
      reasons.push(`${multi} left records are referenced by several right records: a 1:N pass`);
    }
    // Another left reference that links right records the main key missed: consolidated billing.
    const missed = sample.rightRecords.map((_, j) => j).filter((j) => !best.pairs.has(j));
    let bestOther: { field: string; hits: number } | undefined;
    for (const lf of lRefs) {
      if (lf === best.leftField) continue;
      const set = new Set(leftRecords.map((r) => refNorm(r.fields[lf])).filter((k): k is string => k !== null));
      let hits = 0;
      for (const j of missed) {
        const v = refNorm(rightRecords[j]!.fields[best.rightField]);
        if (v !== null && set.has(stripPrefix(v, best.prefixes))) hits++;
      }
      if (hits > (bestOther?.hits ?? 0)) bestOther = { field: lf, hits };
    }
    if (bestOther && bestOther.hits >= 2) {
      const text = vendorPair ? [{ role: 'vendor', measure: 'jaro_winkler' as const, threshold: 1, normalize: vendorChain }] : [];
      passes.push({
        id: 'key-consolidated',
        kind: 'key',
        cardinality: 'N:1',
        confirm: 'auto',
        key: { left: [{ field: bestOther.field, normalize: REF_CHAIN }], right: key.right },
        tolerance: { ...tolerance, text },
        onToleranceFail: 'skip',
        limits: { maxPerSide: 12, maxSteps: 20_000 },
      });
      reasons.push(`${bestOther.hits} right records reference ${bestOther.field} instead: an N:1 pass`);
    }
  }

  // Probabilistic pass on leftovers.
  const lCur = currencyOf(left);
  const rCur = currencyOf(right);
  const blocking: KeySpec[] = [];
  if (lCur.currency && rCur.currency) blocking.push({ left: [{ field: lAmount }, { field: lCur.currency, normalize: ['upper'] }], right: [{ field: rAmount }, { field: rCur.currency, normalize: ['upper'] }] });
  else blocking.push({ left: [{ field: lAmount }], right: [{ field: rAmount }] });
  if (vendorPair && lDate && rDate) {
    blocking.push({ left: [{ field: vendorPair[0], normalize: vendorChain }, { field: lDate, normalize: ['month'] }], right: [{ field: vendorPair[1], normalize: vendorChain }, { field: rDate, normalize: ['month'] }] });
  }
  const comparisons: ComparisonInput[] = [{ id: 'amount', type: 'amount', close: { pct: 1, combine: 'either' }, fx: false }];
  if (lDate && rDate) comparisons.push({ id: 'date', type: 'date', close: { min: window?.min ?? -7, max: window?.max ?? 7 } });
  if (vendorPair) comparisons.push({ id: 'vendor', type: 'text', role: 'vendor', measure: 'jaro_winkler', threshold: 0.9, normalize: vendorChain });
  if (text.left.description) comparisons.push({ id: 'description', type: 'text', role: 'description', measure: 'token_set', threshold: 0.8 });
  passes.push({
    id: 'probabilistic',
    kind: 'probabilistic',
    confirm: 'suggest',
    blocking,
    maxBlockPairs: 2500,
    comparisons,
    thresholds: { match: 10, suggest: 4 },
    minMargin: 2,
    em: { iterations: 30, priorWeight: 50, sample: 20_000 },
  });
  reasons.push('a probabilistic pass suggests matches for records without usable keys');

  const side = (info: FieldRoleInfo, s: Side, date: string | undefined, t: Record<string, string>) => ({
    label: info.label ?? (s === 'left' ? 'Left' : 'Right'),
    unmatchedLabel: info.unmatchedLabel ?? (s === 'left' ? 'Unmatched left' : 'Unmatched right'),
    fields: { amount: s === 'left' ? lAmount : rAmount, ...(s === 'left' ? lCur : rCur), ...(date ? { date } : {}), text: t },
  });
  const ruleSet: RuleSetInput = {
    name: `${left.label ?? 'Left'} vs ${right.label ?? 'Right'} (suggested)`,
    sides: { left: side(left, 'left', lDate, text.left), right: side(right, 'right', rDate, text.right) },
    aliases: Object.keys(aliases).length ? { counterparty: aliases } : {},
    passes,
  };
  return { ruleSet, reasons };
}

export interface PassPreview extends PassStats {
  label?: string;
}

/** How many records each pass would claim on a sample: the engine run on the sample itself. */
export function previewPasses(ruleSet: RuleSetInput, records: EngineRecord[]): PassPreview[] {
  const result = runEngine({ ruleSet, ruleSetVersion: 0, records });
  const labels = new Map(ruleSet.passes.map((p) => [p.id, p.label]));
  return result.stats.passes.map((p) => {
    const label = labels.get(p.pass);
    return label === undefined ? { ...p } : { ...p, label };
  });
}
