/** URL building for pulls: templates, query parameters, RFC 8288 Link headers, dotted paths. */
import { TieoutError } from '../../../shared/error.js';
import type { Connector, TemplateVar } from '../../../shared/connector.js';

export type TemplateValues = Partial<Record<TemplateVar, string>>;

const TEMPLATE = /\{([a-z_]+)\}/g;

/** Fills `{var}`s; undefined when the text uses a variable that has no value. */
export function fillTemplate(text: string, vars: TemplateValues, encode: (s: string) => string = (s) => s): string | undefined {
  let missing = false;
  const out = text.replace(TEMPLATE, (_, name: string) => {
    const v = vars[name as TemplateVar];
    if (v === undefined) missing = true;
    return v === undefined ? '' : encode(v);
  });
  return missing ? undefined : out;
}

/**
 * The first request's URL: baseUrl + path + query. A query value whose template has no value is
 * left out (no `since` on a first pull without an initial watermark); extra params override.
 */
export function buildUrl(c: Connector, vars: TemplateValues, extra: Array<[string, string | undefined]>): string {
  const path = fillTemplate(c.path, vars, encodeURIComponent);
  if (path === undefined) {
    throw new TieoutError('bad_input', `Connector "${c.name}": path "${c.path}" uses a template with no value for this pull`, { path: c.path });
  }
  const base = c.baseUrl.replace(/\/+$/, '');
  const url = new URL(path === '' ? base : `${base}/${path.replace(/^\/+/, '')}`);
  for (const [k, template] of Object.entries(c.query)) {
    const v = fillTemplate(template, vars);
    if (v !== undefined) url.searchParams.set(k, v);
  }
  for (const [k, v] of extra) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

function splitQuery(url: string): { head: string; query: string[]; hash: string } {
  const h = url.indexOf('#');
  const hash = h >= 0 ? url.slice(h) : '';
  const rest = h >= 0 ? url.slice(0, h) : url;
  const q = rest.indexOf('?');
  return { head: q >= 0 ? rest.slice(0, q) : rest, query: q >= 0 && q < rest.length - 1 ? rest.slice(q + 1).split('&') : [], hash };
}

function paramNameOf(part: string): string {
  const raw = part.split('=')[0]!;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * Removes a parameter without re-encoding the rest: a server's next link (with its own cursor
 * encoding) is otherwise kept byte-for-byte.
 */
export function withoutQueryParam(url: string, name: string): string {
  const { head, query, hash } = splitQuery(url);
  const kept = query.filter((p) => paramNameOf(p) !== name);
  return `${head}${kept.length ? `?${kept.join('&')}` : ''}${hash}`;
}

export function withQueryParam(url: string, name: string, value: string): string {
  const { head, query, hash } = splitQuery(withoutQueryParam(url, name));
  query.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return `${head}?${query.join('&')}${hash}`;
}

/** The `rel="next"` target of an RFC 8288 Link header, resolved against the request URL. */
export function nextFromLinkHeader(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  const link = /<([^>]*)>((?:\s*;\s*[^;,"=\s]+\s*(?:=\s*(?:"(?:[^"\\]|\\.)*"|[^;,]*))?)*)/g;
  for (const m of header.matchAll(link)) {
    const params = m[2] ?? '';
    for (const p of params.matchAll(/;\s*([^=;\s]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^;,\s]*)))?/g)) {
      if (p[1]!.toLowerCase() !== 'rel') continue;
      const rels = (p[2] ?? p[3] ?? '').toLowerCase().split(/\s+/);
      if (rels.includes('next')) return new URL(m[1]!, base).toString();
    }
  }
  return undefined;
}

/** A value at a dotted path (`data.items`, `meta.next.0`); '' is the value itself. */
export function atPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  // A key that itself contains dots (`"meta.next"`) wins over descending.
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, path)) {
    return (value as Record<string, unknown>)[path];
  }
  let cur: unknown = value;
  for (const seg of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) cur = cur[Number(seg)];
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, seg)) cur = (cur as Record<string, unknown>)[seg];
    else return undefined;
  }
  return cur;
}

/** Origin and path only, for messages that must never carry a query string. */
export function originAndPath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split(/[?#]/)[0]!;
  }
}
