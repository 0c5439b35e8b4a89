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
  rows: Cell[][];
}

export function money(minor: number | null | undefined, currency: string | null | undefined): Cell {
  return minor === null || minor === undefined ? null : { minor, currency: currency ?? 'XXX' };
}

function isMoney(c: Cell): c is { minor: number; currency: string } {
  return c !== null && typeof c === 'object';
}

export function tableCsv(t: Table): string {
  let out = csvLine(t.columns);
  for (const row of t.rows) {
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
    out += csvLine(cells, trusted);
  }
  return out;
}

/** Excel's limits: a cell holds 32,767 characters, a sheet 1,048,576 rows. */
const MAX_CELL_TEXT = 32_767;
const MAX_SHEET_ROWS = 1_048_576;

function textCell(text: string): XLSX.CellObject {
  let v = neutralizeFormula(text);
  if (v.length > MAX_CELL_TEXT) v = v.slice(0, MAX_CELL_TEXT - 40) + ' … (truncated; see the CSV)';
  return { t: 's', v };
}

function sheetOf(t: Table): XLSX.WorkSheet {
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
  const room = MAX_SHEET_ROWS - 2;
  const rows = t.rows.length > room ? t.rows.slice(0, room) : t.rows;
  rows.forEach((row, i) => row.forEach((cell, c) => put(i + 1, c, cell)));
  let lastRow = rows.length;
  if (t.rows.length > room) {
    lastRow++;
    put(lastRow, 0, `${t.rows.length - room} more rows are in ${t.file}`);
  }
  const lastCol = Math.max(t.columns.length, ...t.rows.slice(0, 1000).map((r) => r.length), 1) - 1;
  ws['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(lastRow, 0), c: lastCol } });
  ws['!cols'] = widths.map((wch) => ({ wch }));
  return ws;
}

/** One workbook, deterministic: SheetJS writes no timestamps unless asked to. */
export function workbookBytes(tables: readonly Table[]): Buffer {
  const wb = XLSX.utils.book_new();
  for (const t of tables) XLSX.utils.book_append_sheet(wb, sheetOf(t), t.sheet);
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
}

/** RFC 4180 CSV back into rows of text (for the read-only viewer). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
      i++;
    } else if (ch === '\n' || ch === '\r') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      cell += ch;
      i++;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
