import { isCurrencyCode } from '../../../../shared/money.js';
import { isAsciiLetter } from './chars.js';
import { Rejection, parseError, quote } from './rejection.js';

/** Single-character symbols that name exactly one currency. ¥ is read as JPY (CNY files write CNY or 元). */
const SYMBOL_CHARS: ReadonlyMap<number, string> = new Map([
  [0x20ac, 'EUR'], // €
  [0xa3, 'GBP'], // £
  [0xa5, 'JPY'], // ¥
  [0x20b9, 'INR'], // ₹
  [0x20a9, 'KRW'], // ₩
  [0x20bd, 'RUB'], // ₽
  [0x20ba, 'TRY'], // ₺
  [0x20aa, 'ILS'], // ₪
  [0x20ab, 'VND'], // ₫
  [0x20b1, 'PHP'], // ₱
  [0x20a6, 'NGN'], // ₦
  [0x20b4, 'UAH'], // ₴
  [0x0e3f, 'THB'], // ฿
]);

/** Letter-prefixed dollar symbols, upper-cased. */
const DOLLAR_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['US$', 'USD'],
  ['A$', 'AUD'],
  ['AU$', 'AUD'],
  ['C$', 'CAD'],
  ['CA$', 'CAD'],
  ['R$', 'BRL'],
  ['NZ$', 'NZD'],
  ['HK$', 'HKD'],
  ['S$', 'SGD'],
  ['SG$', 'SGD'],
  ['NT$', 'TWD'],
  ['MX$', 'MXN'],
]);

/** Currencies a bare "$" can stand for; "$" in a column of one of these means that one. */
export const DOLLAR_CURRENCIES: ReadonlySet<string> = new Set(
  (
    'USD CAD AUD NZD HKD SGD TWD MXN ARS CLP COP CUP DOP UYU BSD BBD BZD BMD BND FJD GYD JMD KYD LRD NAD ' +
    'SBD SRD TTD XCD ZWL'
  ).split(' '),
);

/** Currencies "kr" can stand for. */
export const KRONA_CURRENCIES: ReadonlySet<string> = new Set(['SEK', 'NOK', 'DKK', 'ISK']);

/** The currency a single symbol character names, if it names exactly one. */
export function currencyForSymbolChar(c: number): string | undefined {
  return SYMBOL_CHARS.get(c);
}

/** The currency of a letter-prefixed dollar such as "US$" or "a$" (any case). */
export function currencyForDollarPrefix(symbol: string): string | undefined {
  return DOLLAR_PREFIXES.get(symbol.toUpperCase());
}

const SYMBOL_FOR: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>([['USD', '$']]);
  for (const [c, code] of SYMBOL_CHARS) if (!m.has(code)) m.set(code, String.fromCharCode(c));
  for (const [sym, code] of DOLLAR_PREFIXES) if (!m.has(code)) m.set(code, sym);
  return m;
})();

/** A symbol that parses back to `code` (with no column currency set), for formatting; undefined if none. */
export function symbolForCurrency(code: string): string | undefined {
  return SYMBOL_FOR.get(code);
}

export function tryParseCurrencyCode(raw: string): string | Rejection {
  const s = raw.trim();
  if (s === '') return new Rejection('is blank');
  if (s.length === 3 && isAsciiLetter(s.charCodeAt(0)) && isAsciiLetter(s.charCodeAt(1)) && isAsciiLetter(s.charCodeAt(2))) {
    const code = s.toUpperCase();
    if (isCurrencyCode(code)) return code;
    return new Rejection(`${quote(s)} is not an ISO 4217 currency code`);
  }
  if (s.length === 1) {
    const code = SYMBOL_CHARS.get(s.charCodeAt(0));
    if (code !== undefined) return code;
    if (s === '$') return new Rejection('"$" could be USD, CAD, AUD or another dollar; use a currency code');
  }
  const dollar = DOLLAR_PREFIXES.get(s.toUpperCase());
  if (dollar !== undefined) return dollar;
  if (s.toLowerCase() === 'kr' || s.toLowerCase() === 'kr.') {
    return new Rejection('"kr" could be SEK, NOK, DKK or ISK; use a currency code');
  }
  return new Rejection(`${quote(s)} is not a currency code or symbol`);
}

/**
 * An ISO 4217 code from a code in any case ("usd", " EUR ") or an unambiguous symbol
 * (€ £ ¥ US$ A$ C$ R$ ...). Bare "$" and "kr" are rejected as ambiguous.
 */
export function parseCurrencyCode(raw: string): string {
  const r = tryParseCurrencyCode(raw);
  if (r instanceof Rejection) throw parseError('Currency', raw, r);
  return r;
}
