import type { FieldValue } from './types.js';
import type { NormalizeRef, NormalizerStep, RuleSet } from './rule-set.js';

/** A compiled step. Alias tables are pre-normalized through the steps before them. */
type Step =
  | { op: 'trim' | 'upper' | 'lower' | 'alnum' | 'collapse_spaces' | 'strip_leading_zeros' | 'month' }
  | { op: 'strip_prefix' | 'strip_suffix'; values: string[] }
  | { op: 'regex_extract'; re: RegExp }
  | { op: 'alias'; map: Map<string, string> };

/** A compiled normalizer chain. `signature` identifies equal chains so their output can be cached. */
export interface Chain {
  readonly steps: readonly Step[];
  readonly signature: string;
}

export const DEFAULT_TEXT_CHAIN: readonly NormalizerStep[] = ['trim', 'upper', 'collapse_spaces'];

const ASCII_ALNUM = /^[A-Za-z0-9]*$/;
const NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII_ALNUM = /[^A-Za-z0-9]+/g;
const NON_ALNUM = /[^\p{L}\p{N}]+/gu;
const WS = /\s+/g;
const MONTH = /^(\d{4}-\d{2})-\d{2}$/;

/** Resolves a reference (inline chain or name) against the rule set and compiles it. */
export function compileChain(ref: NormalizeRef | readonly NormalizerStep[] | undefined, rs: Pick<RuleSet, 'normalizers' | 'aliases'>): Chain {
  const raw: readonly NormalizerStep[] = ref === undefined ? [] : typeof ref === 'string' ? (rs.normalizers[ref] ?? []) : ref;
  const steps: Step[] = [];
  for (const s of raw) {
    const step = typeof s === 'string' ? { op: s } : s;
    switch (step.op) {
      case 'strip_prefix':
      case 'strip_suffix':
        // Longest first so "PO#" wins over "PO".
        steps.push({ op: step.op, values: [...step.values].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)) });
        break;
      case 'regex_extract':
        steps.push({ op: 'regex_extract', re: new RegExp(step.pattern, (step.flags ?? '').replace('g', '')) });
        break;
      case 'alias': {
        const table = rs.aliases[step.table] ?? {};
        const prefix: Chain = { steps: [...steps], signature: '' };
        const map = new Map<string, string>();
        // Sorted so that conflicting variants resolve the same way whatever the JSON key order.
        for (const variant of Object.keys(table).sort()) {
          const from = applyChain(prefix, variant);
          const to = applyChain(prefix, table[variant] ?? '');
          if (from !== null && to !== null && !map.has(from)) map.set(from, to);
        }
        steps.push({ op: 'alias', map });
        break;
      }
      default:
        steps.push({ op: step.op });
    }
  }
  return { steps, signature: signatureOf(raw, rs) };
}

/** Equal step lists (alias tables compared by content) give equal signatures. */
function signatureOf(raw: readonly NormalizerStep[], rs: Pick<RuleSet, 'aliases'>): string {
  const tables = raw.flatMap((s) =>
    typeof s !== 'string' && s.op === 'alias' ? [JSON.stringify(Object.entries(rs.aliases[s.table] ?? {}).sort())] : [],
  );
  return JSON.stringify(raw) + tables.join('');
}

/** Keeps letters and digits of any script; ASCII text (the common case) skips the slower Unicode regex. */
export function alnum(s: string): string {
  if (ASCII_ALNUM.test(s)) return s;
  return NON_ASCII.test(s) ? s.replace(NON_ALNUM, '') : s.replace(NON_ASCII_ALNUM, '');
}

/** Applies a chain to a raw field value. Missing values and values that normalize to "" give null. */
export function applyChain(chain: Chain, value: FieldValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  let s = typeof value === 'string' ? value : String(value);
  const steps = chain.steps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    switch (step.op) {
      case 'trim':
        s = s.trim();
        break;
      case 'upper':
        s = s.toUpperCase();
        break;
      case 'lower':
        s = s.toLowerCase();
        break;
      case 'alnum':
        s = alnum(s);
        break;
      case 'collapse_spaces':
        s = s.replace(WS, ' ').trim();
        break;
      case 'strip_leading_zeros': {
        let k = 0;
        while (k < s.length - 1 && s.charCodeAt(k) === 48) k++;
        if (k > 0) s = s.slice(k);
        break;
      }
      case 'month': {
        const m = MONTH.exec(s);
        if (!m) return null;
        s = m[1]!;
        break;
      }
      case 'strip_prefix':
        for (const v of step.values) {
          if (s.startsWith(v)) {
            s = s.slice(v.length);
            break;
          }
        }
        break;
      case 'strip_suffix':
        for (const v of step.values) {
          if (s.endsWith(v)) {
            s = s.slice(0, s.length - v.length);
            break;
          }
        }
        break;
      case 'regex_extract': {
        const m = step.re.exec(s);
        if (!m) return null;
        s = m.length > 1 ? (m[1] ?? '') : m[0];
        break;
      }
      case 'alias':
        s = step.map.get(s) ?? s;
        break;
    }
    if (s.length === 0) return null;
  }
  return s.length === 0 ? null : s;
}
