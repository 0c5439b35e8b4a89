import { isDigit, isMinus, skipSpaceBackward, skipSpaceForward } from './chars.js';
import { type DecimalMark, type PlainNumber, bodyEnd, newDigitSpan, scanDigits, scanPlain, startsBody } from './digits.js';
import { Rejection, parseError, quote } from './rejection.js';

export interface NumberParseOptions {
  decimal?: DecimalMark;
}

/** Reused across calls: parsing is synchronous, so one scratch span per module is safe. */
const span = newDigitSpan();

/** Largest exponent accepted in "1.5e-7": covers every double and keeps canonical strings short. */
const MAX_EXPONENT = 400;

let negative = false;
let exponent = 0;

/**
 * Shared by integers and decimals: optional sign ("-", "+", "−") or accounting parentheses,
 * one digit body, and (decimals only) an exponent. Fills `span`, `negative`, `exponent`.
 */
function readNumber(raw: string, decimal: DecimalMark | undefined, allowExponent: boolean): Rejection | null {
  let i = skipSpaceForward(raw, 0, raw.length);
  let end = skipSpaceBackward(raw, i, raw.length);
  if (i >= end) return new Rejection('is blank');
  negative = false;
  exponent = 0;
  const first = raw.charCodeAt(i);
  if (first === 40 /* ( */) {
    if (raw.charCodeAt(end - 1) !== 41 /* ) */) return new Rejection('has an unclosed parenthesis');
    negative = true;
    i = skipSpaceForward(raw, i + 1, end);
    end = skipSpaceBackward(raw, i, end - 1);
  } else if (isMinus(first)) {
    negative = true;
    i++;
  } else if (first === 43 /* + */) {
    i++;
  }
  if (i >= end || !startsBody(raw, i, end)) return new Rejection(`${quote(raw.trim())} is not a number`);
  const stop = bodyEnd(raw, i, end);
  if (stop < end) {
    const c = raw.charCodeAt(stop);
    if (allowExponent && (c === 101 || c === 69) /* e E */) {
      const r = readExponent(raw, stop + 1, end);
      if (r) return r;
    } else {
      return new Rejection(`has unexpected ${quote(raw.slice(stop, end))} after the number`);
    }
  }
  const r = scanDigits(raw, i, stop, decimal, span);
  if (r) return r;
  if (exponent !== 0 && span.grouped) return new Rejection('mixes digit grouping with an exponent');
  return null;
}

function readExponent(raw: string, i: number, end: number): Rejection | null {
  let sign = 1;
  const c = raw.charCodeAt(i);
  if (c === 43) i++;
  else if (isMinus(c)) {
    sign = -1;
    i++;
  }
  if (i >= end) return new Rejection('has an incomplete exponent');
  let e = 0;
  for (; i < end; i++) {
    const d = raw.charCodeAt(i);
    if (!isDigit(d)) return new Rejection('has an invalid exponent');
    e = e * 10 + (d - 48);
    if (e > MAX_EXPONENT) return new Rejection('has an exponent that is too large');
  }
  exponent = sign * e;
  return null;
}

/** Scratch for scanPlain, reused: one per module, like the scanner's other state. */
const plain: PlainNumber = { start: 0, mark: -1 };

/** Plain digits with an optional leading "-", short enough to be exact: most cells of a count column. */
function plainInteger(raw: string): number | null {
  // No mark character: digits only.
  if (!scanPlain(raw, -1, plain)) return null;
  const digits = raw.length - plain.start;
  if (digits === 0 || digits > 15) return null;
  const v = Number(raw);
  // "-0" is 0.
  return v === 0 ? 0 : v;
}

export function tryParseInteger(raw: string, opts: NumberParseOptions = {}): number | Rejection {
  const plain = plainInteger(raw);
  if (plain !== null) return plain;
  const r = readNumber(raw, opts.decimal, false);
  if (r) return r;
  for (let i = span.fracStart; i < span.fracEnd; i++) {
    if (raw.charCodeAt(i) !== 48) return new Rejection('has a fractional part; a whole number is required');
  }
  let v = 0;
  for (let i = span.intStart; i < span.intEnd; i++) {
    const c = raw.charCodeAt(i);
    if (!isDigit(c)) continue;
    v = v * 10 + (c - 48);
    // Exact until it passes MAX_SAFE_INTEGER, and rounding never brings it back below.
    if (v > Number.MAX_SAFE_INTEGER) return new Rejection('is too large to store exactly');
  }
  return negative && v !== 0 ? -v : v;
}

/**
 * A whole number. Accepts group separators ("1,234,567", "1.234.567" with decimal ",",
 * "1 234 567"), a leading sign or accounting parentheses, and a zero fraction ("12.00" → 12).
 * Any non-zero fraction is an error. Without `decimal`, "1,234" and "1.234" read as 1234.
 */
export function parseInteger(raw: string, opts: NumberParseOptions = {}): number {
  const r = tryParseInteger(raw, opts);
  if (r instanceof Rejection) throw parseError('Whole number', raw, r);
  return r;
}

function digitsOf(raw: string, start: number, end: number, grouped: boolean): string {
  if (!grouped) return raw.slice(start, end);
  let out = '';
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (isDigit(c)) out += raw[i];
  }
  return out;
}

/**
 * The text is already what tryParseDecimal would return: an optional "-", a whole part without
 * leading zeros, and a "." fraction (only when the column's mark is ".") without trailing zeros.
 */
function isCanonicalDecimal(raw: string, decimal: DecimalMark | undefined): boolean {
  // Only "." is ever canonical; with another mark only whole numbers are.
  if (!scanPlain(raw, decimal === '.' ? 46 : -1, plain)) return false;
  const { start, mark } = plain;
  const end = raw.length;
  const wholeEnd = mark < 0 ? end : mark;
  if (wholeEnd === start) return false;
  // "0" alone is canonical, "07" is not, and "-0" becomes "0".
  if (raw.charCodeAt(start) === 48 && (wholeEnd - start > 1 || (start === 1 && mark < 0))) return false;
  return mark < 0 || (mark < end - 1 && raw.charCodeAt(end - 1) !== 48);
}

export function tryParseDecimal(raw: string, opts: NumberParseOptions = {}): string | Rejection {
  if (isCanonicalDecimal(raw, opts.decimal)) return raw;
  const r = readNumber(raw, opts.decimal, true);
  if (r) return r;
  let whole = digitsOf(raw, span.intStart, span.intEnd, span.grouped);
  let frac = raw.slice(span.fracStart, span.fracEnd);
  if (exponent > 0) {
    const take = Math.min(exponent, frac.length);
    whole += frac.slice(0, take) + '0'.repeat(exponent - take);
    frac = frac.slice(take);
  } else if (exponent < 0) {
    const take = Math.min(-exponent, whole.length);
    frac = '0'.repeat(-exponent - take) + whole.slice(whole.length - take) + frac;
    whole = whole.slice(0, whole.length - take);
  }
  let a = 0;
  while (a < whole.length && whole.charCodeAt(a) === 48) a++;
  let b = frac.length;
  while (b > 0 && frac.charCodeAt(b - 1) === 48) b--;
  const w = whole.slice(a);
  const f = b === frac.length ? frac : frac.slice(0, b);
  if (w === '' && f === '') return '0';
  return (negative ? '-' : '') + (w === '' ? '0' : w) + (f === '' ? '' : '.' + f);
}

/**
 * An exact decimal as canonical text: no group separators, "." as the mark, no leading zeros
 * in the whole part, no trailing zeros in the fraction, no "-0" ("-0.50" → "-0.5",
 * "1.234,50" → "1234.5", "1.5e-3" → "0.0015"). Never goes through a float.
 */
export function parseDecimal(raw: string, opts: NumberParseOptions = {}): string {
  const r = tryParseDecimal(raw, opts);
  if (r instanceof Rejection) throw parseError('Number', raw, r);
  return r;
}
