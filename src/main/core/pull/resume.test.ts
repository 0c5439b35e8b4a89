import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { listBatches } from '../workspace/index.js';
import type { ConnectorInput } from '../../../shared/connector.js';
import { runPull } from './pull.js';
import { envSecretStore } from './secrets.js';
import { stagingKey } from './staging.js';
import { fakeClock, startTestApiServer, type TestApiServer } from './test-server.js';
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
  pagination: { type: 'cursor', cursorPath: 'meta.next_cursor' },
  maxRetries: 0,
  ...over,
});

describe('resume', () => {
  it('leaves no batch when a pull fails part-way, and resumes from the last good page', async () => {
    server = await startTestApiServer({ records: invoices(7), pagination: 'cursor', pageSize: 2, faults: [{ kind: 'status', status: 502, page: 3 }] });
    const ws = workspace();
    const stagingRoot = tempDir();
    const req = { source: 'AP', connector: connector(server), mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' };

    const err = (await runPull(ws, req, undefined, { stagingRoot }).catch((e: unknown) => e)) as TieoutError;
    expect(err).toBeInstanceOf(TieoutError);
    expect(err.message).toBe(`Page 3: HTTP 502 from ${server.api}/items?cursor=c3 after 1 attempt: {"error":"HTTP 502"}`);
    expect(counts(ws)).toEqual({ batches: 0, records: 0, current: 0 });
    expect(server.dataHits().map((h) => h.page)).toEqual([1, 2, 3]);

    server.hits.length = 0;
    const s = await runPull(ws, { ...req, resume: true }, undefined, { stagingRoot });
    // Pages 1 and 2 came from staging: only 3 and 4 were fetched again.
    expect(server.dataHits().map((h) => h.page)).toEqual([3, 4]);
    expect(s.resumedFromPage).toBe(3);
    expect(s.pages).toBe(4);
    expect(s.records).toBe(7);
    expect(s.requests.map((r) => r.page)).toEqual([1, 2, 3, 4]);
    expect(s.warnings).toContain('Resumed: pages 1-2 were already staged and were not fetched again');
    expect(counts(ws)).toEqual({ batches: 1, records: 7, current: 7 });
    // A finished pull leaves nothing behind to resume.
    expect(existsSync(join(stagingRoot, stagingKey(ws.path, 'AP', 'ap')))).toBe(false);

    // The same result as a pull that never failed: the same bytes, so the same batch.
    const fresh = workspace();
    server.setScenario({ faults: [] });
    const f = await runPull(fresh, req, undefined, { stagingRoot });
    expect(f.import!.sha256).toBe(s.import!.sha256);
    fresh.close();
    ws.close();
  });

  it('re-runs from scratch without resume, with the same result', async () => {
    server = await startTestApiServer({ records: invoices(5), pagination: 'cursor', pageSize: 2, faults: [{ kind: 'bad_json', page: 2 }] });
    const ws = workspace();
    const stagingRoot = tempDir();
    const req = { source: 'AP', connector: connector(server), mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' };
    await expect(runPull(ws, req, undefined, { stagingRoot })).rejects.toThrow(/is not valid JSON/);
    server.hits.length = 0;
    const s = await runPull(ws, req, undefined, { stagingRoot });
    expect(server.dataHits().map((h) => h.page)).toEqual([1, 2, 3]);
    expect(s.resumedFromPage).toBeNull();
    expect(listBatches(ws.db, s.import!.sourceId)[0]!.counts.read).toBe(5);
    ws.close();
  });

  it('starts over when asked to resume a pull whose connector has since changed', async () => {
    server = await startTestApiServer({ records: invoices(5), pagination: 'cursor', pageSize: 2, faults: [{ kind: 'status', status: 500, page: 2 }] });
    const ws = workspace();
    const stagingRoot = tempDir();
    const req = { source: 'AP', connector: connector(server), mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' };
    await expect(runPull(ws, req, undefined, { stagingRoot })).rejects.toThrow(/HTTP 500/);
    server.hits.length = 0;
    const s = await runPull(ws, { ...req, connector: connector(server, { query: { status: 'posted' } }), resume: true }, undefined, { stagingRoot });
    expect(server.dataHits().map((h) => h.page)).toEqual([1, 2, 3]);
    expect(s.warnings).toContain('There was no matching interrupted pull to resume: pulled from the first page');
    ws.close();
  });

  it('resumes straight into the import when every page was in but the import failed', async () => {
    server = await startTestApiServer({ records: invoices(3), pagination: 'cursor', pageSize: 2 });
    const ws = workspace();
    const stagingRoot = tempDir();
    const bad = { ...MAPPING, fields: MAPPING.fields.map((f) => (f.name === 'amount' ? { ...f, column: 'total' } : f)) };
    const req = { source: 'AP', connector: connector(server), secrets: envSecretStore({}), actor: 'ana' };
    await expect(runPull(ws, { ...req, mapping: bad }, undefined, { stagingRoot })).rejects.toThrow(/lacks mapped column "total"/);
    server.hits.length = 0;
    const s = await runPull(ws, { ...req, mapping: MAPPING, resume: true }, undefined, { stagingRoot });
    expect(server.hits).toHaveLength(0);
    expect(s.status).toBe('imported');
    expect(s.records).toBe(3);
    ws.close();
  });

  it('stops between pages when cancelled, imports nothing, and can resume', async () => {
    server = await startTestApiServer({ records: invoices(6), pagination: 'cursor', pageSize: 2 });
    const ws = workspace();
    const stagingRoot = tempDir();
    const req = { source: 'AP', connector: connector(server), mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' };
    const ctx = recordingContext((m) => m.startsWith('pulling: 2 pages'));
    const err = (await runPull(ws, req, ctx, { stagingRoot }).catch((e: unknown) => e)) as TieoutError;
    expect(err.code).toBe('cancelled');
    expect(err.message).toBe('Pull cancelled by the user after 2 pages; nothing was imported (resume to continue)');
    expect(server.dataHits()).toHaveLength(2);
    expect(counts(ws).batches).toBe(0);
    const s = await runPull(ws, { ...req, resume: true }, undefined, { stagingRoot });
    expect(s.resumedFromPage).toBe(3);
    expect(server.dataHits().map((h) => h.page)).toEqual([1, 2, 3]);
    ws.close();
  });

  it('stops during a backoff when cancelled', async () => {
    server = await startTestApiServer({ records: invoices(2), pagination: 'none', faults: [{ kind: 'status', status: 503, times: Infinity }] });
    const ws = workspace();
    const ctx = recordingContext((m) => m.includes('retry 1 of'));
    const clock = fakeClock();
    const err = (await runPull(ws, { source: 'AP', connector: connector(server, { pagination: { type: 'none' }, maxRetries: 5 }), mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' }, ctx, {
      stagingRoot: tempDir(),
      clock,
    }).catch((e: unknown) => e)) as TieoutError;
    expect(err.code).toBe('cancelled');
    expect(server.dataHits()).toHaveLength(1);
    ws.close();
  });

  it('refuses a second pull of the same source and connector while one is running', async () => {
    server = await startTestApiServer({ records: invoices(2), pagination: 'none', faults: [{ kind: 'delay', ms: 400 }] });
    const ws = workspace();
    const stagingRoot = tempDir();
    const req = { source: 'AP', connector: connector(server, { pagination: { type: 'none' } }), mapping: MAPPING, secrets: envSecretStore({}), actor: 'ana' };
    const first = runPull(ws, req, undefined, { stagingRoot });
    await new Promise((r) => setTimeout(r, 100));
    const err = (await runPull(ws, req, undefined, { stagingRoot }).catch((e: unknown) => e)) as TieoutError;
    expect(err.code).toBe('conflict');
    expect(err.message).toBe('A pull of "ap" into "AP" is already running; wait for it or cancel it');
    expect((await first).status).toBe('imported');
    expect(readdirSync(stagingRoot)).toEqual([]);
    ws.close();
  });
});
