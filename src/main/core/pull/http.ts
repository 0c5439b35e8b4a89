/**
 * The pull's HTTP client over global fetch: per-attempt timeouts, retries with exponential
 * backoff and full jitter (timeouts, connection errors, 408, 429, 5xx), Retry-After, a token
 * bucket for requests per second, and a circuit breaker that stops a pull against a failing API.
 * Time is injectable (`now`, `sleep`) so tests of waits run instantly.
 */
import { TieoutError } from '../../../shared/error.js';

export interface HttpClock {
  /** Monotonic-enough milliseconds; drives the rate limiter, breaker cooldown and token expiry. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: HttpClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface HttpPolicy {
  timeoutMs: number;
  maxRetries: number;
  rateLimitPerSecond?: number | undefined;
  /** First backoff ceiling; doubles per retry up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this stops the pull instead of waiting (the API asks for a pause, not a retry). */
  maxRetryAfterMs?: number;
  /** Responses larger than this are refused. */
  maxBodyBytes?: number;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export type HttpEvent =
  | { type: 'retry'; url: string; attempt: number; maxAttempts: number; delayMs: number; reason: string }
  | { type: 'circuit'; url: string; state: CircuitState; failures: number; reason: string | null }
  | { type: 'throttle'; delayMs: number };

export interface HttpRequest {
  url: string;
  /** The URL as it may be shown (redacted); used in every message. */
  label: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Adds credentials to each attempt's headers and returns the URL to fetch. Runs after any
   * rate-limit wait, so a token that expired during the wait is renewed first.
   */
  authorize?: (headers: Record<string, string>) => Promise<string>;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** Attempts it took (1 = no retry). */
  attempts: number;
}

export interface HttpClientOptions {
  clock?: HttpClock;
  random?: () => number;
  breaker?: CircuitBreaker;
  onEvent?: (e: HttpEvent) => void;
  cancelled?: () => boolean;
  /** Scrubs secrets out of any text that goes into an error. */
  scrub?: (s: string) => string;
}

const CANCELLED = 'Pull cancelled by the user; nothing was imported';

/** Token bucket with a capacity of one request: evenly spaced requests, no bursts. */
export class TokenBucket {
  private tokens = 1;
  private last: number;
  constructor(
    private readonly perSecond: number,
    private readonly clock: HttpClock,
  ) {
    this.last = clock.now();
  }

  /** Takes a token and returns how long to wait before using it (the bucket may go into debt). */
  reserve(): number {
    const t = this.clock.now();
    this.tokens = Math.min(1, this.tokens + ((t - this.last) * this.perSecond) / 1000);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.perSecond);
  }
}

/**
 * Opens after `failureThreshold` consecutive failed attempts (across retries and requests). While
 * open, requests fail at once; after `cooldownMs` one trial request goes through (half-open):
 * success closes it, failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private lastReason: string | null = null;
  private halfOpen = false;

  constructor(
    readonly failureThreshold: number,
    readonly cooldownMs: number,
    /** Shown in messages: origin and path, never a query string. */
    readonly target: string,
  ) {}

  get state(): CircuitState {
    return this.openedAt === null ? 'closed' : this.halfOpen ? 'half_open' : 'open';
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  openError(now: number): TieoutError {
    const wait = this.openedAt === null ? 0 : Math.max(0, this.openedAt + this.cooldownMs - now);
    return new TieoutError(
      'file_unreadable',
      `circuit open after ${this.failures} consecutive failures from ${this.target}` +
        (this.lastReason ? ` (last: ${this.lastReason})` : '') +
        `; stopped instead of retrying${wait > 0 ? `, next try allowed in ${Math.ceil(wait / 1000)} s` : ''}`,
      { url: this.target, failures: this.failures, last: this.lastReason, circuit: 'open' },
    );
  }

  /** Throws while open and cooling down; lets one trial through after the cooldown. */
  admit(now: number): 'closed' | 'half_open' {
    if (this.openedAt === null) return 'closed';
    if (now - this.openedAt < this.cooldownMs) throw this.openError(now);
    this.halfOpen = true;
    return 'half_open';
  }

  success(): boolean {
    const wasOpen = this.openedAt !== null;
    this.failures = 0;
    this.openedAt = null;
    this.halfOpen = false;
    this.lastReason = null;
    return wasOpen;
  }

  /** Records a failed attempt; true when the circuit is (now) open. */
  failure(reason: string, now: number): boolean {
    this.failures++;
    this.lastReason = reason;
    if (this.halfOpen || this.failures >= this.failureThreshold) {
      this.openedAt = now;
      this.halfOpen = false;
      return true;
    }
    return false;
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, wallNow = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - wallNow);
}

type Attempt =
  | { kind: 'response'; res: HttpResponse; retryable: boolean; reason: string }
  | { kind: 'error'; reason: string };

export class HttpClient {
  private readonly clock: HttpClock;
  private readonly random: () => number;
  private readonly bucket: TokenBucket | null;
  private readonly scrub: (s: string) => string;
  readonly breaker: CircuitBreaker | null;
  /** Retries made so far by this client (for progress). */
  retries = 0;

  constructor(
    private readonly policy: HttpPolicy,
    private readonly opts: HttpClientOptions = {},
  ) {
    this.clock = opts.clock ?? REAL_CLOCK;
    this.random = opts.random ?? Math.random;
    this.bucket = policy.rateLimitPerSecond ? new TokenBucket(policy.rateLimitPerSecond, this.clock) : null;
    this.breaker = opts.breaker ?? null;
    this.scrub = opts.scrub ?? ((s) => s);
  }

  private cancelled(): boolean {
    return this.opts.cancelled?.() ?? false;
  }

  /** Sleeps in short slices so a cancel is noticed during a long backoff. */
  async pause(ms: number): Promise<void> {
    let left = ms;
    while (left > 0) {
      if (this.cancelled()) throw new TieoutError('cancelled', CANCELLED);
      const step = Math.min(left, 200);
      await this.clock.sleep(step);
      left -= step;
    }
    if (this.cancelled()) throw new TieoutError('cancelled', CANCELLED);
  }

  /**
   * One request with retries. Returns any response that is not worth retrying (2xx, 3xx, most
   * 4xx: the caller judges those); throws when retries run out or the circuit opens.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const maxAttempts = this.policy.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      if (this.cancelled()) throw new TieoutError('cancelled', CANCELLED);
      if (this.breaker) {
        const before = this.breaker.state;
        const now = this.breaker.admit(this.clock.now());
        if (now !== before) this.emit({ type: 'circuit', url: req.label, state: now, failures: this.breaker.consecutiveFailures, reason: null });
      }
      if (this.bucket) {
        const wait = this.bucket.reserve();
        if (wait > 0) {
          this.emit({ type: 'throttle', delayMs: wait });
          await this.pause(wait);
        }
      }
      const a = await this.attempt(req, attempt);
      if (a.kind === 'response' && !a.retryable) {
        if (this.breaker?.success()) this.emit({ type: 'circuit', url: req.label, state: 'closed', failures: 0, reason: null });
        return a.res;
      }
      if (this.breaker?.failure(a.reason, this.clock.now())) {
        this.emit({ type: 'circuit', url: req.label, state: 'open', failures: this.breaker.consecutiveFailures, reason: a.reason });
        throw this.breaker.openError(this.clock.now());
      }
      if (attempt >= maxAttempts) {
        throw new TieoutError(
          'file_unreadable',
          `${a.reason} from ${req.label} after ${attempt} attempt${attempt > 1 ? 's' : ''}${a.kind === 'response' ? bodySnippet(a.res.body, this.scrub) : ''}`,
          { url: req.label, attempts: attempt, ...(a.kind === 'response' && { status: a.res.status }) },
        );
      }
      let delay = this.backoff(attempt);
      if (a.kind === 'response') {
        const ra = parseRetryAfter(a.res.headers.get('retry-after'));
        if (ra !== undefined) {
          const cap = this.policy.maxRetryAfterMs ?? 120_000;
          if (ra > cap) {
            throw new TieoutError(
              'file_unreadable',
              `${req.label} answered ${a.reason} and asked to wait ${Math.ceil(ra / 1000)} s (Retry-After), longer than the ${Math.round(cap / 1000)} s this pull will wait; try again later`,
              { url: req.label, status: a.res.status, retryAfterMs: ra },
            );
          }
          delay = ra;
        }
      }
      this.retries++;
      this.emit({ type: 'retry', url: req.label, attempt, maxAttempts, delayMs: delay, reason: a.reason });
      await this.pause(delay);
    }
  }

  /** Full jitter: uniform in [0, min(max, base * 2^(n-1))]. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.policy.maxDelayMs ?? 30_000, (this.policy.baseDelayMs ?? 500) * 2 ** (attempt - 1));
    return Math.round(this.random() * ceiling);
  }

  private emit(e: HttpEvent): void {
    this.opts.onEvent?.(e);
  }

  private async attempt(req: HttpRequest, attempt: number): Promise<Attempt> {
    const headers = { ...req.headers };
    const url = req.authorize ? await req.authorize(headers) : req.url;
    const cancel = new AbortController();
    // Poll the job's flag so a cancel also interrupts a slow in-flight request.
    const poll = setInterval(() => {
      if (this.cancelled()) cancel.abort(new TieoutError('cancelled', CANCELLED));
    }, 100);
    poll.unref?.();
    const signal = AbortSignal.any([AbortSignal.timeout(this.policy.timeoutMs), cancel.signal]);
    try {
      const res = await fetch(url, {
        method: req.method ?? 'GET',
        headers,
        ...(req.body !== undefined && { body: req.body }),
        signal,
        redirect: 'follow',
      });
      const body = await readBody(res, this.policy.maxBodyBytes ?? 200 * 1024 * 1024, req.label);
      const status = res.status;
      const retryable = status === 408 || status === 429 || status >= 500;
      return { kind: 'response', res: { status, headers: res.headers, body, attempts: attempt }, retryable, reason: `HTTP ${status}` };
    } catch (err) {
      if (cancel.signal.aborted) throw new TieoutError('cancelled', CANCELLED);
      if (err instanceof TieoutError) throw err;
      return { kind: 'error', reason: describeFetchError(err, this.policy.timeoutMs) };
    } finally {
      clearInterval(poll);
    }
  }
}

async function readBody(res: Response, cap: number, label: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > cap) {
    await res.body?.cancel().catch(() => {});
    throw new TieoutError('file_unreadable', `${label} sent ${Math.round(declared / 1048576)} MB in one response; the limit is ${Math.round(cap / 1048576)} MB`, { url: label });
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => {});
      throw new TieoutError('file_unreadable', `${label} sent more than ${Math.round(cap / 1048576)} MB in one response`, { url: label });
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code) return `connection failed (${code})`;
  return `request failed (${e?.cause?.message ?? e?.message ?? String(err)})`;
}

/** A short, scrubbed excerpt of a response body for an error message. */
export function bodySnippet(body: Buffer, scrub: (s: string) => string): string {
  const text = body.subarray(0, 400).toString('utf8').replace(/\s+/g, ' ').trim();
  if (text === '') return '';
  return `: ${scrub(text.length > 200 ? `${text.slice(0, 200)}…` : text)}`;
}
