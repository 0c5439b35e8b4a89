/**
 * Incremental-pull watermarks: the highest value of a field seen so far. Numbers (and numeric
 * strings, such as ids sent as text) compare numerically; anything else, such as ISO timestamps,
 * compares as text, which orders ISO 8601 values of one format correctly.
 */
import { plainDecimal } from '../import/read/number-text.js';
import type { Watermark } from '../workspace/pull-state.js';
import { atPath } from './url.js';

export type { Watermark } from '../workspace/pull-state.js';

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)$/;

export function compareWatermarks(a: Watermark, b: Watermark): number {
  const sa = typeof a === 'number' ? plainDecimal(a) : a.trim();
  const sb = typeof b === 'number' ? plainDecimal(b) : b.trim();
  if (INTEGER.test(sa) && INTEGER.test(sb)) {
    // BigInt: ids beyond 2^53 still order correctly.
    const x = BigInt(sa);
    const y = BigInt(sb);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (DECIMAL.test(sa) && DECIMAL.test(sb)) return Math.sign(Number(sa) - Number(sb));
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function maxWatermark(a: Watermark | null, b: Watermark | null): Watermark | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareWatermarks(b, a) > 0 ? b : a;
}

/** A record's value of the incremental field; null when absent, blank or not a scalar. */
export function watermarkOf(record: unknown, field: string): Watermark | null {
  const v = atPath(record, field);
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'bigint') return v.toString();
  return null;
}

/** The watermark as sent in a query string. */
export function watermarkText(w: Watermark): string {
  return typeof w === 'number' ? plainDecimal(w) : w;
}
