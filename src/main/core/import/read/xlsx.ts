/**
 * Spreadsheet reader (.xlsx .xlsm .xls .ods) over SheetJS; the only module that imports 'xlsx'
 * for reading. SheetJS parses the whole workbook in memory, so input is capped by size.
 *
 * Cell texts: strings as stored; numbers as plain decimal text rounded to Excel's 15 significant
 * digits (so a cached 0.30000000000000004 reads '0.3' and never '3E-1'); date-formatted numbers
 * as 'YYYY-MM-DD' (or 'YYYY-MM-DD HH:MM:SS' when a date-time format holds a time), honouring the
 * 1904 date system; formulas by their cached value only; booleans 'TRUE'/'FALSE'.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as XLSX from 'xlsx';
import type { CellObject, Range, WorkBook, WorkSheet } from 'xlsx';
import { TieoutError } from '../../../../shared/error.js';
import { fromDayNumber, localDate } from '../../../../shared/date.js';
import { dedupeHeaders, detectHeaderIndex, HEADER_SCAN_ROWS, looksLikeValue, type HeaderCandidate } from './headers.js';
import { BatchIterator } from './iter.js';
import { numberText } from './number-text.js';
import { unreadable } from './source.js';

export const MAX_SPREADSHEET_BYTES = 200 * 1024 * 1024;

export interface SheetOptions {
  /** Sheet name; the first visible sheet when absent. */
  sheet?: string;
  /** 1-based Excel row of the header; detected when absent. */
  headerRow?: number;
  /** Size cap (default 200 MB). */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface SheetRow {
  /** The Excel row number the user sees (1-based). */
  row: number;
  cells: string[];
  issues?: string[];
}

export interface SheetTable {
  fileName: string;
  sheet: string;
  sheets: string[];
  headers: string[];
  /** Excel row of the (first) header row. */
  headerRow: number;
  /** 2 or more when merged cells make a multi-row header; data starts below the last. */
  headerRowCount: number;
  rows: AsyncIterable<SheetRow>;
  totalBytes: number;
  /** Progress as a share of `totalBytes`, by rows handed out (the file is already in memory). */
  bytesRead(): number;
  close(): Promise<void>;
}

interface Ssf {
  is_date(fmt: string): boolean;
  format(fmt: string, v: number, opts?: { date1904?: boolean }): string;
  parse_date_code(v: number, opts?: { date1904?: boolean }): { y: number; m: number; d: number; H: number; M: number; S: number } | null;
}
const SSF = XLSX.SSF as Ssf;

interface Loaded {
  name: string;
  path: string;
  size: number;
  buf: Buffer;
}

async function load(path: string, maxBytes: number): Promise<Loaded> {
  const name = basename(path);
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    size = st.size;
  } catch (err) {
    throw unreadable({ name, path }, err);
  }
  if (size > maxBytes) {
    throw new TieoutError(
      'file_unreadable',
      `${name} is ${mb(size)}; spreadsheets over ${mb(maxBytes)} cannot be opened. Save the sheet as CSV and import that instead.`,
      { file: name, path },
    );
  }
  try {
    return { name, path, size, buf: await readFile(path) };
  } catch (err) {
    throw unreadable({ name, path }, err);
  }
}

function mb(n: number): string {
  return `${Math.round(n / (1024 * 1024))} MB`;
}

/** Excel's own files: the shown text of a cell is rebuilt from value and format only when needed. */
const OOXML = /\.xls[xm]$/i;

function parseBook(f: Loaded, extra: XLSX.ParsingOptions): WorkBook {
  try {
    return XLSX.read(f.buf, {
      type: 'buffer',
      dense: true,
      cellDates: false,
      cellNF: true,
      // Formatting every number as text is a large share of SheetJS's time, and few cells need it
      // (see shownText). Other formats keep it: ODS carries its shown text rather than a format.
      cellText: !OOXML.test(f.name),
      // Formulas are parsed only to flag cells that have no cached value; values come from `v`.
      cellFormula: true,
      cellHTML: false,
      cellStyles: false,
      ...extra,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TieoutError('file_unreadable', `Cannot read ${f.name} as a spreadsheet: ${reason}`, { file: f.name, path: f.path });
  }
}

/** Sheet names in workbook order (hidden ones included). */
export async function listSheets(path: string, opts: { maxBytes?: number } = {}): Promise<string[]> {
  const f = await load(path, opts.maxBytes ?? MAX_SPREADSHEET_BYTES);
  return parseBook(f, { bookSheets: true }).SheetNames.slice();
}

/** Open one sheet as a table: find the header (below any title rows), then hand out data rows. */
export async function openSheet(path: string, opts: SheetOptions = {}): Promise<SheetTable> {
  const f = await load(path, opts.maxBytes ?? MAX_SPREADSHEET_BYTES);
  if (opts.signal?.aborted) throw new TieoutError('cancelled', `Reading ${f.name} was cancelled`, { file: f.name, path: f.path });
  let wb = parseBook(f, { sheets: opts.sheet ?? 0 });
  const sheets = wb.SheetNames.slice();
  let sheetName = opts.sheet;
  if (sheetName === undefined) {
    const visible = firstVisible(wb);
    sheetName = visible ?? sheets[0];
    if (sheetName !== undefined && sheetName !== sheets[0]) wb = parseBook(f, { sheets: sheetName });
  }
  if (sheetName === undefined || !sheets.includes(sheetName)) {
    throw new TieoutError(
      'not_found',
      sheets.length === 0 ? `${f.name} has no sheets` : `${f.name} has no sheet named "${sheetName}"; its sheets are ${sheets.map((s) => `"${s}"`).join(', ')}`,
      { file: f.name, path: f.path, sheet: sheetName },
    );
  }
  const ws = wb.Sheets[sheetName];
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  const grid = ws ? new Grid(ws, date1904, opts.headerRow) : undefined;
  if (!grid || grid.isEmpty) {
    throw new TieoutError('parse', `Sheet "${sheetName}" in ${f.name} is empty`, { file: f.name, path: f.path, sheet: sheetName });
  }
  return grid.table(f, sheetName, sheets, opts);
}

function firstVisible(wb: WorkBook): string | undefined {
  const meta = wb.Workbook?.Sheets;
  if (!meta) return wb.SheetNames[0];
  const i = meta.findIndex((s) => !s.Hidden);
  return i >= 0 ? wb.SheetNames[i] : wb.SheetNames[0];
}

interface CellText {
  text: string;
  /** Stored as a string (header-like) rather than a number, date or boolean. */
  isString: boolean;
  issue?: string;
}

const EMPTY: CellText = { text: '', isString: false };

/**
 * Merged ranges of the header area looked up by cell: each covered cell points at its range's
 * top-left anchor. Merges further down (data) are left alone, so their values are not repeated.
 */
class Merges {
  private readonly anchor = new Map<number, { r: number; c: number }>();
  readonly ranges: Range[];
  constructor(all: Range[], lastRow: number) {
    this.ranges = all.filter((m) => m.s.r <= lastRow);
    for (const m of this.ranges) {
      // Huge merges (whole rows/columns) are formatting; only map modest ones.
      if ((m.e.r - m.s.r + 1) * (m.e.c - m.s.c + 1) > 10_000) continue;
      for (let r = m.s.r; r <= m.e.r; r++) for (let c = m.s.c; c <= m.e.c; c++) this.anchor.set(r * 16384 + c, m.s);
    }
  }
  anchorOf(r: number, c: number): { r: number; c: number } | undefined {
    return this.anchor.get(r * 16384 + c);
  }
}

class Grid {
  private readonly data: Array<Array<CellObject | undefined> | undefined>;
  private readonly range: Range | undefined;
  private readonly merges: Merges;

  constructor(
    ws: WorkSheet,
    private readonly date1904: boolean,
    headerRow: number | undefined,
  ) {
    this.data = (ws['!data'] as Array<Array<CellObject | undefined> | undefined> | undefined) ?? [];
    const ref = ws['!ref'];
    this.range = ref ? XLSX.utils.decode_range(ref) : undefined;
    const lastHeaderRow = (headerRow ?? (this.range?.s.r ?? 0) + HEADER_SCAN_ROWS) + 3;
    this.merges = new Merges((ws['!merges'] as Range[] | undefined) ?? [], lastHeaderRow);
  }

  get isEmpty(): boolean {
    if (!this.range) return true;
    for (let r = this.range.s.r; r <= this.range.e.r; r++) {
      const row = this.data[r];
      if (row && row.some((c) => c !== undefined && c !== null && cellText(c, this.date1904).text !== '')) return false;
    }
    return true;
  }

  private text(r: number, c: number): CellText {
    const cell = this.data[r]?.[c];
    return cell ? cellText(cell, this.date1904) : EMPTY;
  }

  /** For header rows: a merged cell reads as its anchor's value wherever it covers. */
  private mergedText(r: number, c: number): CellText {
    const a = this.merges.anchorOf(r, c);
    return a ? this.text(a.r, a.c) : this.text(r, c);
  }

  table(f: Loaded, sheet: string, sheets: string[], opts: SheetOptions): SheetTable {
    const range = this.range!;
    const c0 = range.s.c;
    const c1 = range.e.c;

    let h: number;
    if (opts.headerRow !== undefined) {
      h = opts.headerRow - 1;
    } else {
      const sample: HeaderCandidate[] = [];
      for (let r = range.s.r; r <= Math.min(range.e.r, range.s.r + HEADER_SCAN_ROWS - 1); r++) {
        // Merged cells count across their width, except a lone value (a title merged over the table).
        let nonEmpty = 0;
        let text = 0;
        let distinct = 0;
        for (let c = c0; c <= c1; c++) {
          const a = this.merges.anchorOf(r, c);
          const t = a ? this.text(a.r, a.c) : this.text(r, c);
          if (t.text.trim() === '') continue;
          nonEmpty++;
          if (!a || (a.r === r && a.c === c)) distinct++;
          if (t.isString && !looksLikeValue(t.text)) text++;
        }
        sample.push(distinct <= 1 ? { nonEmpty: Math.min(nonEmpty, 1), text: Math.min(text, 1) } : { nonEmpty, text });
      }
      h = range.s.r + detectHeaderIndex(sample);
    }
    const hEnd = this.headerEnd(h, c0, c1);

    // Column names: the distinct texts down the header rows, merged cells filled in.
    const names: string[] = [];
    for (let c = c0; c <= c1; c++) {
      const parts: string[] = [];
      for (let r = h; r <= hEnd; r++) {
        const t = this.mergedText(r, c).text.trim();
        if (t !== '' && parts[parts.length - 1] !== t) parts.push(t);
      }
      names.push(parts.join(' / '));
    }
    let first = names.findIndex((n) => n !== '');
    let last = names.length - 1;
    while (last > first && names[last] === '') last--;
    if (first < 0) {
      throw new TieoutError('parse', `Sheet "${sheet}" in ${f.name} has no header row at row ${h + 1}`, { file: f.name, path: f.path, sheet, row: h + 1 });
    }
    const headers = dedupeHeaders(names.slice(first, last + 1));
    const from = c0 + first;
    const to = c0 + last;
    const width = to - from + 1;

    const total = Math.max(1, range.e.r - hEnd);
    let r = hEnd + 1;
    let done = 0;
    const date1904 = this.date1904;
    const data = this.data;
    const pull = async (): Promise<SheetRow[] | undefined> => {
      if (opts.signal?.aborted) throw new TieoutError('cancelled', `Reading ${f.name} was cancelled`, { file: f.name, path: f.path, sheet });
      if (r > range.e.r) return undefined;
      const out: SheetRow[] = [];
      const stop = Math.min(range.e.r, r + 999);
      for (; r <= stop; r++) {
        done++;
        const row = data[r];
        if (!row) continue;
        const cells = new Array<string>(width);
        let issues: string[] | undefined;
        let any = false;
        for (let k = 0; k < width; k++) {
          const cell = row[from + k];
          const t = cell ? cellText(cell, date1904) : EMPTY;
          cells[k] = t.text;
          if (t.text !== '') any = true;
          if (t.issue) (issues ??= []).push(`${t.issue} in column ${XLSX.utils.encode_col(from + k)} ("${headers[k]}")`);
        }
        for (let c = c0; c <= c1; c++) {
          if (c >= from && c <= to) continue;
          const cell = row[c];
          const t = cell ? cellText(cell, date1904) : EMPTY;
          if (t.text.trim() === '') continue;
          any = true;
          (issues ??= []).push(`value ${JSON.stringify(t.text)} in column ${XLSX.utils.encode_col(c)}, which has no header, was left out`);
        }
        if (!any && !issues) continue;
        out.push(issues ? { row: r + 1, cells, issues } : { row: r + 1, cells });
      }
      return out;
    };

    const rows = new BatchIterator<SheetRow, SheetRow>([], pull, (x) => x, async () => {
      r = range.e.r + 1;
    });
    return {
      fileName: f.name,
      sheet,
      sheets,
      headers,
      headerRow: h + 1,
      headerRowCount: hEnd - h + 1,
      rows,
      totalBytes: f.size,
      bytesRead: () => Math.min(f.size, Math.round((f.size * done) / total)),
      close: async () => {
        await rows.return();
      },
    };
  }

  /**
   * Last header row. The header spans more than one row when a merge starting on the header row
   * runs down (e.g. 'IO' merged over rows 3-4), or when the header row has a horizontal merge
   * (a group label such as 'Amount' over two columns) and the next row holds only texts under
   * such merges ('Net', 'Gross'). At most three rows.
   */
  private headerEnd(h: number, c0: number, c1: number): number {
    let end = h;
    const groups: Range[] = [];
    for (const m of this.merges.ranges) {
      if (m.s.r !== h) continue;
      if (m.e.r > end) end = m.e.r;
      if (m.e.c > m.s.c) groups.push(m);
    }
    if (end === h && groups.length > 0 && this.range && h + 1 <= this.range.e.r) {
      let texts = 0;
      let ok = true;
      for (let c = c0; c <= c1 && ok; c++) {
        const t = this.text(h + 1, c);
        if (t.text.trim() === '') continue;
        texts++;
        ok = t.isString && !looksLikeValue(t.text) && groups.some((g) => c >= g.s.c && c <= g.e.c);
      }
      if (ok && texts > 0) end = h + 1;
    }
    return Math.min(end, h + 2);
  }
}

/** The text of one cell. Exported for tests. */
export function cellText(cell: CellObject, date1904: boolean): CellText {
  const v = cell.v;
  switch (cell.t) {
    case 's':
      return { text: v === undefined || v === null ? '' : String(v), isString: true };
    case 'n': {
      if (typeof v !== 'number') return missingValue(cell);
      const fmt = typeof cell.z === 'string' ? cell.z : undefined;
      if (fmt === undefined || fmt === 'General') return { text: numberText(v), isString: false };
      const info = formatInfo(fmt);
      if (info.isDate) return { text: serialDateText(v, fmt, info, date1904, cell), isString: false };
      // Zero-padded codes ('00123') and text-formatted numbers: the shown text is the value.
      if (info.showsText) {
        const shown = shownText(cell, fmt, v, date1904);
        if (shown !== undefined) return { text: shown, isString: false };
      }
      return { text: numberText(v), isString: false };
    }
    case 'd':
      return { text: dateObjectText(v), isString: false };
    case 'b':
      return { text: v ? 'TRUE' : 'FALSE', isString: false };
    case 'e': {
      // SheetJS reads a formula saved without a result as an error cell with no value.
      if (v === undefined && cell.w === undefined) return missingValue(cell);
      const text = typeof cell.w === 'string' ? cell.w : typeof v === 'number' ? (ERROR_TEXT[v] ?? '#ERROR') : '#ERROR';
      return { text, isString: false, issue: `formula error ${text}` };
    }
    default:
      return missingValue(cell);
  }
}

/** Excel's error codes (as SheetJS stores them) and the text Excel shows. */
const ERROR_TEXT: Record<number, string> = {
  0x00: '#NULL!',
  0x07: '#DIV/0!',
  0x0f: '#VALUE!',
  0x17: '#REF!',
  0x1d: '#NAME?',
  0x24: '#NUM!',
  0x2a: '#N/A',
  0x2b: '#GETTING_DATA',
};

interface FormatInfo {
  isDate: boolean;
  /** Zero-padded ('00000') or text ('@'): the shown text is the value. */
  showsText: boolean;
  /** For date formats: whether the format shows a date part and a time part. */
  hasDate: boolean;
  hasTime: boolean;
}

/** A sheet has a handful of formats over many cells, so each is classified once. */
const FORMAT_INFO = new Map<string, FormatInfo>();

function formatInfo(fmt: string): FormatInfo {
  let info = FORMAT_INFO.get(fmt);
  if (info === undefined) {
    const tokens = formatTokens(fmt);
    info = {
      isDate: SSF.is_date(fmt),
      showsText: /^0+$/.test(fmt) || fmt === '@',
      hasDate: /[dy]/i.test(tokens) || /m{3,}/i.test(tokens),
      hasTime: /[hs]/i.test(tokens),
    };
    FORMAT_INFO.set(fmt, info);
  }
  return info;
}

/** The text Excel shows for a number: SheetJS's when it made one, else formatted here. */
function shownText(cell: CellObject, fmt: string, v: number, date1904: boolean): string | undefined {
  if (typeof cell.w === 'string') return cell.w;
  try {
    return SSF.format(fmt, v, { date1904 });
  } catch {
    return undefined;
  }
}

function missingValue(cell: CellObject): CellText {
  if (cell.f) return { text: '', isString: false, issue: 'formula without a saved result (open and save the file in Excel to calculate it)' };
  return EMPTY;
}

/** Quoted literals and [..] sections (colours, locales, elapsed units) don't tell date from time. */
function formatTokens(fmt: string): string {
  return fmt.replace(/"[^"]*"/g, '').replace(/\[[^\]]*\]/g, '').replace(/\\./g, '');
}

/** Serial day numbers of 1970-01-01 in Excel's 1900 and 1904 date systems. */
const UNIX_EPOCH_1900 = 25569;
const UNIX_EPOCH_1904 = 24107;

function serialDateText(v: number, fmt: string, info: FormatInfo, date1904: boolean, cell: CellObject): string {
  // Whole days are most date cells: plain day arithmetic. Serials up to 60 go through SheetJS,
  // which knows Excel's fictitious 1900-02-29.
  if (info.hasDate && Number.isInteger(v) && (date1904 ? v >= 0 : v > 60) && v < 2958466) {
    return fromDayNumber(v - (date1904 ? UNIX_EPOCH_1904 : UNIX_EPOCH_1900));
  }
  const p = SSF.parse_date_code(v, { date1904 });
  if (!p || !info.hasDate) return shownText(cell, fmt, v, date1904) ?? numberText(v);
  const date = localDate(p.y, p.m, p.d);
  if (!info.hasTime || (p.H === 0 && p.M === 0 && p.S === 0)) return date;
  return `${date} ${pad2(p.H)}:${pad2(p.M)}:${pad2(p.S)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Date objects are rare with cellDates off. SheetJS may build them at UTC or local midnight;
 * whichever is midnight is taken as the calendar date.
 */
function dateObjectText(v: unknown): string {
  if (typeof v === 'string') return /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : v;
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) return '';
  if (v.getUTCHours() === 0 && v.getUTCMinutes() === 0 && v.getUTCSeconds() === 0) {
    return localDate(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate());
  }
  if (v.getHours() === 0 && v.getMinutes() === 0 && v.getSeconds() === 0) {
    return localDate(v.getFullYear(), v.getMonth() + 1, v.getDate());
  }
  return `${localDate(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate())} ${pad2(v.getUTCHours())}:${pad2(v.getUTCMinutes())}:${pad2(v.getUTCSeconds())}`;
}
