import { describe, expect, it } from 'vitest';
import { csvLine } from '../export/csv-write.js';
import * as XLSX from 'xlsx';
import { CsvReader, MAX_SHEET_ROWS, parseCsv, workbookBytes, writeTableCsv, type Table } from './tables.js';

/** Cells with every kind of text a CSV must quote: commas, quotes, newlines, CRLF. */
const ROWS = [
  ['Run', 'Note', 'Amount'],
  ['1', 'plain', '10.00'],
  ['2', 'a, comma', '3.50'],
  ['3', 'a "quoted" word', ''],
  ['4', 'two\nlines', '7'],
  ['5', 'ends with a quote"', 'x'],
  ['6', 'crlf\r\ninside', 'y'],
];
const TEXT = ROWS.map((r) => csvLine(r)).join('');

describe('CSV read a piece at a time', () => {
  it('gives the same rows however the text is cut', () => {
    expect(parseCsv(TEXT)).toEqual(ROWS);
    for (let cut = 0; cut <= TEXT.length; cut++) {
      const rows: string[][] = [];
      const reader = new CsvReader((r) => rows.push(r));
      reader.push(TEXT.slice(0, cut));
      reader.push(TEXT.slice(cut));
      reader.end();
      expect(rows, `cut at ${cut}`).toEqual(ROWS);
      expect(reader.rows).toBe(ROWS.length);
    }
  });

  it('counts the rows after a cut without building them, quoted newlines and doubled quotes included', () => {
    const bytes = Buffer.from(TEXT, 'utf8');
    for (let cut = 0; cut <= TEXT.length; cut++) {
      const kept: string[][] = [];
      const reader = new CsvReader((r) => kept.push(r));
      reader.push(TEXT.slice(0, cut));
      reader.count(bytes.subarray(Buffer.byteLength(TEXT.slice(0, cut))));
      reader.end();
      expect(reader.rows, `cut at ${cut}`).toBe(ROWS.length);
    }
    const noFinalNewline = new CsvReader(() => undefined);
    noFinalNewline.count(Buffer.from('a,b\nc,d'));
    noFinalNewline.end();
    expect(noFinalNewline.rows).toBe(2);
  });
});

describe('the workbook', () => {
  it('keeps a sheet\'s first rows and says how many more are in its CSV, which holds them all', () => {
    let made = 0;
    const table: Table = {
      sheet: 'Matches',
      file: 'csv/matches.csv',
      columns: ['Group'],
      rows: {
        *[Symbol.iterator]() {
          for (let i = 0; i < MAX_SHEET_ROWS + 3; i++) {
            made++;
            yield [`g${i}`];
          }
        },
      },
    };
    let csv = '';
    const written = writeTableCsv(table, { write: (t) => (csv += t) });
    expect(written).toBe(MAX_SHEET_ROWS + 3);
    expect(csv.split('\n').length - 2).toBe(MAX_SHEET_ROWS + 3);
    made = 0;
    const sheet = XLSX.read(workbookBytes([table], new Map([[table.file, written]])), { type: 'buffer' }).Sheets['Matches']!;
    const rows = XLSX.utils.sheet_to_json<string[]>(sheet, { header: 1 });
    expect(rows).toHaveLength(1 + MAX_SHEET_ROWS + 1);
    expect(rows.at(-2)).toEqual([`g${MAX_SHEET_ROWS - 1}`]);
    expect(rows.at(-1)).toEqual(['3 more rows are in csv/matches.csv']);
    // The sheet stops reading rows once it is full.
    expect(made).toBe(MAX_SHEET_ROWS + 1);
  });
});
