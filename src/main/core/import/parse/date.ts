import { type LocalDate, isLocalDate, localDate } from '../../../../shared/date.js';
import { TieoutError } from '../../../../shared/error.js';
import { isDigit } from './chars.js';
import { Rejection, parseError, quote } from './rejection.js';

export type DateOrder = 'mdy' | 'dmy';

export interface DateParseOptions {
  /** The column's day/month order for "03/05/2026"; settle it with sniffDateOrder, never per row. */
  order?: DateOrder;
}

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Maps, not object literals, so text such as "constructor" finds nothing.
const MONTHS: ReadonlyMap<string, number> = new Map(
  MONTH_NAMES.flatMap((name, i) => [
    [name.toLowerCase(), i + 1],
    [name.slice(0, 3).toLowerCase(), i + 1],
  ]).concat([['sept', 9]]) as [string, number][],
);
const WEEKDAYS: ReadonlyMap<string, number> = new Map(
  WEEKDAY_NAMES.flatMap((name, i) => [
    [name.toLowerCase(), i],
    [name.slice(0, 3).toLowerCase(), i],
  ]).concat([['tues', 2], ['thur', 4], ['thurs', 4]]) as [string, number][],
);

// Compiled once; none uses the g flag, so exec carries no state between calls.
const NUMERIC = /^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})/;
const DAY_MON_YEAR = /^(?:([a-z]{2,9})\.?,?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*([a-z]{3,9})\.?,?[\s\-/.]*(\d{4}|\d{2})(?!\d)/i;
// The day and year need a separator between them, or "Mar 2026" would read as Mar 20, '26.
const MON_DAY_YEAR = /^(?:([a-z]{2,9})\.?,?\s+)?([a-z]{3,9})\.?[\s\-/]*(\d{1,2})(?:st|nd|rd|th)?(?:,\s*|[\s\-/.]+)(\d{4}|\d{2})(?!\d)/i;
const YEAR_MON_DAY = /^(\d{4})[\s\-/.]*([a-z]{3,9})\.?[\s\-/.]*(\d{1,2})(?!\d)/i;
const NO_DAY = /^(?:[a-z]{3,9}\.?[\s\-/.,]*(?:\d{4}|\d{2})|\d{4}[-/.]\d{1,2}|\d{1,2}[-/.]\d{4})$/i;
const SERIAL = /^(\d{1,5})(?:\.\d+)?$/;
// A time after the date, dropped: the date is kept as written, whatever the offset.
// No two \s* may touch (e.g. "\s*(?:GMT)?\s*"): that backtracks quadratically on long blank runs.
const TIME_TAIL =
  /(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?:\s*([AaPp])\.?[Mm]\.?)?(?:\s*(?:[Zz]|(?:GMT|UTC)(?:\s*[+-](\d{2})(?::?(\d{2}))?)?|[+-](\d{2})(?::?(\d{2}))?))?(?:\s*\([^()]*\))?\s*$/y;
/** Longer than any real date text ("Thursday, September 30, 2026 12:00:00 PM GMT+05:30 (India Standard Time)"). */
const MAX_DATE_LENGTH = 120;

/** Excel's 1900 date system: serial 25569 is 1970-01-01, serial 60 is the fake 1900-02-29. */
const EXCEL_EPOCH_OFFSET = 25569;
const EXCEL_FAKE_LEAP_DAY = 60;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function monthLength(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01, proleptic Gregorian; exact for every year, unlike Date.UTC for years below 100. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): LocalDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return localDate(yoe + era * 400 + (m <= 2 ? 1 : 0), m, d);
}

function weekday(y: number, m: number, d: number): number {
  return (((daysFromCivil(y, m, d) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Two-digit years pivot: 00-69 are 2000-2069, 70-99 are 1970-1999. */
function fullYear(text: string): number {
  const y = Number(text);
  return text.length === 2 ? (y < 70 ? 2000 + y : 1900 + y) : y;
}

function digitsAt(s: string, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

function allDigits(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** `how` says how the parts were read, so an error for "25/03/2026" in an mdy column explains itself. */
function checkDate(y: number, m: number, d: number, how = ''): Rejection | null {
  if (y < 1 || y > 9999) return new Rejection(`has year ${y}, outside 0001-9999${how}`);
  if (m < 1 || m > 12) return new Rejection(`has month ${m}, which does not exist${how}`);
  const n = monthLength(y, m);
  if (d < 1 || d > n) return new Rejection(`does not exist: ${MONTH_NAMES[m - 1]} ${y} has no day ${d}${how}`);
  return null;
}

function build(y: number, m: number, d: number, how = ''): LocalDate | Rejection {
  return checkDate(y, m, d, how) ?? localDate(y, m, d);
}

/** Accepts the end of the string or a time of day (with optional AM/PM and zone) from `pos`. */
function checkTail(s: string, pos: number): Rejection | null {
  if (pos >= s.length) return null;
  TIME_TAIL.lastIndex = pos;
  const t = TIME_TAIL.exec(s);
  if (t === null) {
    if (s.trim().length <= pos) return null;
    return new Rejection(`has unexpected ${quote(s.slice(pos).trim())} after the date`);
  }
  const h = Number(t[1]);
  const ampm = t[4] !== undefined;
  if ((ampm ? h < 1 || h > 12 : h > 23) || Number(t[2]) > 59 || (t[3] !== undefined && Number(t[3]) > 60)) {
    return new Rejection('has a time of day that does not exist');
  }
  const offH = t[5] ?? t[7];
  const offM = t[6] ?? t[8];
  if ((offH !== undefined && Number(offH) > 23) || (offM !== undefined && Number(offM) > 59)) {
    return new Rejection('has an invalid time zone offset');
  }
  return null;
}

function fromSerial(s: string, wholeDigits: string): LocalDate | Rejection {
  const serial = Number(wholeDigits);
  if (serial < 1) return new Rejection(`${quote(s)} is not a date (Excel serial 0 is not a day)`);
  if (serial === EXCEL_FAKE_LEAP_DAY) return new Rejection('is Excel serial 60, the 1900-02-29 that never existed');
  // Below 60 Excel is one day ahead of the real calendar because of that fake leap day.
  return civilFromDays(serial - EXCEL_EPOCH_OFFSET + (serial < EXCEL_FAKE_LEAP_DAY ? 1 : 0));
}

function fromNumeric(m: RegExpExecArray, order: DateOrder | undefined): LocalDate | Rejection {
  const [, a = '', sep = '', b = '', c = ''] = m;
  if (a.length === 4) {
    if (c.length > 2) return new Rejection(`${quote(m[0])} is not a date`);
    return build(Number(a), Number(b), Number(c));
  }
  if (a.length > 2 || (c.length !== 2 && c.length !== 4)) return new Rejection(`${quote(m[0])} is not a date`);
  const x = Number(a);
  const z = Number(b);
  const y = fullYear(c);
  if (sep === '.') return build(y, z, x, ' (read as day.month.year)');
  let o = order;
  let how = o === 'mdy' ? ' (read as month/day/year)' : o === 'dmy' ? ' (read as day/month/year)' : '';
  if (o === undefined) {
    if (x > 12 && z <= 12) o = 'dmy';
    else if (z > 12 && x <= 12) o = 'mdy';
    else if (x !== z && x >= 1 && z >= 1 && x <= 12 && z <= 12) {
      return new Rejection(
        `is ambiguous: it could be day${sep}month or month${sep}day; set the column's day/month order`,
      );
    } else {
      o = 'mdy'; // same date either way, or invalid either way
      how = '';
    }
  }
  return o === 'mdy' ? build(y, x, z, how) : build(y, z, x, how);
}

function checkWeekday(name: string | undefined, y: number, m: number, d: number): Rejection | null {
  if (name === undefined) return null;
  const w = WEEKDAYS.get(name.toLowerCase());
  if (w === undefined) return new Rejection(`has unexpected text ${quote(name)}`);
  const actual = weekday(y, m, d);
  if (w !== actual) return new Rejection(`says ${WEEKDAY_NAMES[w]} but that date is a ${WEEKDAY_NAMES[actual]}`);
  return null;
}

function fromNamed(weekdayName: string | undefined, y: number, monthName: string, d: number): LocalDate | Rejection {
  const m = MONTHS.get(monthName.toLowerCase());
  if (m === undefined) return new Rejection(`has unknown month ${quote(monthName)}`);
  return checkDate(y, m, d) ?? checkWeekday(weekdayName, y, m, d) ?? localDate(y, m, d);
}

function tailThen(s: string, m: RegExpExecArray, r: LocalDate | Rejection): LocalDate | Rejection {
  if (r instanceof Rejection) return r;
  return checkTail(s, m[0].length) ?? r;
}

export function tryParseDate(raw: string, opts: DateParseOptions = {}): LocalDate | Rejection {
  // Fast path for ISO dates and date-times, the bulk of machine exports: no regex, no allocation.
  if (
    raw.length >= 10 &&
    raw.charCodeAt(4) === 45 &&
    raw.charCodeAt(7) === 45 &&
    allDigits(raw, 0, 4) &&
    allDigits(raw, 5, 7) &&
    allDigits(raw, 8, 10)
  ) {
    const bad = checkDate(digitsAt(raw, 0, 4), digitsAt(raw, 5, 7), digitsAt(raw, 8, 10));
    if (bad) return bad;
    if (raw.length === 10) return raw;
    if (raw.length > MAX_DATE_LENGTH && raw.trim().length > MAX_DATE_LENGTH) return new Rejection('is too long to be a date');
    return checkTail(raw, 10) ?? raw.slice(0, 10);
  }

  const s = raw.trim();
  if (s === '') return new Rejection('is blank');
  if (s.length > MAX_DATE_LENGTH) return new Rejection('is too long to be a date');
  const first = s.charCodeAt(0);
  if (isDigit(first)) {
    if (s.length === 8 && allDigits(s, 0, 8)) {
      return build(digitsAt(s, 0, 4), digitsAt(s, 4, 6), digitsAt(s, 6, 8), ' (read as YYYYMMDD)');
    }
    const serial = SERIAL.exec(s);
    if (serial) return fromSerial(s, serial[1] ?? '');
    const n = NUMERIC.exec(s);
    if (n) return tailThen(s, n, fromNumeric(n, opts.order));
    const ymd = YEAR_MON_DAY.exec(s);
    if (ymd) return tailThen(s, ymd, fromNamed(undefined, Number(ymd[1]), ymd[2] ?? '', Number(ymd[3])));
  }
  const dmy = DAY_MON_YEAR.exec(s);
  if (dmy) return tailThen(s, dmy, fromNamed(dmy[1], fullYear(dmy[4] ?? ''), dmy[3] ?? '', Number(dmy[2])));
  const mdy = MON_DAY_YEAR.exec(s);
  if (mdy) return tailThen(s, mdy, fromNamed(mdy[1], fullYear(mdy[4] ?? ''), mdy[2] ?? '', Number(mdy[3])));
  if (NO_DAY.test(s)) return new Rejection('has no day; a full date is required');
  return new Rejection(`${quote(s)} is not a date`);
}

/**
 * A calendar date from the forms imports meet: ISO (with or without a time and offset; the
 * date as written is kept, never shifted to UTC), YYYY/MM/DD, DD.MM.YYYY, MM/DD/YYYY or
 * DD/MM/YYYY by `order`, YYYYMMDD, month names, two-digit years (00-69 → 20xx), and Excel
 * serials (1900 system, 1-99999, time fraction dropped).
 */
export function parseDate(raw: string, opts: DateParseOptions = {}): LocalDate {
  const r = tryParseDate(raw, opts);
  if (r instanceof Rejection) throw parseError('Date', raw, r);
  return r;
}

/**
 * Day/month order for a whole column of slash or dash dates: a first part above 12 means
 * dmy, a second part above 12 means mdy. Null when no value settles it, or when values
 * disagree; both mean the user has to choose.
 */
export function sniffDateOrder(samples: readonly string[]): DateOrder | null {
  let dmy = false;
  let mdy = false;
  for (const raw of samples) {
    const m = NUMERIC.exec(raw.trim());
    if (!m || m[2] === '.' || (m[1] ?? '').length > 2) continue;
    const a = Number(m[1]);
    const b = Number(m[3]);
    if (a > 12 && b <= 12) dmy = true;
    else if (b > 12 && a <= 12) mdy = true;
  }
  return dmy === mdy ? null : dmy ? 'dmy' : 'mdy';
}

export type DateTextStyle =
  | 'iso' // 2026-03-05
  | 'iso-slash' // 2026/03/05
  | 'mdy' // 03/05/2026
  | 'mdy-short' // 3/5/26
  | 'dmy' // 05/03/2026
  | 'dmy-dash' // 05-03-2026
  | 'dmy-dot' // 05.03.2026
  | 'compact' // 20260305
  | 'd-mon-yyyy' // 5 Mar 2026
  | 'dd-mon-yy' // 05-Mar-26
  | 'month-d-yyyy' // March 5, 2026
  | 'rfc-1123' // Thu, 05 Mar 2026 14:00:00 GMT
  | 'iso-datetime-offset' // 2026-03-05T23:30:00-05:00
  | 'datetime-space' // 2026-03-05 14:00
  | 'us-datetime' // 3/5/2026 2:05:00 PM
  | 'excel-serial'; // 46086

export const DATE_TEXT_STYLES: readonly DateTextStyle[] = [
  'iso', 'iso-slash', 'mdy', 'mdy-short', 'dmy', 'dmy-dash', 'dmy-dot', 'compact', 'd-mon-yyyy',
  'dd-mon-yy', 'month-d-yyyy', 'rfc-1123', 'iso-datetime-offset', 'datetime-space', 'us-datetime',
  'excel-serial',
];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Date text in one of the styles imports meet, for tests and sample files. The mdy and dmy
 * styles parse back only with the matching `order`; two-digit-year styles need 1970-2069;
 * 'excel-serial' needs 1900-01-01 to 2173-10-13.
 */
export function formatDateText(date: LocalDate, style: DateTextStyle): string {
  if (!isLocalDate(date)) throw new TieoutError('bad_input', `not a LocalDate: ${date}`);
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const yyyy = date.slice(0, 4);
  const mon = (MONTH_NAMES[m - 1] ?? '').slice(0, 3);
  const yy = (): string => {
    if (y < 1970 || y > 2069) throw new TieoutError('bad_input', `${style} cannot show year ${y} unambiguously`);
    return two(y % 100);
  };
  switch (style) {
    case 'iso':
      return date;
    case 'iso-slash':
      return `${yyyy}/${two(m)}/${two(d)}`;
    case 'mdy':
      return `${two(m)}/${two(d)}/${yyyy}`;
    case 'mdy-short':
      return `${m}/${d}/${yy()}`;
    case 'dmy':
      return `${two(d)}/${two(m)}/${yyyy}`;
    case 'dmy-dash':
      return `${two(d)}-${two(m)}-${yyyy}`;
    case 'dmy-dot':
      return `${two(d)}.${two(m)}.${yyyy}`;
    case 'compact':
      return `${yyyy}${two(m)}${two(d)}`;
    case 'd-mon-yyyy':
      return `${d} ${mon} ${yyyy}`;
    case 'dd-mon-yy':
      return `${two(d)}-${mon}-${yy()}`;
    case 'month-d-yyyy':
      return `${MONTH_NAMES[m - 1]} ${d}, ${yyyy}`;
    case 'rfc-1123':
      return `${(WEEKDAY_NAMES[weekday(y, m, d)] ?? '').slice(0, 3)}, ${two(d)} ${mon} ${yyyy} 14:00:00 GMT`;
    case 'iso-datetime-offset':
      return `${date}T23:30:00-05:00`;
    case 'datetime-space':
      return `${date} 14:00`;
    case 'us-datetime':
      return `${m}/${d}/${yyyy} 2:05:00 PM`;
    case 'excel-serial': {
      const days = daysFromCivil(y, m, d);
      const serial = days + EXCEL_EPOCH_OFFSET - (y === 1900 && m <= 2 ? 1 : 0);
      if (serial < 1 || serial > 99999) throw new TieoutError('bad_input', `${date} has no Excel serial in range`);
      return String(serial);
    }
  }
}
