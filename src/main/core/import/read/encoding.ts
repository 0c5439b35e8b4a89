import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';

/**
 * Text encodings of imported files: detection from a byte prefix and streaming decoders.
 *
 * Node 20's TextDecoder('windows-1252') is really Latin-1 (0x80 stays U+0080 instead of '€'),
 * so 1252 is decoded as Latin-1 and the 0x80-0x9F block remapped by table.
 */

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export const ENCODINGS: readonly Encoding[] = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'];

export interface DetectedEncoding {
  encoding: Encoding;
  /** Bytes of byte-order mark at the start of the prefix (the decoders strip it). */
  bomLength: number;
  /**
   * The prefix was plain ASCII, so UTF-8 is a guess; the decoder made by `decoderFor`
   * switches to Windows-1252 if later bytes turn out not to be UTF-8.
   */
  asciiOnly: boolean;
}

/** Detect the encoding from the first bytes of a file (64 KB is plenty). */
export function detectEncoding(prefix: Uint8Array): DetectedEncoding {
  const b0 = prefix[0];
  const b1 = prefix[1];
  if (b0 === 0xef && b1 === 0xbb && prefix[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3, asciiOnly: false };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', bomLength: 2, asciiOnly: false };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', bomLength: 2, asciiOnly: false };

  const bomless16 = guessBomlessUtf16(prefix);
  if (bomless16) return { encoding: bomless16, bomLength: 0, asciiOnly: false };

  if (isAscii(prefix)) return { encoding: 'utf-8', bomLength: 0, asciiOnly: true };
  return { encoding: isUtf8Prefix(prefix) ? 'utf-8' : 'windows-1252', bomLength: 0, asciiOnly: false };
}

/** True when the bytes are valid UTF-8, allowing a sequence cut off at the end. */
export function isUtf8Prefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** UTF-16 without a BOM shows up as mostly-NUL high bytes; only accept a clear signal. */
function guessBomlessUtf16(prefix: Uint8Array): Encoding | undefined {
  const n = Math.min(prefix.length, 4096) & ~1;
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (prefix[i] === 0) evenZero++;
    if (prefix[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be';
  return undefined;
}

export interface StreamDecoder {
  /** The encoding in use; can change from 'utf-8' to 'windows-1252' for an ASCII-prefix guess. */
  readonly encoding: Encoding;
  /** Decode the next chunk; the bytes may be reused by the caller once this returns. */
  write(bytes: Uint8Array): string;
  /** Flush a trailing partial character (as U+FFFD). */
  end(): string;
}

/** A decoder for what `detectEncoding` found, including the UTF-8-or-1252 fallback. */
export function decoderFor(detected: DetectedEncoding): StreamDecoder {
  return detected.asciiOnly ? new GuessingUtf8Decoder() : createDecoder(detected.encoding);
}

/** A streaming decoder for a known encoding. Strips a leading BOM. */
export function createDecoder(encoding: Encoding): StreamDecoder {
  switch (encoding) {
    case 'utf-8':
      return new Utf8Decoder(false);
    case 'utf-16le':
      return new NativeDecoder(encoding);
    case 'utf-16be':
      return hasNativeUtf16be() ? new NativeDecoder('utf-16be') : new SwappingUtf16beDecoder();
    case 'windows-1252':
      return new Windows1252Decoder();
  }
}

/** Decode a whole buffer (detecting the encoding unless given). */
export function decodeBytes(bytes: Uint8Array, encoding?: Encoding): { text: string; encoding: Encoding } {
  const dec = encoding ? createDecoder(encoding) : decoderFor(detectEncoding(bytes.subarray(0, 65536)));
  const text = dec.write(bytes) + dec.end();
  return { text, encoding: dec.encoding };
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

class NativeDecoder implements StreamDecoder {
  private readonly dec: TextDecoder;
  private first = true;
  constructor(readonly encoding: Encoding) {
    this.dec = new TextDecoder(encoding);
  }
  write(bytes: Uint8Array): string {
    const s = this.dec.decode(bytes, { stream: true });
    if (this.first && s.length > 0) {
      this.first = false;
      return stripBom(s);
    }
    return s;
  }
  end(): string {
    const s = this.dec.decode();
    return this.first ? stripBom(s) : s;
  }
}

let nativeUtf16be: boolean | undefined;
function hasNativeUtf16be(): boolean {
  if (nativeUtf16be === undefined) {
    try {
      nativeUtf16be = new TextDecoder('utf-16be').decode(new Uint8Array([0x20, 0xac])) === '€';
    } catch {
      nativeUtf16be = false;
    }
  }
  return nativeUtf16be;
}

/** For runtimes built without full ICU: swap byte pairs and decode as UTF-16LE. */
export class SwappingUtf16beDecoder implements StreamDecoder {
  readonly encoding: Encoding = 'utf-16be';
  private readonly le = new NativeDecoder('utf-16le');
  private carry = -1;
  write(bytes: Uint8Array): string {
    const total = bytes.length + (this.carry >= 0 ? 1 : 0);
    const even = total & ~1;
    const swapped = new Uint8Array(even);
    let src = 0;
    let dst = 0;
    if (this.carry >= 0 && even > 0) {
      swapped[0] = bytes[0]!;
      swapped[1] = this.carry;
      src = 1;
      dst = 2;
      this.carry = -1;
    }
    for (; dst < even; dst += 2, src += 2) {
      swapped[dst] = bytes[src + 1]!;
      swapped[dst + 1] = bytes[src]!;
    }
    if (src < bytes.length) this.carry = bytes[src]!;
    return this.le.write(swapped);
  }
  end(): string {
    const tail = this.carry >= 0 ? '\ufffd' : '';
    this.carry = -1;
    return this.le.end() + tail;
  }
}

/** Windows-1252 bytes 0x80-0x9F; the five undefined ones map to themselves, as WHATWG does. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1_RANGE = /[\u0080-\u009f]/g;
const mapC1 = (c: string): string => CP1252_HIGH[c.charCodeAt(0) - 0x80]!;

export class Windows1252Decoder implements StreamDecoder {
  readonly encoding: Encoding = 'windows-1252';
  write(bytes: Uint8Array): string {
    // Latin-1 via Buffer is native-speed; C1 controls are rare, so the replace is cheap.
    const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    return s.replace(C1_RANGE, mapC1);
  }
  end(): string {
    return '';
  }
}

/**
 * UTF-8 with a fast path: a chunk that is pure ASCII (checked natively) and follows no cut-off
 * sequence is sliced as Latin-1, several times faster than TextDecoder on big files.
 * `strict` throws on invalid bytes instead of writing U+FFFD.
 */
class Utf8Decoder implements StreamDecoder {
  readonly encoding: Encoding = 'utf-8';
  private readonly dec: TextDecoder;
  /** Bytes of a cut-off sequence the TextDecoder is holding. */
  pending: Uint8Array = new Uint8Array(0);
  private first = true;
  constructor(strict: boolean) {
    // ignoreBOM: the fast path may skip the file's start, so the BOM is stripped here instead.
    this.dec = new TextDecoder('utf-8', { fatal: strict, ignoreBOM: true });
  }
  write(bytes: Uint8Array): string {
    let s: string;
    if (this.pending.length === 0 && isAscii(bytes)) {
      s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    } else {
      s = this.dec.decode(bytes, { stream: true });
      this.pending = heldBack(this.pending, bytes);
    }
    if (this.first && s.length > 0) {
      this.first = false;
      return stripBom(s);
    }
    return s;
  }
  end(): string {
    const s = this.dec.decode();
    this.pending = new Uint8Array(0);
    return this.first ? stripBom(s) : s;
  }
}

/**
 * UTF-8 chosen only because the prefix was ASCII. Decodes strictly; at the first invalid
 * sequence it switches to Windows-1252 for the rest of the file (text before was ASCII or UTF-8).
 */
class GuessingUtf8Decoder implements StreamDecoder {
  private strict: Utf8Decoder | undefined = new Utf8Decoder(true);
  private readonly cp1252 = new Windows1252Decoder();

  get encoding(): Encoding {
    return this.strict ? 'utf-8' : 'windows-1252';
  }

  write(bytes: Uint8Array): string {
    const strict = this.strict;
    if (!strict) return this.cp1252.write(bytes);
    const held = strict.pending;
    try {
      return strict.write(bytes);
    } catch {
      this.strict = undefined;
      const joined = new Uint8Array(held.length + bytes.length);
      joined.set(held, 0);
      joined.set(bytes, held.length);
      return this.cp1252.write(joined);
    }
  }

  end(): string {
    const strict = this.strict;
    if (!strict) return '';
    const held = strict.pending;
    try {
      return strict.end();
    } catch {
      this.strict = undefined;
      return this.cp1252.write(held);
    }
  }
}

/** Length of a UTF-8 sequence cut off at the end of `b` (0-3), i.e. bytes the decoder holds back. */
function incompleteUtf8Tail(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const x = b[n - k]!;
    if (x < 0x80) return 0;
    if (x >= 0xc0) {
      const need = x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : 2;
      return need > k ? k : 0;
    }
  }
  return 0;
}

/** The bytes the strict decoder holds back: the cut-off sequence at the end of previous ++ bytes. */
function heldBack(previous: Uint8Array, bytes: Uint8Array): Uint8Array {
  const take = Math.min(3, bytes.length);
  const fromPrev = Math.min(previous.length, 3 - take);
  const win = new Uint8Array(fromPrev + take);
  win.set(previous.subarray(previous.length - fromPrev), 0);
  win.set(bytes.subarray(bytes.length - take), fromPrev);
  return win.slice(win.length - incompleteUtf8Tail(win));
}
