import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { FxTable, parseDecimal, roundHalfEven } from './fx.js';

describe('exact FX', () => {
  it('rounds half to even', () => {
    expect(roundHalfEven(5n, 2n)).toBe(2n);
    expect(roundHalfEven(7n, 2n)).toBe(4n);
    expect(roundHalfEven(-5n, 2n)).toBe(-2n);
    expect(roundHalfEven(-7n, 2n)).toBe(-4n);
    expect(roundHalfEven(10n, 3n)).toBe(3n);
    expect(roundHalfEven(11n, 3n)).toBe(4n);
  });

  it('parses decimal text without floats', () => {
    expect(parseDecimal('1.0850')).toEqual({ num: 10850n, den: 10000n });
    expect(parseDecimal('abc')).toBeNull();
  });

  it('converts between currencies with different minor units', () => {
    const fx = new FxTable([{ from: 'EUR', to: 'USD', rate: '1.0850' }, { from: 'USD', to: 'JPY', rate: '151.37' }]);
    expect(fx.convert(10000, 'EUR', 'USD', null)?.minor).toBe(10850); // 100.00 EUR → 108.50 USD
    expect(fx.convert(12345, 'USD', 'JPY', null)?.minor).toBe(18687); // 123.45 × 151.37 = 18686.6265
    // Inverse: 108.50 USD / 1.0850 = 100.00 EUR exactly.
    const back = fx.convert(10850, 'USD', 'EUR', null);
    expect(back?.minor).toBe(10000);
    expect(back?.inverse).toBe(true);
    expect(fx.convert(100, 'GBP', 'USD', null)).toBeNull();
  });

  it('uses the latest dated rate on or before the date, else the undated one', () => {
    const fx = new FxTable([
      { from: 'EUR', to: 'USD', rate: '1.00' },
      { from: 'EUR', to: 'USD', rate: '1.10', date: '2026-02-01' },
      { from: 'EUR', to: 'USD', rate: '1.20', date: '2026-03-01' },
    ]);
    const day = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8))) / 86_400_000;
    expect(fx.convert(100, 'EUR', 'USD', day('2026-01-15'))?.minor).toBe(100);
    expect(fx.convert(100, 'EUR', 'USD', day('2026-02-15'))?.minor).toBe(110);
    expect(fx.convert(100, 'EUR', 'USD', day('2026-03-01'))?.minor).toBe(120);
    expect(fx.convert(100, 'EUR', 'USD', null)?.minor).toBe(100);
  });

  it('rejects a rate that is not positive decimal text', () => {
    expect(() => new FxTable([{ from: 'EUR', to: 'USD', rate: '1e3' }])).toThrow(TieoutError);
    expect(() => new FxTable([{ from: 'EUR', to: 'USD', rate: '0' }])).toThrow(/positive/);
  });
});
