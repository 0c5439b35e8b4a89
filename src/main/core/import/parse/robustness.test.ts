import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLocalDate } from '../../../../shared/date.js';
import { TieoutError } from '../../../../shared/error.js';
import { isCurrencyCode } from '../../../../shared/money.js';
import {
  type FieldType,
  parseCurrencyCode,
  parseDate,
  parseDecimal,
  parseField,
  parseInteger,
  parseMoney,
  parseText,
  sniffColumn,
  sniffDateOrder,
  sniffDecimalSeparator,
  suggestFieldType,
} from './index.js';

/** Runs f; a thrown value must be a TieoutError('parse'), and a returned one must pass `valid`. */
function valueOrParseError<T>(f: () => T, valid: (v: T) => boolean): void {
  let v: T;
  try {
    v = f();
  } catch (e) {
    if (!(e instanceof TieoutError) || e.code !== 'parse') throw e;
    return;
  }
  expect(valid(v)).toBe(true);
}

const isSafeInt = (n: number) => Number.isSafeInteger(n) && !Object.is(n, -0);
const CANONICAL_DECIMAL = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;

// Characters the parsers give meaning to, so generated strings get deep into each parser.
const nearMiss = fc.string({
  unit: fc.constantFrom(
    ...'0123456789012345678901234567890123456789.,.,-+()$€£¥ /:TZ\'eE'.split(''),
    '\u00a0', '\u202f', '\u2212', 'CR', 'DR', 'kr', 'US$', 'USD', 'EUR', 'Mar', 'Thu', 'PM', 'GMT',
  ),
  maxLength: 30,
});
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), nearMiss);
const decimal = fc.constantFrom(undefined, '.' as const, ',' as const);
const currency = fc.constantFrom(undefined, null, 'USD', 'EUR', 'JPY', 'KWD', 'SEK', 'CAD');
const order = fc.constantFrom(undefined, 'mdy' as const, 'dmy' as const);
const fieldType = fc.constantFrom<FieldType>('text', 'money', 'integer', 'decimal', 'date', 'currency');

describe('parsers on arbitrary strings (property)', () => {
  it('return a valid value or throw a parse TieoutError, never anything else', () => {
    fc.assert(
      fc.property(anyString, decimal, currency, order, (raw, dec, cur, ord) => {
        valueOrParseError(
          () => parseMoney(raw, { decimal: dec, currency: cur }),
          (m) => isSafeInt(m.minor) && (m.currency === null || isCurrencyCode(m.currency) || m.currency === cur),
        );
        valueOrParseError(() => parseDate(raw, { order: ord }), isLocalDate);
        valueOrParseError(() => parseInteger(raw, { decimal: dec }), isSafeInt);
        valueOrParseError(() => parseDecimal(raw, { decimal: dec }), (d) => CANONICAL_DECIMAL.test(d));
        valueOrParseError(() => parseCurrencyCode(raw), isCurrencyCode);
        const text = parseText(raw);
        expect(text).toBe(text.trim());
        expect(text).not.toMatch(/\s\s/);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseField follows the same contract for every type', () => {
    fc.assert(
      fc.property(fieldType, anyString, decimal, currency, order, (type, raw, dec, cur, ord) => {
        valueOrParseError(() => parseField(type, raw, { decimal: dec, currency: cur, dateOrder: ord }), () => true);
      }),
      { numRuns: 2000 },
    );
  });

  it('sniffers and type suggestion never throw', () => {
    fc.assert(
      fc.property(fieldType, fc.array(anyString, { maxLength: 10 }), (type, samples) => {
        sniffColumn(type, samples);
        sniffDecimalSeparator(samples);
        sniffDateOrder(samples);
        suggestFieldType(samples);
      }),
      { numRuns: 1000 },
    );
  });
});
