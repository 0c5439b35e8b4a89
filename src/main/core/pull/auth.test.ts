import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { listAuditEvents } from '../workspace/index.js';
import type { ConnectorInput } from '../../../shared/connector.js';
import { runPull } from './pull.js';
import { envSecretStore, mapSecretStore } from './secrets.js';
import { fakeClock, startTestApiServer, type TestApiServer, type TestAuth } from './test-server.js';
import { counts, invoices, MAPPING, tempDir, workspace, workspaceBytes } from './test-fixture.js';

let server: TestApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const TOKEN = 'bearer-s3cret-token-0001';
const PASSWORD = 'hunter2-but-longer';
const KEY = 'k3y-9f8e7d6c5b4a';
const CLIENT_SECRET = 'cl1ent-s3cret-xyz';

const connector = (s: TestApiServer, auth: ConnectorInput['auth'], over: Partial<ConnectorInput> = {}): ConnectorInput => ({
  name: 'ap',
  baseUrl: s.api,
  path: 'items',
  recordsPath: 'data',
  pagination: { type: 'page', sizeParam: 'per_page', size: 2 },
  auth,
  ...over,
});

async function serve(auth: TestAuth, over: Parameters<typeof startTestApiServer>[0] = {}, now?: () => number) {
  server = await startTestApiServer({ records: invoices(5), pagination: 'page', auth, ...over }, now ? { now } : {});
  return server;
}

/** Every file under a folder, as text. */
function allText(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  return out.join('\n');
}

describe('auth', () => {
  it('sends a bearer token from the secret store', async () => {
    const s = await serve({ type: 'bearer', token: TOKEN });
    const ws = workspace();
    const r = await runPull(ws, { source: 'AP', connector: connector(s, { type: 'bearer', tokenEnv: 'AP_TOKEN' }), mapping: MAPPING, secrets: envSecretStore({ AP_TOKEN: TOKEN }), actor: 'ana' }, undefined, { stagingRoot: tempDir() });
    expect(r.records).toBe(5);
    expect(s.dataHits().every((h) => h.status === 200)).toBe(true);
    ws.close();
  });

  it('sends basic credentials', async () => {
    const s = await serve({ type: 'basic', username: 'ana', password: PASSWORD });
    const ws = workspace();
    const r = await runPull(
      ws,
      { source: 'AP', connector: connector(s, { type: 'basic', usernameEnv: 'AP_USER', passwordEnv: 'AP_PASS' }), mapping: MAPPING, secrets: mapSecretStore({ AP_USER: 'ana', AP_PASS: PASSWORD }), actor: 'ana' },
      undefined,
      { stagingRoot: tempDir() },
    );
    expect(r.records).toBe(5);
    ws.close();
  });

  it('sends an API key in a header', async () => {
    const s = await serve({ type: 'api_key', in: 'header', name: 'X-Api-Key', value: KEY });
    const ws = workspace();
    const r = await runPull(
      ws,
      { source: 'AP', connector: connector(s, { type: 'api_key', in: 'header', name: 'X-Api-Key', valueEnv: 'AP_KEY' }), mapping: MAPPING, secrets: envSecretStore({ AP_KEY: KEY }), actor: 'ana' },
      undefined,
      { stagingRoot: tempDir() },
    );
    expect(r.records).toBe(5);
    ws.close();
  });

  it('sends an API key in the query, follows links that echo it, and records it as ***', async () => {
    const s = await serve({ type: 'api_key', in: 'query', name: 'api_key', value: KEY }, { pagination: 'link_header' });
    const ws = workspace();
    const r = await runPull(
      ws,
      {
        source: 'AP',
        connector: connector(s, { type: 'api_key', in: 'query', name: 'api_key', valueEnv: 'AP_KEY' }, { pagination: { type: 'link_header' } }),
        mapping: MAPPING,
        secrets: envSecretStore({ AP_KEY: KEY }),
        actor: 'ana',
      },
      undefined,
      { stagingRoot: tempDir() },
    );
    expect(r.records).toBe(5);
    // The key is sent once per request, never doubled by the echoed links.
    expect(s.dataHits().map((h) => h.query['api_key'])).toEqual([KEY, KEY, KEY]);
    expect(r.requests.map((q) => q.url)).toEqual([`${s.api}/items?api_key=***`, `${s.api}/items?page_token=2&api_key=***`, `${s.api}/items?page_token=3&api_key=***`]);
    ws.close();
  });

  it('fetches an OAuth2 token, reuses it, and fetches a new one when it expires', async () => {
    const clock = fakeClock();
    const s = await serve({ type: 'oauth2', clientId: 'tieout', clientSecret: CLIENT_SECRET, ttlSec: 60 }, {}, clock.now);
    const ws = workspace();
    // 20 s between requests (rate limit on the virtual clock), so the 60 s token runs out mid-pull.
    const c = connector(
      s,
      { type: 'oauth2_client_credentials', tokenUrl: `${s.url}/oauth/token`, clientIdEnv: 'OAUTH_ID', clientSecretEnv: 'OAUTH_SECRET', scope: 'read' },
      { rateLimitPerSecond: 0.05 },
    );
    const r = await runPull(ws, { source: 'AP', connector: c, mapping: MAPPING, secrets: envSecretStore({ OAUTH_ID: 'tieout', OAUTH_SECRET: CLIENT_SECRET }), actor: 'ana' }, undefined, {
      stagingRoot: tempDir(),
      clock,
    });
    expect(r.records).toBe(5);
    const tokenHits = s.hits.filter((h) => h.path === '/oauth/token');
    expect(tokenHits.length).toBe(2);
    expect(s.hits.filter((h) => h.status === 401)).toHaveLength(0);
    const used = new Set(s.dataHits().map((h) => h.authorization));
    expect(used.size).toBe(2);
    ws.close();
  });

  it('renews an OAuth2 token once after a 401, then carries on', async () => {
    const s = await serve({ type: 'oauth2', clientId: 'tieout', clientSecret: CLIENT_SECRET, ttlSec: 3600, usesPerToken: 2 });
    const ws = workspace();
    const c = connector(s, { type: 'oauth2_client_credentials', tokenUrl: `${s.url}/oauth/token`, clientIdEnv: 'OAUTH_ID', clientSecretEnv: 'OAUTH_SECRET', clientAuth: 'body' });
    const r = await runPull(ws, { source: 'AP', connector: c, mapping: MAPPING, secrets: envSecretStore({ OAUTH_ID: 'tieout', OAUTH_SECRET: CLIENT_SECRET }), actor: 'ana' }, undefined, {
      stagingRoot: tempDir(),
    });
    expect(r.records).toBe(5);
    expect(s.hits.map((h) => `${h.path === '/oauth/token' ? 'token' : `p${h.page ?? '?'}`}:${h.status}`)).toEqual([
      'token:200',
      'p1:200',
      'p2:200',
      'p?:401',
      'token:200',
      'p3:200',
      'p4:200',
    ]);
    ws.close();
  });

  it('fails as unauthorized when the token endpoint refuses the client, naming no secret', async () => {
    const s = await serve({ type: 'oauth2', clientId: 'tieout', clientSecret: 'the-right-one', ttlSec: 60 });
    const ws = workspace();
    const c = connector(s, { type: 'oauth2_client_credentials', tokenUrl: `${s.url}/oauth/token`, clientIdEnv: 'OAUTH_ID', clientSecretEnv: 'OAUTH_SECRET' });
    const err = (await runPull(ws, { source: 'AP', connector: c, mapping: MAPPING, secrets: envSecretStore({ OAUTH_ID: 'tieout', OAUTH_SECRET: CLIENT_SECRET }), actor: 'ana' }, undefined, {
      stagingRoot: tempDir(),
    }).catch((e: unknown) => e)) as TieoutError;
    expect(err.code).toBe('unauthorized');
    expect(err.message).toBe(`The token endpoint ${s.url}/oauth/token refused the client credentials (HTTP 401): invalid_client (Client authentication failed)`);
    expect(s.dataHits()).toHaveLength(0);
    ws.close();
  });

  it('fails as unauthorized on a wrong bearer token without retrying', async () => {
    const s = await serve({ type: 'bearer', token: TOKEN });
    const ws = workspace();
    const err = (await runPull(ws, { source: 'AP', connector: connector(s, { type: 'bearer', tokenEnv: 'AP_TOKEN' }), mapping: MAPPING, secrets: envSecretStore({ AP_TOKEN: 'wrong-token-value' }), actor: 'ana' }, undefined, {
      stagingRoot: tempDir(),
    }).catch((e: unknown) => e)) as TieoutError;
    expect(err.code).toBe('unauthorized');
    expect(err.message).toBe(`Page 1 from ${s.api}/items?page=1&per_page=2: the API refused the credentials (HTTP 401): {"error":"unauthorized","message":"bad or missing credentials"}`);
    expect(s.dataHits()).toHaveLength(1);
    ws.close();
  });

  it('names a missing secret by name before any request', async () => {
    const s = await serve({ type: 'bearer', token: TOKEN });
    const ws = workspace();
    const err = (await runPull(ws, { source: 'AP', connector: connector(s, { type: 'bearer', tokenEnv: 'AP_TOKEN' }), mapping: MAPPING, secrets: envSecretStore({ AP_TOKEN: '' }), actor: 'ana' }, undefined, {
      stagingRoot: tempDir(),
    }).catch((e: unknown) => e)) as TieoutError;
    expect(err.code).toBe('bad_input');
    expect(err.message).toBe('Secret "AP_TOKEN" is not set (bearer token for connector "ap")');
    expect(s.hits).toHaveLength(0);
    ws.close();
  });
});

describe('secrets', () => {
  it('never reach errors, staging files, provenance, the audit log or the workspace file', async () => {
    const s = await serve({ type: 'api_key', in: 'query', name: 'api_key', value: KEY }, { pagination: 'next_url', incremental: { field: 'updated_at', param: 'since' } });
    const ws = workspace();
    const stagingRoot = tempDir();
    const c = connector(s, { type: 'api_key', in: 'query', name: 'api_key', valueEnv: 'AP_KEY' }, { pagination: { type: 'next_url', nextPath: 'next' }, incremental: { field: 'updated_at', param: 'since' } });
    const req = { source: 'AP', connector: c, mapping: MAPPING, secrets: envSecretStore({ AP_KEY: KEY }), actor: 'ana' };

    // A server that echoes the request (key included) into its error body.
    s.setScenario({ faults: [{ kind: 'error_body', page: 2, echo: true }] });
    const err = (await runPull(ws, req, undefined, { stagingRoot }).catch((e: unknown) => e)) as TieoutError;
    expect(err.message).toMatch(/^Page 2 from .*api_key=\*\*\* is an error, not data \(HTTP 200\): Backend exploded \(request \/api\/items\?.*api_key=\*\*\*/);
    expect(JSON.stringify(err.toShape())).not.toContain(KEY);
    expect(allText(stagingRoot)).not.toContain(KEY);

    const ok = await runPull(ws, { ...req, resume: true }, undefined, { stagingRoot });
    expect(ok.status).toBe('imported');
    expect(JSON.stringify(ok)).not.toContain(KEY);
    expect(JSON.stringify(listAuditEvents(ws.db).events)).not.toContain(KEY);
    expect(workspaceBytes(ws)).not.toContain(KEY);
    expect(counts(ws).batches).toBe(1);
    ws.close();
  });

  it('keep bearer, basic and OAuth credentials out of the workspace', async () => {
    const ws = workspace();
    const stagingRoot = tempDir();
    const s1 = await serve({ type: 'basic', username: 'ana', password: PASSWORD });
    await runPull(ws, { source: 'A', connector: connector(s1, { type: 'basic', usernameEnv: 'U', passwordEnv: 'P' }), mapping: MAPPING, secrets: envSecretStore({ U: 'ana', P: PASSWORD }), actor: 'ana' }, undefined, { stagingRoot });
    await s1.close();
    const s2 = await serve({ type: 'oauth2', clientId: 'tieout', clientSecret: CLIENT_SECRET, ttlSec: 60 });
    const c = connector(s2, { type: 'oauth2_client_credentials', tokenUrl: `${s2.url}/oauth/token`, clientIdEnv: 'I', clientSecretEnv: 'S' });
    await runPull(ws, { source: 'B', connector: c, mapping: MAPPING, secrets: envSecretStore({ I: 'tieout', S: CLIENT_SECRET }), actor: 'ana' }, undefined, { stagingRoot });
    const accessToken = s2.dataHits()[0]!.authorization!.slice('Bearer '.length);
    const bytes = workspaceBytes(ws);
    for (const secret of [PASSWORD, Buffer.from(`ana:${PASSWORD}`).toString('base64'), CLIENT_SECRET, accessToken]) expect(bytes).not.toContain(secret);
    ws.close();
  });
});
