/**
 * The packet's human tables, written twice from one model: as sheets of summary.xlsx and as
 * UTF-8 CSV files. Text an auditor's spreadsheet might run as a formula is neutralized in both.
 */
import * as XLSX from 'xlsx';
import { csvLine, neutralizeFormula } from '../export/csv-write.js';
import { formatMinor, minorExponent } from '../../../shared/money.js';

/** Text (neutralized on output), a number we computed, money in minor units, or nothing. */
export type Cell = string | number | null | { minor: number; currency: string };

export interface Table {
  /** Sheet name (≤ 31 characters). */
  sheet: string;
  /** Path of the CSV entry. */
  file: string;
  columns: string[];
  /** Iterated once for the CSV and once (only as far as the sheet holds) for the workbook. */
  rows: Iterable<Cell[]>;
}

export function money(minor: number | null | undefined, currency: string | null | undefined): Cell {
  return minor === null || minor === undefined ? null : { minor, currency: currency ?? 'XXX' };
}

function isMoney(c: Cell): c is { minor: number; currency: string } {
  return c !== null && typeof c === 'object';
}

/** The table as CSV, a line at a time into `out`; returns the number of rows written. */
export function writeTableCsv(t: Table, out: { write(text: string): void }): number {
  out.write(csvLine(t.columns));
  let n = 0;
  for (const row of t.rows) {
    n++;
    // Numbers and amounts are ours, so "-120.50" stays a number; text is neutralized by csvLine.
    const trusted = new Set<number>();
    const cells = row.map((c, i) => {
      if (typeof c === 'number') {
        trusted.add(i);
        return String(c);
      }
      if (isMoney(c)) {
        trusted.add(i);
        return formatMinor(c.minor, c.currency);
      }
      return c;
    });
    out.write(csvLine(cells, trusted));
  }
  return n;
}

/** Excel's limit: a cell holds 32,767 characters. */
const MAX_CELL_TEXT = 32_767;
/**
 * Rows a sheet of the workbook holds; the rest are only in the table's CSV, which always holds
 * every row. Excel's own limit is 1,048,576, but SheetJS builds the whole workbook in memory:
 * two sheets of 100,000 rows (matches and exceptions) took 38 s and 1.2 GB more memory, 50,000
 * took 17 s and 690 MB, 25,000 took 5.5 s and 420 MB.
 */
export const MAX_SHEET_ROWS = 25_000;

function textCell(text: string): XLSX.CellObject {
  let v = neutralizeFormula(text);
  if (v.length > MAX_CELL_TEXT) v = v.slice(0, MAX_CELL_TEXT - 40) + ' … (truncated; see the CSV)';
  return { t: 's', v };
}

/** A sheet of the table's first MAX_SHEET_ROWS rows; `totalRows` (from its CSV) says how many more there are. */
function sheetOf(t: Table, totalRows: number | undefined): XLSX.WorkSheet {
  const ws: XLSX.WorkSheet = {};
  const widths = t.columns.map((c) => Math.min(60, Math.max(8, c.length + 2)));
  const put = (r: number, c: number, cell: Cell) => {
    if (cell === null || cell === '') return;
    const addr = XLSX.utils.encode_cell({ r, c });
    let obj: XLSX.CellObject;
    let shown: number;
    if (typeof cell === 'number') {
      obj = { t: 'n', v: cell };
      shown = String(cell).length;
    } else if (isMoney(cell)) {
      const text = formatMinor(cell.minor, cell.currency);
      const exp = minorExponent(cell.currency);
      obj = { t: 'n', v: Number(text), z: exp === 0 ? '#,##0' : `#,##0.${'0'.repeat(exp)}` };
      shown = text.length + 4;
    } else {
      obj = textCell(cell);
      shown = String(obj.v).length;
    }
    ws[addr] = obj;
    if (c < widths.length) widths[c] = Math.min(60, Math.max(widths[c]!, shown + 1));
    else widths[c] = Math.min(60, shown + 1);
  };
  t.columns.forEach((h, c) => put(0, c, h));
  let lastRow = 0;
  let lastCol = Math.max(t.columns.length, 1) - 1;
  // Stopping early also stops the query behind the rows.
  for (const row of t.rows) {
    if (lastRow === MAX_SHEET_ROWS) break;
    lastRow++;
    row.forEach((cell, c) => put(lastRow, c, cell));
    lastCol = Math.max(lastCol, row.length - 1);
  }
  const more = (totalRows ?? lastRow) - lastRow;
  if (more > 0) {
    lastRow++;
    put(lastRow, 0, `${more} more rows are in ${t.file}`);
  }
  ws['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(lastRow, 0), c: lastCol } });
  ws['!cols'] = widths.map((wch) => ({ wch }));
  return ws;
}

/** One workbook, deterministic: SheetJS writes no timestamps unless asked to. `rowCounts`: each table's rows by its file, as writeTableCsv counted them. */
export function workbookBytes(tables: readonly Table[], rowCounts: ReadonlyMap<string, number>): Buffer {
  const wb = XLSX.utils.book_new();
  for (const t of tables) XLSX.utils.book_append_sheet(wb, sheetOf(t, rowCounts.get(t.file)), t.sheet);
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
}

/** RFC 4180 CSV back into rows of text. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const reader = new CsvReader((row) => rows.push(row));
  reader.push(text);
  reader.end();
  return rows;
}

const QUOTE = 0x22;
const LF = 0x0a;

/**
 * RFC 4180 CSV read a piece at a time (for the read-only viewer): text goes in by `push`, in
 * pieces cut anywhere, and each complete row comes out through `onRow`. Once enough rows are
 * kept, `count` reads on through raw bytes only counting rows (rows end at a newline outside
 * quotes; a doubled quote flips quoting twice, so it needs no special case).
 */
export class CsvReader {
  /** Rows seen so far, the header included. */
  rows = 0;
  private row: string[] = [];
  private cell = '';
  private quoted = false;
  /** A quote just closed a quoted cell: a quote next is a doubled (literal) one. */
  private closedQuote = false;
  /** A row just ended at CR: an LF next belongs to it. */
  private afterCr = false;
  private counting = false;
  private inRow = false;

  constructor(private readonly onRow: (row: string[]) => void) {}

  push(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (this.afterCr) {
        this.afterCr = false;
        if (ch === '\n') continue;
      }
      if (this.quoted) {
        if (ch === '"') {
          this.quoted = false;
          this.closedQuote = true;
        } else this.cell += ch;
        continue;
      }
      if (ch === '"') {
        if (this.closedQuote) {
          this.cell += '"';
          this.quoted = true;
          this.closedQuote = false;
        } else if (this.cell === '') this.quoted = true;
        else this.cell += ch;
        continue;
      }
      this.closedQuote = false;
      if (ch === ',') {
        this.row.push(this.cell);
        this.cell = '';
      } else if (ch === '\n' || ch === '\r') {
        this.endRow();
        this.afterCr = ch === '\r';
      } else this.cell += ch;
    }
    this.inRow = this.cell !== '' || this.row.length > 0 || this.quoted;
  }

  /** Counts the rows in raw CSV bytes that follow what was pushed, without building them. */
  count(bytes: Uint8Array): void {
    this.counting = true;
    let i = 0;
    if (this.afterCr && bytes.length > 0) {
      this.afterCr = false;
      if (bytes[0] === LF) i = 1;
    }
    for (; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === QUOTE) {
        this.quoted = !this.quoted;
        this.inRow = true;
      } else if (b === LF && !this.quoted) {
        this.rows++;
        this.inRow = false;
      } else this.inRow = true;
    }
  }

  end(): void {
    if (this.counting) {
      if (this.inRow) this.rows++;
      return;
    }
    if (this.cell !== '' || this.row.length > 0) this.endRow();
  }

  private endRow(): void {
    this.row.push(this.cell);
    this.onRow(this.row);
    this.rows++;
    this.row = [];
    this.cell = '';
  }
}
