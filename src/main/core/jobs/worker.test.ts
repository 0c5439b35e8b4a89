import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { openWorkspace } from '../workspace/index.js';
import { runInWorker } from './index.js';

it('a job replies before its WAL is copied into the workspace file, and its worker copies it after', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tieout-job-'));
  const ws = openWorkspace(join(dir, 'w.tieout'), { create: true });
  const csv = join(dir, 'invoices.csv');
  const rows = ['Invoice No,Amount,Currency'];
  for (let i = 0; i < 20_000; i++) rows.push(`INV-${i},${i}.25,USD`);
  writeFileSync(csv, rows.join('\n'));
  const mapping = {
    fields: [
      { name: 'invoice_no', column: 'Invoice No', type: 'text' as const, role: 'record_id' as const, required: true },
      { name: 'amount', column: 'Amount', type: 'money' as const, role: 'amount' as const, required: true },
      { name: 'currency', column: 'Currency', type: 'currency' as const, role: 'currency' as const, required: true },
    ],
    naturalKey: ['invoice_no'],
  };
  try {
    const sizeBefore = statSync(ws.path).size;
    const summary = await runInWorker('import', ws.path, { source: 'Invoices', path: csv, mapping, actor: 'ana' });
    expect(summary.counts.accepted).toBe(20_000);
    // Readable at once (from the WAL) by another connection.
    expect(ws.db.prepare('SELECT COUNT(*) AS n FROM record').get()).toEqual({ n: 20_000 });
    // This test's connection stays open, so only the worker's checkpoint can grow the file.
    let size = statSync(ws.path).size;
    for (let waited = 0; size < sizeBefore + 1_000_000 && waited < 20_000; waited += 100) {
      await sleep(100);
      size = statSync(ws.path).size;
    }
    expect(size).toBeGreaterThan(sizeBefore + 1_000_000);
  } finally {
    ws.close();
  }
});
