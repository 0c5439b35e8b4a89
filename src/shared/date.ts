/**
 * The one date type: a calendar date as ISO text `YYYY-MM-DD` (no time zone),
 * and its integer day number since 1970-01-01 for arithmetic such as date windows.
 * Instants (event times) are ISO 8601 UTC strings produced by the clock at the edge.
 */
export type LocalDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLocalDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

/** Date.UTC maps years 0-99 to 1900-1999, so every conversion goes through this. */
function utcMs(year: number, monthIndex: number, day: number): number {
  const d = new Date(Date.UTC(2000, monthIndex, day));
  d.setUTCFullYear(year, monthIndex, day);
  return d.getTime();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month, 0)).getUTCDate();
}

export function localDate(year: number, month: number, day: number): LocalDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function toDayNumber(d: LocalDate): number {
  const m = ISO_DATE.exec(d);
  if (!m) throw new RangeError(`not a LocalDate: ${d}`);
  return Math.round(utcMs(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000);
}

export function fromDayNumber(n: number): LocalDate {
  const dt = new Date(n * 86_400_000);
  return localDate(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

export function addDays(d: LocalDate, days: number): LocalDate {
  return fromDayNumber(toDayNumber(d) + days);
}
