import { TieoutError } from '../../../../shared/error.js';
import { formatMinor, isCurrencyCode, minorExponent } from '../../../../shared/money.js';
import { isAsciiLetter, isDigit, isMinus, isSpace, skipSpaceBackward, skipSpaceForward } from './chars.js';
import {
  DOLLAR_CURRENCIES,
  KRONA_CURRENCIES,
  currencyForDollarPrefix,
  currencyForSymbolChar,
  symbolForCurrency,
} from './currency.js';
import { type DecimalMark, type PlainNumber, bodyEnd, decimalEvidence, newDigitSpan, scanDigits, scanPlain, startsBody } from './digits.js';
import { Rejection, parseError, quote } from './rejection.js';

/** `currency` is null only when neither the text nor the column names one; minor then assumes 2 decimals. */
export interface ParsedMoney {
  minor: number;
  currency: string | null;
}

export interface MoneyParseOptions {
  /** The column's decimal mark; without it "1,234" is 1234 and "1,5" is 1.5. */
  decimal?: DecimalMark;
  /** The column's currency, used when the text names none (or only "$" / "kr"). */
  currency?: string | null;
  /**
   * What a CR marker means: 'negative' (the default; a ledger's view, where crediting the
   * account reconciled is money out) or 'positive' (a bank statement read by its holder, where
   * CR is money in). DR is always the opposite.
   */
  credit?: CreditSign;
}

export type CreditSign = 'negative' | 'positive';

// Scratch for the scanner. Parsing is synchronous, so module state avoids an allocation per cell.
const span = newDigitSpan();
let negative = false;
let named: string | null = null;
/** The sign came from a CR or DR marker (see MoneyParseOptions.credit). */
let sawCrDr = false;
let sawDollar = false;
let sawKrona = false;

function nameCurrency(code: string): Rejection | null {
  if (named !== null && named !== code) return new Rejection(`names two currencies, ${named} and ${code}`);
  named = code;
  return null;
}

/**
 * Tokenise an amount: one digit body plus, on either side, at most one sign marker
 * (-, +, parentheses, trailing -, CR, DR) and currency symbols or codes.
 */
function scanMoney(raw: string, decimal: DecimalMark | undefined): Rejection | null {
  let i = skipSpaceForward(raw, 0, raw.length);
  const end = skipSpaceBackward(raw, i, raw.length);
  if (i >= end) return new Rejection('is blank');
  negative = false;
  sawCrDr = false;
  named = null;
  sawDollar = false;
  sawKrona = false;
  let bodyStart = -1;
  let bodyStop = -1;
  let signs = 0;
  let open = false;
  let closed = false;
  while (i < end) {
    const c = raw.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (startsBody(raw, i, end)) {
      if (bodyStart >= 0) return new Rejection('has more than one number');
      bodyStart = i;
      i = bodyEnd(raw, i, end);
      bodyStop = i;
    } else if (isMinus(c)) {
      signs++;
      negative = true;
      i++;
    } else if (c === 43 /* + */) {
      if (bodyStart >= 0) return new Rejection('has a "+" after the number');
      signs++;
      i++;
    } else if (c === 40 /* ( */) {
      if (bodyStart >= 0 || open) return new Rejection('has a misplaced "("');
      open = true;
      signs++;
      negative = true;
      i++;
    } else if (c === 41 /* ) */) {
      if (!open || closed || bodyStart < 0) return new Rejection('has a misplaced ")"');
      closed = true;
      i++;
    } else if (c === 36 /* $ */) {
      sawDollar = true;
      i++;
    } else if (isAsciiLetter(c)) {
      let j = i + 1;
      while (j < end && isAsciiLetter(raw.charCodeAt(j))) j++;
      if (j < end && raw.charCodeAt(j) === 36) {
        const code = currencyForDollarPrefix(raw.slice(i, j + 1));
        if (code === undefined) return new Rejection(`has an unknown currency symbol ${quote(raw.slice(i, j + 1))}`);
        const r = nameCurrency(code);
        if (r) return r;
        i = j + 1;
        continue;
      }
      const n = j - i;
      if (n === 2 && (raw.charCodeAt(i + 1) | 32) === 114 /* r */) {
        const a = raw.charCodeAt(i) | 32;
        if (a === 99 /* c */ || a === 100 /* d */) {
          // CR negative, DR positive here; tryParseMoney flips both for a 'positive' credit.
          signs++;
          negative = a === 99;
          sawCrDr = true;
          i = j;
          continue;
        }
        if (a === 107 /* k */) {
          sawKrona = true;
          i = j;
          // "kr." is common in Danish; keep the dot unless it starts ".50".
          if (i < end && raw.charCodeAt(i) === 46 && !(i + 1 < end && isDigit(raw.charCodeAt(i + 1)))) i++;
          continue;
        }
      } else if (n === 3) {
        const code = raw.slice(i, j).toUpperCase();
        if (isCurrencyCode(code)) {
          const r = nameCurrency(code);
          if (r) return r;
          i = j;
          continue;
        }
      }
      return new Rejection(`has unexpected text ${quote(raw.slice(i, j))}`);
    } else {
      const code = currencyForSymbolChar(c);
      if (code === undefined) {
        return new Rejection(`has an unexpected character ${quote(String.fromCodePoint(raw.codePointAt(i) ?? c))}`);
      }
      const r = nameCurrency(code);
      if (r) return r;
      i++;
    }
  }
  if (bodyStart < 0) return new Rejection('has no digits');
  if (open !== closed) return new Rejection('has an unclosed "("');
  if (signs > 1) return new Rejection('has more than one sign (-, +, parentheses, CR or DR)');
  return scanDigits(raw, bodyStart, bodyStop, decimal, span);
}

function resolveCurrency(column: string | null): string | null | Rejection {
  if (named !== null) {
    if (sawDollar && !DOLLAR_CURRENCIES.has(named)) return new Rejection(`has "$" but names ${named}`);
    if (sawKrona && !KRONA_CURRENCIES.has(named)) return new Rejection(`has "kr" but names ${named}`);
    return named;
  }
  if (sawDollar && sawKrona) return new Rejection('has both "$" and "kr"');
  if (sawDollar) return column !== null && DOLLAR_CURRENCIES.has(column) ? column : 'USD';
  if (sawKrona) {
    // Which krona decides the exponent (ISK has none), so never guess.
    if (column !== null && KRONA_CURRENCIES.has(column)) return column;
    return new Rejection(
      column === null
        ? 'has "kr", which could be SEK, NOK, DKK or ISK; set the column currency'
        : `has "kr", which cannot be ${column}`,
    );
  }
  return column;
}

/** Scratch for scanPlain, reused: one per module, like the scanner's other state. */
const plain: PlainNumber = { start: 0, mark: -1 };

/**
 * Most amounts in a file are plain ("1234.56", "-12"): digits with at most one decimal mark of
 * the column's kind, an optional leading "-", nothing else. For those, fills in what scanMoney
 * would (no currency named, no grouping) without its general walk, and returns true.
 */
function scanPlainAmount(raw: string, decimal: DecimalMark | undefined): boolean {
  // Without a known mark a lone separator may be grouping ("1,234"): leave that to scanMoney.
  if (decimal === undefined) return false;
  if (!scanPlain(raw, decimal === '.' ? 46 : 44, plain)) return false;
  const { start, mark } = plain;
  const end = raw.length;
  // A digit on both sides of the mark, and at least one digit in all ("12." and ".5" go the long way).
  if (mark === start || mark === end - 1 || start === end) return false;
  negative = start === 1;
  sawCrDr = false;
  named = null;
  sawDollar = false;
  sawKrona = false;
  span.intStart = start;
  span.intEnd = mark < 0 ? end : mark;
  span.fracStart = mark < 0 ? end : mark + 1;
  span.fracEnd = end;
  span.grouped = false;
  return true;
}

/** Exponents by currency, remembered: a currency read from a cell is a new string each row, slow to look up as a property key. */
const exponents = new Map<string, number>();

function exponentOf(currency: string): number {
  let exp = exponents.get(currency);
  if (exp === undefined) {
    exp = minorExponent(currency);
    exponents.set(currency, exp);
  }
  return exp;
}

export function tryParseMoney(raw: string, opts: MoneyParseOptions = {}): ParsedMoney | Rejection {
  if (!scanPlainAmount(raw, opts.decimal)) {
    const scanned = scanMoney(raw, opts.decimal);
    if (scanned) return scanned;
  }
  const currency = resolveCurrency(opts.currency ?? null);
  if (currency instanceof Rejection) return currency;
  const exp = currency === null ? 2 : exponentOf(currency);

  const { intStart, intEnd, fracStart, fracEnd } = span;
  let places = fracEnd - fracStart;
  // Trailing zeros beyond the exponent are exact ("1.500 USD"), so only real digits count.
  while (places > exp && raw.charCodeAt(fracStart + places - 1) === 48) places--;
  if (places > exp) {
    const who = currency === null ? 'an amount with no currency' : currency;
    return new Rejection(`has ${places} decimal place${places === 1 ? '' : 's'} but ${who} allows ${exp}`);
  }
  let v = 0;
  for (let i = intStart; i < intEnd; i++) {
    const c = raw.charCodeAt(i);
    if (!isDigit(c)) continue;
    v = v * 10 + (c - 48);
    // Exact until it passes MAX_SAFE_INTEGER, and rounding never brings it back below.
    if (v > Number.MAX_SAFE_INTEGER) return tooLarge();
  }
  for (let k = 0; k < exp; k++) {
    v = v * 10 + (k < places ? raw.charCodeAt(fracStart + k) - 48 : 0);
    if (v > Number.MAX_SAFE_INTEGER) return tooLarge();
  }
  const minus = sawCrDr && opts.credit === 'positive' ? !negative : negative;
  return { minor: minus && v !== 0 ? -v : v, currency };
}

function tooLarge(): Rejection {
  return new Rejection('is too large to store exactly in minor units');
}

/**
 * An amount as integer minor units of its currency. The currency comes from the text
 * (codes, €, £, ¥, US$, A$, C$, R$...), else the column's; bare "$" is the column's
 * currency if that is a dollar currency, else USD; "kr" needs a krona column currency.
 * Negative forms: -120, (120.00), 120.00-, 120.00 CR, -$5.00, $-5.00; "DR" is positive
 * (CR positive and DR negative with `credit: 'positive'`).
 * Never rounds: more decimal places than the currency has (other than zeros) is an error.
 */
export function parseMoney(raw: string, opts: MoneyParseOptions = {}): ParsedMoney {
  const r = tryParseMoney(raw, opts);
  if (r instanceof Rejection) throw parseError('Amount', raw, r);
  return r;
}

/**
 * The decimal mark for a whole column: each value that can tell ("1.234,50", "12,5",
 * "1.234.567") votes; the majority wins and a tie (including no evidence) is ".".
 */
export function sniffDecimalSeparator(samples: readonly string[]): DecimalMark {
  let dot = 0;
  let comma = 0;
  for (const s of samples) {
    const e = decimalEvidence(s);
    if (e === '.') dot++;
    else if (e === ',') comma++;
  }
  return comma > dot ? ',' : '.';
}

/**
 * The one currency that the column's values name explicitly (codes or unambiguous symbols),
 * or null if they name none or more than one. "$" and "kr" alone do not count.
 */
export function sniffCurrency(samples: readonly string[]): string | null {
  let found: string | null = null;
  for (const s of samples) {
    if (scanMoney(s, undefined) !== null || named === null) continue;
    if (found === null) found = named;
    else if (found !== named) return null;
  }
  return found;
}

export type MoneyTextStyle =
  | 'plain' // -1234.50
  | 'grouped' // -1,234.50
  | 'symbol' // -$1,234.50, or -CHF 1,234.50 when the currency has no symbol
  | 'code-prefix' // USD -1234.50
  | 'code-suffix' // -1234.50 USD
  | 'parentheses' // (1,234.50)
  | 'trailing-minus' // 1,234.50-
  | 'cr-dr' // 1,234.50 CR (negative) / 1,234.50 DR
  | 'european' // -1.234,50 €
  | 'space-grouped' // -1 234,50 with narrow NBSP, as Intl writes fr-FR
  | 'swiss'; // -1'234.50

export const MONEY_TEXT_STYLES: readonly MoneyTextStyle[] = [
  'plain',
  'grouped',
  'symbol',
  'code-prefix',
  'code-suffix',
  'parentheses',
  'trailing-minus',
  'cr-dr',
  'european',
  'space-grouped',
  'swiss',
];

function group(whole: string, sep: string): string {
  let out = '';
  for (let i = 0; i < whole.length; i++) {
    if (i > 0 && (whole.length - i) % 3 === 0) out += sep;
    out += whole[i];
  }
  return out;
}

/**
 * Amount text in one of the styles imports meet, for tests and sample files.
 * 'european' and 'space-grouped' use "," as the decimal mark, the rest ".".
 * Styles without a currency in the text need the currency passed to parseMoney.
 */
export function formatMoneyText(minor: number, currency: string, style: MoneyTextStyle): string {
  if (!Number.isSafeInteger(minor)) throw new TieoutError('bad_input', `minor must be a safe integer, got ${minor}`);
  if (!isCurrencyCode(currency)) throw new TieoutError('bad_input', `unknown currency ${currency}`);
  const neg = minor < 0 ? '-' : '';
  const abs = formatMinor(Math.abs(minor), currency);
  const dot = abs.indexOf('.');
  const whole = dot < 0 ? abs : abs.slice(0, dot);
  const frac = dot < 0 ? '' : abs.slice(dot + 1);
  const point = (mark: string) => (frac === '' ? '' : mark + frac);
  const us = group(whole, ',') + point('.');
  const symbol = symbolForCurrency(currency);
  switch (style) {
    case 'plain':
      return neg + abs;
    case 'grouped':
      return neg + us;
    case 'symbol':
      return symbol === undefined ? `${neg}${currency} ${us}` : neg + symbol + us;
    case 'code-prefix':
      return `${currency} ${neg}${abs}`;
    case 'code-suffix':
      return `${neg}${abs} ${currency}`;
    case 'parentheses':
      return neg ? `(${us})` : us;
    case 'trailing-minus':
      return neg ? `${us}-` : us;
    case 'cr-dr':
      return `${us} ${neg ? 'CR' : 'DR'}`;
    case 'european':
      return `${neg}${group(whole, '.')}${point(',')} ${symbol ?? currency}`;
    case 'space-grouped':
      return neg + group(whole, '\u202f') + point(',');
    case 'swiss':
      return neg + group(whole, "'") + point('.');
  }
}
