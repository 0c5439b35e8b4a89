import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../../shared/error.js';
import { openCsv, previewCsv, readCsv, sniffDelimiter, type CsvRow } from './csv.js';
import { collect, fixture, rejection } from './test-fixture.js';

const text = (s: string, name = 'inline.csv') => ({ bytes: new Uint8Array(Buffer.from(s)), name });

async function table(source: Parameters<typeof openCsv>[0], opts: Parameters<typeof openCsv>[1] = {}) {
  const t = await openCsv(source, opts);
  return { ...t, encoding: t.encoding, rows: await collect(t.rows) };
}

describe('sniffDelimiter', () => {
  it('picks comma for an ordinary CSV even with quoted commas in amounts', () => {
    expect(sniffDelimiter('IO,Vendor,Amount\nIO-1,Meta,"$1,234.50"\nIO-2,Google,"$2,000.00"\n')).toBe(',');
  });

  it('picks semicolon over the decimal commas of a European export', () => {
    expect(sniffDelimiter('IO;Vendor;Net;Tax;Total\nIO-1;Meta;1.234,50;234,56;1.469,06\nIO-2;Google;10,00;1,90;11,90\n')).toBe(';');
  });

  it('picks tab when vendor names contain commas', () => {
    expect(sniffDelimiter('IO\tVendor\tAmount\nIO-1\tReddit, Inc.\t1\nIO-2\tThe Trade Desk, Inc.\t2\n')).toBe('\t');
  });

  it('picks pipe and ignores delimiters inside quotes', () => {
    expect(sniffDelimiter('io|vendor|amount\nIO-1|"Meta; Inc, US"|1,234.50\nIO-2|Google|"12,000.00"\n')).toBe('|');
  });

  it('falls back to comma for a one-column file', () => {
    expect(sniffDelimiter('IO Number\nIO-1\nIO-2\n', true)).toBe(',');
  });

  it('still finds the delimiter below title lines', () => {
    expect(sniffDelimiter('Vendor invoices\nMarch 2024\nIO;Vendor;Amount\nIO-1;Meta;1,00\nIO-2;Google;2,00\nIO-3;Spotify;3,00\n')).toBe(';');
  });
});

describe('openCsv on the fixtures', () => {
  it('reads a semicolon file with decimal commas, leaving the amounts as text', async () => {
    const t = await table({ path: fixture('semicolon-decimal-comma.csv') });
    expect(t.delimiter).toBe(';');
    expect(t.headers).toEqual(['IO Number', 'Vendor', 'Net Amount', 'Invoice Date', 'Currency']);
    expect(t.rows.map((r) => r.cells[2])).toEqual(['1.234,50', '(120,00)', '980,00']);
    expect(t.rows.map((r) => r.row)).toEqual([2, 3, 4]);
  });

  it('reads a tab-delimited file whose vendor names contain commas', async () => {
    const t = await table({ path: fixture('tab-delimited.tsv') });
    expect(t.delimiter).toBe('\t');
    expect(t.rows[1]!.cells).toEqual(['IO-10232', 'The Trade Desk, Inc.', '(120.00)', '2024-03-04']);
  });

  it('reads a pipe-delimited file with a quoted amount', async () => {
    const t = await table({ path: fixture('pipe-delimited.psv') });
    expect(t.delimiter).toBe('|');
    expect(t.rows.map((r) => r.cells[2])).toEqual(['1,234.50', '12,000.00', '(120.00)']);
  });

  it('reads a quoted field that spans two lines and keeps the next row number right', async () => {
    const t = await table({ path: fixture('quoted-newlines.csv') });
    expect(t.rows.map((r) => r.row)).toEqual([2, 4, 5, 9]);
    expect(t.rows[0]!.cells[2]).toBe('Spring launch\nMakegood for under-delivery');
    expect(t.rows[2]!.cells[2]).toBe('Two\nline\nnote');
    expect(t.rows.every((r) => r.issues === undefined)).toBe(true);
  });

  it('turns doubled quotes into one quote, also at the start of a field', async () => {
    const t = await table({ path: fixture('quoted-newlines.csv') });
    expect(t.rows[1]!.cells[1]).toBe('Google "Performance Max" LLC');
    expect(t.rows[3]!.cells[2]).toBe('"Quoted" podcast spot');
  });

  it('keeps a CRLF inside quotes and counts CRLF as one line', async () => {
    const t = await table({ path: fixture('crlf-quoted.csv') });
    expect(t.rows.map((r) => [r.row, r.cells[2]])).toEqual([
      [2, 'Makegood\r\nfor March'],
      [5, 'Standard'],
    ]);
    expect(t.rows[1]!.cells[3]).toBe('(120.00)');
  });

  it('keeps a stray quote in an unquoted field literally and reports it on that row', async () => {
    const t = await table({ path: fixture('stray-quotes.csv') });
    expect(t.rows[0]).toEqual({
      row: 2,
      cells: ['IO-7001', 'Meta Platforms Inc', 'Billboard 48" x 14"', '$2500.00'],
      issues: ['stray quote in column 3 ("Placement") kept as text'],
    });
  });

  it('keeps text after a closing quote and reports it', async () => {
    const t = await table({ path: fixture('stray-quotes.csv') });
    expect(t.rows[1]).toEqual({
      row: 3,
      cells: ['IO-7002', 'Google LLC Inc', 'Search', '$310.00'],
      issues: ['text after the closing quote in column 2 ("Vendor") kept as part of the value'],
    });
    expect(t.rows[2]!.issues).toBeUndefined();
  });

  it('pads a short row, sets aside extra cells, and reports both', async () => {
    const t = await table({ path: fixture('ragged-rows.csv') });
    expect(t.headers).toEqual(['IO Number', 'Vendor', 'Amount', 'Currency']);
    expect(t.rows[1]).toEqual({
      row: 3,
      cells: ['IO-9002', 'Google LLC', '120.00', ''],
      issues: ['3 cells but the header has 4; the missing cells are blank'],
    });
    expect(t.rows[2]).toEqual({
      row: 4,
      cells: ['IO-9003', 'The Trade Desk', '980.00', 'USD'],
      extra: ['late fee', 'see email'],
      issues: ['6 cells but the header has 4; extra cells kept aside: "late fee", "see email"'],
    });
  });

  it('drops an empty cell after a trailing delimiter without an issue', async () => {
    const t = await table({ path: fixture('ragged-rows.csv') });
    expect(t.rows[3]).toEqual({ row: 5, cells: ['IO-9004', 'Spotify USA Inc', '45.00', 'USD'] });
  });

  it('reports an unterminated quote on the row where it opened', async () => {
    const t = await table({ path: fixture('unterminated-quote.csv') });
    expect(t.rows).toHaveLength(2);
    const bad = t.rows[1]!;
    expect(bad.row).toBe(3);
    expect(bad.cells[2]).toBe('missing close quote,50.00\nIO-3003,Spotify USA Inc,fine,10.00\n');
    expect(bad.issues?.[0]).toBe(
      'unterminated quote in column 3 ("Notes") opened on line 3; the rest of the file was read into this cell',
    );
  });

  it('skips title lines above the header, and blank and delimiter-only lines, keeping line numbers', async () => {
    const t = await table({ path: fixture('title-rows.csv') });
    expect(t.headerRow).toBe(4);
    expect(t.headers).toEqual(['IO Number', 'Vendor', 'Invoice Number', 'Amount']);
    expect(t.rows.map((r) => r.row)).toEqual([5, 6, 8]);
  });

  it('uses a header row the caller names', async () => {
    const t = await table({ path: fixture('title-rows.csv') }, { headerRow: 2 });
    expect(t.headerRow).toBe(2);
    expect(t.headers).toEqual(['Generated 2024-04-02 by AdOps']);
  });

  it.each([
    ['utf8-bom.csv', 'utf-8'],
    ['utf8-no-bom.csv', 'utf-8'],
    ['windows-1252.csv', 'windows-1252'],
    ['utf16be-bom.csv', 'utf-16be'],
  ])('decodes %s (%s) and strips any BOM from the first header', async (name, encoding) => {
    const t = await table({ path: fixture(name) });
    expect(t.encoding).toBe(encoding);
    expect(t.headers[0]).toBe('IO Number');
    expect(t.rows.map((r) => r.cells[1])).toContain(name.startsWith('utf16be') ? 'Müller Werbung GmbH' : 'Société Générale Média');
    expect(t.rows.map((r) => r.cells[2])).toContain('€1,234.50');
  });

  it('reads Windows-1252 curly quotes as themselves', async () => {
    const t = await table({ path: fixture('windows-1252.csv') });
    expect(t.rows[2]!.cells[1]).toBe('McDonald’s Ad Fund');
  });

  it('reads Excel "Unicode text" (UTF-16LE, tab, CRLF)', async () => {
    const t = await table({ path: fixture('excel-unicode-utf16le.txt') });
    expect([t.encoding, t.delimiter]).toEqual(['utf-16le', '\t']);
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['IO-2201', 'Meta Platforms Inc', '$1,234.50', 'USD'],
      ['IO-2202', 'Société Générale Média', '(120.00)', 'EUR'],
      ['IO-2203', 'Yahoo Japan 株式会社', '¥98,000', 'JPY'],
    ]);
  });

  it('honours an encoding override', async () => {
    const t = await table({ path: fixture('utf8-no-bom.csv') }, { encoding: 'windows-1252' });
    expect(t.rows[0]!.cells[1]).toBe('SociÃ©tÃ© GÃ©nÃ©rale MÃ©dia');
  });

  it('honours a delimiter override', async () => {
    const t = await table({ path: fixture('semicolon-decimal-comma.csv') }, { delimiter: '|' });
    expect(t.delimiter).toBe('|');
    expect(t.headers).toEqual(['IO Number;Vendor;Net Amount;Invoice Date;Currency']);
    expect(t.rows[0]!.cells).toEqual(['IO-24017;Meta Platforms Ireland Ltd;1.234,50;01.03.2024;EUR']);
  });
});

describe('openCsv edge cases', () => {
  it('names blank headers by position and suffixes duplicates', async () => {
    const t = await table(text('IO,,Amount,amount,Amount\nIO-1,x,1,2,3\n'));
    expect(t.headers).toEqual(['IO', 'Column 2', 'Amount', 'amount (2)', 'Amount (3)']);
  });

  it('reports quote problems in the header record separately', async () => {
    const t = await table(text('IO,Size 48",Amount\nIO-1,x,1\n'));
    expect(t.headerIssues).toHaveLength(1);
    expect(t.headerIssues[0]).toMatch(/^stray quote in column 2\b/);
    expect(t.headers[1]).toBe('Size 48"');
  });

  it('reads a last record without a final newline, and CR-only line ends', async () => {
    expect((await table(text('a,b\n1,2'))).rows).toEqual([{ row: 2, cells: ['1', '2'] }]);
    expect((await table(text('a,b\r1,2\r\r3,4'))).rows.map((r) => r.row)).toEqual([2, 4]);
  });

  it('reads an empty last field after a trailing delimiter at end of file', async () => {
    expect((await table(text('a,b\n1,'))).rows).toEqual([{ row: 2, cells: ['1', ''] }]);
  });

  it('treats a closing quote at end of file as complete', async () => {
    expect((await table(text('a,b\n1,"x"'))).rows).toEqual([{ row: 2, cells: ['1', 'x'] }]);
  });

  it('gives the same rows whatever the chunk size', async () => {
    const src = readFileSync(fixture('quoted-newlines.csv'));
    const whole = await table({ bytes: new Uint8Array(src), name: 'q.csv' });
    for (const chunkSize of [1, 2, 3, 7, 64]) {
      const t = await table({ bytes: new Uint8Array(src), name: 'q.csv' }, { chunkSize });
      expect(t.rows).toEqual(whole.rows);
    }
  });

  it('gives the same rows for big chunks scanned in slices as for small chunks', async () => {
    let csv = 'IO,Vendor,Notes,Amount\r\n';
    for (let i = 0; i < 4000; i++) {
      csv += i % 3 === 0 ? `IO-${i},"Meta ""Ads""","line one\r\nline two, ${i}",$${i}.50\r\n` : `IO-${i},Google LLC,plain ${i},(${i}.00)\n`;
      if (i % 17 === 0) csv += '\n';
    }
    expect(csv.length).toBeGreaterThan(150_000);
    const big = await collect((await openCsv(text(csv), { chunkSize: 1 << 20 })).rows);
    const small = await collect((await openCsv(text(csv), { chunkSize: 997 })).rows);
    expect(big).toHaveLength(4000);
    expect(big).toEqual(small);
    expect(big[3]).toEqual({ row: 7, cells: ['IO-3', 'Meta "Ads"', 'line one\r\nline two, 3', '$3.50'] });
  });

  it('round-trips any table through RFC 4180 quoting, at any chunk size', async () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', ',', '"', '\n', '\r', 'é', '€', '😀'), maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }).chain((w) => fc.array(fc.array(cell, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 8 })),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        async (rows, crlf, chunkSize, finalNewline) => {
          const width = rows[0]!.length;
          const header = Array.from({ length: width }, (_, i) => `h${i}`);
          const quote = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
          let csv = header.join(',') + '\n';
          let line = 2;
          const expected: CsvRow[] = [];
          rows.forEach((r, i) => {
            const body = r.map(quote).join(',');
            if (r.some((c) => c !== '')) expected.push({ row: line, cells: r });
            line += 1 + (body.match(/\r\n|\r|\n/g)?.length ?? 0);
            const last = i === rows.length - 1;
            csv += body + (last && !finalNewline ? '' : crlf[i] ? '\r\n' : '\n');
          });
          const t = await openCsv(text(csv), { delimiter: ',', chunkSize });
          expect(t.headers).toEqual(header);
          expect(await collect(t.rows)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('switches to Windows-1252 when the first non-ASCII byte comes after the sniffed prefix', async () => {
    const head = 'IO,Vendor\n' + 'IO-1,Meta Platforms Inc\n'.repeat(4000);
    const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0x49, 0x4f, 0x2d, 0x32, 0x2c, 0x53, 0x6f, 0x63, 0x69, 0xe9, 0x74, 0xe9, 0x0a])]);
    expect(bytes.length).toBeGreaterThan(65536);
    const t = await openCsv({ bytes: new Uint8Array(bytes), name: 'late.csv' }, { chunkSize: 8192 });
    expect(t.encoding).toBe('utf-8');
    const rows = await collect(t.rows);
    expect(rows.at(-1)).toEqual({ row: 4002, cells: ['IO-2', 'Société'] });
    expect(t.encoding).toBe('windows-1252');
  });

  it('reports a missing file as file_unreadable naming the file', async () => {
    const err = await rejection(openCsv({ path: join(tmpdir(), 'no-such-dir-tieout', 'buys.csv') }));
    expect(err).toBeInstanceOf(TieoutError);
    expect((err as TieoutError).code).toBe('file_unreadable');
    expect((err as TieoutError).details?.file).toBe('buys.csv');
    expect((err as TieoutError).message).toContain('does not exist');
  });

  it('refuses a spreadsheet renamed to .csv', async () => {
    const err = (await rejection(openCsv({ path: fixture('buys-title-merged.xlsx') }))) as TieoutError;
    expect(err.code).toBe('file_unreadable');
    expect(err.message).toMatch(/not a text file/);
  });

  it('reports an empty file as a parse error', async () => {
    const err = (await rejection(openCsv(text('\n\n', 'empty.csv')))) as TieoutError;
    expect([err.code, err.details?.file]).toEqual(['parse', 'empty.csv']);
  });

  it('rejects a delimiter that is not one character', async () => {
    const err = (await rejection(openCsv(text('a,b\n'), { delimiter: ';;' }))) as TieoutError;
    expect(err.code).toBe('bad_input');
  });

  it('stops with "cancelled" when the signal aborts', async () => {
    const ac = new AbortController();
    const t = await openCsv(text('a,b\n' + '1,2\n'.repeat(1000)), { signal: ac.signal, chunkSize: 64 });
    const it = t.rows[Symbol.asyncIterator]();
    await it.next();
    ac.abort();
    const err = (await rejection((async () => { for (;;) if ((await it.next()).done) return; })())) as TieoutError;
    expect(err.code).toBe('cancelled');
  });

  it('counts bytes read up to the file size for progress', async () => {
    const t = await openCsv({ path: fixture('quoted-newlines.csv') }, { chunkSize: 16 });
    expect(t.bytesRead()).toBeLessThan(t.totalBytes);
    await collect(t.rows);
    expect(t.bytesRead()).toBe(t.totalBytes);
  });
});

describe('readCsv and previewCsv', () => {
  it('readCsv yields every non-blank record, title and header lines included', async () => {
    const rows = await collect(readCsv({ path: fixture('title-rows.csv') }));
    expect(rows.map((r) => r.row)).toEqual([1, 2, 4, 5, 6, 8]);
    expect(rows[2]!.cells).toEqual(['IO Number', 'Vendor', 'Invoice Number', 'Amount']);
  });

  it('previewCsv returns the first rows and says whether more follow', async () => {
    const p = await previewCsv({ path: fixture('quoted-newlines.csv') }, { limit: 2 });
    expect(p.rows.map((r) => r.row)).toEqual([2, 4]);
    expect(p.truncated).toBe(true);
    expect(p.headers).toEqual(['IO Number', 'Vendor', 'Description', 'Amount']);
    const all = await previewCsv({ path: fixture('quoted-newlines.csv') }, { limit: 10 });
    expect([all.rows.length, all.truncated]).toEqual([4, false]);
  });

  it('can be closed without reading the rows', async () => {
    const t = await openCsv({ path: fixture('ragged-rows.csv') });
    await t.close();
    expect(await collect(t.rows)).toEqual([]);
  });
});

describe('streaming', () => {
  it('reads a generated 20 MB file, all rows, chunk by chunk', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tieout-csv-')), 'big.csv');
    const out = createWriteStream(path);
    const n = 220_000;
    out.write('IO Number,Vendor,Campaign,Amount,Notes\n');
    for (let i = 0; i < n; i += 1000) {
      let chunk = '';
      for (let k = i; k < i + 1000; k++) {
        chunk += `IO-${k},Meta Platforms Inc,Spring Launch ${k % 13} - Prospecting,"$${(k / 100).toFixed(2)}","Makegood, wave ${k % 7} ""A"""\n`;
      }
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));

    const t = await openCsv({ path });
    expect(t.totalBytes).toBeGreaterThan(19_000_000);
    let count = 0;
    let last: CsvRow | undefined;
    for await (const r of t.rows) {
      count++;
      last = r;
    }
    expect(count).toBe(n);
    const k = n - 1;
    expect(last).toEqual({ row: n + 1, cells: [`IO-${k}`, 'Meta Platforms Inc', `Spring Launch ${k % 13} - Prospecting`, `$${(k / 100).toFixed(2)}`, `Makegood, wave ${k % 7} "A"`] });
    expect(t.bytesRead()).toBe(t.totalBytes);
  });

  it('writes nothing to disk but reads bytes sources too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tieout-csv-'));
    writeFileSync(join(dir, 'a.csv'), 'a,b\n1,2\n');
    expect((await table({ path: join(dir, 'a.csv') })).rows).toEqual((await table(text('a,b\n1,2\n'))).rows);
  });
});
