import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../../shared/error.js';
import { formatForPath, openTable, previewTable, sha256File, type Table, type TableRow } from './index.js';
import { collect, fixture, FIXTURES, rejection } from './test-fixture.js';

describe('formatForPath', () => {
  it.each([
    ['buys.csv', 'csv'],
    ['BUYS.TXT', 'csv'],
    ['buys.tsv', 'csv'],
    ['buys.psv', 'csv'],
    ['buys.xlsx', 'xlsx'],
    ['buys.xlsm', 'xlsx'],
    ['buys.xls', 'xlsx'],
    ['buys.ods', 'xlsx'],
    ['api.json', 'json'],
    ['events.ndjson', 'ndjson'],
    ['events.jsonl', 'ndjson'],
    ['report.pdf', undefined],
  ])('maps %s to %s', (name, format) => {
    expect(formatForPath(name)).toBe(format);
  });
});

describe('openTable', () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => formatForPath(f) !== undefined);

  it.each(fixtures)('opens %s as a table whose rows align with its headers', async (name) => {
    const t = await openTable(fixture(name));
    const rows = await collect(t.rows);
    expect(t.fileName).toBe(name);
    expect(t.headers.length).toBeGreaterThan(0);
    expect(new Set(t.headers.map((h) => h.toLowerCase())).size).toBe(t.headers.length);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.cells).toHaveLength(t.headers.length);
      expect(r.row).toBeGreaterThan(t.headerRow);
    }
    expect(t.bytesRead()).toBe(t.totalBytes);
  });

  it('fills the CSV fields of the table and keeps extra cells as an issue', async () => {
    const t = await openTable(fixture('ragged-rows.csv'));
    expect([t.format, t.encoding, t.delimiter, t.headerRow]).toEqual(['csv', 'utf-8', ',', 1]);
    const rows = await collect(t.rows);
    expect(rows[2]!.issues?.[0]).toContain('"late fee", "see email"');
  });

  it('fills the spreadsheet fields of the table', async () => {
    const t = await openTable(fixture('buys-title-merged.xlsx'), { sheet: 'Invoices' });
    expect([t.format, t.sheet, t.sheets]).toEqual(['xlsx', 'Invoices', ['Lookup', 'Buys', 'Invoices']]);
    expect(t.encoding).toBeUndefined();
  });

  it('fills the JSON fields of the table', async () => {
    const t = await openTable(fixture('nested.json'));
    expect([t.format, t.jsonPath, t.headerRow, t.encoding]).toEqual(['json', 'data.items', 0, 'utf-8']);
    const n = await openTable(fixture('events.ndjson'));
    expect([n.format, n.jsonPath, n.headerRow]).toEqual(['ndjson', undefined, 0]);
  });

  it('passes options through to the reader', async () => {
    const t = await openTable(fixture('title-rows.csv'), { headerRow: 2, delimiter: ';', encoding: 'windows-1252' });
    expect([t.headerRow, t.delimiter, t.encoding]).toEqual([2, ';', 'windows-1252']);
  });

  it('lets a format override the extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tieout-open-'));
    const path = join(dir, 'export.dat');
    writeFileSync(path, '{"io":"IO-1"}\n{"io":"IO-2"}\n');
    const t = await openTable(path, { format: 'ndjson' });
    expect((await collect(t.rows)).map((r: TableRow) => r.cells)).toEqual([['IO-1'], ['IO-2']]);
  });

  it('refuses an unsupported extension with file_unreadable', async () => {
    const err = (await rejection(openTable('/tmp/statement.pdf'))) as TieoutError;
    expect(err).toBeInstanceOf(TieoutError);
    expect([err.code, err.details?.file]).toEqual(['file_unreadable', 'statement.pdf']);
  });

  it('releases the file when the caller stops early', async () => {
    const t: Table = await openTable(fixture('quoted-newlines.csv'));
    for await (const r of t.rows) {
      expect(r.row).toBe(2);
      break;
    }
    expect(await collect(t.rows)).toEqual([]);
  });
});

describe('previewTable', () => {
  it('returns the header and first rows of any format', async () => {
    const p = await previewTable(fixture('buys-title-merged.xlsx'), { limit: 2 });
    expect(p.headers[0]).toBe('IO Number');
    expect(p.rows.map((r) => r.row)).toEqual([5, 6]);
    expect(p.truncated).toBe(true);
    const c = await previewTable(fixture('windows-1252.csv'));
    expect([c.encoding, c.rows.length, c.truncated]).toEqual(['windows-1252', 3, false]);
  });
});

describe('sha256File', () => {
  it('hashes the file bytes', async () => {
    const path = fixture('buys-title-merged.xlsx');
    expect(await sha256File(path)).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
  });

  it('reports a missing file as file_unreadable', async () => {
    const err = (await rejection(sha256File(join(tmpdir(), 'tieout-none', 'x.csv')))) as TieoutError;
    expect([err.code, err.details?.file]).toEqual(['file_unreadable', 'x.csv']);
  });
});
