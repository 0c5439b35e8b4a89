import { describe, expect, it } from 'vitest';
import { parseField, sniffColumn, suggestFieldType } from './index.js';

describe('parseField', () => {
  it('returns the canonical value for each type', () => {
    expect(parseField('text', '  a  b ', {})).toBe('a b');
    expect(parseField('money', '1.234,50 €', { decimal: ',' })).toEqual({ minor: 123450, currency: 'EUR' });
    expect(parseField('integer', '1,234', {})).toBe(1234);
    expect(parseField('decimal', '12,50', { decimal: ',' })).toBe('12.5');
    expect(parseField('date', '05/03/2026', { dateOrder: 'dmy' })).toBe('2026-03-05');
    expect(parseField('currency', 'eur', {})).toBe('EUR');
  });
  it('passes the column currency to money', () => {
    expect(parseField('money', '12.50', { currency: 'GBP' })).toEqual({ minor: 1250, currency: 'GBP' });
  });
  it('gives text blank as empty but rejects blank for other types', () => {
    expect(parseField('text', '   ', {})).toBe('');
    expect(() => parseField('money', '   ', {})).toThrow(/blank/);
    expect(() => parseField('date', '', {})).toThrow(/blank/);
  });
});

describe('sniffColumn', () => {
  it('settles the decimal mark and named currency of a money column', () => {
    expect(sniffColumn('money', ['1.234,50 €', '12,00 €'])).toEqual({ decimal: ',', currency: 'EUR' });
    expect(sniffColumn('money', ['$1,234.50'])).toEqual({ decimal: '.' });
  });
  it('settles the decimal mark of number columns', () => {
    expect(sniffColumn('decimal', ['12,5'])).toEqual({ decimal: ',' });
    expect(sniffColumn('integer', ['1,234,567'])).toEqual({ decimal: '.' });
  });
  it('settles the day/month order of a date column, or leaves it out', () => {
    expect(sniffColumn('date', ['03/05/2026', '25/03/2026'])).toEqual({ dateOrder: 'dmy' });
    expect(sniffColumn('date', ['03/05/2026'])).toEqual({});
  });
  it('has nothing to settle for text and currency', () => {
    expect(sniffColumn('text', ['a'])).toEqual({});
    expect(sniffColumn('currency', ['USD'])).toEqual({});
  });
});

describe('suggestFieldType', () => {
  it.each([
    [['2026-03-05', '5 Mar 2026', '03/25/2026'], 'date'],
    [['03/05/2026', '04/06/2026'], 'date'],
    [['20260305', '20251231'], 'date'],
    [['$1,234.50', '(12.00)', '5.00'], 'money'],
    [['1.234,50 €', '12,00 €'], 'money'],
    [['12.50', '3.10'], 'money'],
    [['1', '2,345', '-7'], 'integer'],
    [['45000', '45001'], 'integer'],
    [['USD', 'eur', '€'], 'currency'],
    [['0.12345', '1.5'], 'decimal'],
    [['ACME', '12'], 'text'],
    [['INV-001', 'INV-002'], 'text'],
    [['', '  '], 'text'],
  ] as const)('suggests %j as %s', (samples, type) => {
    expect(suggestFieldType([...samples])).toBe(type);
  });
  it('ignores blank samples', () => {
    expect(suggestFieldType(['', '12', ' '])).toBe('integer');
  });
});
