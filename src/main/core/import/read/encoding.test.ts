import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createDecoder,
  decodeBytes,
  decoderFor,
  detectEncoding,
  SwappingUtf16beDecoder,
  type Encoding,
  type StreamDecoder,
} from './encoding.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

/** Feed `data` to a decoder in pieces of the given sizes (cycled). */
function decodeInPieces(dec: StreamDecoder, data: Uint8Array, sizes: number[]): string {
  let out = '';
  let off = 0;
  for (let k = 0; off < data.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]!);
    out += dec.write(data.subarray(off, off + n));
    off += n;
  }
  return out + dec.end();
}

describe('detectEncoding', () => {
  it('recognises a UTF-8 byte-order mark', () => {
    expect(detectEncoding(bytes(0xef, 0xbb, 0xbf, 0x41))).toEqual({ encoding: 'utf-8', bomLength: 3, asciiOnly: false });
  });

  it('recognises UTF-16 LE and BE byte-order marks (Excel "Unicode text")', () => {
    expect(detectEncoding(bytes(0xff, 0xfe, 0x41, 0x00)).encoding).toBe('utf-16le');
    expect(detectEncoding(bytes(0xfe, 0xff, 0x00, 0x41)).encoding).toBe('utf-16be');
  });

  it('spots UTF-16 without a BOM from the zero high bytes', () => {
    expect(detectEncoding(new Uint8Array(Buffer.from('IO Number,Vendor\nIO-1,Meta\n', 'utf16le'))).encoding).toBe('utf-16le');
    expect(detectEncoding(new Uint8Array(Buffer.from('IO Number,Vendor\nIO-1,Meta\n', 'utf16le').swap16())).encoding).toBe('utf-16be');
  });

  it('takes valid UTF-8 without a BOM as UTF-8', () => {
    expect(detectEncoding(new Uint8Array(Buffer.from('Société Générale,€1.234,50')))).toEqual({
      encoding: 'utf-8',
      bomLength: 0,
      asciiOnly: false,
    });
  });

  it('accepts a UTF-8 sequence cut off at the end of the prefix', () => {
    const euro = Buffer.from('abc€');
    expect(detectEncoding(new Uint8Array(euro.subarray(0, euro.length - 1))).encoding).toBe('utf-8');
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8', () => {
    expect(detectEncoding(bytes(0x53, 0x6f, 0x63, 0x69, 0xe9, 0x74, 0xe9, 0x2c, 0x80)).encoding).toBe('windows-1252');
  });

  it('marks a pure-ASCII prefix as a UTF-8 guess', () => {
    expect(detectEncoding(new Uint8Array(Buffer.from('IO,Vendor\n')))).toEqual({ encoding: 'utf-8', bomLength: 0, asciiOnly: true });
  });
});

describe('decoders', () => {
  it('decodes Windows-1252 specials that a Latin-1 decoder gets wrong (€ ’ Ÿ) plus é ü', () => {
    const dec = createDecoder('windows-1252');
    expect(dec.write(bytes(0x80, 0x92, 0x9f, 0xe9, 0xfc, 0x81))).toBe('€’Ÿéü\u0081');
  });

  it.each<[Encoding, Buffer]>([
    ['utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Müller €')])],
    ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Müller €', 'utf16le')])],
    ['utf-16be', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('Müller €', 'utf16le').swap16()])],
  ])('strips the %s byte-order mark, even when it arrives one byte at a time', (enc, data) => {
    expect(decodeInPieces(createDecoder(enc), new Uint8Array(data), [1])).toBe('Müller €');
    expect(decodeInPieces(createDecoder(enc), new Uint8Array(data), [4096])).toBe('Müller €');
  });

  it('keeps multi-byte characters intact across any chunk split', () => {
    const text = 'IO-1,Société Générale,€1.234,50,株式会社,😀\n';
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }), (sizes) => {
        for (const enc of ['utf-8', 'utf-16le', 'utf-16be'] as const) {
          const data = enc === 'utf-8' ? Buffer.from(text) : enc === 'utf-16le' ? Buffer.from(text, 'utf16le') : Buffer.from(text, 'utf16le').swap16();
          expect(decodeInPieces(createDecoder(enc), new Uint8Array(data), sizes)).toBe(text);
        }
      }),
    );
  });

  it('decodes UTF-16BE by byte-swapping when the runtime lacks a native decoder', () => {
    const data = new Uint8Array(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('Yahoo 株式会社 😀', 'utf16le').swap16()]));
    for (const sizes of [[1], [3], [2, 5], [1000]]) {
      expect(decodeInPieces(new SwappingUtf16beDecoder(), data, sizes)).toBe('Yahoo 株式会社 😀');
    }
  });

  it('switches a UTF-8 guess to Windows-1252 when a later chunk is not UTF-8', () => {
    const ascii = 'IO Number,Vendor\n' + 'IO-1,Meta Platforms Inc\n'.repeat(100);
    const data = new Uint8Array(Buffer.concat([Buffer.from(ascii), Buffer.from([0x53, 0x6f, 0x63, 0x69, 0xe9, 0x74, 0xe9, 0x0a])]));
    const dec = decoderFor(detectEncoding(data.subarray(0, 64)));
    expect(dec.encoding).toBe('utf-8');
    expect(decodeInPieces(dec, data, [512])).toBe(ascii + 'Société\n');
    expect(dec.encoding).toBe('windows-1252');
  });

  it('keeps a Windows-1252 byte that ended the previous chunk when switching', () => {
    // 0xE9 alone at a chunk end looks like the start of a UTF-8 sequence and is held back.
    const data = bytes(0x41, 0x42, 0xe9, 0x43, 0x44);
    const dec = decoderFor({ encoding: 'utf-8', bomLength: 0, asciiOnly: true });
    expect(decodeInPieces(dec, data, [3, 2])).toBe('ABéCD');
    expect(dec.encoding).toBe('windows-1252');
  });

  it('keeps a UTF-8 guess when later chunks are valid UTF-8', () => {
    const data = new Uint8Array(Buffer.from('IO,Vendor\nIO-1,Müller €\n'));
    const dec = decoderFor({ encoding: 'utf-8', bomLength: 0, asciiOnly: true });
    expect(decodeInPieces(dec, data, [11, 1, 1, 1])).toBe('IO,Vendor\nIO-1,Müller €\n');
    expect(dec.encoding).toBe('utf-8');
  });

  it('decodeBytes detects and decodes a whole buffer', () => {
    expect(decodeBytes(bytes(0xff, 0xfe, 0x41, 0x00, 0xac, 0x20))).toEqual({ text: 'A€', encoding: 'utf-16le' });
    expect(decodeBytes(bytes(0x80), 'windows-1252')).toEqual({ text: '€', encoding: 'windows-1252' });
  });
});
