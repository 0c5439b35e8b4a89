import { formatMinor, minorExponent } from '../../../shared/money.js';
import { parseDecimal, type Rational } from './fx.js';
import type { TextMeasure } from './rule-set.js';

const SAFE = Number.MAX_SAFE_INTEGER;

interface AmountSpec {
  abs?: number | string | undefined;
  pct?: number | string | undefined;
  combine?: 'either' | 'both' | undefined;
}

/** Decimal text for a pct given as a JSON number; shortest round-trip text is exact for what people type. */
function pctText(p: number | string): string {
  return typeof p === 'string' ? p : String(p);
}

/**
 * An amount tolerance compiled for repeated use: `allowance(left, currency)` is the largest
 * |difference| in minor units that still passes. Integer-exact: percentages are rationals and
 * the allowance is floored, which is equivalent to comparing |diff| ≤ pct × |left| exactly.
 */
export class AmountRule {
  private readonly absMinor: number | null;
  private readonly absText: Rational | null;
  private readonly pct: { num: number; den: number; big: Rational } | null;
  private readonly both: boolean;
  private readonly absCache = new Map<string, number>();
  readonly exact: boolean;

  constructor(spec: AmountSpec | undefined) {
    this.both = spec?.combine === 'both';
    this.absMinor = typeof spec?.abs === 'number' ? spec.abs : null;
    this.absText = typeof spec?.abs === 'string' ? parseDecimal(spec.abs) : null;
    const p = spec?.pct === undefined ? null : parseDecimal(pctText(spec.pct));
    this.pct = p ? { num: Number(p.num), den: Number(p.den) * 100, big: { num: p.num, den: p.den * 100n } } : null;
    this.exact = this.absMinor === null && this.absText === null && this.pct === null;
  }

  private abs(currency: string): number | null {
    if (this.absMinor !== null) return this.absMinor;
    if (this.absText === null) return null;
    let v = this.absCache.get(currency);
    if (v === undefined) {
      const scaled = (this.absText.num * 10n ** BigInt(minorExponent(currency))) / this.absText.den;
      v = Number(scaled);
      this.absCache.set(currency, v);
    }
    return v;
  }

  private pctAllowance(leftMinor: number): number | null {
    const p = this.pct;
    if (p === null) return null;
    const a = leftMinor < 0 ? -leftMinor : leftMinor;
    const prod = a * p.num;
    if (prod <= SAFE) return Math.floor(prod / p.den);
    return Number((BigInt(a) * p.big.num) / p.big.den);
  }

  /** Largest passing |right − left| in minor units of `currency`, for a left amount of `leftMinor`. */
  allowance(leftMinor: number, currency: string): number {
    const a = this.abs(currency);
    const p = this.pctAllowance(leftMinor);
    if (a === null && p === null) return 0;
    if (a === null) return p!;
    if (p === null) return a;
    return this.both ? Math.min(a, p) : Math.max(a, p);
  }

  private readonly describeCache = new Map<string, string>();

  /** e.g. "±0.50 USD or ±1%"; without a currency, abs shows as written. Cached: one string per currency. */
  describe(currency?: string): string {
    const key = currency ?? '\u0000';
    let d = this.describeCache.get(key);
    if (d === undefined) this.describeCache.set(key, (d = this.describeNew(currency)));
    return d;
  }

  private describeNew(currency?: string): string {
    const a = currency === undefined ? this.absMinor : this.abs(currency);
    if (this.exact || (a === 0 && this.pct === null)) return 'exact';
    const parts: string[] = [];
    if (a !== null) parts.push(currency === undefined ? `±${a} minor units` : `±${formatMinor(a, currency)} ${currency}`);
    else if (this.absText !== null) parts.push(`±${formatPct({ num: this.absText.num, den: this.absText.den * 100n })}`);
    if (this.pct !== null) parts.push(`±${formatPct(this.pct.big)}%`);
    return parts.join(this.both ? ' and ' : ' or ');
  }
}

function formatPct(r: Rational): string {
  // r is pct/100; show the pct as written (trailing zeros dropped).
  const num = r.num * 100n;
  const whole = num / r.den;
  let rem = num % r.den;
  if (rem === 0n) return whole.toString();
  let frac = '';
  for (let i = 0; i < 12 && rem !== 0n; i++) {
    rem *= 10n;
    frac += (rem / r.den).toString();
    rem %= r.den;
  }
  return `${whole}.${frac}`;
}

/** Date window on (right − left) days; an absent bound is open. */
export class DateRule {
  readonly min: number;
  readonly max: number;
  private readonly text: string;

  constructor(spec: { min?: number | undefined; max?: number | undefined } | undefined) {
    this.min = spec?.min ?? -Infinity;
    this.max = spec?.max ?? Infinity;
    this.text = this.describeNew();
  }

  ok(days: number): boolean {
    return days >= this.min && days <= this.max;
  }

  describe(): string {
    return this.text;
  }

  private describeNew(): string {
    if (this.min === -Infinity && this.max === Infinity) return 'any';
    if (this.min === -Infinity) return `≤ ${this.max} days`;
    if (this.max === Infinity) return `≥ ${this.min} days`;
    return `[${this.min}, ${this.max}] days`;
  }
}

export function describeThreshold(measure: TextMeasure, threshold: number): string {
  return `${measure} ≥ ${threshold}`;
}
