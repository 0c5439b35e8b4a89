import { describe, expect, it } from 'vitest';
import { AmountRule, DateRule } from './tolerance.js';

describe('amount tolerance', () => {
  it('abs in minor units or in decimal text of the left currency', () => {
    expect(new AmountRule({ abs: 50 }).allowance(10_000, 'USD')).toBe(50);
    expect(new AmountRule({ abs: '0.50' }).allowance(10_000, 'USD')).toBe(50);
    expect(new AmountRule({ abs: '0.50' }).allowance(10_000, 'JPY')).toBe(0);
    expect(new AmountRule({ abs: '1.5' }).allowance(10_000, 'KWD')).toBe(1500);
  });

  it('pct of |left| is exact (no float rounding at the boundary)', () => {
    const r = new AmountRule({ pct: '0.1' });
    expect(r.allowance(1_000_000, 'USD')).toBe(1000);
    expect(r.allowance(-1_000_000, 'USD')).toBe(1000);
    expect(r.allowance(9_999, 'USD')).toBe(9); // 9.999 floored: a diff of 10 fails
    expect(new AmountRule({ pct: 2 }).allowance(123_456_789_012_345, 'USD')).toBe(2_469_135_780_246);
  });

  it('combines abs and pct as either (larger) or both (smaller)', () => {
    expect(new AmountRule({ abs: 100, pct: 1 }).allowance(50_000, 'USD')).toBe(500);
    expect(new AmountRule({ abs: 100, pct: 1, combine: 'both' }).allowance(50_000, 'USD')).toBe(100);
    expect(new AmountRule({}).allowance(50_000, 'USD')).toBe(0);
    expect(new AmountRule({ abs: 100, pct: 1 }).describe('USD')).toBe('±1.00 USD or ±1%');
  });
});

describe('date window', () => {
  it('is one-sided when a bound is left out', () => {
    const w = new DateRule({ min: 0, max: 60 });
    expect([w.ok(-1), w.ok(0), w.ok(60), w.ok(61)]).toEqual([false, true, true, false]);
    const after = new DateRule({ min: 0 });
    expect([after.ok(-1), after.ok(10_000)]).toEqual([false, true]);
    expect(after.describe()).toBe('≥ 0 days');
  });
});
