import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { CoreEvent, isCallName, type CallResult } from '../../shared/contract.js';
import { TieoutError, type ErrorCode } from '../../shared/error.js';
import type { Service } from '../core/service.js';

/**
 * The loopback HTTP host of the contract for browser mode. It binds to 127.0.0.1 only,
 * demands a per-launch token on every API call, rejects foreign Host/Origin headers
 * (DNS rebinding) and caps request bodies.
 */

export interface ServerOptions {
  service: Service;
  /** The built renderer (out/renderer); when absent only the API is served. */
  rendererDir?: string;
  port?: number;
  token?: string;
  maxBodyBytes?: number;
  /** Largest file a browser may upload for import (drag and drop). */
  maxUploadBytes?: number;
}

export interface RunningServer {
  url: string;
  /** The URL to open in a browser: carries the token the page picks up. */
  pageUrl: string;
  port: number;
  token: string;
  /** Events go to every open SSE stream; the service's emit should call this. */
  broadcast(e: CoreEvent): void;
  close(): Promise<void>;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  bad_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  internal: 500,
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(res: ServerResponse, status: number, body: CallResult): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, err: TieoutError): void {
  sendJson(res, STATUS[err.code] ?? 422, { ok: false, error: err.toShape() });
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new TieoutError('bad_input', `Request body over ${limit} bytes`, { status: 413 }));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new TieoutError('bad_input', `Request body over ${limit} bytes`, { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const maxBody = opts.maxBodyBytes ?? 1_000_000;
  const streams = new Set<ServerResponse>();
  const rendererDir = opts.rendererDir ? resolve(opts.rendererDir) : null;
  let port = 0;
  const maxUpload = opts.maxUploadBytes ?? 2 * 1024 ** 3;
  let uploadDir: string | null = null;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, TieoutError.from(err));
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const hosts = allowedHosts();
    if (!hosts.has(req.headers.host ?? '')) {
      return sendError(res, new TieoutError('forbidden', `Host "${req.headers.host ?? ''}" is not this server`));
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.has(origin.replace(/^http:\/\//, ''))) {
      return sendError(res, new TieoutError('forbidden', `Origin "${origin}" is not allowed`));
    }

    if (url.pathname.startsWith('/api/')) {
      const given = req.headers.authorization?.replace(/^Bearer /, '') ?? url.searchParams.get('token');
      if (!sameToken(given, token)) return sendError(res, new TieoutError('unauthorized', 'Missing or wrong session token'));

      if (url.pathname === '/api/events' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      if (url.pathname === '/api/upload' && req.method === 'POST') return upload(req, res, url);
      const m = /^\/api\/call\/([A-Za-z.]+)$/.exec(url.pathname);
      if (!m || req.method !== 'POST') return sendError(res, new TieoutError('not_found', `No API route ${req.method} ${url.pathname}`));
      const name = m[1]!;
      if (!isCallName(name)) return sendError(res, new TieoutError('not_found', `Unknown call "${name}"`));
      let body: unknown;
      try {
        const text = await readBody(req, maxBody);
        body = text.length ? JSON.parse(text) : {};
      } catch (err) {
        const e = err instanceof SyntaxError ? new TieoutError('bad_input', `Body is not JSON: ${err.message}`) : TieoutError.from(err);
        if (e.details?.status === 413) return sendJson(res, 413, { ok: false, error: e.toShape() });
        return sendError(res, e);
      }
      try {
        const result = await opts.service.call(name, body);
        return sendJson(res, 200, { ok: true, result });
      } catch (err) {
        return sendError(res, TieoutError.from(err));
      }
    }

    if (req.method !== 'GET' || !rendererDir) return sendError(res, new TieoutError('not_found', 'Not found'));
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    let file = join(rendererDir, rel || 'index.html');
    if (!file.startsWith(rendererDir + sep) && file !== rendererDir) return sendError(res, new TieoutError('forbidden', 'Outside the app'));
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(rendererDir, 'index.html');
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    createReadStream(file).pipe(res);
  }

  /** A dropped file streamed to this server's private temp folder, so the core can read it by path. */
  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const name = basename(url.searchParams.get('name') ?? 'upload').replace(/[^\w.\- ]/g, '_').slice(0, 200) || 'upload';
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxUpload) {
      req.resume();
      return sendJson(res, 413, { ok: false, error: new TieoutError('bad_input', `${name} is larger than ${maxUpload} bytes`).toShape() });
    }
    uploadDir ??= mkdtempSync(join(tmpdir(), 'tieout-upload-'));
    const target = join(mkdtempSync(join(uploadDir, 'f-')), name);
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxUpload) req.destroy(new Error(`${name} is larger than ${maxUpload} bytes`));
    });
    await pipeline(req, createWriteStream(target));
    return sendJson(res, 200, { ok: true, result: { path: target } });
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pageUrl: `${url}/?token=${token}`,
    port,
    token,
    broadcast(e) {
      const frame = `data: ${JSON.stringify(CoreEvent.parse(e))}\n\n`;
      for (const s of streams) s.write(frame);
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of streams) s.end();
        streams.clear();
        server.closeAllConnections();
        server.close(() => {
          if (uploadDir) rmSync(uploadDir, { recursive: true, force: true });
          ok();
        });
      }),
  };
}
