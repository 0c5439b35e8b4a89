import { afterEach, describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { envSecretStore, testConnection } from './index.js';
import { startTestApiServer, type TestApiServer } from './test-server.js';
import { invoice, invoices } from './test-fixture.js';

let server: TestApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('testConnection', () => {
  it('fetches the first page only and previews flattened records', async () => {
    server = await startTestApiServer({
      records: [...invoices(60), invoice(61, { po: { number: 'PO-1' } })],
      pagination: 'page',
      pageSize: 100,
      auth: { type: 'api_key', in: 'query', name: 'key', value: 'preview-key-123' },
    });
    const t = await testConnection(
      {
        name: 'ap',
        baseUrl: server.api,
        path: 'items',
        recordsPath: 'data',
        pagination: { type: 'page', sizeParam: 'per_page', size: 100 },
        auth: { type: 'api_key', in: 'query', name: 'key', valueEnv: 'K' },
        incremental: { field: 'updated_at', param: 'since', initial: '2026-01-01' },
      },
      envSecretStore({ K: 'preview-key-123' }),
    );
    expect(server.dataHits()).toHaveLength(1);
    expect(server.dataHits()[0]!.query['since']).toBe('2026-01-01');
    expect(t.url).toBe(`${server.api}/items?page=1&per_page=100&since=2026-01-01&key=***`);
    expect(t.status).toBe(200);
    expect(t.records).toHaveLength(50);
    expect(t.pageRecords).toBe(61);
    expect(t.hasMore).toBe(true);
    expect(t.records[0]).toEqual({ id: 'INV-1', updated_at: '2026-03-01T10:00:00Z', amount: '100.00', currency: 'USD', 'vendor.name': 'Vendor 1' });
    expect(t.headers).toEqual(['id', 'updated_at', 'amount', 'currency', 'vendor.name']);
  });

  it('reports what is wrong with the first page', async () => {
    server = await startTestApiServer({ records: invoices(1), pagination: 'none', faults: [{ kind: 'html' }] });
    const err = (await testConnection({ name: 'ap', baseUrl: server.api, path: 'items', recordsPath: 'data' }, envSecretStore({})).catch((e: unknown) => e)) as TieoutError;
    expect(err).toBeInstanceOf(TieoutError);
    expect(err.message).toMatch(/^Page 1 from .* is an HTML page, not JSON/);
  });
});
