import { describe, expect, it } from 'vitest';
import { csvLine } from '../export/csv-write.js';
import { CsvReader, parseCsv } from './tables.js';

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
