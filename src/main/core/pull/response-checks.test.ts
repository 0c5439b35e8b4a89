import { afterEach, describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import type { ConnectorInput } from '../../../shared/connector.js';
import { runPull } from './pull.js';
import { envSecretStore } from './secrets.js';
import { fakeClock, startTestApiServer, type TestApiServer, type TestFault } from './test-server.js';
import { counts, invoices, MAPPING, recordingContext, tempDir, workspace } from './test-fixture.js';

let server: TestApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const connector = (s: TestApiServer, over: Partial<ConnectorInput> = {}): ConnectorInput => ({
  name: 'ap',
  baseUrl: s.api,
  path: 'items',
  recordsPath: 'data',
  pagination: { type: 'page', sizeParam: 'per_page', size: 2 },
  ...over,
});

async function pullWith(fault: TestFault, over: Partial<ConnectorInput> = {}) {
  server = await startTestApiServer({ records: invoices(5), pagination: 'page', faults: [fault] });
  const ws = workspace();
  const err = await runPull(ws, { source: 'AP', connector: connector(server, over), mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' }, undefined, {
    stagingRoot: tempDir(),
    clock: fakeClock(),
  }).catch((e: unknown) => e);
  const c = counts(ws);
  ws.close();
  return { err: err as TieoutError, counts: c, s: server };
}

describe('response checks', () => {
  it('rejects malformed JSON naming the URL and page, and imports nothing', async () => {
    const { err, counts, s } = await pullWith({ kind: 'bad_json', page: 2 });
    expect(err).toBeInstanceOf(TieoutError);
    expect(err.code).toBe('file_unreadable');
    expect(err.message).toMatch(new RegExp(`^Page 2 from ${s.api}/items\\?page=2&per_page=2 is not valid JSON \\(`));
    expect(err.details).toMatchObject({ page: 2, url: `${s.api}/items?page=2&per_page=2` });
    expect(counts.batches).toBe(0);
  });

  it('rejects an HTML error page served as 200', async () => {
    const { err, counts } = await pullWith({ kind: 'html', page: 1 });
    expect(err.message).toMatch(/^Page 1 from .* is an HTML page, not JSON \(content-type text\/html; charset=utf-8, title "Service Unavailable"\)/);
    expect(counts.batches).toBe(0);
  });

  it('rejects a 200 whose body is an error object', async () => {
    const { err, counts } = await pullWith({ kind: 'error_body', page: 3, message: 'Upstream ledger unavailable' });
    expect(err.message).toMatch(/^Page 3 from .*page=3.* is an error, not data \(HTTP 200\): Upstream ledger unavailable$/);
    expect(counts.batches).toBe(0);
  });

  it('names the path when the records array is not where recordsPath says', async () => {
    server = await startTestApiServer({ records: invoices(2), pagination: 'none' });
    const ws = workspace();
    const err = (await runPull(ws, { source: 'AP', connector: connector(server, { recordsPath: 'items', pagination: { type: 'none' } }), mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' }, undefined, {
      stagingRoot: tempDir(),
    }).catch((e: unknown) => e)) as TieoutError;
    expect(err.message).toBe(`Page 1 from ${server.api}/items has no array of records at "items" (found nothing)`);
    ws.close();
  });

  it('fails on a 404 without retrying', async () => {
    const { err, s } = await pullWith({ kind: 'status', status: 404, page: 2, body: '{"error":"no such page"}' });
    expect(err.message).toBe(`Page 2 from ${s.api}/items?page=2&per_page=2 failed: HTTP 404: {"error":"no such page"}`);
    expect(s.dataHits()).toHaveLength(2);
  });

  it('rides out a 429 and slow responses, reporting retries in progress', async () => {
    server = await startTestApiServer({
      records: invoices(5),
      pagination: 'page',
      faults: [
        { kind: 'status', status: 429, page: 2, headers: { 'retry-after': '2' } },
        { kind: 'delay', ms: 5000, page: 3, times: 2 },
      ],
    });
    const ws = workspace();
    const ctx = recordingContext();
    const s = await runPull(ws, { source: 'AP', connector: connector(server, { timeoutMs: 1000 }), mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' }, ctx, {
      stagingRoot: tempDir(),
      clock: fakeClock(),
    });
    expect(s.status).toBe('imported');
    expect(s.records).toBe(5);
    expect(s.retries).toBe(3);
    expect(ctx.messages).toContainEqual(expect.stringMatching(/^pulling: page 2: retry 1 of 4 in 2\.0 s after HTTP 429 · 1 page, 2 records, 1 retry, circuit closed$/));
    expect(ctx.messages).toContainEqual(expect.stringMatching(/page 3: retry 2 of 4 .* after timed out after 1000 ms/));
    expect(server.dataHits().map((h) => h.page)).toEqual([1, 2, 2, 3, 3, 3, 4]);
    ws.close();
  });

  it('stops a 500 storm with the circuit breaker and says so', async () => {
    const { err, counts, s } = await pullWith({ kind: 'status', status: 500, page: 2, times: Infinity }, { maxRetries: 10, breaker: { failureThreshold: 4, cooldownMs: 60_000 } });
    expect(err.message).toMatch(new RegExp(`^circuit open after 4 consecutive failures from ${s.api}/items \\(last: HTTP 500\\)`));
    // One good page, then exactly the threshold of failed attempts.
    expect(s.dataHits()).toHaveLength(5);
    expect(counts.batches).toBe(0);
  });

  it('keeps the circuit open for the next pull until the cooldown has passed', async () => {
    server = await startTestApiServer({ records: invoices(2), pagination: 'none', faults: [{ kind: 'status', status: 503, times: 3 }] });
    const ws = workspace();
    const clock = fakeClock();
    const breakers = new Map();
    const c = connector(server, { pagination: { type: 'none' }, breaker: { failureThreshold: 3, cooldownMs: 30_000 } });
    const run = () => runPull(ws, { source: 'AP', connector: c, mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' }, undefined, { stagingRoot: tempDir(), clock, breakers });
    await expect(run()).rejects.toThrow(/circuit open after 3 consecutive failures/);
    await expect(run()).rejects.toThrow(/next try allowed in 30 s/);
    expect(server.dataHits()).toHaveLength(3);
    clock.advance(30_000);
    expect((await run()).status).toBe('imported');
    expect(server.dataHits()).toHaveLength(4);
    ws.close();
  });
});
