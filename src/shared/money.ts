/**
 * Money is an integer count of minor units plus an ISO 4217 code. Never a float.
 * `minor` must be a safe integer; 9e15 minor units is far beyond any invoice.
 */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

/** ISO 4217 minor-unit exponents that differ from the usual 2. */
const EXPONENT_EXCEPTIONS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Codes we accept. A closed list catches typos such as "USS" at import time. */
export const CURRENCY_CODES: ReadonlySet<string> = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHF CLF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP ' +
    'GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD ' +
    'KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK ' +
    'NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD ' +
    'SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYI UYU UYW UZS VES VND VUV WST ' +
    'XAF XCD XOF XPF YER ZAR ZMW ZWL'
  ).split(' '),
);

export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODES.has(code);
}

export function minorExponent(currency: string): number {
  return EXPONENT_EXCEPTIONS[currency] ?? 2;
}

/** Canonical decimal text, e.g. {minor: -12050, currency: 'USD'} -> "-120.50". */
export function formatMinor(minor: number, currency: string): string {
  const exp = minorExponent(currency);
  const negative = minor < 0;
  const digits = Math.abs(minor).toString();
  if (exp === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(exp + 1, '0');
  const whole = padded.slice(0, padded.length - exp);
  const frac = padded.slice(padded.length - exp);
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

export function formatMoney(m: Money): string {
  return `${formatMinor(m.minor, m.currency)} ${m.currency}`;
}

/** Display form with thousands separators, for the UI only. */
export function displayMinor(minor: number, currency: string): string {
  const plain = formatMinor(minor, currency);
  const [whole = '', frac] = plain.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${minor < 0 ? '-' : ''}${grouped}${frac !== undefined ? '.' + frac : ''}`;
}
