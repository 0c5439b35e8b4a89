import { minorExponent } from '../../../shared/money.js';

/**
 * Rows are written as UTF-8 bytes straight into output buffers: fixed text is encoded
 * once up front, numbers are written digit by digit. No per-row strings are built, so
 * generating millions of rows makes almost no garbage.
 */

const COMMA = 0x2c;
const QUOTE = 0x22;
const DOT = 0x2e;
const ZERO = 0x30;
const NEEDS_QUOTES = /[",\r\n]/;
const INT32_MAX = 0x7fffffff;
/** Pieces up to this long are copied byte by byte; longer ones with TypedArray#set. */
const SHORT_COPY = 24;

/** Decimal digits of a non-negative 32-bit integer. */
function digits32(v: number): number {
  if (v < 100_000) return v < 10 ? 1 : v < 100 ? 2 : v < 1_000 ? 3 : v < 10_000 ? 4 : 5;
  return v < 1_000_000 ? 6 : v < 10_000_000 ? 7 : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
}

/**
 * A piece of text encoded once: UTF-8 bytes with any `"` already doubled, and whether a
 * CSV field made of (or containing) it must be quoted.
 */
export interface Enc {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly quote: boolean;
}

/**
 * UTF-8 bytes as a plain Uint8Array. All arrays rows are copied from and into are plain
 * Uint8Arrays (never Buffers), so element access in the writers stays monomorphic.
 */
export function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

export function enc(text: string): Enc {
  return { text, bytes: utf8(text.replace(/"/g, '""')), quote: NEEDS_QUOTES.test(text) };
}

/** Raw UTF-8 bytes of a literal that never needs quoting or escaping. */
export function lit(text: string): Uint8Array {
  if (NEEDS_QUOTES.test(text)) throw new Error(`literal needs quoting: ${text}`);
  return utf8(text);
}

/**
 * An output buffer with appenders. `reserve(n)` must be called before writing up to n
 * bytes of a row; subclasses decide what happens when the buffer is full (flush or grow).
 */
export abstract class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }

  /** Makes room for at least n more bytes. */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.makeRoom(n);
  }

  protected abstract makeRoom(n: number): void;

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  comma(): void {
    this.buf[this.pos++] = COMMA;
  }

  eol(): void {
    this.buf[this.pos++] = 0x0d;
    this.buf[this.pos++] = 0x0a;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    if (n > SHORT_COPY) {
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    // A plain loop beats TypedArray#set for the short pieces rows are made of.
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** Copies bytes [start, end) of another array. */
  copy(src: Uint8Array, start: number, end: number): void {
    if (end - start > SHORT_COPY) {
      this.buf.set(src.subarray(start, end), this.pos);
      this.pos += end - start;
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) buf[p++] = src[i]!;
    this.pos = p;
  }

  /** An ASCII string (ids, codes), one byte per character. */
  ascii(s: string): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** A whole CSV field from encoded text, quoted when needed. */
  field(e: Enc): void {
    if (e.quote) this.buf[this.pos++] = QUOTE;
    this.bytes(e.bytes);
    if (e.quote) this.buf[this.pos++] = QUOTE;
  }

  quote(): void {
    this.buf[this.pos++] = QUOTE;
  }

  /** A non-negative integer in decimal. */
  uint(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.pos++] = ZERO + n;
      return;
    }
    if (n > INT32_MAX) {
      this.bigUint(n);
      return;
    }
    // 32-bit fast path: integer division by truncation.
    let v = n | 0;
    let p = this.pos + digits32(v);
    this.pos = p;
    while (v >= 10) {
      const q = (v / 10) | 0;
      buf[--p] = ZERO + (v - q * 10);
      v = q;
    }
    buf[--p] = ZERO + v;
  }

  private bigUint(n: number): void {
    const buf = this.buf;
    let len = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
    let p = this.pos + len;
    this.pos = p;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      buf[--p] = ZERO + (n - q * 10);
      n = q;
    }
    buf[--p] = ZERO + n;
  }

  /** An integer in decimal, with a leading '-' when negative. */
  int(n: number): void {
    if (n < 0) {
      this.buf[this.pos++] = 0x2d;
      n = -n;
    }
    this.uint(n);
  }

  /** A non-negative integer left-padded with zeros to `width` digits (more if it needs them). */
  padded(n: number, width: number): void {
    let len = 1;
    if (n <= INT32_MAX) len = digits32(n | 0);
    else for (let t = n; t >= 10; t = Math.floor(t / 10)) len++;
    const buf = this.buf;
    for (; len < width; len++) buf[this.pos++] = ZERO;
    this.uint(n);
  }

  /** 0-99 as exactly two digits. */
  twoDigits(n: number): void {
    const tens = (n / 10) | 0;
    this.buf[this.pos++] = ZERO + tens;
    this.buf[this.pos++] = ZERO + (n - tens * 10);
  }

  /** Non-negative minor units with two decimals, as formatMinor writes them: 123450 -> 1234.50. */
  minor2(minor: number): void {
    const whole = minor <= INT32_MAX ? ((minor / 100) | 0) : Math.floor(minor / 100);
    this.uint(whole);
    this.frac2(minor - whole * 100);
  }

  /** Non-negative minor units with two decimals and thousands separators: 123450 -> 1,234.50. */
  grouped2(minor: number): void {
    const whole = minor <= INT32_MAX ? ((minor / 100) | 0) : Math.floor(minor / 100);
    this.groupedWhole(whole);
    this.frac2(minor - whole * 100);
  }

  private groupedWhole(n: number): void {
    if (n < 1000) {
      this.uint(n);
      return;
    }
    const head = Math.floor(n / 1000);
    this.groupedWhole(head);
    this.buf[this.pos++] = COMMA;
    this.padded(n - head * 1000, 3);
  }

  private frac2(cents: number): void {
    const tens = (cents / 10) | 0;
    const buf = this.buf;
    buf[this.pos++] = DOT;
    buf[this.pos++] = ZERO + tens;
    buf[this.pos++] = ZERO + (cents - tens * 10);
  }
}

/** A writer into a growable in-memory array (e.g. an invoice's lines until it is numbered). */
export class Scratch extends ByteWriter {
  /** Empties it for reuse, keeping the allocated array. */
  reset(): void {
    this.pos = 0;
  }

  protected makeRoom(n: number): void {
    let size = this.buf.length * 2;
    while (this.pos + n > size) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
}

/** `prefix` followed by `n` as at least `width` digits, e.g. IO-2026- and 4512 -> IO-2026-004512. */
export function prefixedNumber(prefix: Uint8Array, n: number, width: number): Uint8Array {
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  if (digits < width) digits = width;
  const out = new Uint8Array(prefix.length + digits);
  out.set(prefix);
  let p = out.length;
  for (let i = 0; i < digits; i++) {
    const q = Math.floor(n / 10);
    out[--p] = ZERO + (n - q * 10);
    n = q;
  }
  return out;
}

/** The writers above assume two-decimal currencies; the demo only uses such currencies. */
export function assertTwoDecimals(currencies: readonly string[]): void {
  for (const c of currencies) {
    if (minorExponent(c) !== 2) throw new Error(`demo writer assumes 2 decimals, ${c} has ${minorExponent(c)}`);
  }
}
