import { TieoutError } from '../../../shared/error.js';
import type { FieldType, MappingTemplate } from '../../../shared/mapping.js';
import { isSpace } from './parse/chars.js';
import { columnReader, Rejection, rejectionMessage, sniffColumn, type ColumnParseOptions, type ParsedMoney } from './parse/index.js';

export type CanonicalValue = string | number | null;

export interface ParsedRow {
  fields: Record<string, CanonicalValue>;
  amountMinor: number | null;
  currency: string | null;
  date: string | null;
  recordRef: string | null;
  naturalKey: string | null;
}

export interface RowRejection {
  column: string;
  value: string;
  reason: string;
}

interface CompiledField {
  /** Set when the column mixes day/month orders and the template does not settle it. */
  dateConflict: boolean;
  name: string;
  column: string;
  type: FieldType;
  index: number;
  required: boolean;
  opts: ColumnParseOptions;
  read: ReturnType<typeof columnReader>;
  /** This money field is the template's amount. */
  isAmount: boolean;
  /** This field is the row's currency column. */
  isCurrency: boolean;
  /** A money field split over a debit and a credit column: both, each with the sign it gives. */
  split: readonly SplitSide[] | null;
  /** A money field whose sign is in a debit/credit indicator column: that column, and the sign a credit gives. */
  indicator: { column: string; index: number; creditSign: 1 | -1 } | null;
}

interface SplitSide {
  column: string;
  index: number;
  sign: 1 | -1;
}

export interface RowParser {
  parse(cells: string[]): ParsedRow | RowRejection;
  /**
   * As parse, but the ParsedRow and its fields object are the parser's own, overwritten by
   * the next call: for a caller that serialises the row at once (prepareRow), which saves two
   * objects per row, and JSON.stringify walks one stable object.
   */
  parseTransient(cells: string[]): ParsedRow | RowRejection;
  columnOptions: Record<string, ColumnParseOptions>;
}

const KEY_SEPARATOR = '\u001f';
const DEBIT_MARK = /^\s*(d|dr|db|debit)\s*$/i;
const CREDIT_MARK = /^\s*(c|cr|credit)\s*$/i;

/** Text a debit/credit indicator column may hold (D, DR, DB, Debit, C, CR, Credit, any case). */
export function isDebitCreditMark(text: string): boolean {
  return DEBIT_MARK.test(text) || CREDIT_MARK.test(text);
}
const SLASH_DATE = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b/;

/** Blank or whitespace only, without trimming (no new string per cell). */
function isBlank(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) if (!isSpace(raw.charCodeAt(i))) return false;
  return true;
}

/** True when a column holds both day-first (25/03) and month-first (03/25) dates: no order fits all. */
function mixesDateOrders(values: string[]): boolean {
  let dayFirst = false;
  let monthFirst = false;
  for (const v of values) {
    const m = SLASH_DATE.exec(v);
    if (!m) continue;
    if (Number(m[1]) > 12) dayFirst = true;
    if (Number(m[2]) > 12) monthFirst = true;
  }
  return dayFirst && monthFirst;
}

/**
 * Compiles a mapping against a file's headers. Per-column options (decimal separator,
 * day/month order) come from the template or are settled once from the column's sample,
 * never guessed row by row.
 */
export function compileRowParser(template: MappingTemplate, headers: string[], sample: string[][]): RowParser {
  const currencyField = template.currency && 'field' in template.currency ? template.currency.field : null;
  const index = new Map(headers.map((h, i) => [h, i]));
  const columnOptions: Record<string, ColumnParseOptions> = {};
  const indexOf = (column: string): number => {
    const i = index.get(column);
    if (i === undefined) throw new TieoutError('schema_drift', `Column "${column}" is missing`, { column });
    return i;
  };
  const compiled: CompiledField[] = template.fields.map((f) => {
    const i = indexOf(f.column);
    // A credit takes the sign a CR marker has; the template's `credit` is 'negative' when absent.
    const creditSign = template.credit === 'positive' ? 1 : -1;
    const split: SplitSide[] | null =
      f.creditColumn === undefined
        ? null
        : [
            { column: f.column, index: i, sign: -creditSign as 1 | -1 },
            { column: f.creditColumn, index: indexOf(f.creditColumn), sign: creditSign },
          ];
    const values = (split ?? [{ index: i }]).flatMap((side) => sample.map((r) => r[side.index] ?? '')).filter((v) => v.trim() !== '');
    const sniffed = sniffColumn(f.type, values);
    const opts: ColumnParseOptions = { ...sniffed };
    if (template.decimal) opts.decimal = template.decimal;
    if (template.dateOrder) opts.dateOrder = template.dateOrder;
    if (template.credit && f.type === 'money') opts.credit = template.credit;
    columnOptions[f.column] = opts;
    if (f.creditColumn !== undefined) columnOptions[f.creditColumn] = opts;
    const dateConflict = f.type === 'date' && !template.dateOrder && mixesDateOrders(values);
    return {
      name: f.name,
      column: f.column,
      type: f.type,
      index: i,
      required: f.required,
      opts,
      dateConflict,
      read: columnReader(f.type, opts),
      isAmount: f.type === 'money' && f.name === template.amount,
      isCurrency: f.type !== 'money' && f.name === currencyField,
      split,
      indicator: f.indicatorColumn === undefined ? null : { column: f.indicatorColumn, index: indexOf(f.indicatorColumn), creditSign },
    };
  });

  /**
   * A split money field's cells as one signed amount, or null when both are blank. Each column
   * gives a size and its side the sign, so a bank that writes debits as "-50.00" and one that
   * writes "50.00" read the same.
   */
  function readSplit(f: CompiledField, split: readonly SplitSide[], cells: string[], rowCurrency: string | null): ParsedMoney | RowRejection | null {
    let minor = 0;
    let currency: string | null = null;
    let seen = false;
    for (let s = 0; s < split.length; s++) {
      const side = split[s]!;
      const raw = cells[side.index] ?? '';
      if (isBlank(raw)) continue;
      const v = f.read(raw, rowCurrency);
      if (v instanceof Rejection) return { column: side.column, value: raw, reason: rejectionMessage(f.type, v) };
      const m = v as ParsedMoney;
      if (currency !== null && m.currency !== null && m.currency !== currency) {
        return { column: side.column, value: raw, reason: `this side is written in ${m.currency} but "${split[0]!.column}" in ${currency}` };
      }
      currency ??= m.currency;
      minor += side.sign * Math.abs(m.minor);
      seen = true;
    }
    // `|| 0`: a netted zero times a negative sign is -0.
    return seen ? { minor: minor || 0, currency } : null;
  }

  const fixedCurrency = template.currency && 'code' in template.currency ? template.currency.code : null;
  // Currency fields parse first so a bare "$" in an amount takes the row's currency.
  const order = [...compiled].sort((a, b) => Number(b.type === 'currency') - Number(a.type === 'currency'));
  const keyFields = template.naturalKey;
  const recordRefField = template.fields.find((f) => f.role === 'record_id')?.name ?? null;

  function parseInto(cells: string[], fields: Record<string, CanonicalValue>, out: ParsedRow): ParsedRow | RowRejection {
    let rowCurrency: string | null = fixedCurrency;
    let amountMinor: number | null = null;
    let amountCurrency: string | null = null;
    for (let k = 0; k < order.length; k++) {
      const f = order[k]!;
      if (f.split !== null) {
        const m = readSplit(f, f.split, cells, rowCurrency);
        if (m === null) {
          if (f.required) return { column: f.column, value: '', reason: `a required value is blank (both "${f.column}" and "${f.split[1]!.column}")` };
          fields[f.name] = null;
        } else if ('reason' in m) return m;
        else {
          fields[f.name] = m.minor;
          if (f.isAmount) {
            amountMinor = m.minor;
            amountCurrency = m.currency;
          }
        }
        continue;
      }
      const raw = cells[f.index] ?? '';
      if (isBlank(raw)) {
        if (f.required) return { column: f.column, value: raw, reason: 'a required value is blank' };
        fields[f.name] = null;
        continue;
      }
      if (f.dateConflict && SLASH_DATE.test(raw)) {
        return { column: f.column, value: raw, reason: 'the column mixes day-first and month-first dates; set the day/month order in the mapping' };
      }
      const v = f.read(raw, rowCurrency);
      if (v instanceof Rejection) return { column: f.column, value: raw, reason: rejectionMessage(f.type, v) };
      if (f.type === 'money') {
        const m = v as ParsedMoney;
        let minor = m.minor;
        if (f.indicator !== null) {
          // The indicator gives the sign, the amount only its size (as for a split field).
          const mark = cells[f.indicator.index] ?? '';
          const sign = CREDIT_MARK.test(mark) ? f.indicator.creditSign : DEBIT_MARK.test(mark) ? -f.indicator.creditSign : 0;
          if (sign === 0) {
            return { column: f.indicator.column, value: mark, reason: isBlank(mark) ? 'the debit/credit indicator is blank' : 'the debit/credit indicator is neither a debit (D, DR, Debit) nor a credit (C, CR, Credit)' };
          }
          minor = sign * Math.abs(minor) || 0;
        }
        fields[f.name] = minor;
        if (f.isAmount) {
          amountMinor = minor;
          amountCurrency = m.currency;
        }
      } else {
        fields[f.name] = v as CanonicalValue;
        if (f.isCurrency) rowCurrency = v as string;
      }
    }
    if (amountCurrency && rowCurrency && amountCurrency !== rowCurrency) {
      const field = compiled.find((c) => c.name === template.amount)!;
      const col = field.split?.find((side) => !isBlank(cells[side.index] ?? '')) ?? field;
      return {
        column: col.column,
        value: cells[col.index] ?? '',
        reason: `the amount is written in ${amountCurrency} but the row's currency is ${rowCurrency}`,
      };
    }
    const date = template.date ? ((fields[template.date] as string | null) ?? null) : null;
    const ref = recordRefField ? fields[recordRefField] : null;
    out.fields = fields;
    out.amountMinor = amountMinor;
    out.currency = rowCurrency ?? amountCurrency;
    out.date = date;
    out.recordRef = ref === null || ref === undefined ? null : String(ref);
    out.naturalKey = naturalKeyOf(fields);
    return out;
  }

  /** The key fields joined by KEY_SEPARATOR (as Array.join writes each), or null when one is null or ''. */
  function naturalKeyOf(fields: Record<string, CanonicalValue>): string | null {
    let key = '';
    for (let k = 0; k < keyFields.length; k++) {
      const v = fields[keyFields[k]!];
      if (v === null || v === '') return null;
      const part = v === undefined ? '' : String(v);
      key = k === 0 ? part : key + KEY_SEPARATOR + part;
    }
    return keyFields.length > 0 ? key : null;
  }

  const newRow = (): ParsedRow => ({ fields: {}, amountMinor: null, currency: null, date: null, recordRef: null, naturalKey: null });
  // Every row sets the fields in the same order, so the reused object keeps a fresh one's key order.
  const transient = newRow();
  return {
    parse: (cells) => parseInto(cells, {}, newRow()),
    parseTransient: (cells) => parseInto(cells, transient.fields, transient),
    columnOptions,
  };
}

export function isRejection(r: ParsedRow | RowRejection): r is RowRejection {
  return 'reason' in r;
}
