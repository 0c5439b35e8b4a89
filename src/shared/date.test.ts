import { describe, expect, it } from 'vitest';
import { addDays, daysInMonth, fromDayNumber, isLocalDate, toDayNumber } from './date.js';

describe('LocalDate', () => {
  it('counts days from 1970-01-01 and back', () => {
    expect(toDayNumber('1970-01-01')).toBe(0);
    expect(toDayNumber('2026-03-01') - toDayNumber('2026-02-28')).toBe(1);
    expect(fromDayNumber(toDayNumber('2024-02-29'))).toBe('2024-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('keeps years below 100 as written instead of shifting them to the 1900s', () => {
    expect(toDayNumber('0005-03-05')).not.toBe(toDayNumber('1905-03-05'));
    expect(fromDayNumber(toDayNumber('0005-03-05'))).toBe('0005-03-05');
    expect(daysInMonth(4, 2)).toBe(29);
  });

  it('rejects impossible calendar dates', () => {
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2026-13-01')).toBe(false);
    expect(isLocalDate('2024-02-29')).toBe(true);
  });
});
