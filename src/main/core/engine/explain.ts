import type { Cardinality, TextMeasure } from './rule-set.js';
import type { Conversion } from './fx.js';
import type { Explanation, FieldCheck, PassKind } from './types.js';
import { formatMinor } from '../../../shared/money.js';

/** Four decimals: enough to read, and stable text in JSON. */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

export function amountCheck(
  left: number,
  right: number,
  unit: string,
  tolerance: string,
  pass: boolean,
  note?: string,
): FieldCheck {
  const c: FieldCheck = {
    field: 'amount',
    left: Number.isNaN(left) ? null : left,
    right: Number.isNaN(right) ? null : right,
    unit,
    measure: 'difference',
    value: Number.isNaN(left) || Number.isNaN(right) ? null : right - left,
    tolerance,
    pass,
    weight: null,
  };
  if (note !== undefined) c.note = note;
  return c;
}

export function fxNote(original: number, currency: string, conv: Conversion): string {
  const r = conv.rate;
  return `right ${formatMinor(original, currency)} ${currency} converted at ${r.from}/${r.to} ${r.rate}${conv.inverse ? ' (inverted)' : ''}${r.date ? ` of ${r.date}` : ''}`;
}

export function dateCheck(left: string | null, right: string | null, days: number | null, tolerance: string, pass: boolean, note?: string): FieldCheck {
  const c: FieldCheck = { field: 'date', left, right, measure: 'days', value: days, tolerance, pass, weight: null };
  if (note !== undefined) c.note = note;
  return c;
}

export function textCheck(role: string, left: string | null, right: string | null, measure: TextMeasure, sim: number | null, tolerance: string, pass: boolean): FieldCheck {
  return { field: role, left, right, measure, value: sim === null ? null : round4(sim), tolerance, pass, weight: null };
}

export function explanation(
  pass: string,
  passKind: PassKind,
  ruleSetVersion: number,
  keys: { left: string[]; right: string[] },
  checks: FieldCheck[],
  cardinality?: Cardinality,
  notes?: string[],
): Explanation {
  const e: Explanation = { pass, passKind, ruleSetVersion, keys, checks };
  if (cardinality !== undefined) e.cardinality = cardinality;
  if (notes !== undefined && notes.length > 0) e.notes = notes;
  return e;
}

/** "2026-03-01" or "2026-03-01..2026-03-09" for a set of day-sorted date texts. */
export function dateRange(dates: readonly (string | null)[]): string | null {
  let lo: string | null = null;
  let hi: string | null = null;
  for (const d of dates) {
    if (d === null) return null;
    if (lo === null || d < lo) lo = d;
    if (hi === null || d > hi) hi = d;
  }
  if (lo === null) return null;
  return lo === hi ? lo : `${lo}..${hi}`;
}
