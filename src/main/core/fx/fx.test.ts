import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import type { EngineStats } from '../engine/index.js';
import { runImport } from '../import/index.js';
import { createReconciliation, runMatch } from '../reconcile/index.js';
import { findSourceByName, listFxRates, listRuns, openWorkspace, type Workspace } from '../workspace/index.js';
import { addFxRates, fxFingerprint, importFxFile } from './index.js';

let dir: string;
let ws: Workspace;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tieout-fx-'));
  ws = openWorkspace(join(dir, 'w.tieout'), { create: true });
});
afterEach(() => {
  ws.close();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const events = () => (ws.db.prepare("SELECT action, after_json AS after FROM audit_event WHERE action = 'fx.add' ORDER BY seq").all() as { action: string; after: string }[]);

async function refused(fn: () => Promise<unknown>, code: string, details: Record<string, unknown>, message: RegExp): Promise<void> {
  const before = listFxRates(ws.db);
  const err = await fn().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TieoutError);
  expect((err as TieoutError).code).toBe(code);
  expect((err as TieoutError).message).toMatch(message);
  expect((err as TieoutError).details).toMatchObject(details);
  expect(listFxRates(ws.db)).toEqual(before);
}

describe('FX rates', () => {
  it('imports from, to, rate and date columns from a CSV, with one audit event, and a second import adds nothing', async () => {
    const rates = file('rates.csv', 'From Currency,To Currency,Rate,Date\nEUR,USD,1.0850,2026-03-01\neur,usd,1.0790,2026-04-01\nGBP,USD,1.2610,\n');
    const first = await importFxFile(ws.db, rates, {}, 'ana');
    expect(first).toMatchObject({ added: 3, unchanged: 0 });
    expect(listFxRates(ws.db)).toEqual([
      { from: 'EUR', to: 'USD', rate: '1.085', date: '2026-03-01' },
      { from: 'EUR', to: 'USD', rate: '1.079', date: '2026-04-01' },
      { from: 'GBP', to: 'USD', rate: '1.261' },
    ]);
    expect(JSON.parse(events()[0]!.after)).toMatchObject({ added: 3, file: 'rates.csv', pairs: ['EUR>USD', 'GBP>USD'] });
    expect(await importFxFile(ws.db, rates, {}, 'ana')).toMatchObject({ added: 0, unchanged: 3 });
    expect(events()).toHaveLength(1);
  });

  it('refuses a different rate for a pair and date already present, naming the row, and writes nothing', async () => {
    await importFxFile(ws.db, file('a.csv', 'from,to,rate,date\nEUR,USD,1.0850,2026-03-01\n'), {}, 'ana');
    const b = file('b.csv', 'from,to,rate,date\nEUR,USD,1.0900,2026-03-02\nEUR,USD,1.0900,2026-03-01\n');
    await refused(() => importFxFile(ws.db, b, {}, 'ana'), 'conflict', { file: 'b.csv', row: 3, column: 'rate', value: '1.09' }, /b\.csv row 3: EUR→USD on 2026-03-01 is already 1\.085/);
  });

  it('rejects a bad currency code, a zero rate or a bad date with the file, row, column and value', async () => {
    await refused(() => importFxFile(ws.db, file('c.csv', 'from,to,rate\nEUR,USD,1.1\nEUX,USD,1.1\n'), {}, 'ana'), 'bad_input', { file: 'c.csv', row: 3, column: 'from', value: 'EUX' }, /not an ISO 4217/);
    await refused(() => importFxFile(ws.db, file('d.csv', 'from,to,rate\nEUR,USD,0.000\n'), {}, 'ana'), 'bad_input', { row: 2, column: 'rate' }, /above zero/);
    await refused(() => importFxFile(ws.db, file('e.csv', 'from,to,rate,date\nEUR,USD,1.1,2026-02-30\n'), {}, 'ana'), 'bad_input', { row: 2, column: 'date', value: '2026-02-30' }, /not a calendar date/);
    await refused(() => importFxFile(ws.db, file('f.csv', 'from,to,rate\nEUR,USD,"1,1"\n'), {}, 'ana'), 'bad_input', { row: 2 }, /decimal/);
    await refused(() => importFxFile(ws.db, file('g.csv', 'currency,value\nEUR,1\n'), {}, 'ana'), 'schema_drift', { file: 'g.csv', column: 'from' }, /no "from" column/);
    await refused(() => Promise.resolve().then(() => addFxRates(ws.db, [{ rate: { from: 'USD', to: 'USD', rate: '1' } }], 'ana')), 'bad_input', { column: 'to' }, /itself/);
  });

  it('a run converts through the workspace rates and records their fingerprint', async () => {
    const common = { naturalKey: ['ref'], amount: 'amount', currency: { field: 'ccy' }, date: 'day', decimal: '.' };
    const fields = [
      { name: 'ref', column: 'Ref', type: 'text', role: 'record_id', required: true },
      { name: 'day', column: 'Day', type: 'date', role: 'date', required: true },
      { name: 'amount', column: 'Amount', type: 'money', role: 'amount', required: true },
      { name: 'ccy', column: 'Ccy', type: 'currency', role: 'currency', required: true },
    ];
    await runImport(ws, { source: 'Orders', path: file('orders.csv', 'Ref,Day,Amount,Ccy\nA1,2026-03-10,108.50,USD\nA2,2026-03-10,50.00,USD\n'), mapping: { fields, ...common } as never, actor: 'ana' });
    await runImport(ws, { source: 'Invoices', path: file('inv.csv', 'Ref,Day,Amount,Ccy\nA1,2026-03-12,100.00,EUR\nA2,2026-03-12,50.00,USD\n'), mapping: { fields, ...common } as never, actor: 'ana' });
    const side = (label: string) => ({ label, unmatchedLabel: `Unmatched ${label}`, fields: { amount: 'amount', currency: '_currency', date: 'day' } });
    const rules = {
      name: 'fx',
      sides: { left: side('Orders'), right: side('Invoices') },
      passes: [{ id: 'ref', kind: 'key', cardinality: '1:1', key: { left: [{ field: 'ref' }], right: [{ field: 'ref' }] }, tolerance: { amount: { abs: '0.01', fx: true } } }],
    };
    createReconciliation(ws.db, { name: 'R', left: [findSourceByName(ws.db, 'Orders')!.id], right: [findSourceByName(ws.db, 'Invoices')!.id], rules }, 'ana');

    const without = await runMatch(ws, { reconciliation: 'R', actor: 'ana' });
    expect((without.stats as EngineStats).classes.currency_mismatch.count).toBe(1);
    addFxRates(ws.db, [{ rate: { from: 'EUR', to: 'USD', rate: '1.0850', date: '2026-03-01' } }], 'ana');
    const withFx = await runMatch(ws, { reconciliation: 'R', actor: 'ana' });
    expect((withFx.stats as EngineStats).matched.groups).toBe(2);
    const run = listRuns(ws.db, 1).find((r) => r.id === withFx.runId)!;
    expect(run.inputs).toMatchObject({ records: 4, fx: { rates: 1, sha256: fxFingerprint(listFxRates(ws.db)) } });
  });
});
