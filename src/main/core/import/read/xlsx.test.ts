import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { TieoutError } from '../../../../shared/error.js';
import { numberText, plainDecimal } from './number-text.js';
import { collect, fixture, rejection } from './test-fixture.js';
import { cellText, listSheets, openSheet } from './xlsx.js';

async function sheet(name: string, opts: Parameters<typeof openSheet>[1] = {}) {
  const t = await openSheet(fixture(name), opts);
  return { ...t, rows: await collect(t.rows) };
}

function writeBook(rows: unknown[][], merges: string[] = []): string {
  const ws = XLSX.utils.aoa_to_sheet(rows);
  if (merges.length) ws['!merges'] = merges.map((m) => XLSX.utils.decode_range(m));
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, 'Sheet1');
  const path = join(mkdtempSync(join(tmpdir(), 'tieout-xlsx-')), 'book.xlsx');
  writeFileSync(path, XLSX.write(wb, { bookType: 'xlsx', type: 'buffer' }) as Buffer);
  return path;
}

describe('openSheet on buys-title-merged.xlsx', () => {
  it('lists every sheet, hidden ones included, and opens the first visible one by default', async () => {
    expect(await listSheets(fixture('buys-title-merged.xlsx'))).toEqual(['Lookup', 'Buys', 'Invoices']);
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.sheet).toBe('Buys');
    expect(t.sheets).toEqual(['Lookup', 'Buys', 'Invoices']);
  });

  it('finds the header below the merged title and export-note rows', async () => {
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.headerRow).toBe(4);
    expect(t.headerRowCount).toBe(1);
  });

  it('fills a header merged across two columns and makes the names unique', async () => {
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.headers).toEqual(['IO Number', 'Vendor', 'Amount', 'Amount (2)', 'Flight Start', 'Invoiced At', 'Total', 'Site Code']);
  });

  it('numbers rows as Excel does and skips the blank row', async () => {
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.rows.map((r) => r.row)).toEqual([5, 6, 8, 9]);
  });

  it('reads formulas by their cached value, without float noise', async () => {
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.rows[0]!.cells[6]).toBe('1234.5');
    expect(t.rows[1]!.cells[6]).toBe('0.3'); // cached 0.30000000000000004
  });

  it('reports formula errors and formulas that were never calculated', async () => {
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.rows[2]!.cells[6]).toBe('#DIV/0!');
    expect(t.rows[2]!.issues).toEqual(['formula error #DIV/0! in column G ("Total")']);
    expect(t.rows[3]!.cells[6]).toBe('');
    expect(t.rows[3]!.issues?.[0]).toBe(
      'formula without a saved result (open and save the file in Excel to calculate it) in column G ("Total")',
    );
  });

  it('reads date-formatted numbers as YYYY-MM-DD, leap day and custom formats included', async () => {
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.rows.map((r) => r.cells[4])).toEqual(['2024-03-01', '2024-03-04', '2024-02-29', '2024-12-31']);
  });

  it('keeps the time of a date-time cell only when there is one', async () => {
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.rows.map((r) => r.cells[5])).toEqual(['2024-03-31 12:00:00', '2024-04-01', '', '']);
  });

  it('gives numbers as plain decimals whatever their display format', async () => {
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.rows.map((r) => r.cells.slice(2, 4))).toEqual([
      ['1234.5', '0'], // "$"#,##0.00
      ['0.1', '0.2'],
      ['-120', '123456789012.34'], // General would show 1.23457E+11
      ['980', '0.00000015'],
    ]);
  });

  it('keeps the leading zeros of a zero-padded code', async () => {
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.rows.map((r) => r.cells[7])).toEqual(['00042', '00007', '00130', '']);
  });

  it('reports a value in a column without a header instead of dropping it silently', async () => {
    const t = await sheet('buys-title-merged.xlsx');
    expect(t.rows[3]!.issues).toContain('value "stray note" in column I, which has no header, was left out');
    expect(t.rows[3]!.cells).toHaveLength(8);
  });

  it('opens a named sheet', async () => {
    const t = await sheet('buys-title-merged.xlsx', { sheet: 'Invoices' });
    expect(t.headers).toEqual(['Invoice', 'Vendor', 'Amount']);
    expect(t.rows).toEqual([{ row: 2, cells: ['INV-9001', 'Meta Platforms Inc', '1234.5'] }]);
  });

  it('names the sheets when asked for one that does not exist', async () => {
    const err = (await rejection(openSheet(fixture('buys-title-merged.xlsx'), { sheet: 'Buys 2024' }))) as TieoutError;
    expect(err.code).toBe('not_found');
    expect(err.message).toContain('"Lookup", "Buys", "Invoices"');
    expect(err.details?.sheet).toBe('Buys 2024');
  });

  it('uses a header row the caller names', async () => {
    const t = await sheet('buys-title-merged.xlsx', { headerRow: 5 });
    expect(t.headers[0]).toBe('IO-24017');
    expect(t.rows[0]!.row).toBe(6);
  });

  it('reports progress up to the file size', async () => {
    const t = await openSheet(fixture('buys-title-merged.xlsx'));
    expect(t.bytesRead()).toBe(0);
    await collect(t.rows);
    expect(t.bytesRead()).toBe(t.totalBytes);
  });
});

describe('openSheet: other layouts and formats', () => {
  it('joins a two-row header: vertical merges once, group labels over their sub-columns', async () => {
    const t = await sheet('two-row-header.xlsx');
    expect(t.headers).toEqual(['IO Number', 'Vendor', 'Amount / Net', 'Amount / Gross', 'Invoice Date']);
    expect([t.headerRow, t.headerRowCount]).toEqual([2, 2]);
    expect(t.rows).toEqual([
      { row: 4, cells: ['IO-3101', 'Meta Platforms Inc', '1000', '1150', '2024-03-15'] },
      { row: 5, cells: ['IO-3102', 'Google LLC', '-50', '-57.5', '2024-03-16'] },
    ]);
  });

  it('joins a group label over sub-columns even without vertical merges', async () => {
    const path = writeBook(
      [
        ['IO Number', 'Amount', null, 'Vendor'],
        [null, 'Net', 'Gross', null],
        ['IO-1', 100, 115, 'Meta Platforms Inc'],
      ],
      ['B1:C1'],
    );
    const t = await openSheet(path);
    expect(t.headers).toEqual(['IO Number', 'Amount / Net', 'Amount / Gross', 'Vendor']);
    expect((await collect(t.rows))[0]).toEqual({ row: 3, cells: ['IO-1', '100', '115', 'Meta Platforms Inc'] });
  });

  it('reads dates in the 1904 date system', async () => {
    const t = await sheet('buys-1904.xlsx');
    expect(t.rows).toEqual([{ row: 2, cells: ['IO-3201', '2024-03-01', '99.99'] }]);
  });

  it.each(['buys.xls', 'buys.ods'])('reads %s through the same function', async (name) => {
    const t = await sheet(name);
    expect(t.headers).toEqual(['IO Number', 'Vendor', 'Amount', 'Amount (2)', 'Flight Start']);
    expect(t.headerRow).toBe(2);
    expect(t.rows).toEqual([
      { row: 3, cells: ['IO-3301', 'Meta Platforms Inc', '1234.5', '0.25', '2024-03-01'] },
      { row: 4, cells: ['IO-3302', 'Reddit, Inc.', '-120', '0', '2024-03-02'] },
    ]);
  });

  it('does not mistake a title merged across the table for the header', async () => {
    const path = writeBook(
      [['Media buys - March'], ['IO', 'Vendor', 'Amount'], ['IO-1', 'Meta', 1]],
      ['A1:C1'],
    );
    const t = await openSheet(path);
    expect([t.headerRow, t.headers]).toEqual([2, ['IO', 'Vendor', 'Amount']]);
  });

  it('refuses files over the size cap with a clear error', async () => {
    const err = (await rejection(openSheet(fixture('buys-title-merged.xlsx'), { maxBytes: 1000 }))) as TieoutError;
    expect(err.code).toBe('file_unreadable');
    expect(err.message).toMatch(/cannot be opened.*CSV/);
  });

  it('reports a damaged workbook as file_unreadable', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tieout-xlsx-')), 'broken.xlsx');
    writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]));
    const err = (await rejection(openSheet(path))) as TieoutError;
    expect([err.code, err.details?.file]).toEqual(['file_unreadable', 'broken.xlsx']);
  });

  it('reports an empty sheet as a parse error', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([]), 'Empty');
    const path = join(mkdtempSync(join(tmpdir(), 'tieout-xlsx-')), 'empty.xlsx');
    writeFileSync(path, XLSX.write(wb, { bookType: 'xlsx', type: 'buffer' }) as Buffer);
    const err = (await rejection(openSheet(path))) as TieoutError;
    expect([err.code, err.details?.sheet]).toEqual(['parse', 'Empty']);
  });
});

describe('cell texts', () => {
  it('reads booleans, strings and Date cells', () => {
    expect(cellText({ t: 'b', v: true }, false).text).toBe('TRUE');
    expect(cellText({ t: 's', v: ' Meta ' }, false).text).toBe(' Meta ');
    expect(cellText({ t: 'd', v: new Date(Date.UTC(2024, 2, 1)) }, false).text).toBe('2024-03-01');
    expect(cellText({ t: 'd', v: new Date(2024, 2, 1) }, false).text).toBe('2024-03-01');
  });

  it('applies the 1904 offset to serial dates', () => {
    expect(cellText({ t: 'n', v: 45352, z: 'yyyy-mm-dd' }, false).text).toBe('2024-03-01');
    expect(cellText({ t: 'n', v: 45352 - 1462, z: 'yyyy-mm-dd' }, true).text).toBe('2024-03-01');
  });

  it('reads whole-day serials as the same calendar date as SheetJS in both date systems', () => {
    const ssf = XLSX.SSF as { parse_date_code(v: number, o: { date1904: boolean }): { y: number; m: number; d: number } };
    const iso = (p: { y: number; m: number; d: number }) => `${String(p.y).padStart(4, '0')}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
    for (const date1904 of [false, true]) {
      for (const v of [0, 1, 59, 60, 61, 62, 366, 1462, 25569, 45352, 2958465, ...Array.from({ length: 300 }, (_, i) => i * 9857)]) {
        expect([v, cellText({ t: 'n', v, z: 'd-mmm-yy' }, date1904).text]).toEqual([v, iso(ssf.parse_date_code(v, { date1904 }))]);
      }
    }
  });

  it('gives time-only formats as displayed, with or without the text SheetJS formatted', () => {
    expect(cellText({ t: 'n', v: 0.5, z: 'h:mm', w: '12:00' }, false).text).toBe('12:00');
    expect(cellText({ t: 'n', v: 0.75, z: 'h:mm' }, false).text).toBe('18:00');
    expect(cellText({ t: 'n', v: 42, z: '00000' }, false).text).toBe('00042');
    expect(cellText({ t: 'e', v: 0x07 }, false).text).toBe('#DIV/0!');
  });

  it('writes numbers as plain decimals rounded to 15 significant digits', () => {
    expect(numberText(0.1 + 0.2)).toBe('0.3');
    expect(numberText(1234.5)).toBe('1234.5');
    expect(numberText(1234.8000000000002)).toBe('1234.8');
    expect(numberText(-0)).toBe('0');
    expect(numberText(1e21)).toBe('1000000000000000000000');
    expect(numberText(-2.5e-8)).toBe('-0.000000025');
    expect(plainDecimal(1.2345e-7)).toBe('0.00000012345');
    expect(plainDecimal(1.5e22)).toBe('15000000000000000000000');
  });
});
