import { TieoutError } from '../../../shared/error.js';
import { toDayNumber } from '../../../shared/date.js';
import { jaroWinkler, parseRuleSet, tokenSet, type FieldValue, type RuleSet } from '../engine/index.js';
import { latestRuleSet, type Db } from '../workspace/index.js';
import { candidateRecord, latestRunId, runMembership, unmatchedRecords, type CandidateRecordRow } from '../workspace/triage.js';

/**
 * Candidate partners for an unmatched record: a simple, explainable weighted score, not the
 * engine's Fellegi–Sunter model (which needs a whole run to estimate its weights).
 *
 *   score = Σ weight·s / Σ weight over the components both records have, each s in [0, 1]:
 *   - amount (0.40): 1 when equal, falling linearly to 0 at a 20% difference; 0 across currencies;
 *   - date (0.20): inside the rule set's date window 1 − ½·|days|/span, outside 0;
 *   - text (0.25, shared by the text roles both sides declare): best of Jaro–Winkler and
 *     token-set similarity of the upper-cased text, after the rule set's alias tables;
 *   - reference (0.15): Jaro–Winkler of the key-pass fields (alphanumerics, and digits alone so a
 *     "PO" prefix does not count against), best over the key passes.
 * Ties are broken by record id, so the order is deterministic.
 */
export const CANDIDATE_WEIGHTS = { amount: 0.4, date: 0.2, text: 0.25, reference: 0.15 } as const;
const AMOUNT_ZERO_AT = 0.2;

export interface CandidateCheck {
  /** 'amount', 'date', 'reference', or a text role. */
  field: string;
  left: string | number | null;
  right: string | number | null;
  measure: 'difference' | 'days' | 'jaro_winkler' | 'token_set';
  /** difference: right − left (minor units); days: right − left; similarity: 0..1. */
  value: number | null;
  /** This component's contribution in [0, 1] before weighting. */
  score: number;
  weight: number;
  note?: string;
}

export interface Candidate {
  recordId: number;
  source: string;
  side: 'left' | 'right';
  /** The review item (unmatched exception) holding the candidate. */
  itemId: string | null;
  ref: string | null;
  amountMinor: number | null;
  currency: string | null;
  date: string | null;
  /** 0..1, four decimals. */
  score: number;
  checks: CandidateCheck[];
}

/** A record as the scorer sees it. */
export interface ScoredRecord {
  recordId: number;
  side: 'left' | 'right';
  fields: Readonly<Record<string, FieldValue | undefined>>;
  amountMinor: number | null;
  currency: string | null;
  date: string | null;
}

/** What the scorer takes from the rule set. */
export interface CandidateSpec {
  textRoles: { role: string; left: string; right: string }[];
  references: { left: string[]; right: string[] }[];
  window: { min: number; max: number } | null;
  /** alphanumeric upper-cased variant → canonical upper-cased text. */
  aliases: ReadonlyMap<string, string>;
}

const alnumUpper = (s: string) => s.toUpperCase().replace(/[^\p{L}\p{N}]+/gu, '');
const textUpper = (s: string) => s.trim().replace(/\s+/g, ' ').toUpperCase();

export function candidateSpec(rs: RuleSet): CandidateSpec {
  const l = rs.sides.left.fields.text;
  const r = rs.sides.right.fields.text;
  const textRoles = Object.keys(l)
    .filter((role) => role in r)
    .sort()
    .map((role) => ({ role, left: l[role]!, right: r[role]! }));
  const seen = new Set<string>();
  const references: CandidateSpec['references'] = [];
  for (const p of rs.passes) {
    if (p.kind !== 'key') continue;
    const ref = { left: p.key.left.map((k) => k.field), right: p.key.right.map((k) => k.field) };
    const sig = JSON.stringify(ref);
    if (!seen.has(sig)) (seen.add(sig), references.push(ref));
  }
  const dated = rs.passes.find((p) => p.tolerance?.date && (p.tolerance.date.min !== undefined || p.tolerance.date.max !== undefined));
  const w = dated?.tolerance?.date;
  const window = w ? { min: w.min ?? -(w.max ?? 0), max: w.max ?? -(w.min ?? 0) } : null;
  const aliases = new Map<string, string>();
  for (const name of Object.keys(rs.aliases).sort()) {
    const table = rs.aliases[name]!;
    for (const variant of Object.keys(table).sort()) {
      const k = alnumUpper(variant);
      if (k && !aliases.has(k)) aliases.set(k, textUpper(table[variant]!));
    }
  }
  return { textRoles, references, window, aliases };
}

function text(v: FieldValue | undefined, aliases: ReadonlyMap<string, string>): string | null {
  if (v === null || v === undefined) return null;
  const t = textUpper(String(v));
  if (t === '') return null;
  return aliases.get(alnumUpper(t)) ?? t;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Scores one pair; `a` and `b` are on opposite sides, in either order. */
export function scoreCandidate(a: ScoredRecord, b: ScoredRecord, spec: CandidateSpec): { score: number; checks: CandidateCheck[] } {
  const left = a.side === 'left' ? a : b;
  const right = a.side === 'left' ? b : a;
  const checks: CandidateCheck[] = [];

  if (left.amountMinor !== null && right.amountMinor !== null) {
    const diff = right.amountMinor - left.amountMinor;
    const same = left.currency === right.currency;
    const rel = Math.abs(diff) / Math.max(Math.abs(left.amountMinor), Math.abs(right.amountMinor), 1);
    checks.push({
      field: 'amount',
      left: left.amountMinor,
      right: right.amountMinor,
      measure: 'difference',
      value: same ? diff : null,
      score: !same ? 0 : diff === 0 ? 1 : Math.max(0, 1 - rel / AMOUNT_ZERO_AT),
      weight: CANDIDATE_WEIGHTS.amount,
      ...(!same && { note: `currencies differ (${left.currency ?? '?'} / ${right.currency ?? '?'})` }),
    });
  }

  if (left.date !== null && right.date !== null) {
    const days = toDayNumber(right.date) - toDayNumber(left.date);
    const w = spec.window ?? { min: -90, max: 90 };
    const span = Math.max(Math.abs(w.min), Math.abs(w.max), 1);
    const inside = days >= w.min && days <= w.max;
    checks.push({
      field: 'date',
      left: left.date,
      right: right.date,
      measure: 'days',
      value: days,
      score: inside ? 1 - (0.5 * Math.abs(days)) / span : 0,
      weight: CANDIDATE_WEIGHTS.date,
      ...(!inside && { note: `outside [${w.min}, ${w.max}] days` }),
    });
  }

  const texts: CandidateCheck[] = [];
  for (const r of spec.textRoles) {
    const lt = text(left.fields[r.left], spec.aliases);
    const rt = text(right.fields[r.right], spec.aliases);
    if (lt === null || rt === null) continue;
    const jw = jaroWinkler(lt, rt);
    const ts = tokenSet(lt, rt);
    texts.push({ field: r.role, left: lt, right: rt, measure: ts > jw ? 'token_set' : 'jaro_winkler', value: round4(Math.max(jw, ts)), score: Math.max(jw, ts), weight: 0 });
  }
  for (const t of texts) t.weight = CANDIDATE_WEIGHTS.text / texts.length;
  checks.push(...texts);

  let best: CandidateCheck | null = null;
  for (const ref of spec.references) {
    const lv = alnumUpper(ref.left.map((f) => String(left.fields[f] ?? '')).join(''));
    const rv = alnumUpper(ref.right.map((f) => String(right.fields[f] ?? '')).join(''));
    if (lv === '' || rv === '') continue;
    const ld = lv.replace(/\D+/g, '');
    const rd = rv.replace(/\D+/g, '');
    const s = Math.max(jaroWinkler(lv, rv), ld.length >= 4 && rd.length >= 4 ? jaroWinkler(ld, rd) : 0);
    if (!best || s > best.score) best = { field: 'reference', left: lv, right: rv, measure: 'jaro_winkler', value: round4(s), score: s, weight: CANDIDATE_WEIGHTS.reference };
  }
  if (best) checks.push(best);

  const total = checks.reduce((n, c) => n + c.weight, 0);
  const score = total === 0 ? 0 : round4(checks.reduce((n, c) => n + c.weight * c.score, 0) / total);
  for (const c of checks) c.score = round4(c.score);
  return { score, checks };
}

function toScored(r: CandidateRecordRow, side: 'left' | 'right', rs: RuleSet): ScoredRecord {
  const fields = JSON.parse(r.fieldsJson) as Record<string, FieldValue>;
  const spec = rs.sides[side].fields;
  const amount = fields[spec.amount];
  const currency = (spec.currency !== undefined ? fields[spec.currency] : undefined) ?? r.currency ?? spec.defaultCurrency ?? null;
  const date = spec.date !== undefined ? fields[spec.date] : undefined;
  return {
    recordId: r.recordId,
    side,
    fields,
    amountMinor: typeof amount === 'number' ? amount : r.amountMinor,
    currency: currency === null ? null : String(currency).toUpperCase(),
    date: typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : r.date,
  };
}

/**
 * The best partners, from the other side's unmatched records of the latest run, for a record
 * that run left unmatched.
 */
export function candidatesFor(db: Db, reconciliationId: number, recordId: number, limit = 5): { runId: number; side: 'left' | 'right'; candidates: Candidate[] } {
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new TieoutError('bad_input', 'limit must be between 1 and 100', { path: 'limit' });
  const runId = latestRunId(db, reconciliationId);
  if (runId === undefined) throw new TieoutError('not_found', `Reconciliation ${reconciliationId} has no runs yet`);
  const member = runMembership(db, runId, recordId);
  if (!member) throw new TieoutError('not_found', `Record ${recordId} is not part of run ${runId}`, { record: recordId });
  if (member.class !== 'unmatched_left' && member.class !== 'unmatched_right') {
    throw new TieoutError('conflict', `Record ${recordId} is not unmatched in run ${runId}`, { record: recordId });
  }
  const stored = latestRuleSet(db, reconciliationId);
  if (!stored) throw new TieoutError('not_found', `Reconciliation ${reconciliationId} has no rule set`);
  const rs = parseRuleSet(stored.rules);
  const spec = candidateSpec(rs);
  const subjectRow = candidateRecord(db, runId, recordId)!;
  const subject = toScored(subjectRow, member.side, rs);
  const other = member.side === 'left' ? 'right' : 'left';
  const scored = unmatchedRecords(db, runId, other).map((row) => {
    const { score, checks } = scoreCandidate(subject, toScored(row, other, rs), spec);
    return {
      recordId: row.recordId,
      source: row.source,
      side: other,
      itemId: row.exceptionId,
      ref: row.ref,
      amountMinor: row.amountMinor,
      currency: row.currency,
      date: row.date,
      score,
      checks,
    } satisfies Candidate;
  });
  scored.sort((a, b) => b.score - a.score || a.recordId - b.recordId);
  return { runId, side: member.side, candidates: scored.slice(0, limit) };
}
