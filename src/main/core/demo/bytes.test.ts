import { describe, expect, it } from 'vitest';
import { displayMinor, formatMinor } from '../../../shared/money.js';
import { enc, prefixedNumber, Scratch, utf8 } from './bytes.js';
import { normalizeReference, writeAmount, writeReference } from './noise.js';
import { Prng } from './prng.js';

const text = (w: Scratch): string => Buffer.from(w.buf.subarray(0, w.pos)).toString('utf8');

function written(fn: (w: Scratch) => void): string {
  const w = new Scratch(16);
  w.reserve(256);
  fn(w);
  return text(w);
}

describe('ByteWriter', () => {
  it('writes amounts exactly as formatMinor and displayMinor do', () => {
    const prng = new Prng(1);
    const values = [0, 1, 9, 10, 99, 100, 101, 99_999, 100_000, 123_456_789, 9_007_199_254_740_991];
    for (let i = 0; i < 2_000; i++) values.push(prng.int(0, 2 ** 31), prng.int(0, 10 ** prng.int(1, 12)));
    const wrong = values.filter(
      (v) =>
        written((w) => w.minor2(v)) !== formatMinor(v, 'USD') ||
        written((w) => w.grouped2(v)) !== displayMinor(v, 'USD') ||
        written((w) => w.int(-v)) !== String(-v) ||
        written((w) => w.uint(v)) !== String(v),
    );
    expect(wrong).toEqual([]);
  });

  it('pads numbers and builds prefixed ids', () => {
    expect(written((w) => w.padded(42, 6))).toBe('000042');
    expect(written((w) => w.padded(1_234_567, 6))).toBe('1234567');
    expect(written((w) => w.twoDigits(7))).toBe('07');
    expect(Buffer.from(prefixedNumber(utf8('IO-2026-'), 4512, 6)).toString()).toBe('IO-2026-004512');
  });

  it('quotes and escapes encoded fields per RFC 4180 only when needed', () => {
    expect(written((w) => w.field(enc('Meta')))).toBe('Meta');
    expect(written((w) => w.field(enc('Meta Platforms, Inc.')))).toBe('"Meta Platforms, Inc."');
    expect(written((w) => w.field(enc('Papa Joe\'s "Famous" Pizza')))).toBe('"Papa Joe\'s ""Famous"" Pizza"');
    expect(written((w) => w.field(enc('Société Éditrice du Monde')))).toBe('Société Éditrice du Monde');
  });

  it('grows a scratch buffer as needed', () => {
    const w = new Scratch(4);
    for (let i = 0; i < 1_000; i++) {
      w.reserve(8);
      w.uint(i);
      w.comma();
    }
    expect(text(w)).toBe(Array.from({ length: 1_000 }, (_, i) => `${i},`).join(''));
  });
});

describe('demo noise', () => {
  it('writes every PO reference variant so that it normalizes to the Line ID or IO number', () => {
    const forms = new Set<string>();
    for (let variant = 0; variant < 12; variant++) {
      const line = written((w) => writeReference(w, { variant, year: 2026, io: 4512, line: 3 }));
      const io = written((w) => writeReference(w, { variant, year: 2026, io: 4512, line: 0 }));
      expect(normalizeReference(line), line).toBe('IO202600451203');
      expect(normalizeReference(io), io).toBe('IO2026004512');
      expect(line).not.toMatch(/[",]/);
      forms.add(line);
    }
    expect(forms).toContain('IO-2026-004512-03');
    expect(forms).toContain('io2026004512-03');
    expect(forms).toContain('PO# IO-2026-004512-03');
    expect(forms).toContain('IO 2026 004512 03');
    expect(forms).toContain('IO-2026-004512/03');
    expect(written((w) => writeReference(w, { variant: -1, year: 0, io: 0, line: 0 }))).toBe('');
  });

  it('writes amounts in the four documented styles, quoted when they hold a comma', () => {
    const styles = [0, 1, 2, 3].map((s) => written((w) => writeAmount(w, 123_450, 'USD', s)));
    expect(styles).toEqual(['1234.50', '"1,234.50"', '"$1,234.50"', '"USD 1,234.50"']);
    const negatives = [0, 1, 2, 3].map((s) => written((w) => writeAmount(w, -123_450, 'EUR', s)));
    expect(negatives).toEqual(['-1234.50', '"(1,234.50)"', '(1234.50)', '"-1,234.50"']);
    expect(written((w) => writeAmount(w, 12_000, 'GBP', 2))).toBe('£120.00');
    expect(written((w) => writeAmount(w, 12_000, 'CAD', 3))).toBe('CAD 120.00');
    expect(written((w) => writeAmount(w, -12_000, 'CAD', 1))).toBe('(120.00)');
  });
});
