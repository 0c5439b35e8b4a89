import { TieoutError } from '../../../shared/error.js';
import { isLocalDate, toDayNumber } from '../../../shared/date.js';
import { minorExponent } from '../../../shared/money.js';
import type { FxRate } from './types.js';

/** An exact positive-denominator fraction. Rates are decimal text, so floats never enter. */
export interface Rational {
  num: bigint;
  den: bigint;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

export function parseDecimal(text: string): Rational | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const frac = m[3] ?? '';
  const num = BigInt(m[2]! + frac) * (m[1] === '-' ? -1n : 1n);
  return { num, den: 10n ** BigInt(frac.length) };
}

/** num/den rounded to the nearest integer, ties to even (banker's rounding). den > 0. */
export function roundHalfEven(num: bigint, den: bigint): bigint {
  let q = num / den; // truncates toward zero
  const r = num - q * den;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const away = num < 0n ? -1n : 1n;
  if (twice > den || (twice === den && q % 2n !== 0n)) q += away;
  return q;
}

interface Entry {
  rate: Rational;
  /** Day number; null for undated. */
  day: number | null;
  source: FxRate;
  inverse: boolean;
}

export interface Conversion {
  minor: number;
  /** The rate used, as written, and whether it was applied inverted. */
  rate: FxRate;
  inverse: boolean;
}

/**
 * The run's FX table. A conversion from A to B uses an A→B rate, or a B→A rate inverted. A dated
 * rate applies from its date on (the latest applicable wins); undated rates are the fallback.
 */
export class FxTable {
  private readonly byPair = new Map<string, Entry[]>();

  constructor(rates: readonly FxRate[] | undefined) {
    (rates ?? []).forEach((r, i) => {
      const rate = parseDecimal(r.rate);
      if (!rate || rate.num <= 0n) throw new TieoutError('bad_input', `fx[${i}].rate must be positive decimal text, got "${r.rate}"`, { path: `fx.${i}.rate`, value: r.rate });
      if (r.date !== undefined && !isLocalDate(r.date)) throw new TieoutError('bad_input', `fx[${i}].date is not a date: "${r.date}"`, { path: `fx.${i}.date`, value: r.date });
      const day = r.date === undefined ? null : toDayNumber(r.date);
      this.add(`${r.from}>${r.to}`, { rate, day, source: r, inverse: false });
      this.add(`${r.to}>${r.from}`, { rate: { num: rate.den, den: rate.num }, day, source: r, inverse: true });
    });
    // Latest first; on the same date a direct rate beats an inverted one, then rate text decides.
    for (const list of this.byPair.values()) {
      list.sort((a, b) => (b.day ?? -1e9) - (a.day ?? -1e9) || Number(a.inverse) - Number(b.inverse) || (a.source.rate < b.source.rate ? -1 : a.source.rate > b.source.rate ? 1 : 0));
    }
  }

  private add(key: string, e: Entry): void {
    const list = this.byPair.get(key);
    if (list) list.push(e);
    else this.byPair.set(key, [e]);
  }

  get size(): number {
    return this.byPair.size;
  }

  /** The entry that converts `from` → `to` on `day` (null day: undated rates only). */
  find(from: string, to: string, day: number | null): Entry | null {
    const list = this.byPair.get(`${from}>${to}`);
    if (!list) return null;
    if (day !== null) for (const e of list) if (e.day !== null && e.day <= day) return e;
    for (const e of list) if (e.day === null) return e;
    return null;
  }

  /** Converts minor units of `from` into minor units of `to`, exactly, rounding half-even once. */
  convert(minor: number, from: string, to: string, day: number | null): Conversion | null {
    if (from === to) return null;
    const e = this.find(from, to, day);
    if (!e) return null;
    const scaleTo = 10n ** BigInt(minorExponent(to));
    const scaleFrom = 10n ** BigInt(minorExponent(from));
    const out = roundHalfEven(BigInt(minor) * e.rate.num * scaleTo, e.rate.den * scaleFrom);
    const n = Number(out);
    if (!Number.isSafeInteger(n)) return null;
    return { minor: n, rate: e.source, inverse: e.inverse };
  }
}
