import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import type { MappingTemplateInput } from '../../../shared/mapping.js';
import { runInWorker } from '../jobs/index.js';
import { iterateRecords, listBatches, listRejectedRows, openWorkspace, type Workspace } from '../workspace/index.js';
import { runImport } from './index.js';
import { FIXTURES } from './read/test-fixture.js';

const dir = () => mkdtempSync(join(tmpdir(), 'tieout-import-'));
function workspace(): Workspace {
  return openWorkspace(join(dir(), 'w.tieout'), { create: true });
}
function file(name: string, text: string): string {
  const p = join(dir(), name);
  writeFileSync(p, text);
  return p;
}
const counts = (ws: Workspace) =>
  ws.db.prepare('SELECT (SELECT COUNT(*) FROM batch) AS batches, (SELECT COUNT(*) FROM record) AS records, (SELECT COUNT(*) FROM audit_event) AS events').get();

const INVOICES: MappingTemplateInput = {
  fields: [
    { name: 'invoice_no', column: 'Invoice No', type: 'text', role: 'record_id', required: true },
    { name: 'line', column: 'Line', type: 'integer', role: 'record_id', required: true },
    { name: 'invoice_date', column: 'Date', type: 'date', role: 'date' },
    { name: 'vendor', column: 'Vendor', type: 'text', role: 'counterparty' },
    { name: 'amount', column: 'Amount', type: 'money', role: 'amount', required: true },
    { name: 'currency', column: 'Currency', type: 'currency', role: 'currency', required: true },
  ],
  naturalKey: ['invoice_no', 'line'],
  amount: 'amount',
  currency: { field: 'currency' },
  date: 'invoice_date',
};

const MESSY = [
  'Invoice No,Line,Date,Vendor,Amount,Currency,Notes',
  'INV-1,1,2026-03-01,META PLATFORMS INC,"$1,234.50",USD,first',
  'INV-1,2,2026-03-01,META PLATFORMS INC,(120.00),USD,credit',
  'INV-2,1,2026-03-02,Google LLC,12abc,USD,bad amount',
  'INV-3,1,2026-03-03,Spotify,,USD,blank amount',
  'INV-4,1,2026-03-04,Hulu,500.00,USD,',
  'INV-4,1,2026-03-04,Hulu,500.00,USD,',
].join('\n');

describe('import', () => {
  it('rejects a row whose amount is not a number and names the file, row, column and value', async () => {
    const ws = workspace();
    const s = await runImport(ws, { source: 'Invoices', path: file('inv.csv', MESSY), mapping: INVOICES, actor: 'ana' });
    expect(s.counts).toMatchObject({ read: 6, accepted: 4, rejected: 2, duplicate: 1, new: 3 });
    const rejected = listRejectedRows(ws.db, s.batchId);
    expect(rejected.map((r) => [r.row, r.column, r.value])).toEqual([
      [4, 'Amount', '12abc'],
      [5, 'Amount', ''],
    ]);
    expect(rejected[1]!.reason).toMatch(/required/);
    // Unmapped columns are kept as extra attributes, and money is exact minor units.
    const recs = [...iterateRecords(ws.db, s.sourceId)];
    expect(recs[0]).toMatchObject({ rowNumber: 2, currency: 'USD', fields: { amount: 123450 }, extras: { Notes: 'first' } });
    expect(recs[1]!.fields['amount']).toBe(-12000);
    // Identical rows are flagged as possible duplicates, never dropped.
    expect(recs.filter((r) => r.duplicateOf !== null)).toHaveLength(1);
    ws.close();
  });

  it('reads CR amounts as money in when the template says credits are positive', async () => {
    const ws = workspace();
    const csv = 'Invoice No,Line,Date,Vendor,Amount,Currency\nA,1,2026-03-01,Bank,120.00 CR,USD\nA,2,2026-03-01,Bank,80.00 DR,USD\n';
    const s = await runImport(ws, { source: 'Bank', path: file('bank.csv', csv), mapping: { ...INVOICES, credit: 'positive' }, actor: 'ana' });
    const amounts = ws.db.prepare('SELECT amount_minor FROM record WHERE batch_id = ? ORDER BY row_number').pluck().all(s.batchId);
    expect(amounts).toEqual([12000, -8000]);
    ws.close();
  });

  it('fails a strict import on the first rejected row and writes nothing', async () => {
    const ws = workspace();
    const before = counts(ws);
    const err = await runImport(ws, { source: 'Invoices', path: file('inv.csv', MESSY), mapping: INVOICES, strict: true, actor: 'ana' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TieoutError);
    expect((err as TieoutError).message).toContain('inv.csv, row 4, column "Amount"');
    expect((err as TieoutError).details).toMatchObject({ file: 'inv.csv', row: 4, column: 'Amount', value: '12abc' });
    expect(counts(ws)).toEqual(before);
    ws.close();
  });

  it('treats re-importing the same bytes into the same source as a no-op that says so', async () => {
    const ws = workspace();
    const path = file('inv.csv', MESSY);
    const first = await runImport(ws, { source: 'Invoices', path, mapping: INVOICES, actor: 'ana' });
    const again = await runImport(ws, { source: 'Invoices', path, actor: 'ana' });
    expect(again.status).toBe('already_imported');
    expect(again.batchId).toBe(first.batchId);
    expect(again.warnings[0]).toMatch(/already imported/);
    expect(listBatches(ws.db, first.sourceId)).toHaveLength(1);
    ws.close();
  });

  it('upserts an overlapping later export by natural key and keeps the old version', async () => {
    const ws = workspace();
    const header = 'Invoice No,Line,Date,Vendor,Amount,Currency\n';
    await runImport(ws, { source: 'Invoices', path: file('mtd1.csv', header + 'A,1,2026-03-01,Meta,100.00,USD\nA,2,2026-03-01,Meta,200.00,USD\n'), mapping: INVOICES, actor: 'ana' });
    const s = await runImport(ws, {
      source: 'Invoices',
      path: file('mtd2.csv', header + 'A,1,2026-03-01,Meta,100.00,USD\nA,2,2026-03-01,Meta,250.00,USD\nA,3,2026-03-05,Meta,75.00,USD\n'),
      actor: 'ana',
    });
    expect(s.counts).toMatchObject({ read: 3, new: 1, changed: 1, unchanged: 1 });
    const current = [...iterateRecords(ws.db, s.sourceId)]
      .map((r) => [r.fields['line'], r.fields['amount'], r.version])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(current).toEqual([
      [1, 10000, 1],
      [2, 25000, 2],
      [3, 7500, 1],
    ]);
    const old = ws.db.prepare("SELECT is_current, json_extract(fields_json, '$.amount') AS amount FROM record WHERE version = 1 AND natural_key LIKE 'A%2'").get();
    expect(old).toEqual({ is_current: 0, amount: 20000 });
    ws.close();
  });

  it('numbers records in file order when new, changed and duplicate rows mix, so duplicates point at the right record', async () => {
    const ws = workspace();
    const header = 'Invoice No,Line,Date,Vendor,Amount,Currency\n';
    await runImport(ws, { source: 'Invoices', path: file('mtd1.csv', header + 'A,1,2026-03-01,Meta,100.00,USD\nA,2,2026-03-01,Meta,200.00,USD\n'), mapping: INVOICES, actor: 'ana' });
    const s = await runImport(ws, {
      source: 'Invoices',
      path: file('mtd2.csv', header + 'A,3,2026-03-05,Meta,75.00,USD\nA,2,2026-03-01,Meta,250.00,USD\nA,3,2026-03-05,Meta,75.00,USD\nA,4,2026-03-06,Meta,5.00,USD\n'),
      actor: 'ana',
    });
    expect(s.counts).toMatchObject({ read: 4, new: 2, changed: 1, duplicate: 1 });
    const rows = ws.db.prepare('SELECT id, row_number AS row, version, supersedes, duplicate_of AS duplicateOf FROM record WHERE batch_id = ? ORDER BY id').all(s.batchId) as { id: number; row: number; version: number; supersedes: number | null; duplicateOf: number | null }[];
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4, 5]);
    expect(rows.map((r) => r.id)).toEqual([3, 4, 5, 6]);
    expect(rows[1]).toMatchObject({ version: 2, supersedes: 2 });
    expect(rows[2]!.duplicateOf).toBe(rows[0]!.id);
    ws.close();
  });

  it('refuses a file that lacks a mapped column, suggests the rename, and imports nothing', async () => {
    const ws = workspace();
    await runImport(ws, { source: 'Invoices', path: file('a.csv', 'Invoice No,Line,Date,Vendor,Amount,Currency\nA,1,2026-03-01,Meta,1.00,USD\n'), mapping: INVOICES, actor: 'ana' });
    const before = counts(ws);
    const err = (await runImport(ws, {
      source: 'Invoices',
      path: file('b.csv', 'Invoice No,Line,Date,Vendor,Amount (USD),Currency\nA,2,2026-03-01,Meta,1.00,USD\n'),
      actor: 'ana',
    }).catch((e: unknown) => e)) as TieoutError;
    expect(err.code).toBe('schema_drift');
    expect(err.message).toContain('lacks mapped column "Amount"');
    expect(err.message).toContain('"Amount" -> "Amount (USD)"');
    expect(counts(ws)).toEqual(before);
    ws.close();
  });

  it('imports a file with a new column and records a warning on the batch', async () => {
    const ws = workspace();
    await runImport(ws, { source: 'Invoices', path: file('a.csv', 'Invoice No,Line,Date,Vendor,Amount,Currency\nA,1,2026-03-01,Meta,1.00,USD\n'), mapping: INVOICES, actor: 'ana' });
    const s = await runImport(ws, { source: 'Invoices', path: file('b.csv', 'Invoice No,Line,Date,Vendor,Amount,Currency,PO\nA,2,2026-03-01,Meta,1.00,USD,IO-9\n'), actor: 'ana' });
    expect(s.counts.new).toBe(1);
    expect(listBatches(ws.db, s.sourceId)[1]!.warnings.join(' ')).toContain('"PO"');
    ws.close();
  });

  it('suggests and saves a mapping when the source has none', async () => {
    const ws = workspace();
    const s = await runImport(ws, { source: 'Invoices', path: file('inv.csv', 'Invoice No,Line,Date,Vendor,Amount,Currency\nA,1,03/25/2026,Meta,"$1,000.00",USD\nA,2,03/26/2026,Meta,$5.00,USD\n'), actor: 'ana' });
    expect(s.mappingSuggested).toBe(true);
    expect(s.mapping.amount).toBe('amount');
    expect(s.mapping.fields.find((f) => f.name === 'date')?.type).toBe('date');
    expect(s.counts.accepted).toBe(2);
    const [rec] = [...iterateRecords(ws.db, s.sourceId)];
    expect(rec!.fields).toMatchObject({ amount: 100000, date: '2026-03-25' });
    ws.close();
  });

  it('reads an XLSX sheet with a title row above the header, with formulas as their values', async () => {
    const ws = workspace();
    const sheet = XLSX.utils.aoa_to_sheet([
      ['Vendor invoices March 2026'],
      [],
      ['Invoice No', 'Line', 'Date', 'Vendor', 'Amount', 'Currency'],
      ['X-1', 1, new Date(Date.UTC(2026, 2, 1)), 'Meta', 1234.5, 'USD'],
      ['X-1', 2, new Date(Date.UTC(2026, 2, 2)), 'Meta', { t: 'n', v: 100, f: 'E4-1134.5' }, 'USD'],
    ], { cellDates: true });
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, sheet, 'March');
    const path = join(dir(), 'inv.xlsx');
    writeFileSync(path, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
    const s = await runImport(ws, { source: 'Invoices', path, mapping: INVOICES, actor: 'ana' });
    expect(s.counts).toMatchObject({ read: 2, accepted: 2, rejected: 0 });
    const recs = [...iterateRecords(ws.db, s.sourceId)];
    expect(recs.map((r) => [r.rowNumber, r.fields['amount'], r.fields['invoice_date']])).toEqual([
      [4, 123450, '2026-03-01'],
      [5, 10000, '2026-03-02'],
    ]);
    ws.close();
  });

  it('reads nested JSON at a path, flattening objects to dotted columns', async () => {
    const ws = workspace();
    const path = file(
      'inv.json',
      JSON.stringify({ data: { items: [{ id: 'J1', line: 1, billing: { amount: '10.50', currency: 'EUR' }, vendor: 'Spotify', date: '2026-03-01' }] } }),
    );
    const mapping: MappingTemplateInput = {
      fields: [
        { name: 'invoice_no', column: 'id', type: 'text', role: 'record_id', required: true },
        { name: 'amount', column: 'billing.amount', type: 'money', role: 'amount', required: true },
        { name: 'currency', column: 'billing.currency', type: 'currency', role: 'currency' },
      ],
      naturalKey: ['invoice_no'],
      amount: 'amount',
      currency: { field: 'currency' },
    };
    const s = await runImport(ws, { source: 'API', path, mapping, actor: 'ana', jsonPath: 'data.items' });
    expect(s.counts.accepted).toBe(1);
    expect([...iterateRecords(ws.db, s.sourceId)][0]).toMatchObject({ currency: 'EUR', fields: { amount: 1050 } });
    ws.close();
  });

  it('stores the same records, rejections, duplicates and warnings whether rows are parsed on a worker thread or not', async () => {
    // Past the 2,000-row sample, so the worker parses the rejected, ragged and repeated rows itself.
    const rows = ['Invoice No,Line,Date,Vendor,Amount,Currency,Notes'];
    for (let i = 0; i < 5000; i++) rows.push(`W-${i},1,2026-03-${String((i % 28) + 1).padStart(2, '0')},"Meta, Inc",${i}.25,USD,n${i}`);
    rows.push('W-bad,1,2026-03-01,Meta,12abc,USD,x', 'W-ragged,1,2026-03-01,Meta,1.00,USD', rows[5000]!);
    const path = file('wide.csv', rows.join('\n'));
    const read = (ws: Workspace, batchId: number, sourceId: number) => ({
      records: ws.db.prepare('SELECT row_number, natural_key, content_hash, duplicate_of, amount_minor, fields_json, raw_json FROM record ORDER BY id').all(),
      rejected: listRejectedRows(ws.db, batchId),
      batch: listBatches(ws.db, sourceId).map((b) => ({ counts: b.counts, warnings: b.warnings })),
      extras: [...iterateRecords(ws.db, sourceId)].slice(-2).map((r) => r.extras),
      provenance: ws.db.prepare('SELECT file_name, file_size, sha256, provenance_json FROM batch').all(),
    });
    const results = [];
    for (const parseWorker of ['never', 'always'] as const) {
      const ws = workspace();
      const s = await runImport(ws, { source: 'Invoices', path, mapping: INVOICES, actor: 'ana', parseWorker });
      expect(s.counts).toMatchObject({ read: 5003, accepted: 5002, rejected: 1, duplicate: 1 });
      results.push(read(ws, s.batchId, s.sourceId));
      ws.close();
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0]!.rejected[0]).toMatchObject({ row: 5002, column: 'Amount', value: '12abc' });
    expect(results[0]!.batch[0]!.warnings.join(' ')).toContain('Row 5003');
  });

  it('gives the connection its page cache back after an import, whether it succeeded or failed', async () => {
    const ws = workspace();
    const cacheSize = () => ws.db.pragma('cache_size', { simple: true });
    const before = cacheSize();
    await runImport(ws, { source: 'Invoices', path: file('inv.csv', MESSY), mapping: INVOICES, actor: 'ana' });
    expect(cacheSize()).toBe(before);
    await runImport(ws, { source: 'Strict', path: file('inv2.csv', MESSY), mapping: INVOICES, strict: true, actor: 'ana' }).catch(() => undefined);
    expect(cacheSize()).toBe(before);
    ws.close();
  });

  it('leaves the workspace exactly as before when an import is cancelled part-way', async () => {
    const ws = workspace();
    const rows = ['Invoice No,Line,Date,Vendor,Amount,Currency'];
    for (let i = 0; i < 200_000; i++) rows.push(`B-${i},1,2026-03-01,Meta,${i}.25,USD`);
    const path = file('big.csv', rows.join('\n'));
    await runImport(ws, { source: 'Invoices', path: file('seed.csv', 'Invoice No,Line,Date,Vendor,Amount,Currency\nS,1,2026-03-01,Meta,1.00,USD\n'), mapping: INVOICES, actor: 'ana' });
    const before = counts(ws);
    const controller = new AbortController();
    let seen = 0;
    // On a parse worker, the harder case: the job's thread must stop that worker too.
    const err = await runInWorker('import', ws.path, { source: 'Invoices', path, actor: 'ana', parseWorker: 'always' }, {
      signal: controller.signal,
      onProgress: (p) => {
        seen = Number(/(\d+) rows/.exec(p.message ?? '')?.[1] ?? 0);
        if (seen >= 20_000) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect((err as TieoutError).code).toBe('cancelled');
    expect(seen).toBeGreaterThanOrEqual(20_000);
    expect(counts(ws)).toEqual(before);
    ws.close();
  });

  it('leaves the workspace exactly as before when the importing process is killed part-way', async () => {
    const ws = workspace();
    await runImport(ws, { source: 'Invoices', path: file('seed.csv', 'Invoice No,Line,Date,Vendor,Amount,Currency\nS,1,2026-03-01,Meta,1.00,USD\n'), mapping: INVOICES, actor: 'ana' });
    const before = counts(ws);
    ws.close();
    const rows = ['Invoice No,Line,Date,Vendor,Amount,Currency'];
    for (let i = 0; i < 300_000; i++) rows.push(`K-${i},1,2026-03-01,Meta,${i}.10,USD`);
    const path = file('big.csv', rows.join('\n'));
    const root = resolve(import.meta.dirname, '../../../..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/core/import-child.ts'), ws.path, 'Invoices', path], { cwd: root });
    const killedAt = await new Promise<number>((ok, fail) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = [...out.matchAll(/progress (\d+) rows/g)].pop();
        if (m && Number(m[1]) >= 30_000 && child.exitCode === null) {
          child.kill('SIGKILL');
          ok(Number(m[1]));
        }
        if (out.includes('finished')) fail(new Error('the import finished before it could be killed'));
      });
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.on('exit', () => setTimeout(() => fail(new Error(`child exited without reaching 30,000 rows:\n${out}`)), 50));
    });
    await new Promise((r) => child.once('exit', r));
    expect(killedAt).toBeGreaterThanOrEqual(30_000);
    const reopened = openWorkspace(ws.path);
    expect(counts(reopened)).toEqual(before);
    expect(reopened.db.pragma('integrity_check', { simple: true })).toBe('ok');
    reopened.close();
  });
});

describe('import dates', () => {
  it('refuses to guess row by row when a column mixes day-first and month-first dates', async () => {
    const ws = workspace();
    const path = file('mixed.csv', 'Invoice No,Line,Date,Vendor,Amount,Currency\nA,1,25/03/2026,Meta,1.00,USD\nA,2,03/26/2026,Meta,1.00,USD\nA,3,2026-03-27,Meta,1.00,USD\n');
    const s = await runImport(ws, { source: 'Invoices', path, mapping: INVOICES, actor: 'ana' });
    expect(s.counts).toMatchObject({ accepted: 1, rejected: 2 });
    expect(listRejectedRows(ws.db, s.batchId)[0]!.reason).toContain('set the day/month order');

    // Fixing the mapping and importing the same file again reads it anew.
    const fixed = await runImport(ws, { source: 'Invoices', path, mapping: { ...INVOICES, dateOrder: 'dmy' }, actor: 'ana' });
    expect(fixed.status).toBe('imported');
    expect(fixed.counts).toMatchObject({ accepted: 2, rejected: 1, new: 1, unchanged: 1 });
    // The same file with the same mapping again is a no-op.
    const again = await runImport(ws, { source: 'Invoices', path, actor: 'ana' });
    expect(again.status).toBe('already_imported');
    ws.close();
  });
});

describe('import of amounts split over a debit and a credit column', () => {
  const LEDGER: MappingTemplateInput = {
    fields: [
      { name: 'entry', column: 'Entry', type: 'text', role: 'record_id', required: true },
      { name: 'amount', column: 'Debit', creditColumn: 'Credit', type: 'money', role: 'amount', required: true },
    ],
    naturalKey: ['entry'],
    amount: 'amount',
    currency: { code: 'EUR' },
  };
  const LEDGER_CSV = 'Entry,Debit,Credit,Memo\nE1,100.00,,rent\nE2,,40.00,refund\nE3,0.00,25.00,zero debit written out\n';
  const amounts = (ws: Workspace, batchId: number) => ws.db.prepare('SELECT amount_minor FROM record WHERE batch_id = ? ORDER BY row_number').pluck().all(batchId);

  it('suggests one amount field that reads Paid out and Paid in, with money in positive, and rejects a row with neither', async () => {
    const ws = workspace();
    const s = await runImport(ws, { source: 'Bank', path: join(FIXTURES, 'bank-paid-in-out.csv'), actor: 'ana' });
    const amount = s.mapping.fields.find((f) => f.name === s.mapping.amount);
    expect(amount).toMatchObject({ name: 'amount', column: 'Paid out', creditColumn: 'Paid in', type: 'money', role: 'amount', required: true });
    expect(s.mapping.fields.map((f) => f.column)).not.toContain('Paid in');
    expect(s.mapping.credit).toBe('positive');
    // A debit written as "-7.50" reads as the same money out as "7.50"; a row with both sides nets.
    expect(amounts(ws, s.batchId)).toEqual([-125000, 340000, -750, 800]);
    expect(listRejectedRows(ws.db, s.batchId).map((r) => [r.row, r.column, r.value, r.reason])).toEqual([
      [6, 'Paid out', '', 'a required value is blank (both "Paid out" and "Paid in")'],
      [7, 'Paid out', '12x.00', expect.stringMatching(/amount/i)],
    ]);
    // The credit column is read, so it is not kept again as an extra attribute.
    const provenance = ws.db.prepare('SELECT provenance_json FROM batch WHERE id = ?').pluck().get(s.batchId) as string;
    expect(JSON.parse(provenance)).toMatchObject({ extraColumns: [] });
    ws.close();
  });

  it('reads a credit as negative by default and as positive when the template says credits are positive', async () => {
    const ws = workspace();
    const path = file('ledger.csv', LEDGER_CSV);
    const ledger = await runImport(ws, { source: 'Ledger', path, mapping: LEDGER, actor: 'ana' });
    expect(amounts(ws, ledger.batchId)).toEqual([10000, -4000, -2500]);
    const [first] = [...iterateRecords(ws.db, ledger.sourceId)];
    expect(first).toMatchObject({ fields: { entry: 'E1', amount: 10000 }, extras: { Memo: 'rent' } });
    expect(Object.keys(first!.extras)).toEqual(['Memo']);

    const bank = await runImport(ws, { source: 'Bank', path, mapping: { ...LEDGER, credit: 'positive' }, actor: 'ana' });
    expect(amounts(ws, bank.batchId)).toEqual([-10000, 4000, 2500]);
    ws.close();
  });

  it('rejects a row whose two sides are written in different currencies and names the side', async () => {
    const ws = workspace();
    const path = file('ledger.csv', 'Entry,Debit,Credit\nE1,$10.00,€4.00\n');
    const s = await runImport(ws, { source: 'Ledger', path, mapping: { ...LEDGER, currency: undefined }, actor: 'ana' });
    expect(listRejectedRows(ws.db, s.batchId).map((r) => [r.column, r.value, r.reason])).toEqual([['Credit', '€4.00', 'this side is written in EUR but "Debit" in USD']]);
    ws.close();
  });

  it('refuses a file that lacks the credit column, names it, and imports nothing', async () => {
    const ws = workspace();
    const path = file('ledger.csv', 'Entry,Debit,Memo\nE1,100.00,rent\n');
    await expect(runImport(ws, { source: 'Ledger', path, mapping: LEDGER, actor: 'ana' })).rejects.toMatchObject({ code: 'schema_drift', details: { column: 'Credit' } });
    expect(counts(ws)).toEqual({ batches: 0, records: 0, events: 0 });
    ws.close();
  });
});

describe('import of amounts signed by a debit/credit indicator column', () => {
  it('suggests the indicator column for the amount, signs each amount by it, and rejects a row without a mark', async () => {
    const ws = workspace();
    const s = await runImport(ws, { source: 'Bank', path: join(FIXTURES, 'bank-dr-cr-indicator.csv'), actor: 'ana' });
    const amount = s.mapping.fields.find((f) => f.name === s.mapping.amount);
    expect(amount).toMatchObject({ column: 'Amount', indicatorColumn: 'DR/CR', type: 'money', role: 'amount' });
    expect(s.mapping.fields.map((f) => f.column)).not.toContain('DR/CR');
    expect(s.mapping.fields.find((f) => f.column === 'Balance')?.role).toBe('other');
    // DR is positive and CR negative by default (a ledger's view); "-7.50" marked Dr is still money out.
    const amounts = ws.db.prepare('SELECT amount_minor FROM record WHERE batch_id = ? ORDER BY row_number').pluck().all(s.batchId);
    expect(amounts).toEqual([125000, -340000, 750, -200]);
    expect(listRejectedRows(ws.db, s.batchId).map((r) => [r.row, r.column, r.value, r.reason])).toEqual([[6, 'DR/CR', '', 'the debit/credit indicator is blank']]);
    ws.close();
  });

  it('flips with credits positive, and rejects a mark that is neither debit nor credit, naming the column and value', async () => {
    const ws = workspace();
    const mapping: MappingTemplateInput = {
      fields: [
        { name: 'ref', column: 'Ref', type: 'text', role: 'record_id' },
        { name: 'amount', column: 'Amount', indicatorColumn: 'D/C', type: 'money', role: 'amount', required: true },
      ],
      amount: 'amount',
      currency: { code: 'GBP' },
      credit: 'positive',
    };
    const s = await runImport(ws, { source: 'Bank', path: file('dc.csv', 'Ref,Amount,D/C\nA,10.00,D\nB,4.00,Credit\nC,1.00,X\n'), mapping, actor: 'ana' });
    expect(ws.db.prepare('SELECT amount_minor FROM record WHERE batch_id = ? ORDER BY row_number').pluck().all(s.batchId)).toEqual([-1000, 400]);
    expect(listRejectedRows(ws.db, s.batchId).map((r) => [r.row, r.column, r.value])).toEqual([[4, 'D/C', 'X']]);
    expect(listRejectedRows(ws.db, s.batchId)[0]!.reason).toMatch(/neither a debit \(D, DR, Debit\) nor a credit/);
    ws.close();
  });
});
