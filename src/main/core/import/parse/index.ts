/**
 * Typed cell parsers shared by every import path (CSV, XLSX, JSON, API pulls).
 * Each turns raw text into a canonical value or throws TieoutError('parse'); none uses floats.
 */
import type { LocalDate } from '../../../../shared/date.js';
import type { FieldType } from '../../../../shared/mapping.js';
import { tryParseCurrencyCode, parseCurrencyCode } from './currency.js';
import { type DateOrder, parseDate, sniffDateOrder, tryParseDate } from './date.js';
import type { DecimalMark } from './digits.js';
import { type CreditSign, type MoneyParseOptions, type ParsedMoney, parseMoney, sniffCurrency, sniffDecimalSeparator, tryParseMoney } from './money.js';
import { parseDecimal, parseInteger, tryParseDecimal, tryParseInteger } from './number.js';
import { Rejection } from './rejection.js';
import { parseText } from './text.js';

export type { FieldType } from '../../../../shared/mapping.js';
export type { DecimalMark } from './digits.js';
export { parseCurrencyCode } from './currency.js';
export {
  type DateOrder,
  type DateParseOptions,
  type DateTextStyle,
  DATE_TEXT_STYLES,
  formatDateText,
  parseDate,
  sniffDateOrder,
} from './date.js';
export {
  type CreditSign,
  type MoneyParseOptions,
  type MoneyTextStyle,
  type ParsedMoney,
  MONEY_TEXT_STYLES,
  formatMoneyText,
  parseMoney,
  sniffCurrency,
  sniffDecimalSeparator,
} from './money.js';
export { type NumberParseOptions, parseDecimal, parseInteger } from './number.js';
export { parseText } from './text.js';
export { Rejection } from './rejection.js';

/** How one column is read; settled once per column (template or sniffColumn), never per row. */
export interface ColumnParseOptions {
  decimal?: DecimalMark;
  dateOrder?: DateOrder;
  currency?: string | null;
  credit?: CreditSign;
}

/** The word a parse error starts with for each type ("Amount has 3 decimal places..."). */
const SUBJECT: Record<FieldType, string> = {
  text: 'Text',
  money: 'Amount',
  integer: 'Whole number',
  decimal: 'Number',
  date: 'Date',
  currency: 'Currency',
};

/**
 * The reason a cell of this type was refused, worded as parseField's error message, so a
 * rejected row reads the same whichever path found it.
 */
export function rejectionMessage(type: FieldType, r: Rejection): string {
  return `${SUBJECT[type]} ${r.reason}`;
}

/**
 * A non-throwing reader for one column, settled once from its options: the import's hot
 * loop calls it per cell and gets a Rejection back instead of an exception. Money takes
 * the row's currency, which changes per row.
 */
export function columnReader(type: FieldType, opts: ColumnParseOptions): (raw: string, rowCurrency: string | null) => FieldValue | Rejection {
  switch (type) {
    case 'text':
      return (raw) => parseText(raw);
    case 'money': {
      // One options object per column, updated in place: parsing is synchronous.
      const moneyOpts: MoneyParseOptions & { currency: string | null } = { currency: null };
      if (opts.decimal !== undefined) moneyOpts.decimal = opts.decimal;
      if (opts.credit !== undefined) moneyOpts.credit = opts.credit;
      const columnCurrency = opts.currency ?? null;
      return (raw, rowCurrency) => {
        moneyOpts.currency = rowCurrency ?? columnCurrency;
        return tryParseMoney(raw, moneyOpts);
      };
    }
    case 'integer': {
      const o = opts.decimal !== undefined ? { decimal: opts.decimal } : {};
      return (raw) => tryParseInteger(raw, o);
    }
    case 'decimal': {
      const o = opts.decimal !== undefined ? { decimal: opts.decimal } : {};
      return (raw) => tryParseDecimal(raw, o);
    }
    case 'date': {
      const o = { order: opts.dateOrder };
      return (raw) => tryParseDate(raw, o);
    }
    case 'currency':
      return (raw) => tryParseCurrencyCode(raw);
  }
}

/** The canonical value of each field type. */
export interface FieldValueMap {
  text: string;
  money: ParsedMoney;
  integer: number;
  decimal: string;
  date: LocalDate;
  currency: string;
}
export type FieldValue = FieldValueMap[FieldType];

/**
 * One cell as its field type. Blank is an error for every type but text (which gives ''),
 * so decide about optional fields before calling.
 */
export function parseField<T extends FieldType>(type: T, raw: string, opts: ColumnParseOptions): FieldValueMap[T];
export function parseField(type: FieldType, raw: string, opts: ColumnParseOptions): FieldValue {
  switch (type) {
    case 'text':
      return parseText(raw);
    case 'money':
      return parseMoney(raw, opts);
    case 'integer':
      return parseInteger(raw, opts);
    case 'decimal':
      return parseDecimal(raw, opts);
    case 'date':
      return parseDate(raw, { order: opts.dateOrder });
    case 'currency':
      return parseCurrencyCode(raw);
  }
}

/**
 * Column options from the column's values: decimal mark for numbers, day/month order for
 * dates (left out when the values cannot settle it), and for money the one currency the
 * values name, if any.
 */
export function sniffColumn(type: FieldType, samples: readonly string[]): ColumnParseOptions {
  switch (type) {
    case 'money': {
      const opts: ColumnParseOptions = { decimal: sniffDecimalSeparator(samples) };
      const currency = sniffCurrency(samples);
      if (currency !== null) opts.currency = currency;
      return opts;
    }
    case 'integer':
    case 'decimal':
      return { decimal: sniffDecimalSeparator(samples) };
    case 'date': {
      const order = sniffDateOrder(samples);
      return order === null ? {} : { dateOrder: order };
    }
    case 'text':
    case 'currency':
      return {};
  }
}

/** Plain numbers ("12.50", "45000") parse as Excel serials but are far likelier amounts or counts. */
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;

function every(values: readonly string[], ok: (v: string) => boolean): boolean {
  for (const v of values) if (!ok(v)) return false;
  return true;
}

/** 20260305 is a date and not a count when every value is a real YYYYMMDD in 1900-2099. */
function isCompactDate(v: string): boolean {
  if (v.length !== 8 || (!v.startsWith('19') && !v.startsWith('20'))) return false;
  return !(tryParseDate(v) instanceof Rejection);
}

/**
 * A field type suggested from sample values (blanks ignored): currency codes → currency;
 * whole numbers → integer (YYYYMMDD values → date); dates → date; amounts → money; other
 * exact numbers (such as 4-place rates) → decimal; anything else → text. Plain numbers
 * are never suggested as Excel serial dates.
 */
export function suggestFieldType(samples: readonly string[]): FieldType {
  const values: string[] = [];
  for (const s of samples) {
    const t = s.trim();
    if (t !== '') values.push(t);
  }
  if (values.length === 0) return 'text';
  if (every(values, (v) => !(tryParseCurrencyCode(v) instanceof Rejection))) return 'currency';
  const decimal = sniffDecimalSeparator(values);
  if (every(values, (v) => !(tryParseInteger(v, { decimal }) instanceof Rejection))) {
    return every(values, isCompactDate) ? 'date' : 'integer';
  }
  // Both orders are tried when the column cannot settle it: the values are dates either way.
  const order = sniffDateOrder(values) ?? undefined;
  const isDate = (v: string): boolean =>
    !PLAIN_NUMBER.test(v) &&
    (!(tryParseDate(v, { order: order ?? 'mdy' }) instanceof Rejection) ||
      (order === undefined && !(tryParseDate(v, { order: 'dmy' }) instanceof Rejection)));
  if (every(values, isDate)) return 'date';
  if (every(values, (v) => !(tryParseMoney(v, { decimal, currency: null }) instanceof Rejection))) return 'money';
  if (every(values, (v) => !(tryParseDecimal(v, { decimal }) instanceof Rejection))) return 'decimal';
  return 'text';
}
