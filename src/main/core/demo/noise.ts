import { lit, type ByteWriter } from './bytes.js';
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

/** The reference normalizer the noise is designed against. */
export function normalizeReference(ref: string): string {
  const key = ref.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return key.startsWith('PO') ? key.slice(2) : key;
}

/** A reference is written as head, year, mid, 6-digit IO, then (line references only) sep and 2-digit line, then tail. */
interface RefVariant {
  readonly head: Uint8Array;
  readonly mid: Uint8Array;
  readonly sep: Uint8Array;
  readonly tail: Uint8Array;
  /** For IO-level references. */
  readonly ioHead: Uint8Array;
  readonly ioTail: Uint8Array;
  readonly weight: number;
}

function variant(head: string, mid: string, sep: string, weight: number, tail = '', ioHead = head, ioTail = tail): RefVariant {
  return { head: lit(head), mid: lit(mid), sep: lit(sep), tail: lit(tail), ioHead: lit(ioHead), ioTail: lit(ioTail), weight };
}

/** Line form shown for IO 004512 line 03; the IO-level form drops the separator and line. */
const REF_VARIANTS: readonly RefVariant[] = [
  variant('IO-', '-', '-', 40), // IO-2026-004512-03
  variant('io', '', '-', 8), // io2026004512-03
  variant('PO# IO-', '-', '-', 8), // PO# IO-2026-004512-03
  variant('IO ', ' ', ' ', 8), // IO 2026 004512 03
  variant('IO-', '-', '/', 8), // IO-2026-004512/03
  variant('IO', '-', '-', 5), // IO2026-004512-03
  variant('PO IO-', '-', '-', 5), // PO IO-2026-004512-03
  variant('io-', '-', '-', 5), // io-2026-004512-03
  variant('PO:IO', '', '', 4), // PO:IO202600451203
  variant('IO_', '_', '_', 3), // IO_2026_004512_03
  variant('IO.', '.', '.', 3), // IO.2026.004512.03
  variant('IO-', '-', '-', 3, ' ', ' IO-', ' '), // "IO-2026-004512-03 ", IO level " IO-2026-004512 "
];
const REF_PICK = new WeightedIndex(REF_VARIANTS.map((v) => v.weight));

/** A PO reference to write: a variant index, or -1 for an empty reference. */
export interface PoRef {
  readonly variant: number;
  /** IO year, e.g. 2026. */
  readonly year: number;
  /** IO sequence number (written as 6+ digits). */
  readonly io: number;
  /** Line number 1-99, or 0 for an IO-level reference. */
  readonly line: number;
}

export const NO_PO: PoRef = { variant: -1, year: 0, io: 0, line: 0 };

export function pickReference(prng: Prng, year: number, io: number, line: number): PoRef {
  return { variant: REF_PICK.next(prng), year, io, line };
}

export function writeReference(w: ByteWriter, ref: PoRef): void {
  if (ref.variant < 0) return;
  const v = REF_VARIANTS[ref.variant]!;
  const lineLevel = ref.line > 0;
  w.bytes(lineLevel ? v.head : v.ioHead);
  w.uint(ref.year);
  w.bytes(v.mid);
  w.padded(ref.io, 6);
  if (lineLevel) {
    w.bytes(v.sep);
    w.padded(ref.line, 2);
  }
  w.bytes(lineLevel ? v.tail : v.ioTail);
}

/**
 * Amount styles, chosen once per invoice so an invoice is formatted consistently while the
 * column mixes styles. Always dot-decimal:
 *   style 0: 1234.50      negative -1234.50
 *   style 1: 1,234.50     negative (1,234.50)
 *   style 2: $1,234.50    negative (1234.50)     (€, £, CA$ for EUR, GBP, CAD)
 *   style 3: USD 1,234.50 negative -1,234.50
 */
const STYLE_PICK = new WeightedIndex([35, 25, 20, 20]);

export function pickAmountStyle(prng: Prng): number {
  return STYLE_PICK.next(prng);
}

const SYMBOLS: Record<string, Uint8Array> = { USD: lit('$'), EUR: lit('€'), GBP: lit('£'), CAD: lit('CA$') };
const CODES: Record<string, Uint8Array> = { USD: lit('USD '), EUR: lit('EUR '), GBP: lit('GBP '), CAD: lit('CAD ') };

/** Writes the amount as a CSV field in the given style (quoted when it holds a thousands separator). */
export function writeAmount(w: ByteWriter, minor: number, currency: string, style: number): void {
  const negative = minor < 0;
  const abs = negative ? -minor : minor;
  if (style === 0) {
    if (negative) w.byte(0x2d);
    w.minor2(abs);
    return;
  }
  if (style === 2 && negative) {
    w.byte(0x28);
    w.minor2(abs);
    w.byte(0x29);
    return;
  }
  const quoted = abs >= 100_000; // a whole part of 1,000 or more has a comma
  if (quoted) w.quote();
  if (negative) {
    if (style === 1) w.byte(0x28);
    else w.byte(0x2d);
  } else if (style === 2) w.bytes(SYMBOLS[currency] ?? CODES[currency]!);
  else if (style === 3) w.bytes(CODES[currency]!);
  w.grouped2(abs);
  if (negative && style === 1) w.byte(0x29);
  if (quoted) w.quote();
}
