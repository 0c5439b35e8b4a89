import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALL_NAMES, type CoreEvent } from '../../shared/contract.js';
import { createService, type Service } from '../core/service.js';
import { startServer, type RunningServer } from './server.js';

let server: RunningServer;
let service: Service;

beforeEach(async () => {
  service = createService({ emit: (e) => server?.broadcast(e), actor: 'tester' });
  server = await startServer({ service });
});
afterEach(async () => {
  await server.close();
  service.close();
});

function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: 'POST', headers: { 'content-type': 'application/json', host: `127.0.0.1:${server.port}`, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const auth = () => ({ authorization: `Bearer ${server.token}` });

describe('loopback HTTP bridge', () => {
  it('binds to 127.0.0.1 only and prints a URL carrying the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.pageUrl).toBe(`${server.url}/?token=${server.token}`);
  });

  it('rejects a call without the token, or with a wrong one', async () => {
    const none = await post('/api/call/workspace.info', '{}');
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('unauthorized');
    const wrong = await post('/api/call/workspace.info', '{}', { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });

  it('rejects a foreign Host header (DNS rebinding) and a foreign Origin', async () => {
    const host = await post('/api/call/workspace.info', '{}', { ...auth(), host: `evil.example:${server.port}` });
    expect(host.status).toBe(403);
    const origin = await post('/api/call/workspace.info', '{}', { ...auth(), origin: 'http://evil.example' });
    expect(origin.status).toBe(403);
    expect(origin.json.error.message).toContain('evil.example');
  });

  it('rejects a bad payload at the boundary and names the field', async () => {
    const r = await post('/api/call/records.page', JSON.stringify({ sourceId: 'one', offset: -1, limit: 10 }), auth());
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('bad_input');
    expect(r.json.error.message).toMatch(/sourceId|offset/);
    const notJson = await post('/api/call/workspace.info', '{oops', auth());
    expect(notJson.status).toBe(400);
  });

  it('rejects an oversized body', async () => {
    const big = JSON.stringify({ path: 'x'.repeat(1_100_000) });
    const r = await post('/api/call/workspace.open', big, auth());
    expect(r.status).toBe(413);
  });

  it('routes every call of the contract', async () => {
    for (const name of CALL_NAMES) {
      const r = await post(`/api/call/${name}`, '{}', auth());
      expect(r.json.error?.message ?? '', name).not.toMatch(/No API route|Unknown call/);
    }
  });

  it('rejects unknown calls', async () => {
    const r = await post('/api/call/records.delete', '{}', auth());
    expect(r.status).toBe(404);
  });

  it('runs a real call and streams job progress over SSE', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tieout-serve-')), 'w.tieout');
    const created = await post('/api/call/workspace.create', JSON.stringify({ path }), auth());
    expect(created.status).toBe(200);
    expect(created.json.result.sources).toEqual([]);

    const events: CoreEvent[] = [];
    const controller = new AbortController();
    const sse = await fetch(`${server.url}/api/events?token=${server.token}`, { signal: controller.signal });
    const reader = sse.body!.getReader();
    const pump = (async () => {
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buf += new TextDecoder().decode(value);
        for (const frame of buf.split('\n\n').slice(0, -1)) if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)));
        buf = buf.slice(buf.lastIndexOf('\n\n') + 2);
      }
    })();

    const loaded = await post('/api/call/demo.load', JSON.stringify({ jobId: 'test-job-1', buys: 200 }), auth());
    expect(loaded.status).toBe(200);
    expect(loaded.json.result.buys).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await pump;
    const progress = events.filter((e) => e.type === 'job.progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((e) => e.type === 'job.progress' && e.progress.jobId === 'test-job-1')).toBe(true);
    expect(events.some((e) => e.type === 'workspace.changed')).toBe(true);
  });
});
