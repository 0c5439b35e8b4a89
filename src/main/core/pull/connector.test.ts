import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { Connector, secretNames } from '../../../shared/connector.js';
import { parseConnector } from './pull.js';
import { envSecretStore, Redactor, redactUrl } from './secrets.js';
import { atPath, fillTemplate, nextFromLinkHeader, withoutQueryParam, withQueryParam } from './url.js';

const base = { name: 'ap', baseUrl: 'https://api.example.com/v1' };

describe('connector schema', () => {
  it('fills defaults so a minimal connector is complete', () => {
    expect(Connector.parse(base)).toEqual({
      ...base,
      version: 1,
      path: '',
      query: {},
      headers: {},
      auth: { type: 'none' },
      pagination: { type: 'none' },
      maxPages: 1000,
      recordsPath: '',
      timeoutMs: 30_000,
      maxRetries: 4,
      breaker: { failureThreshold: 5, cooldownMs: 60_000 },
    });
    expect(Connector.parse({ ...base, pagination: { type: 'page' } }).pagination).toEqual({ type: 'page', param: 'page', start: 1, size: 100 });
  });

  it('refuses a secret pasted into the connector', () => {
    const err = (() => {
      try {
        return parseConnector({ ...base, auth: { type: 'bearer', tokenEnv: 'T', token: 'abc123' } });
      } catch (e) {
        return e;
      }
    })() as TieoutError;
    expect(err).toBeInstanceOf(TieoutError);
    expect(err.code).toBe('bad_input');
    expect(err.message).toMatch(/^Invalid connector at auth: Unrecognized key: "token"/);
    expect(err.message).not.toContain('abc123');
    expect(Connector.safeParse({ ...base, query: { api_key: 'abc123' } }).error?.issues[0]?.message).toMatch(/looks like a credential: use auth/);
    expect(Connector.safeParse({ ...base, headers: { Authorization: 'Bearer x' } }).success).toBe(false);
    expect(Connector.safeParse({ ...base, headers: { 'X-Api-Key': 'x' } }).success).toBe(false);
    expect(Connector.safeParse({ ...base, baseUrl: 'https://user:pw@api.example.com' }).success).toBe(false);
    expect(Connector.safeParse({ ...base, auth: { type: 'bearer', tokenEnv: 'eyJhbGciOi JIUzI1NiJ9' } }).success).toBe(false);
    // Ordinary parameters that only sound alike are fine.
    expect(Connector.safeParse({ ...base, query: { sort_key: 'date', page_token: '{cursor}' } }).success).toBe(true);
  });

  it('refuses an unknown template and an incremental field with nowhere to send it', () => {
    expect(Connector.safeParse({ ...base, query: { from: '{periodstart}' } }).error?.issues[0]?.message).toMatch(/^unknown template \{periodstart\}/);
    expect(Connector.safeParse({ ...base, incremental: { field: 'updated_at' } }).error?.issues[0]?.path).toEqual(['incremental', 'param']);
    expect(Connector.safeParse({ ...base, query: { updated_after: '{since}' }, incremental: { field: 'updated_at' } }).success).toBe(true);
  });

  it('lists the secret names it needs', () => {
    expect(secretNames(Connector.parse({ ...base, auth: { type: 'basic', usernameEnv: 'U', passwordEnv: 'P' } }))).toEqual(['U', 'P']);
  });
});

describe('redaction', () => {
  it('masks credential query values and userinfo, leaving the rest byte-for-byte', () => {
    expect(redactUrl('https://h/p?page=2&api_key=abc&Token=x%20y&q=a+b#frag')).toBe('https://h/p?page=2&api_key=***&Token=***&q=a+b');
    expect(redactUrl('https://u:pw@h/p')).toBe('https://***@h/p');
    expect(redactUrl('https://h/p?page_token=c2&sort_key=d&x_api_key=1&client_secret=2')).toBe('https://h/p?page_token=c2&sort_key=d&x_api_key=***&client_secret=***');
    expect(redactUrl('https://h/p?custom=1', ['custom'])).toBe('https://h/p?custom=***');
  });

  it('scrubs known secret values and their encodings from any text', () => {
    const r = new Redactor();
    r.addSecret('s3cret value');
    expect(r.text('a s3cret value, s3cret%20value, s3cret+value, czNjcmV0IHZhbHVl')).toBe('a ***, ***, ***, ***');
    expect(r.value({ a: ['s3cret value'], n: 1 })).toEqual({ a: ['***'], n: 1 });
  });

  it('reads secrets from the environment, a blank one counting as unset', async () => {
    const store = envSecretStore({ A: 'x', B: '' });
    expect([await store.get('A'), await store.get('B'), await store.get('C')]).toEqual(['x', undefined, undefined]);
  });
});

describe('urls', () => {
  it('parses RFC 8288 Link headers', () => {
    const h = '<https://h/i?p=1>; rel="prev", <https://h/i?p=3>; rel="next last"; title="a, b"';
    expect(nextFromLinkHeader(h, 'https://h/i?p=2')).toBe('https://h/i?p=3');
    expect(nextFromLinkHeader('</i?p=3>;rel=next', 'https://h/x/i?p=2')).toBe('https://h/i?p=3');
    expect(nextFromLinkHeader('<https://h/i?p=1>; rel="prev"', 'https://h/')).toBeUndefined();
    expect(nextFromLinkHeader(null, 'https://h/')).toBeUndefined();
  });

  it('sets and removes one query parameter without re-encoding the others', () => {
    expect(withQueryParam('https://h/p?a=%7Ex&key=old', 'key', 'n w')).toBe('https://h/p?a=%7Ex&key=n%20w');
    expect(withoutQueryParam('https://h/p?key=1&a=b+c', 'key')).toBe('https://h/p?a=b+c');
    expect(withoutQueryParam('https://h/p?key=1', 'key')).toBe('https://h/p');
  });

  it('fills templates and reads dotted paths', () => {
    expect(fillTemplate('{period_start}..{period_end}', { period_start: 'a', period_end: 'b' })).toBe('a..b');
    expect(fillTemplate('{since}', {})).toBeUndefined();
    expect(atPath({ data: { items: [{ id: 1 }] } }, 'data.items.0.id')).toBe(1);
    expect(atPath({ 'meta.next': 'x' }, 'meta.next')).toBe('x');
    expect(atPath([1], '')).toEqual([1]);
  });
});
