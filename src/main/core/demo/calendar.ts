import { addDays, daysInMonth, localDate, toDayNumber, type LocalDate } from '../../../shared/date.js';
import { utf8 } from './bytes.js';
import { MONTH_ABBREVIATIONS, type BillingDay } from './vocabulary.js';

/**
 * The demo calendar: flights run inside DEMO_YEAR; invoices may be dated into the first
 * months of the next year. Dates are handled as day offsets from January 1 of DEMO_YEAR
 * and turned into LocalDate text through a precomputed table (no Date objects per row).
 */
export const DEMO_YEAR = 2026;
export const YEAR_DAYS = toDayNumber(localDate(DEMO_YEAR + 1, 1, 1)) - toDayNumber(localDate(DEMO_YEAR, 1, 1));

/** The longest gap between a flight's end and its invoice date. */
export const MAX_INVOICE_LAG_DAYS = 45;

/** Offsets 0 .. CALENDAR_DAYS-1 cover DEMO_YEAR plus the following three months. */
const CALENDAR_MONTHS = 15;
const START: LocalDate = localDate(DEMO_YEAR, 1, 1);
export const CALENDAR_DAYS = toDayNumber(localDate(DEMO_YEAR + 1, 4, 1)) - toDayNumber(START);

const DATES: LocalDate[] = [];
const DATE_BYTES: Uint8Array[] = [];
const MONTH_LABEL_BYTES: Uint8Array[] = [];
for (let i = 0; i < CALENDAR_DAYS; i++) {
  const d = addDays(START, i);
  DATES.push(d);
  DATE_BYTES.push(utf8(d));
  MONTH_LABEL_BYTES.push(utf8(`${MONTH_ABBREVIATIONS[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`));
}

/** The LocalDate for a day offset, as ASCII bytes. */
export function dateBytes(offset: number): Uint8Array {
  const d = DATE_BYTES[offset];
  if (d === undefined) throw new RangeError(`day offset ${offset} is outside the demo calendar`);
  return d;
}

/** 'Mar 2026' for a day offset, as ASCII bytes. */
export function monthLabelBytes(offset: number): Uint8Array {
  const m = MONTH_LABEL_BYTES[offset];
  if (m === undefined) throw new RangeError(`day offset ${offset} is outside the demo calendar`);
  return m;
}

/** Month index 0-11 of a day offset. */
export function monthAt(offset: number): number {
  const d = DATES[offset];
  if (d === undefined) throw new RangeError(`day offset ${offset} is outside the demo calendar`);
  return Number(d.slice(5, 7)) - 1;
}

/**
 * A vendor's monthly billing dates, and for each possible flight end inside DEMO_YEAR the
 * billing dates that fall 0..MAX_INVOICE_LAG_DAYS after it (always one or two, since
 * billing dates are at most 31 days apart).
 */
export class BillingSchedule {
  /** Billing-date offsets in ascending order. */
  readonly dates: number[] = [];
  private readonly first: Int32Array;
  private readonly count: Uint8Array;

  constructor(billingDay: BillingDay) {
    for (let m = 0; m < CALENDAR_MONTHS; m++) {
      const year = DEMO_YEAR + Math.floor(m / 12);
      const month = (m % 12) + 1;
      const dim = daysInMonth(year, month);
      const day = billingDay === 0 ? dim : Math.min(billingDay, dim);
      this.dates.push(toDayNumber(localDate(year, month, day)) - toDayNumber(START));
    }
    this.first = new Int32Array(YEAR_DAYS);
    this.count = new Uint8Array(YEAR_DAYS);
    let j = 0;
    for (let end = 0; end < YEAR_DAYS; end++) {
      while ((this.dates[j] as number) < end) j++;
      this.first[end] = j;
      let k = j;
      while (k < this.dates.length && (this.dates[k] as number) <= end + MAX_INVOICE_LAG_DAYS) k++;
      if (k === j) throw new Error(`no billing date within ${MAX_INVOICE_LAG_DAYS} days of offset ${end}`);
      this.count[end] = k - j;
    }
  }

  /** Number of candidate billing dates for a flight ending at `end`. */
  candidates(end: number): number {
    return this.count[end] as number;
  }

  /** The i-th candidate billing date (offset) for a flight ending at `end`. */
  candidate(end: number, i: number): number {
    return this.dates[(this.first[end] as number) + i] as number;
  }
}
