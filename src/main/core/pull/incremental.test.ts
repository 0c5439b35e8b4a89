import { afterEach, describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { iterateRecords, listAuditEvents, listBatches } from '../workspace/index.js';
import { getPullState } from '../workspace/pull-state.js';
import type { ConnectorInput } from '../../../shared/connector.js';
import { runPull } from './pull.js';
import { envSecretStore } from './secrets.js';
import { startTestApiServer, type TestApiServer } from './test-server.js';
import { counts, invoice, invoices, MAPPING, tempDir, workspace } from './test-fixture.js';
import type { Workspace } from '../workspace/index.js';
import { compareWatermarks, maxWatermark } from './watermark.js';

let server: TestApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const incremental = (s: TestApiServer, over: Partial<ConnectorInput> = {}): ConnectorInput => ({
  name: 'ap',
  version: 3,
  baseUrl: s.api,
  path: 'items',
  recordsPath: 'data',
  pagination: { type: 'page', sizeParam: 'per_page', size: 2 },
  incremental: { field: 'updated_at', param: 'since' },
  ...over,
});

const pull = (ws: Workspace, connector: ConnectorInput, stagingRoot = tempDir()) =>
  runPull(ws, { source: 'AP', connector, mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' }, undefined, { stagingRoot });

function versions(ws: Workspace, id: string) {
  return ws.db
    .prepare("SELECT version, is_current AS current, batch_id AS batch FROM record WHERE natural_key LIKE '%' || ? || '%' ORDER BY id")
    .all(id) as { version: number; current: number; batch: number }[];
}

describe('incremental pulls', () => {
  it('sends the stored watermark and imports only newer or changed records as new versions', async () => {
    server = await startTestApiServer({ records: invoices(4), pagination: 'page', incremental: { field: 'updated_at', param: 'since' } });
    const ws = workspace();

    const first = await pull(ws, incremental(server));
    expect(first.status).toBe('imported');
    expect(first.import!.counts).toMatchObject({ read: 4, new: 4 });
    expect(first.watermark).toEqual({ field: 'updated_at', param: 'since', before: null, after: '2026-03-04T10:00:00Z' });
    expect(server.dataHits()[0]!.query).not.toHaveProperty('since');
    expect(getPullState(ws.db, first.import!.sourceId, 'ap')).toMatchObject({ field: 'updated_at', watermark: '2026-03-04T10:00:00Z', batchId: first.import!.batchId });

    // The API changes INV-2 and adds INV-5.
    server.setScenario({
      records: [invoice(1), invoice(2, { amount: '250.00', updated_at: '2026-03-05T09:00:00Z' }), invoice(3), invoice(4), invoice(5, { updated_at: '2026-03-06T10:00:00Z' })],
    });
    server.hits.length = 0;
    const second = await pull(ws, incremental(server));
    expect(server.dataHits().map((h) => h.query['since'])).toEqual(['2026-03-04T10:00:00Z', '2026-03-04T10:00:00Z']);
    expect(second.records).toBe(2);
    expect(second.import!.counts).toMatchObject({ read: 2, new: 1, changed: 1, unchanged: 0 });
    expect(second.watermark).toMatchObject({ before: '2026-03-04T10:00:00Z', after: '2026-03-06T10:00:00Z' });
    expect(versions(ws, 'INV-2')).toEqual([
      { version: 1, current: 0, batch: first.import!.batchId },
      { version: 2, current: 1, batch: second.import!.batchId },
    ]);
    expect(counts(ws)).toEqual({ batches: 2, records: 6, current: 5 });

    // Nothing newer: no batch, and the watermark stays.
    server.hits.length = 0;
    const third = await pull(ws, incremental(server));
    expect(third.status).toBe('no_records');
    expect(third.import).toBeNull();
    expect(server.dataHits()[0]!.query['since']).toBe('2026-03-06T10:00:00Z');
    expect(counts(ws).batches).toBe(2);
    expect(listBatches(ws.db, first.import!.sourceId)).toHaveLength(2);

    // Each move of the watermark is in the audit log.
    const moves = listAuditEvents(ws.db).events.filter((e) => e.action === 'pull.watermark').sort((a, b) => a.seq - b.seq);
    expect(moves.map((e) => (e.after as { watermark: string }).watermark)).toEqual(['2026-03-04T10:00:00Z', '2026-03-06T10:00:00Z']);
    ws.close();
  });

  it('starts from the initial watermark and compares numeric ids as numbers', async () => {
    const rows = [8, 9, 10, 11].map((n) => ({ ...invoice(n), seq: n }));
    server = await startTestApiServer({ records: rows, pagination: 'page', incremental: { field: 'seq', param: 'after_seq' } });
    const ws = workspace();
    const s = await pull(ws, incremental(server, { incremental: { field: 'seq', param: 'after_seq', initial: 8 } }));
    expect(server.dataHits()[0]!.query['after_seq']).toBe('8');
    expect(s.records).toBe(3);
    // 11 > 9 as numbers, though not as text.
    expect(s.watermark!.after).toBe(11);
    expect(compareWatermarks('9', '10')).toBeLessThan(0);
    expect(compareWatermarks('90071992547409930', '90071992547409921')).toBeGreaterThan(0);
    expect(compareWatermarks('2026-03-10T00:00:00Z', '2026-03-09T23:59:59Z')).toBeGreaterThan(0);
    expect(maxWatermark(null, '2026-01-01')).toBe('2026-01-01');
    ws.close();
  });

  it('pulling identical data twice adds no batch and no duplicate', async () => {
    server = await startTestApiServer({ records: invoices(3), pagination: 'cursor' });
    const ws = workspace();
    const c = incremental(server, { incremental: undefined, pagination: { type: 'cursor', cursorPath: 'meta.next_cursor' } });
    const a = await pull(ws, c);
    const b = await pull(ws, c);
    expect(a.status).toBe('imported');
    expect(b.status).toBe('already_imported');
    expect(b.import!.batchId).toBe(a.import!.batchId);
    expect(counts(ws)).toEqual({ batches: 1, records: 3, current: 3 });
    ws.close();
  });

  it('fails when a later pull lacks a mapped field, importing nothing and keeping the watermark', async () => {
    server = await startTestApiServer({ records: invoices(2), pagination: 'page', incremental: { field: 'updated_at', param: 'since' } });
    const ws = workspace();
    const first = await pull(ws, incremental(server));
    server.setScenario({ records: [...invoices(2), { id: 'INV-3', updated_at: '2026-03-09T00:00:00Z', total: '300.00', currency: 'USD', vendor: { name: 'V' } }] });
    const err = (await pull(ws, incremental(server)).catch((e: unknown) => e)) as TieoutError;
    expect(err).toBeInstanceOf(TieoutError);
    expect(err.code).toBe('schema_drift');
    expect(err.message).toMatch(/^ap \(API pull, 2 pages\) lacks mapped column "amount"; nothing was imported/);
    expect(counts(ws).batches).toBe(1);
    expect(getPullState(ws.db, first.import!.sourceId, 'ap')!.watermark).toBe('2026-03-02T10:00:00Z');
    ws.close();
  });

  it('warns about a new field and keeps it as an extra attribute', async () => {
    server = await startTestApiServer({ records: invoices(2), pagination: 'page', incremental: { field: 'updated_at', param: 'since' } });
    const ws = workspace();
    await pull(ws, incremental(server));
    server.setScenario({ records: [...invoices(2), invoice(3, { po: { number: 'PO-7' } })] });
    const s = await pull(ws, incremental(server));
    expect(s.status).toBe('imported');
    expect(s.warnings).toEqual(['New columns not in the template, kept as extra attributes: "updated_at", "po.number"']);
    const inv3 = [...iterateRecords(ws.db, s.import!.sourceId)].find((r) => r.fields['invoice_id'] === 'INV-3');
    expect(inv3!.extras['po.number']).toBe('PO-7');
    ws.close();
  });

  it('records the pull as the batch origin, with redacted requests, body hashes and watermarks', async () => {
    server = await startTestApiServer({ records: invoices(3), pagination: 'page', incremental: { field: 'updated_at', param: 'since' } });
    const ws = workspace();
    const s = await pull(ws, incremental(server));
    const row = ws.db.prepare('SELECT origin, provenance_json FROM batch WHERE id = ?').get(s.import!.batchId) as { origin: string; provenance_json: string };
    expect(row.origin).toBe('pull');
    const prov = JSON.parse(row.provenance_json) as { pull: Record<string, unknown> };
    expect(prov.pull).toMatchObject({
      connector: { name: 'ap', version: 3 },
      endpoint: `${server.api}/items`,
      pages: 3,
      records: 3,
      watermark: { field: 'updated_at', param: 'since', before: null, after: '2026-03-03T10:00:00Z' },
      resumedFromPage: null,
    });
    expect((prov.pull['requests'] as { url: string; sha256: string }[]).map((r) => r.url)).toEqual([1, 2, 3].map((p) => `${server!.api}/items?page=${p}&per_page=2`));
    ws.close();
  });
});
