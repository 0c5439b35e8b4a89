import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../../shared/error.js';
import { parseCurrencyCode } from './currency.js';

describe('parseCurrencyCode', () => {
  it('accepts codes in any case with spaces trimmed', () => {
    expect(parseCurrencyCode('usd')).toBe('USD');
    expect(parseCurrencyCode('  Eur ')).toBe('EUR');
  });
  it('accepts unambiguous symbols such as €, £, ¥ and US$', () => {
    expect(parseCurrencyCode('€')).toBe('EUR');
    expect(parseCurrencyCode('£')).toBe('GBP');
    expect(parseCurrencyCode('¥')).toBe('JPY');
    expect(parseCurrencyCode('US$')).toBe('USD');
    expect(parseCurrencyCode('C$')).toBe('CAD');
  });
  it.each(['XYZ', 'US', 'USDD', '$', 'kr', 'dollars', ''])('rejects %j with a parse error', (raw) => {
    expect(() => parseCurrencyCode(raw)).toThrowError(TieoutError);
    try {
      parseCurrencyCode(raw);
    } catch (e) {
      expect((e as TieoutError).code).toBe('parse');
      expect((e as TieoutError).details).toEqual({ value: raw });
    }
  });
});
