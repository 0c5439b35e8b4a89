import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../../shared/error.js';
import { DATE_TEXT_STYLES, type DateOrder, type DateTextStyle, formatDateText, parseDate, sniffDateOrder } from './date.js';

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

describe('parseDate: numeric forms', () => {
  it('parses ISO 2026-03-05', () => {
    expect(parseDate('2026-03-05', {})).toBe('2026-03-05');
  });
  it('parses 2026/03/05 and 2026.3.5 year first', () => {
    expect(parseDate('2026/03/05', {})).toBe('2026-03-05');
    expect(parseDate('2026.3.5', {})).toBe('2026-03-05');
  });
  it('parses 03/05/2026 as March 5 in an mdy column', () => {
    expect(parseDate('03/05/2026', { order: 'mdy' })).toBe('2026-03-05');
  });
  it('parses 05/03/2026 as March 5 in a dmy column', () => {
    expect(parseDate('05/03/2026', { order: 'dmy' })).toBe('2026-03-05');
    expect(parseDate('05-03-2026', { order: 'dmy' })).toBe('2026-03-05');
  });
  it('rejects 03/05/2026 with no order as ambiguous', () => {
    expect(parseErrorOf(() => parseDate('03/05/2026', {})).message).toMatch(/day\/month order/);
  });
  it('parses unambiguous 25/03/2026 and 03/25/2026 without an order', () => {
    expect(parseDate('25/03/2026', {})).toBe('2026-03-25');
    expect(parseDate('03/25/2026', {})).toBe('2026-03-25');
  });
  it('parses 05/05/2026 without an order, since both readings agree', () => {
    expect(parseDate('05/05/2026', {})).toBe('2026-05-05');
  });
  it('rejects 25/03/2026 in an mdy column instead of swapping', () => {
    expect(parseErrorOf(() => parseDate('25/03/2026', { order: 'mdy' })).message).toMatch(/month 25.*month\/day\/year/);
  });
  it('parses 05.03.2026 as day.month.year whatever the order', () => {
    expect(parseDate('05.03.2026', {})).toBe('2026-03-05');
    expect(parseDate('05.03.2026', { order: 'mdy' })).toBe('2026-03-05');
  });
  it('parses compact 20260305', () => {
    expect(parseDate('20260305', {})).toBe('2026-03-05');
  });
  it('pivots two-digit years: 00-69 to 20xx, 70-99 to 19xx', () => {
    expect(parseDate('3/5/26', { order: 'mdy' })).toBe('2026-03-05');
    expect(parseDate('3/5/69', { order: 'mdy' })).toBe('2069-03-05');
    expect(parseDate('3/5/70', { order: 'mdy' })).toBe('1970-03-05');
    expect(parseDate('05.03.99', {})).toBe('1999-03-05');
  });
});

describe('parseDate: month names', () => {
  it.each([
    ['5 Mar 2026', '2026-03-05'],
    ['5 March 2026', '2026-03-05'],
    ['March 5, 2026', '2026-03-05'],
    ['Mar 5 2026', '2026-03-05'],
    ['Sept. 30, 2026', '2026-09-30'],
    ['05-Mar-26', '2026-03-05'],
    ['05-MAR-2026', '2026-03-05'],
    ['05MAR2026', '2026-03-05'],
    ['1st March 2026', '2026-03-01'],
    ['2026-Mar-05', '2026-03-05'],
    ['Thursday, March 5, 2026', '2026-03-05'],
    ['Thu, 05 Mar 2026 14:00:00 GMT', '2026-03-05'],
    ['Thu Mar 05 2026 14:00:00 GMT-0500 (Eastern Standard Time)', '2026-03-05'],
  ])('parses %j', (raw, date) => {
    expect(parseDate(raw, {})).toBe(date);
  });
  it('rejects a month without a day such as Mar 2026', () => {
    expect(parseErrorOf(() => parseDate('Mar 2026', {})).message).toMatch(/no day/);
    parseErrorOf(() => parseDate('2026-03', {}));
    parseErrorOf(() => parseDate('03/2026', {}));
  });
  it('rejects a weekday that contradicts the date', () => {
    expect(parseErrorOf(() => parseDate('Fri, 05 Mar 2026', {})).message).toMatch(/Thursday/);
  });
  it('rejects unknown month names', () => {
    parseErrorOf(() => parseDate('5 Foo 2026', {}));
  });
});

describe('parseDate: Excel serials', () => {
  it('maps serial 45000 to 2023-03-15', () => {
    expect(parseDate('45000', {})).toBe('2023-03-15');
  });
  it('drops the time of a fractional serial', () => {
    expect(parseDate('45000.75', {})).toBe('2023-03-15');
  });
  it('maps serials 1, 59 and 61 around the fake leap day', () => {
    expect(parseDate('1', {})).toBe('1900-01-01');
    expect(parseDate('59', {})).toBe('1900-02-28');
    expect(parseDate('61', {})).toBe('1900-03-01');
  });
  it("rejects serial 60, Excel's nonexistent 1900-02-29", () => {
    expect(parseErrorOf(() => parseDate('60', {})).message).toMatch(/1900-02-29/);
  });
  it('rejects serial 0 and six-digit numbers rather than guess', () => {
    parseErrorOf(() => parseDate('0', {}));
    parseErrorOf(() => parseDate('260305', {}));
  });
});

describe('parseDate: date-times', () => {
  it('keeps the calendar date as written, whatever the offset', () => {
    expect(parseDate('2026-03-05T23:30:00-05:00', {})).toBe('2026-03-05');
    expect(parseDate('2026-03-05T00:30:00+14:00', {})).toBe('2026-03-05');
    expect(parseDate('2026-03-05T23:30:00.123Z', {})).toBe('2026-03-05');
    expect(parseDate('2026-03-05 14:00 UTC+01:00', {})).toBe('2026-03-05');
    expect(parseDate('2026-03-05 14:00 +0100', {})).toBe('2026-03-05');
  });
  it('parses a space-separated time such as 2026-03-05 14:00', () => {
    expect(parseDate('2026-03-05 14:00', {})).toBe('2026-03-05');
    expect(parseDate('3/5/2026 2:05:00 PM', { order: 'mdy' })).toBe('2026-03-05');
  });
  it('rejects impossible times and trailing junk', () => {
    parseErrorOf(() => parseDate('2026-03-05 25:00', {}));
    parseErrorOf(() => parseDate('2026-03-05 13:00 PM', {}));
    parseErrorOf(() => parseDate('2026-03-05Tnoon', {}));
    parseErrorOf(() => parseDate('2026-03-05x', {}));
  });
});

describe('parseDate: invalid input', () => {
  it('rejects 2026-02-30, a day that does not exist', () => {
    expect(parseErrorOf(() => parseDate('2026-02-30', {})).message).toMatch(/February 2026 has no day 30/);
  });
  it('accepts 29 February only in leap years', () => {
    expect(parseDate('2024-02-29', {})).toBe('2024-02-29');
    expect(parseDate('2000-02-29', {})).toBe('2000-02-29');
    parseErrorOf(() => parseDate('1900-02-29', {}));
    parseErrorOf(() => parseDate('20250229', {}));
  });
  it('rejects month 13 and day 0', () => {
    parseErrorOf(() => parseDate('2026-13-01', {}));
    parseErrorOf(() => parseDate('2026-01-00', {}));
  });
  it('rejects a blank value with a clear message', () => {
    expect(parseErrorOf(() => parseDate('  ', {})).message).toBe('Date is blank');
  });
  it('rejects text too long to be a date without scanning it with regexes', () => {
    expect(parseErrorOf(() => parseDate('5 Mar 2026 12:00' + ' '.repeat(50_000) + 'x', {})).message).toMatch(/too long/);
    expect(parseErrorOf(() => parseDate('2026-03-05 12:00' + ' '.repeat(50_000) + 'x', {})).message).toMatch(/too long/);
  });
  it('trims surrounding whitespace', () => {
    expect(parseDate(' 2026-03-05\u00a0', {})).toBe('2026-03-05');
  });
});

describe('sniffDateOrder', () => {
  it('settles dmy from any first part above 12', () => {
    expect(sniffDateOrder(['03/05/2026', '25/03/2026'])).toBe('dmy');
  });
  it('settles mdy from any second part above 12', () => {
    expect(sniffDateOrder(['03/05/2026', '03/25/2026'])).toBe('mdy');
  });
  it('gives null when values conflict', () => {
    expect(sniffDateOrder(['25/03/2026', '03/25/2026'])).toBeNull();
  });
  it('gives null when nothing settles it', () => {
    expect(sniffDateOrder(['03/05/2026', '04/06/2026'])).toBeNull();
    expect(sniffDateOrder(['2026-03-25', '25.03.2026', '5 Mar 2026'])).toBeNull();
  });
});

const NEEDS_ORDER: Partial<Record<DateTextStyle, DateOrder>> = {
  mdy: 'mdy',
  'mdy-short': 'mdy',
  'us-datetime': 'mdy',
  dmy: 'dmy',
  'dmy-dash': 'dmy',
};

function rangeFor(style: DateTextStyle): [string, string] {
  if (style === 'mdy-short' || style === 'dd-mon-yy') return ['1970-01-01', '2069-12-31'];
  if (style === 'excel-serial') return ['1900-01-01', '2173-10-13'];
  return ['0001-01-01', '9999-12-31'];
}

const styledDate = fc.constantFrom(...DATE_TEXT_STYLES).chain((style) => {
  const [min, max] = rangeFor(style);
  return fc
    .date({ min: new Date(`${min}T00:00:00Z`), max: new Date(`${max}T00:00:00Z`), noInvalidDate: true })
    .map((d) => [style, d.toISOString().slice(0, 10)] as const);
});

describe('date text round trip (property)', () => {
  it('parses every formatted style back to the same date', () => {
    fc.assert(
      fc.property(styledDate, ([style, date]) => {
        const order = NEEDS_ORDER[style];
        expect(parseDate(formatDateText(date, style), order ? { order } : {})).toBe(date);
      }),
      { numRuns: 3000 },
    );
  });

  it('sniffs the order of an mdy or dmy column whenever a day above 12 appears', () => {
    fc.assert(
      fc.property(fc.array(fc.date({ min: new Date('1990-01-01'), max: new Date('2060-01-01'), noInvalidDate: true }), { minLength: 1, maxLength: 30 }), fc.constantFrom<DateOrder>('mdy', 'dmy'), (dates, order) => {
        const isos = dates.map((d) => d.toISOString().slice(0, 10));
        const column = isos.map((d) => formatDateText(d, order));
        const settles = isos.some((d) => Number(d.slice(8, 10)) > 12);
        expect(sniffDateOrder(column)).toBe(settles ? order : null);
      }),
    );
  });
});
