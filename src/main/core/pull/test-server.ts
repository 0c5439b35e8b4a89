/**
 * A real HTTP API for pull tests (node:http on 127.0.0.1, random port): every pagination style,
 * auth schemes, incremental `since` filtering and scripted faults (429, 5xx storms, slow, reset,
 * bad JSON, HTML pages, 200-with-error bodies). Records are served at /api/items, OAuth tokens at
 * /oauth/token. Every request is logged in `hits`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type TestPagination = 'none' | 'page' | 'offset' | 'cursor' | 'link_header' | 'next_url';

export type TestAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'api_key'; in: 'header' | 'query'; name: string; value: string }
  /** Tokens live `ttlSec` by the server's clock; `usesPerToken` revokes one early (a 401 mid-life). */
  | { type: 'oauth2'; clientId: string; clientSecret: string; ttlSec: number; usesPerToken?: number };

export type TestFault = {
  /** Page the fault applies to (1-based); any page when absent. */
  page?: number;
  /** How many matching requests it hits (default 1; Infinity for a storm). */
  times?: number;
} & (
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' }
  | { kind: 'bad_json' }
  | { kind: 'html'; status?: number }
  /** A 200 whose body is an error object; `echo` puts the request's URL and credentials in it. */
  | { kind: 'error_body'; message?: string; echo?: boolean }
);

export interface TestApiScenario {
  records: Record<string, unknown>[];
  pagination: TestPagination;
  pageSize: number;
  /** 'data': `{ data: [...], meta: { next_cursor }, next }`; 'array': the body is the array. */
  envelope: 'data' | 'array';
  /** Serve only records whose `field` is greater than the `param` query value. */
  incremental?: { field: string; param: string };
  auth: TestAuth;
  faults: TestFault[];
}

export interface TestApiHit {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Page number for /api/items requests. */
  page: number | null;
  status: number | null;
  authorization: string | undefined;
  fault: string | null;
}

export interface TestApiServer {
  url: string;
  /** Base URL of the records endpoint: `${url}/api`. */
  api: string;
  hits: TestApiHit[];
  /** Data requests only (not token requests). */
  dataHits(): TestApiHit[];
  setScenario(s: Partial<TestApiScenario>): void;
  scenario(): TestApiScenario;
  close(): Promise<void>;
}

export const DEFAULT_SCENARIO: TestApiScenario = { records: [], pagination: 'page', pageSize: 2, envelope: 'data', auth: { type: 'none' }, faults: [] };

function compare(a: unknown, b: string): number {
  const x = String(a);
  if (/^-?\d+(\.\d+)?$/.test(x) && /^-?\d+(\.\d+)?$/.test(b)) return Number(x) - Number(b);
  return x < b ? -1 : x > b ? 1 : 0;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startTestApiServer(initial: Partial<TestApiScenario> = {}, opts: { now?: () => number } = {}): Promise<TestApiServer> {
  const now = opts.now ?? Date.now;
  let scenario: TestApiScenario = { ...DEFAULT_SCENARIO, ...initial };
  let faultUses = new Map<TestFault, number>();
  const tokens = new Map<string, { expiresAt: number; uses: number }>();
  let tokenSeq = 0;
  const hits: TestApiHit[] = [];

  const send = (res: ServerResponse, hit: TestApiHit, status: number, body: string, headers: Record<string, string> = {}) => {
    hit.status = status;
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };

  const authorized = (req: IncomingMessage, query: URLSearchParams): boolean => {
    const a = scenario.auth;
    const header = req.headers['authorization'];
    switch (a.type) {
      case 'none':
        return true;
      case 'bearer':
        return header === `Bearer ${a.token}`;
      case 'basic':
        return header === `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
      case 'api_key':
        return a.in === 'header' ? req.headers[a.name.toLowerCase()] === a.value : query.get(a.name) === a.value;
      case 'oauth2': {
        const t = header?.startsWith('Bearer ') ? tokens.get(header.slice(7)) : undefined;
        if (!t || now() >= t.expiresAt || (a.usesPerToken !== undefined && t.uses >= a.usesPerToken)) return false;
        t.uses++;
        return true;
      }
    }
  };

  const token = async (req: IncomingMessage, res: ServerResponse, hit: TestApiHit) => {
    const a = scenario.auth;
    const form = new URLSearchParams(await readBody(req));
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const header = req.headers['authorization'];
    if (header?.startsWith('Basic ')) {
      const [u, p] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      id = decodeURIComponent((u ?? '').replace(/\+/g, ' '));
      secret = decodeURIComponent((p ?? '').replace(/\+/g, ' '));
    }
    if (a.type !== 'oauth2' || form.get('grant_type') !== 'client_credentials' || id !== a.clientId || secret !== a.clientSecret) {
      return send(res, hit, 401, JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed' }));
    }
    const access = `tok${++tokenSeq}-${Math.random().toString(36).slice(2, 12)}`;
    tokens.set(access, { expiresAt: now() + a.ttlSec * 1000, uses: 0 });
    send(res, hit, 200, JSON.stringify({ access_token: access, token_type: 'Bearer', expires_in: a.ttlSec }));
  };

  const items = (req: IncomingMessage, res: ServerResponse, hit: TestApiHit, u: URL) => {
    const s = scenario;
    const q = u.searchParams;
    let rows = s.records;
    if (s.incremental) {
      const since = q.get(s.incremental.param);
      if (since !== null) rows = rows.filter((r) => compare(r[s.incremental!.field], since) > 0);
    }
    let page = 1;
    let slice = rows;
    let size = s.pageSize;
    switch (s.pagination) {
      case 'none':
        break;
      case 'page':
        page = Number(q.get('page') ?? 1);
        size = Number(q.get('per_page') ?? s.pageSize);
        slice = rows.slice((page - 1) * size, page * size);
        break;
      case 'offset': {
        const offset = Number(q.get('offset') ?? 0);
        size = Number(q.get('limit') ?? s.pageSize);
        page = Math.floor(offset / size) + 1;
        slice = rows.slice(offset, offset + size);
        break;
      }
      case 'cursor':
        page = Number((q.get('cursor') ?? 'c1').slice(1));
        slice = rows.slice((page - 1) * size, page * size);
        break;
      case 'link_header':
      case 'next_url':
        page = Number(q.get('page_token') ?? 1);
        slice = rows.slice((page - 1) * size, page * size);
        break;
    }
    hit.page = page;
    const fault = s.faults.find((f) => (f.page === undefined || f.page === page) && (faultUses.get(f) ?? 0) < (f.times ?? 1));
    if (fault) {
      faultUses.set(fault, (faultUses.get(fault) ?? 0) + 1);
      hit.fault = fault.kind;
      switch (fault.kind) {
        case 'status':
          return send(res, hit, fault.status, fault.body ?? JSON.stringify({ error: `HTTP ${fault.status}` }), fault.headers);
        case 'reset':
          hit.status = null;
          req.socket.destroy();
          return;
        case 'bad_json':
          return send(res, hit, 200, '{"data": [{"id": "X-1", "amount": ');
        case 'html':
          return send(
            res,
            hit,
            fault.status ?? 200,
            '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Down for maintenance</h1></body></html>',
            { 'content-type': 'text/html; charset=utf-8' },
          );
        case 'error_body': {
          const echo = fault.echo ? ` (request ${req.url}, authorization ${req.headers['authorization'] ?? ''}, key ${req.headers['x-api-key'] ?? ''})` : '';
          return send(res, hit, 200, JSON.stringify({ error: { code: 'internal', message: `${fault.message ?? 'Backend exploded'}${echo}` } }));
        }
        case 'delay':
          // Answer normally, late; the client may have given up by then.
          setTimeout(() => serve(), fault.ms);
          return;
      }
    }
    serve();

    function serve() {
      const lastPage = Math.max(1, Math.ceil(rows.length / size));
      const more = page < lastPage;
      const headers: Record<string, string> = {};
      const nextQuery = new URLSearchParams(q);
      nextQuery.set('page_token', String(page + 1));
      // Echo the whole query, credentials included, as many real APIs do.
      const nextRel = `${u.pathname}?${nextQuery.toString()}`;
      if (s.pagination === 'link_header' && more) headers['link'] = `<${nextRel}>; rel="next", <${u.pathname}?page_token=${lastPage}>; rel="last"`;
      const body =
        s.envelope === 'array'
          ? slice
          : {
              data: slice,
              meta: { page, next_cursor: s.pagination === 'cursor' && more ? `c${page + 1}` : null },
              next: s.pagination === 'next_url' && more ? nextRel : null,
            };
      send(res, hit, 200, JSON.stringify(body), headers);
    }
  };

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const hit: TestApiHit = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      page: null,
      status: null,
      authorization: req.headers['authorization'],
      fault: null,
    };
    hits.push(hit);
    if (u.pathname === '/oauth/token' && req.method === 'POST') return void token(req, res, hit);
    if (u.pathname !== '/api/items') return send(res, hit, 404, JSON.stringify({ error: 'not found' }));
    if (!authorized(req, u.searchParams)) {
      return send(res, hit, 401, JSON.stringify({ error: 'unauthorized', message: 'bad or missing credentials' }), { 'www-authenticate': 'Bearer' });
    }
    items(req, res, hit, u);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    api: `${url}/api`,
    hits,
    dataHits: () => hits.filter((h) => h.path === '/api/items'),
    setScenario(s) {
      scenario = { ...scenario, ...s };
      if (s.faults) faultUses = new Map();
    },
    scenario: () => scenario,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Virtual time for the client: `sleep` advances `now` at once, and every wait is logged. */
export function fakeClock(start = 1_700_000_000_000): { now: () => number; sleep: (ms: number) => Promise<void>; advance: (ms: number) => void; slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
      await new Promise((r) => setImmediate(r));
    },
    advance: (ms) => {
      t += ms;
    },
    slept,
  };
}
