import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../../shared/error.js';
import { parseDecimal, parseInteger } from './number.js';

function parseErrorOf(f: () => unknown): TieoutError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TieoutError);
    expect((e as TieoutError).code).toBe('parse');
    return e as TieoutError;
  }
  throw new Error('expected a parse error');
}

describe('parseInteger', () => {
  it('parses plain, signed and padded whole numbers', () => {
    expect(parseInteger('42', {})).toBe(42);
    expect(parseInteger(' -42 ', {})).toBe(-42);
    expect(parseInteger('+42', {})).toBe(42);
    expect(parseInteger('(42)', {})).toBe(-42);
    expect(parseInteger('007', {})).toBe(7);
  });
  it('accepts group separators such as 1,234,567', () => {
    expect(parseInteger('1,234,567', {})).toBe(1234567);
    expect(parseInteger('1.234.567', { decimal: ',' })).toBe(1234567);
    expect(parseInteger('1 234 567', {})).toBe(1234567);
  });
  it('rejects a fraction such as 12.5', () => {
    expect(parseErrorOf(() => parseInteger('12.5', {})).message).toMatch(/fractional part/);
    parseErrorOf(() => parseInteger('12,5', { decimal: ',' }));
  });
  it('accepts a zero fraction such as 12.00, which is exactly 12', () => {
    expect(parseInteger('12.00', { decimal: '.' })).toBe(12);
  });
  it('returns 0, not -0, for -0', () => {
    expect(Object.is(parseInteger('-0', {}), 0)).toBe(true);
  });
  it('rejects numbers beyond MAX_SAFE_INTEGER', () => {
    expect(parseInteger('9007199254740991', {})).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseErrorOf(() => parseInteger('9007199254740992', {})).message).toMatch(/too large/);
  });
  it('rejects blanks, exponents and text', () => {
    expect(parseErrorOf(() => parseInteger('', {})).message).toBe('Whole number is blank');
    parseErrorOf(() => parseInteger('1e5', {}));
    parseErrorOf(() => parseInteger('12 apples', {}));
    parseErrorOf(() => parseInteger('-', {}));
  });
  it('parses any safe integer written plainly or with locale grouping (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(parseInteger(String(n), {})).toBe(n);
        expect(parseInteger(n.toLocaleString('en-US'), { decimal: '.' })).toBe(n);
        expect(parseInteger(n.toLocaleString('de-DE'), { decimal: ',' })).toBe(n);
      }),
    );
  });
});

describe('parseDecimal', () => {
  it.each([
    ['1234.5670', {}, '1234.567'],
    ['-0.50', {}, '-0.5'],
    ['12,5', { decimal: ',' as const }, '12.5'],
    ['1.234,50', {}, '1234.5'],
    ['007.50', {}, '7.5'],
    ['.5', {}, '0.5'],
    ['-0', {}, '0'],
    ['-0.000', {}, '0'],
    ['100', {}, '100'],
    ['(1.50)', {}, '-1.5'],
    ['1.5e-3', {}, '0.0015'],
    ['2.5E+3', {}, '2500'],
    ['1e-7', {}, '0.0000001'],
  ])('canonicalises %j to %j', (raw, opts, out) => {
    expect(parseDecimal(raw, opts)).toBe(out);
  });
  it('keeps every digit of long decimals, with no float rounding', () => {
    expect(parseDecimal('0.1000000000000000055511151231257827', {})).toBe('0.1000000000000000055511151231257827');
    expect(parseDecimal('123456789012345678901234567890.5', {})).toBe('123456789012345678901234567890.5');
  });
  it('rejects blanks, junk and grouping mixed with exponents', () => {
    parseErrorOf(() => parseDecimal(' ', {}));
    parseErrorOf(() => parseDecimal('1.2.3', { decimal: '.' }));
    parseErrorOf(() => parseDecimal('1,234e5', { decimal: '.' }));
    parseErrorOf(() => parseDecimal('1e999', {}));
    parseErrorOf(() => parseDecimal('NaN', {}));
  });
  it('is idempotent on its own output and agrees with JS for exact doubles (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = String(x);
        const canonical = parseDecimal(text, { decimal: '.' });
        expect(parseDecimal(canonical, { decimal: '.' })).toBe(canonical);
        expect(Number(canonical)).toBe(x === 0 ? 0 : x);
        expect(canonical).toMatch(/^-?(0|[1-9]\d*)(\.\d*[1-9])?$/);
      }),
    );
  });
});
