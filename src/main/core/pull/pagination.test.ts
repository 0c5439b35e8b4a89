import { afterEach, describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { iterateRecords, listBatches } from '../workspace/index.js';
import type { ConnectorInput } from '../../../shared/connector.js';
import { envSecretStore } from './secrets.js';
import { runPull } from './pull.js';
import { startTestApiServer, type TestApiServer, type TestPagination } from './test-server.js';
import { counts, invoices, MAPPING, tempDir, workspace } from './test-fixture.js';

let server: TestApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const secrets = envSecretStore({});
const STYLES: Array<[TestPagination, ConnectorInput['pagination'], number]> = [
  // [server style, connector pagination, requests for 5 records in pages of 2]
  ['none', { type: 'none' }, 1],
  ['page', { type: 'page', param: 'page', sizeParam: 'per_page', size: 2 }, 4],
  ['offset', { type: 'offset', offsetParam: 'offset', limitParam: 'limit', limit: 2 }, 4],
  ['cursor', { type: 'cursor', param: 'cursor', cursorPath: 'meta.next_cursor' }, 3],
  ['link_header', { type: 'link_header' }, 3],
  ['next_url', { type: 'next_url', nextPath: 'next' }, 3],
];

describe('pagination', () => {
  for (const [style, pagination, requests] of STYLES) {
    it(`pulls every record in order with ${style} pagination`, async () => {
      server = await startTestApiServer({ records: invoices(5), pagination: style, pageSize: 2 });
      const ws = workspace();
      const s = await runPull(
        ws,
        { source: 'AP', connector: { name: 'ap', baseUrl: server.api, path: '/items', recordsPath: 'data', pagination }, mapping: MAPPING, secrets, actor: 'ana' },
        undefined,
        { stagingRoot: tempDir() },
      );
      expect(s.status).toBe('imported');
      expect(s.records).toBe(5);
      expect(s.pages).toBe(requests);
      expect(server.dataHits()).toHaveLength(requests);
      const recs = [...iterateRecords(ws.db, s.import!.sourceId)];
      expect(recs.map((r) => r.fields['invoice_id'])).toEqual(['INV-1', 'INV-2', 'INV-3', 'INV-4', 'INV-5']);
      // Nested objects are flattened like any JSON import.
      expect(recs[0]!.fields['vendor']).toBe('Vendor 1');
      expect(recs[0]!.fields['amount']).toBe(10000);
      expect(listBatches(ws.db, s.import!.sourceId)).toHaveLength(1);
      expect(s.requests.every((r) => /^[0-9a-f]{64}$/.test(r.sha256) && r.status === 200)).toBe(true);
      ws.close();
    });
  }

  it('follows a Link header with a relative next URL and several rels', async () => {
    server = await startTestApiServer({ records: invoices(3), pagination: 'link_header', pageSize: 1 });
    const ws = workspace();
    const s = await runPull(
      ws,
      { source: 'AP', connector: { name: 'ap', baseUrl: server.api, path: 'items', recordsPath: 'data', pagination: { type: 'link_header' } }, mapping: MAPPING, secrets, actor: 'ana' },
      undefined,
      { stagingRoot: tempDir() },
    );
    expect(s.requests.map((r) => r.url)).toEqual([`${server.api}/items`, `${server.api}/items?page_token=2`, `${server.api}/items?page_token=3`]);
    ws.close();
  });

  it('reads records from a bare array body (recordsPath "")', async () => {
    server = await startTestApiServer({ records: invoices(3), pagination: 'page', pageSize: 2, envelope: 'array' });
    const ws = workspace();
    const s = await runPull(
      ws,
      { source: 'AP', connector: { name: 'ap', baseUrl: server.api, path: 'items', pagination: { type: 'page', size: 2, sizeParam: 'per_page' } }, mapping: MAPPING, secrets, actor: 'ana' },
      undefined,
      { stagingRoot: tempDir() },
    );
    expect(s.records).toBe(3);
    ws.close();
  });

  it('fails naming maxPages when the API has more pages, and imports nothing', async () => {
    server = await startTestApiServer({ records: invoices(9), pagination: 'cursor', pageSize: 2 });
    const ws = workspace();
    const err = await runPull(
      ws,
      {
        source: 'AP',
        connector: { name: 'ap', baseUrl: server.api, path: 'items', recordsPath: 'data', maxPages: 3, pagination: { type: 'cursor', cursorPath: 'meta.next_cursor' } },
        mapping: MAPPING,
        secrets,
        actor: 'ana',
      },
      undefined,
      { stagingRoot: tempDir() },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TieoutError);
    expect((err as TieoutError).message).toBe(
      `${server.api}/items has more than maxPages (3) pages; stopped and imported nothing. Raise maxPages in connector "ap" if the API really has that many`,
    );
    expect(server.dataHits()).toHaveLength(3);
    expect(counts(ws).batches).toBe(0);
    ws.close();
  });

  it('fills templates from the pull parameters and leaves out a param with no value', async () => {
    server = await startTestApiServer({ records: invoices(1), pagination: 'none' });
    const ws = workspace();
    await runPull(
      ws,
      {
        source: 'AP',
        connector: {
          name: 'ap',
          baseUrl: server.api,
          path: 'items',
          recordsPath: 'data',
          query: { from: '{period_start}', to: '{period_end}', status: 'posted', after: '{since}' },
        },
        mapping: MAPPING,
        secrets,
        actor: 'ana',
        params: { period_start: '2026-03-01', period_end: '2026-03-31' },
      },
      undefined,
      { stagingRoot: tempDir() },
    );
    expect(server.dataHits()[0]!.query).toEqual({ from: '2026-03-01', to: '2026-03-31', status: 'posted' });
    ws.close();
  });
});
