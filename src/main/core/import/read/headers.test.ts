import { describe, expect, it } from 'vitest';
import { candidateFromTexts, dedupeHeaders, detectHeaderIndex, looksLikeValue } from './headers.js';

const rows = (...r: string[][]) => r.map(candidateFromTexts);

describe('dedupeHeaders', () => {
  it('trims, names blanks by position and numbers repeats case-insensitively', () => {
    expect(dedupeHeaders([' IO ', '', 'Amount', 'AMOUNT', 'Amount'])).toEqual(['IO', 'Column 2', 'Amount', 'AMOUNT (2)', 'Amount (3)']);
  });

  it('never generates a name that a later real header already has', () => {
    expect(dedupeHeaders(['Amount', 'Amount', 'Amount (2)'])).toEqual(['Amount', 'Amount (3)', 'Amount (2)']);
  });

  it('collapses inner whitespace and newlines in header names', () => {
    expect(dedupeHeaders(['Net\nAmount', 'Flight   Start'])).toEqual(['Net Amount', 'Flight Start']);
  });
});

describe('detectHeaderIndex', () => {
  it('skips title rows to the first wide, mostly-text row', () => {
    const sample = rows(['Q1 Media Buys'], ['Exported 2024-04-02'], [], ['IO', 'Vendor', 'Amount', 'Date'], ['IO-1', 'Meta', '$1,234.50', '2024-03-01']);
    expect(detectHeaderIndex(sample)).toBe(3);
  });

  it('passes over a parameter row that is too narrow', () => {
    const sample = rows(['Period:', 'March 2024'], ['IO', 'Vendor', 'Amount', 'Date', 'Notes'], ['IO-1', 'Meta', '1', '2024-03-01', 'x']);
    expect(detectHeaderIndex(sample)).toBe(1);
  });

  it('does not take a row of numbers and dates for the header', () => {
    const sample = rows(['Totals'], ['1,234.50', '2024-03-01', '(120.00)'], ['Amount', 'Date', 'Adjustment'], ['1', '2024-03-02', '3']);
    expect(detectHeaderIndex(sample)).toBe(2);
  });

  it("with 'mode' width, one ragged wide row does not outweigh the header", () => {
    const sample = rows(['IO', 'Vendor', 'Amount'], ['IO-1', 'Meta', '1'], ['IO-2', 'Google', '2', 'late fee', 'see email'], ['IO-3', 'TTD', '3']);
    expect(detectHeaderIndex(sample, 'mode')).toBe(0);
    expect(detectHeaderIndex(sample, 'max')).toBe(2);
  });

  it('falls back to the first non-blank row', () => {
    expect(detectHeaderIndex(rows([], ['only'], ['one column']))).toBe(1);
  });
});

describe('looksLikeValue', () => {
  it.each(['$1,234.50', '(120.00)', '-5', '12%', '2024-03-01', '01.03.2024', '3/1/2024 10:00', '1.234,50'])('treats %s as a value', (s) => {
    expect(looksLikeValue(s)).toBe(true);
  });

  it.each(['Amount', 'IO-24017', 'Q1 2024', 'Net (USD)', ''])('treats %j as text', (s) => {
    expect(looksLikeValue(s)).toBe(false);
  });
});
