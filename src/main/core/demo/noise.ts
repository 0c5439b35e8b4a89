import { formatMinor } from '../../../shared/money.js';
import type { Prng } from './prng.js';
import { WeightedIndex } from './prng.js';

/**
 * Format noise the way vendors retype references and amounts.
 *
 * PO references: every variant reduces to the same key under the reference normalizer
 * "upper-case, keep only [A-Z0-9], then strip a leading PO", e.g. all of
 * `IO-2026-004512-03`, `io2026004512-03`, `PO# IO-2026-004512-03`, `IO 2026 004512 03`,
 * `IO-2026-004512/03` become `IO202600451203`. None contains a comma or a quote.
 */

/** The reference normalizer the noise is designed against (the matcher uses the same rule). */
export function normalizeReference(ref: string): string {
  const key = ref.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return key.startsWith('PO') ? key.slice(2) : key;
}

type RefVariant = (year: string, io: string, line: string | null) => string;

/** `line` is null for an IO-level reference (consolidated billing). */
const REF_VARIANTS: readonly (readonly [RefVariant, number])[] = [
  [(y, io, l) => (l === null ? `IO-${y}-${io}` : `IO-${y}-${io}-${l}`), 40],
  [(y, io, l) => (l === null ? `io${y}${io}` : `io${y}${io}-${l}`), 8],
  [(y, io, l) => (l === null ? `PO# IO-${y}-${io}` : `PO# IO-${y}-${io}-${l}`), 8],
  [(y, io, l) => (l === null ? `IO ${y} ${io}` : `IO ${y} ${io} ${l}`), 8],
  [(y, io, l) => (l === null ? `IO-${y}-${io}` : `IO-${y}-${io}/${l}`), 8],
  [(y, io, l) => (l === null ? `IO${y}-${io}` : `IO${y}-${io}-${l}`), 5],
  [(y, io, l) => (l === null ? `PO IO-${y}-${io}` : `PO IO-${y}-${io}-${l}`), 5],
  [(y, io, l) => (l === null ? `io-${y}-${io}` : `io-${y}-${io}-${l}`), 5],
  [(y, io, l) => (l === null ? `PO:IO${y}${io}` : `PO:IO${y}${io}${l}`), 4],
  [(y, io, l) => (l === null ? `IO_${y}_${io}` : `IO_${y}_${io}_${l}`), 3],
  [(y, io, l) => (l === null ? `IO.${y}.${io}` : `IO.${y}.${io}.${l}`), 3],
  [(y, io, l) => (l === null ? ` IO-${y}-${io} ` : `IO-${y}-${io}-${l} `), 3],
];
const REF_PICK = new WeightedIndex(REF_VARIANTS.map(([, w]) => w));

/** A noisy PO reference to an IO line (`line` given) or to a whole IO (`line` null). */
export function noisyReference(prng: Prng, year: string, io: string, line: string | null): string {
  const variant = REF_VARIANTS[REF_PICK.next(prng)]![0];
  return variant(year, io, line);
}

/**
 * Amount styles, chosen once per invoice so an invoice is formatted consistently while the
 * column mixes styles. Always dot-decimal. Negatives are `(1,234.50)`, `(1234.50)`,
 * `-1234.50` or `-1,234.50`; symbols and codes only prefix positives.
 */
export const AMOUNT_STYLES = 4;
const STYLE_PICK = new WeightedIndex([35, 25, 20, 20]);

export function pickAmountStyle(prng: Prng): number {
  return STYLE_PICK.next(prng);
}

const SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', CAD: 'CA$' };

function group(plain: string): string {
  // plain is unsigned "1234567.89"
  const dot = plain.indexOf('.');
  const whole = dot < 0 ? plain : plain.slice(0, dot);
  if (whole.length <= 3) return plain;
  let out = '';
  const head = whole.length % 3 || 3;
  out = whole.slice(0, head);
  for (let i = head; i < whole.length; i += 3) out += ',' + whole.slice(i, i + 3);
  return dot < 0 ? out : out + plain.slice(dot);
}

/**
 * The amount as invoice text in the given style, already CSV-ready (quoted when it holds
 * a thousands separator).
 *   style 0: 1234.50      negative -1234.50
 *   style 1: 1,234.50     negative (1,234.50)
 *   style 2: $1,234.50    negative (1234.50)
 *   style 3: USD 1,234.50 negative -1,234.50
 */
export function amountText(minor: number, currency: string, style: number): string {
  const negative = minor < 0;
  const plain = formatMinor(negative ? -minor : minor, currency);
  let text: string;
  switch (style) {
    case 0:
      text = negative ? `-${plain}` : plain;
      break;
    case 1:
      text = negative ? `(${group(plain)})` : group(plain);
      break;
    case 2:
      text = negative ? `(${plain})` : `${SYMBOLS[currency] ?? `${currency} `}${group(plain)}`;
      break;
    default:
      text = negative ? `-${group(plain)}` : `${currency} ${group(plain)}`;
      break;
  }
  return text.includes(',') ? `"${text}"` : text;
}
