/**
 * Fetching one page: the request for a pagination position, the checks on what came back, the
 * records it holds and the position of the next page. Shared by pulls and connection tests.
 */
import { createHash } from 'node:crypto';
import { TieoutError } from '../../../shared/error.js';
import type { RequestAuth } from './auth.js';
import type { Connector } from '../../../shared/connector.js';
import { bodySnippet, type HttpClient } from './http.js';
import type { Redactor } from './secrets.js';
import { atPath, buildUrl, nextFromLinkHeader, withoutQueryParam, type TemplateValues } from './url.js';

/** Where the next request starts. Plain JSON: it is saved between pages so a pull can resume. */
export interface PagePosition {
  /** 1-based number of the request in this pull. */
  index: number;
  page?: number;
  offset?: number;
  cursor?: string;
  /** A server-given next URL (link header, next_url), stored without any query credential. */
  nextUrl?: string;
}

export interface FetchedPage {
  index: number;
  /** Redacted. */
  url: string;
  status: number;
  /** SHA-256 of the response body as received. */
  sha256: string;
  bytes: number;
  records: unknown[];
  next: PagePosition | null;
  warnings: string[];
}

export interface PageSession {
  connector: Connector;
  http: HttpClient;
  auth: RequestAuth;
  redactor: Redactor;
  /** since, period_start, period_end. */
  vars: TemplateValues;
}

export function firstPosition(c: Connector): PagePosition {
  const p = c.pagination;
  if (p.type === 'page') return { index: 1, page: p.start };
  if (p.type === 'offset') return { index: 1, offset: 0 };
  return { index: 1 };
}

/** The URL for a position, without credentials. */
export function urlFor(s: PageSession, at: PagePosition): string {
  if (at.nextUrl !== undefined) return at.nextUrl;
  const c = s.connector;
  const p = c.pagination;
  const vars: TemplateValues = { ...s.vars, page: String(at.page ?? at.index) };
  const extra: Array<[string, string | undefined]> = [];
  if (p.type === 'page') {
    extra.push([p.param, String(at.page)]);
    vars.limit = String(p.size);
    if (p.sizeParam) extra.push([p.sizeParam, String(p.size)]);
  } else if (p.type === 'offset') {
    vars.offset = String(at.offset ?? 0);
    vars.limit = String(p.limit);
    extra.push([p.offsetParam, vars.offset], [p.limitParam, vars.limit]);
  } else if (p.type === 'cursor' && at.cursor !== undefined) {
    vars.cursor = at.cursor;
    extra.push([p.param, at.cursor]);
  }
  if (c.incremental?.param) extra.push([c.incremental.param, s.vars.since]);
  return buildUrl(c, vars, extra);
}

function fail(s: PageSession, at: PagePosition, url: string, what: string, extra: Record<string, unknown> = {}): TieoutError {
  return new TieoutError('file_unreadable', s.redactor.text(`Page ${at.index} from ${url} ${what}`), { url, page: at.index, ...extra });
}

/** `error` / `errors` of an error-shaped body, as text; undefined when the body does not look like one. */
function errorOf(body: unknown, redactor: Redactor): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const e = b['error'] ?? b['errors'];
  if (e === undefined || e === null || e === false || e === '' || (Array.isArray(e) && e.length === 0)) return undefined;
  const first = Array.isArray(e) ? e[0] : e;
  const msg =
    typeof first === 'string'
      ? first
      : first && typeof first === 'object' && typeof (first as Record<string, unknown>)['message'] === 'string'
        ? ((first as Record<string, unknown>)['message'] as string)
        : JSON.stringify(e);
  const text = redactor.text(msg.replace(/\s+/g, ' '));
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export async function fetchPage(s: PageSession, at: PagePosition): Promise<FetchedPage> {
  const c = s.connector;
  const bare = urlFor(s, at);
  let renewed = false;
  for (;;) {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Tieout', ...lower(c.headers) };
    const label = s.auth.display(bare);
    const res = await s.http.request({ url: bare, label, headers, authorize: (h) => s.auth.apply(bare, h) }).catch((err: unknown) => {
      throw onPage(err, at.index);
    });
    if (res.status === 401 && !renewed && s.auth.renew()) {
      renewed = true;
      continue;
    }
    if (res.status === 401 || res.status === 403) {
      throw new TieoutError('unauthorized', s.redactor.text(`Page ${at.index} from ${label}: the API refused the credentials (HTTP ${res.status})${bodySnippet(res.body, (t) => s.redactor.text(t))}`), {
        url: label,
        page: at.index,
        status: res.status,
      });
    }
    if (res.status < 200 || res.status >= 300) {
      throw fail(s, at, label, `failed: HTTP ${res.status}${bodySnippet(res.body, (t) => s.redactor.text(t))}`, { status: res.status });
    }
    const sha256 = createHash('sha256').update(res.body).digest('hex');
    const base = { index: at.index, url: label, status: res.status, sha256, bytes: res.body.length };
    if (res.status === 204 || res.body.length === 0) return { ...base, records: [], next: null, warnings: [] };

    const text = res.body.toString('utf8').replace(/^\uFEFF/, '');
    const type = res.headers.get('content-type') ?? '';
    if (/html|xml/i.test(type) || text.trimStart().startsWith('<')) {
      const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
      throw fail(s, at, label, `is an HTML page, not JSON (content-type ${type || 'not given'}${title ? `, title "${title}"` : ''}): the API may be down or behind a login page`, {
        status: res.status,
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw fail(s, at, label, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`, { status: res.status });
    }
    const records = atPath(body, c.recordsPath);
    const apiError = errorOf(body, s.redactor);
    const warnings: string[] = [];
    if (!Array.isArray(records) || (records.length === 0 && apiError !== undefined)) {
      if (apiError !== undefined) throw fail(s, at, label, `is an error, not data (HTTP ${res.status}): ${apiError}`, { status: res.status });
      throw fail(s, at, label, `has no array of records at ${c.recordsPath === '' ? 'the top level' : `"${c.recordsPath}"`} (found ${describe(records)})`, {
        status: res.status,
        path: c.recordsPath,
      });
    }
    if (apiError !== undefined) warnings.push(`Page ${at.index} came with an error beside its ${records.length} records: ${apiError}`);
    return { ...base, records, next: nextPosition(s, at, bare, body, res.headers, records.length, label), warnings };
  }
}

/** Names the page in a transport error; the circuit message stays as is (it is about the endpoint). */
function onPage(err: unknown, index: number): unknown {
  if (!(err instanceof TieoutError) || err.code !== 'file_unreadable') return err;
  if (err.details?.['circuit'] !== undefined) return new TieoutError(err.code, err.message, { ...err.details, page: index });
  if (err.details?.['page'] !== undefined) return err;
  return new TieoutError(err.code, `Page ${index}: ${err.message}`, { ...err.details, page: index });
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function nextPosition(s: PageSession, at: PagePosition, bare: string, body: unknown, headers: Headers, count: number, label: string): PagePosition | null {
  const c = s.connector;
  const p = c.pagination;
  const index = at.index + 1;
  switch (p.type) {
    case 'none':
      return null;
    case 'page':
      return count === 0 ? null : { index, page: (at.page ?? p.start) + 1 };
    case 'offset':
      // Advance by what came back: a server may cap the page below the limit asked for.
      return count === 0 ? null : { index, offset: (at.offset ?? 0) + count };
    case 'cursor': {
      const v = atPath(body, p.cursorPath);
      if (v === undefined || v === null || v === '' || v === false) return null;
      if (typeof v === 'object') throw fail(s, at, label, `has an object at cursorPath "${p.cursorPath}", not a cursor`);
      const cursor = String(v);
      if (cursor === at.cursor) throw fail(s, at, label, `gave the same cursor as the page before ("${p.cursorPath}"); stopping so the pull does not loop`);
      return { index, cursor };
    }
    case 'link_header':
    case 'next_url': {
      let next: string | undefined;
      if (p.type === 'link_header') {
        next = nextFromLinkHeader(headers.get('link'), bare);
      } else {
        const v = atPath(body, p.nextPath);
        if (typeof v === 'string' && v !== '') next = new URL(v, bare).toString();
        else if (v !== undefined && v !== null && v !== '') throw fail(s, at, label, `has ${describe(v)} at nextPath "${p.nextPath}", not a URL`);
      }
      if (next === undefined) return null;
      if (c.auth.type !== 'none' && new URL(next).origin !== new URL(c.baseUrl).origin) {
        throw fail(s, at, label, `links to its next page on another host (${new URL(next).origin}); not following it with this connector's credentials`);
      }
      const credential = c.auth.type === 'api_key' && c.auth.in === 'query' ? c.auth.name : null;
      const stored = credential ? withoutQueryParam(next, credential) : next;
      if (stored === bare) throw fail(s, at, label, 'links to itself as the next page; stopping so the pull does not loop');
      return { index, nextUrl: stored };
    }
  }
}
