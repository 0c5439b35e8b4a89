import { afterEach, describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { CircuitBreaker, HttpClient, parseRetryAfter, TokenBucket, type HttpEvent } from './http.js';
import { fakeClock, startTestApiServer, type TestApiServer } from './test-server.js';
import { invoices } from './test-fixture.js';

let server: TestApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function api(faults: Parameters<TestApiServer['setScenario']>[0]['faults'] = []) {
  server = await startTestApiServer({ records: invoices(3), pagination: 'page', faults });
  return server;
}

function client(over: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}, breaker?: CircuitBreaker) {
  const clock = fakeClock();
  const events: HttpEvent[] = [];
  const http = new HttpClient(
    { timeoutMs: 2000, maxRetries: 4, ...over },
    { clock, random: () => 1, onEvent: (e) => events.push(e), ...(breaker && { breaker }) },
  );
  return { http, clock, events };
}

const get = (http: HttpClient, s: TestApiServer) => http.request({ url: `${s.api}/items?page=1`, label: `${s.api}/items?page=1` });

describe('http client', () => {
  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    const s = await api([{ kind: 'status', status: 429, headers: { 'retry-after': '3' } }]);
    const { http, clock, events } = client();
    const res = await get(http, s);
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(2);
    expect(s.dataHits()).toHaveLength(2);
    expect(events.filter((e) => e.type === 'retry')).toEqual([expect.objectContaining({ delayMs: 3000, reason: 'HTTP 429' })]);
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(3000);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    const s = await api([{ kind: 'status', status: 503, headers: { 'retry-after': at } }]);
    const { http, events } = client();
    await get(http, s);
    const retry = events.find((e) => e.type === 'retry');
    expect(retry && retry.type === 'retry' && retry.delayMs).toBeGreaterThan(3000);
    expect(retry && retry.type === 'retry' && retry.delayMs).toBeLessThanOrEqual(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60_000);
  });

  it('stops instead of waiting when Retry-After is longer than the cap', async () => {
    const s = await api([{ kind: 'status', status: 429, headers: { 'retry-after': '7200' } }]);
    const { http } = client({ maxRetryAfterMs: 60_000 });
    const err = await get(http, s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TieoutError);
    expect((err as TieoutError).message).toMatch(/asked to wait 7200 s \(Retry-After\), longer than the 60 s/);
    expect(s.dataHits()).toHaveLength(1);
  });

  it('backs off exponentially with full jitter on 5xx and gives up after maxRetries', async () => {
    const s = await api([{ kind: 'status', status: 502, times: Infinity }]);
    const { http, events } = client({ maxRetries: 3, baseDelayMs: 100 });
    const err = await get(http, s).catch((e: unknown) => e);
    expect((err as TieoutError).message).toBe(`HTTP 502 from ${s.api}/items?page=1 after 4 attempts: {"error":"HTTP 502"}`);
    // random() = 1 gives the ceiling of each jitter window: 100, 200, 400.
    expect(events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.delayMs : 0))).toEqual([100, 200, 400]);
    expect(s.dataHits()).toHaveLength(4);
  });

  it('does not retry a 404', async () => {
    const s = await api([{ kind: 'status', status: 404 }]);
    const { http } = client();
    const res = await get(http, s);
    expect(res.status).toBe(404);
    expect(s.dataHits()).toHaveLength(1);
  });

  it('retries after timeouts and a dropped connection, then succeeds', async () => {
    const s = await api([
      { kind: 'delay', ms: 4000, times: 2 },
      { kind: 'reset', times: 1 },
    ]);
    const { http, events } = client({ timeoutMs: 1000 });
    const res = await get(http, s);
    expect(res.status).toBe(200);
    expect(events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.reason : ''))).toEqual([
      'timed out after 1000 ms',
      'timed out after 1000 ms',
      'connection reset',
    ]);
    expect(s.dataHits()).toHaveLength(4);
  });

  it('opens the circuit after N consecutive failures across retries, without hammering', async () => {
    const s = await api([{ kind: 'status', status: 503, times: Infinity }]);
    const breaker = new CircuitBreaker(5, 60_000, `${s.api}/items`);
    const { http, events } = client({ maxRetries: 10 }, breaker);
    const err = (await get(http, s).catch((e: unknown) => e)) as TieoutError;
    expect(err.message).toMatch(new RegExp(`^circuit open after 5 consecutive failures from ${s.api}/items \\(last: HTTP 503\\)`));
    expect(s.dataHits()).toHaveLength(5);
    expect(events.at(-1)).toMatchObject({ type: 'circuit', state: 'open', failures: 5 });

    // While cooling down, a further request fails at once, with no request made.
    const again = (await get(http, s).catch((e: unknown) => e)) as TieoutError;
    expect(again.message).toMatch(/circuit open after 5 consecutive failures .*next try allowed in 60 s/);
    expect(s.dataHits()).toHaveLength(5);
  });

  it('lets one trial through after the cooldown and closes on success', async () => {
    const s = await api([{ kind: 'status', status: 500, times: 3 }]);
    const breaker = new CircuitBreaker(3, 10_000, `${s.api}/items`);
    const { http, clock, events } = client({ maxRetries: 10 }, breaker);
    await expect(get(http, s)).rejects.toThrow(/circuit open after 3 consecutive failures/);
    clock.advance(10_000);
    const res = await get(http, s);
    expect(res.status).toBe(200);
    expect(breaker.state).toBe('closed');
    expect(events.filter((e) => e.type === 'circuit').map((e) => (e.type === 'circuit' ? e.state : ''))).toEqual(['open', 'half_open', 'closed']);
    expect(s.dataHits()).toHaveLength(4);
  });

  it('re-opens at once when the half-open trial fails', () => {
    const b = new CircuitBreaker(2, 1000, 'https://h/p');
    expect(b.failure('HTTP 500', 0)).toBe(false);
    expect(b.failure('HTTP 500', 0)).toBe(true);
    expect(() => b.admit(500)).toThrow(/circuit open after 2 consecutive failures from https:\/\/h\/p \(last: HTTP 500\)/);
    expect(b.admit(1000)).toBe('half_open');
    expect(b.failure('timed out after 5 ms', 1000)).toBe(true);
    expect(() => b.admit(1500)).toThrow(/last: timed out after 5 ms/);
  });

  it('spaces requests by the rate limit (token bucket)', async () => {
    const clock = fakeClock(0);
    const bucket = new TokenBucket(4, clock);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 250, 500]);
    clock.advance(1000);
    expect(bucket.reserve()).toBe(0);

    const s = await api();
    const http = new HttpClient({ timeoutMs: 2000, maxRetries: 0, rateLimitPerSecond: 20 });
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await get(http, s);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    // Arrival gaps jitter with latency; the span of five evenly spaced sends cannot.
    const at = s.dataHits().map((h) => h.at);
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(150);
  });

  it('stops a backoff when the job is cancelled', async () => {
    const s = await api([{ kind: 'status', status: 503, times: Infinity }]);
    let cancelled = false;
    const clock = fakeClock();
    const http = new HttpClient(
      { timeoutMs: 2000, maxRetries: 5 },
      {
        clock: { now: clock.now, sleep: async (ms) => ((cancelled = true), clock.sleep(ms)) },
        random: () => 1,
        cancelled: () => cancelled,
      },
    );
    const err = (await get(http, s).catch((e: unknown) => e)) as TieoutError;
    expect(err.code).toBe('cancelled');
    expect(s.dataHits()).toHaveLength(1);
  });

  it('aborts a slow in-flight request when the job is cancelled', async () => {
    const s = await api([{ kind: 'delay', ms: 5000 }]);
    let cancelled = false;
    const http = new HttpClient({ timeoutMs: 10_000, maxRetries: 0 }, { cancelled: () => cancelled });
    setTimeout(() => (cancelled = true), 100);
    const t0 = Date.now();
    const err = (await get(http, s).catch((e: unknown) => e)) as TieoutError;
    expect(err.code).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
