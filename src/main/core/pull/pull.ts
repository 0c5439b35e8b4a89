/**
 * API pulls: fetch every page of a connector, stage the pages, then hand one NDJSON file to the
 * import pipeline, so a pull is mapped, validated, versioned and audited like any import and
 * writes nothing unless every page came in. Incremental connectors send the source's watermark
 * and move it forward only once the import is committed.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { TieoutError } from '../../../shared/error.js';
import type { MappingTemplateInput } from '../../../shared/mapping.js';
import { runImport, type ImportRequest, type ImportSummary } from '../import/index.js';
import { flattenObject } from '../import/read/json.js';
import { NO_JOB, type JobContext } from '../jobs/job-context.js';
import { findSourceByName, type Workspace } from '../workspace/index.js';
import { getPullState, recordPullState } from '../workspace/pull-state.js';
import { createAuth } from './auth.js';
import { Connector, type ConnectorInput } from '../../../shared/connector.js';
import { CircuitBreaker, HttpClient, REAL_CLOCK, type HttpClock, type HttpEvent, type HttpPolicy } from './http.js';
import { fetchPage, firstPosition, type PageSession } from './page.js';
import { Redactor, type SecretStore } from './secrets.js';
import { defaultStagingRoot, Staging, stagingKey, type StagedProgress } from './staging.js';
import { originAndPath } from './url.js';
import { maxWatermark, watermarkOf, watermarkText, type Watermark } from './watermark.js';

export interface PullParams {
  period_start?: string;
  period_end?: string;
}

export interface PullRequest {
  source: string;
  connector: ConnectorInput;
  mapping?: MappingTemplateInput;
  secrets: SecretStore;
  actor: string;
  params?: PullParams;
  /** Continue a failed pull from its last good page (when its staged pages still match). */
  resume?: boolean;
}

/** Test and embedding seams; the app passes none of these. */
export interface PullOptions {
  clock?: HttpClock;
  random?: () => number;
  /** Where staging folders live (default: <os temp>/tieout-pull). */
  stagingRoot?: string;
  /** Circuit breakers by connector and endpoint; shared across pulls so a cooldown holds. */
  breakers?: Map<string, CircuitBreaker>;
  policy?: Pick<HttpPolicy, 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs' | 'maxBodyBytes'>;
}

/** One response of a pull, as recorded in provenance. */
export interface PullRequestLog {
  page: number;
  /** Redacted. */
  url: string;
  status: number;
  /** SHA-256 of the response body. */
  sha256: string;
  bytes: number;
  records: number;
}

/** What a pull adds to its batch's provenance: `ImportRequest.pull`. Holds no secret. */
export interface PullProvenance {
  connector: { name: string; version: number };
  /** Redacted endpoint (origin and path). */
  endpoint: string;
  pages: number;
  records: number;
  requests: PullRequestLog[];
  params: PullParams;
  watermark: { field: string; param: string | null; before: Watermark | null; after: Watermark | null } | null;
  startedAt: string;
  finishedAt: string;
  /** The first page fetched by this run when it resumed a failed one. */
  resumedFromPage: number | null;
}

export interface PullSummary {
  /** 'no_records': the API had nothing (new); no batch was written. */
  status: 'imported' | 'already_imported' | 'no_records';
  source: string;
  connector: { name: string; version: number };
  pages: number;
  records: number;
  retries: number;
  requests: PullRequestLog[];
  watermark: PullProvenance['watermark'];
  resumedFromPage: number | null;
  import: ImportSummary | null;
  warnings: string[];
}

const BREAKERS = new Map<string, CircuitBreaker>();

export function endpointOf(c: Connector): string {
  const path = c.path.split(/[?#]/)[0]!.replace(/^\/+/, '');
  return originAndPath(`${c.baseUrl.replace(/\/+$/, '')}${path ? `/${path}` : ''}`).replace(/%7B/gi, '{').replace(/%7D/gi, '}');
}

function breakerFor(c: Connector, registry: Map<string, CircuitBreaker>): CircuitBreaker {
  const key = `${c.name}\n${endpointOf(c)}`;
  const found = registry.get(key);
  if (found && found.failureThreshold === c.breaker.failureThreshold && found.cooldownMs === c.breaker.cooldownMs) return found;
  const b = new CircuitBreaker(c.breaker.failureThreshold, c.breaker.cooldownMs, endpointOf(c));
  registry.set(key, b);
  return b;
}

export function parseConnector(input: unknown): Connector {
  const parsed = Connector.safeParse(input);
  if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'bad_input', 'connector');
  return parsed.data;
}

/** The HTTP client and auth of one pull or connection test. */
export async function openSession(
  c: Connector,
  secrets: SecretStore,
  vars: PageSession['vars'],
  o: { clock: HttpClock; random?: (() => number) | undefined; breaker?: CircuitBreaker; policy?: PullOptions['policy']; cancelled?: () => boolean; onEvent?: (e: HttpEvent) => void },
  redactor: Redactor,
): Promise<PageSession> {
  const policy = { timeoutMs: c.timeoutMs, maxRetries: c.maxRetries, rateLimitPerSecond: c.rateLimitPerSecond, ...o.policy };
  const shared = {
    clock: o.clock,
    ...(o.random && { random: o.random }),
    ...(o.cancelled && { cancelled: o.cancelled }),
    ...(o.onEvent && { onEvent: o.onEvent }),
    scrub: (s: string) => redactor.text(s),
  };
  const http = new HttpClient(policy, { ...shared, ...(o.breaker && { breaker: o.breaker }) });
  // The token endpoint is another server: its failures have their own breaker and message.
  const tokenHttp =
    c.auth.type === 'oauth2_client_credentials'
      ? new HttpClient(
          { ...policy, rateLimitPerSecond: undefined },
          { ...shared, breaker: new CircuitBreaker(c.breaker.failureThreshold, c.breaker.cooldownMs, originAndPath(c.auth.tokenUrl)) },
        )
      : http;
  const auth = await createAuth(c.auth, secrets, redactor, c.name, tokenHttp, o.clock);
  return { connector: c, http, auth, redactor, vars };
}

function scrubbed(err: unknown, redactor: Redactor): TieoutError {
  const e = TieoutError.from(err);
  return new TieoutError(e.code, redactor.text(e.message), e.details === undefined ? undefined : redactor.value(e.details));
}

/** What staged pages depend on; a resume with a different value starts over. Never holds a secret. */
function fingerprint(c: Connector, ws: Workspace, source: string, params: PullParams, before: Watermark | null): string {
  const { name, version, baseUrl, path, query, headers, pagination, recordsPath, incremental } = c;
  const data = { name, version, baseUrl, path, query, headers, pagination, recordsPath, incremental, ws: resolve(ws.path), source, params, before };
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}

function fileLabel(c: Connector, pages: number): string {
  return `${c.name} (API pull, ${pages} page${pages === 1 ? '' : 's'})`;
}

export async function runPull(ws: Workspace, req: PullRequest, ctx: JobContext = NO_JOB, opts: PullOptions = {}): Promise<PullSummary> {
  const c = parseConnector(req.connector);
  const params: PullParams = {
    ...(req.params?.period_start !== undefined && { period_start: req.params.period_start }),
    ...(req.params?.period_end !== undefined && { period_end: req.params.period_end }),
  };
  const clock = opts.clock ?? REAL_CLOCK;
  const redactor = new Redactor();
  const warnings: string[] = [];
  let staging: Staging | undefined;

  let pagesIn = 0;
  let recordsIn = 0;
  let retries = 0;
  let circuit = 'closed';
  let current = 1;
  const status = () => `${pagesIn} page${pagesIn === 1 ? '' : 's'}, ${recordsIn} records, ${retries} retr${retries === 1 ? 'y' : 'ies'}, circuit ${circuit.replace('_', '-')}`;
  const report = (lead?: string) =>
    ctx.progress({ phase: 'pulling', done: recordsIn, total: null, unit: 'records', message: redactor.text(lead ? `${lead} · ${status()}` : status()) });
  const onEvent = (e: HttpEvent) => {
    if (e.type === 'retry') {
      retries++;
      report(`page ${current}: retry ${e.attempt} of ${e.maxAttempts - 1} in ${(e.delayMs / 1000).toFixed(1)} s after ${e.reason}`);
    } else if (e.type === 'circuit') {
      circuit = e.state;
      report(e.state === 'open' ? `circuit opened after ${e.failures} consecutive failures${e.reason ? ` (last: ${e.reason})` : ''}` : `circuit ${e.state.replace('_', '-')}`);
    }
  };

  try {
    const inc = c.incremental;
    const source = findSourceByName(ws.db, req.source);
    const stored = inc && source ? getPullState(ws.db, source.id, c.name) : undefined;
    let before: Watermark | null = inc?.initial ?? null;
    if (inc && stored) {
      if (stored.field === inc.field) before = stored.watermark ?? before;
      else warnings.push(`The stored watermark of "${req.source}" is for field "${stored.field}", not "${inc.field}": pulled from the start`);
    }

    const session = await openSession(
      c,
      req.secrets,
      { ...(before !== null && { since: watermarkText(before) }), ...params },
      { clock, random: opts.random, breaker: breakerFor(c, opts.breakers ?? BREAKERS), policy: opts.policy, cancelled: ctx.cancelled, onEvent },
      redactor,
    );

    const print = fingerprint(c, ws, req.source, params, before);
    staging = await Staging.open(opts.stagingRoot ?? defaultStagingRoot(), stagingKey(ws.path, req.source, c.name), `"${c.name}" into "${req.source}"`);
    let progress: StagedProgress | undefined = req.resume ? await staging.load(print) : undefined;
    if (req.resume && !progress) warnings.push('There was no matching interrupted pull to resume: pulled from the first page');
    if (!progress) {
      await staging.reset();
      progress = { format: 1, fingerprint: print, startedAt: new Date().toISOString(), watermarkBefore: before, pages: [], next: firstPosition(c) };
      await staging.save(progress);
    }
    const resumedFromPage = req.resume && progress.pages.length > 0 ? progress.pages.length + 1 : null;
    pagesIn = progress.pages.length;
    recordsIn = progress.pages.reduce((n, p) => n + p.records, 0);
    if (resumedFromPage !== null) warnings.push(`Resumed: pages 1-${resumedFromPage - 1} were already staged and were not fetched again`);

    while (progress.next) {
      if (ctx.cancelled()) throw new TieoutError('cancelled', `Pull cancelled by the user after ${pagesIn} pages; nothing was imported (resume to continue)`);
      if (progress.next.index > c.maxPages) {
        throw new TieoutError(
          'file_unreadable',
          `${endpointOf(c)} has more than maxPages (${c.maxPages}) pages; stopped and imported nothing. Raise maxPages in connector "${c.name}" if the API really has that many`,
          { url: endpointOf(c), maxPages: c.maxPages },
        );
      }
      current = progress.next.index;
      report(`fetching page ${current}`);
      const page = await fetchPage(session, progress.next);
      const { file, fileBytes } = await staging.writePage(page.index, page.records.map((r) => flattenObject(r)));
      let wm: Watermark | null = null;
      if (inc) for (const r of page.records) wm = maxWatermark(wm, watermarkOf(r, inc.field));
      progress.pages.push({
        index: page.index,
        url: page.url,
        status: page.status,
        sha256: page.sha256,
        bytes: page.bytes,
        records: page.records.length,
        file,
        fileBytes,
        watermark: wm,
        warnings: page.warnings,
      });
      progress.next = page.next;
      await staging.save(progress);
      pagesIn++;
      recordsIn += page.records.length;
      report();
    }

    for (const p of progress.pages) warnings.push(...p.warnings);
    const requests: PullRequestLog[] = progress.pages.map((p) => ({ page: p.index, url: p.url, status: p.status, sha256: p.sha256, bytes: p.bytes, records: p.records }));
    let after: Watermark | null = progress.watermarkBefore;
    for (const p of progress.pages) after = maxWatermark(after, p.watermark);
    const watermark = inc ? { field: inc.field, param: inc.param ?? null, before: progress.watermarkBefore, after } : null;
    const base = { source: req.source, connector: { name: c.name, version: c.version }, pages: pagesIn, records: recordsIn, requests, watermark, resumedFromPage };

    if (recordsIn === 0) {
      await staging.discard();
      return { ...base, status: 'no_records', retries, import: null, warnings: [...warnings, `${endpointOf(c)} returned no records${before !== null ? ` newer than ${watermarkText(before)}` : ''}; nothing was imported`] };
    }

    const path = await staging.combine(progress.pages, 'pull.ndjson');
    const pull: PullProvenance = {
      connector: base.connector,
      endpoint: endpointOf(c),
      pages: pagesIn,
      records: recordsIn,
      requests,
      params,
      watermark,
      startedAt: progress.startedAt,
      finishedAt: new Date().toISOString(),
      resumedFromPage,
    };
    // `pull` rides along on the request: runImport records it as the batch's origin and provenance.
    const importReq: ImportRequest & { pull: PullProvenance } = {
      source: req.source,
      path,
      fileName: fileLabel(c, pagesIn),
      ...(req.mapping !== undefined && { mapping: req.mapping }),
      actor: req.actor,
      pull,
    };
    const summary = await runImport(ws, importReq, ctx);
    // runImport stores the watermark in its own transaction when it knows `pull`; this write is
    // then a no-op. Otherwise it lands right after the commit: a crash in between leaves the old
    // watermark, so the next pull fetches a little more and the upsert finds it unchanged.
    if (inc && after !== null) {
      recordPullState(ws.db, { sourceId: summary.sourceId, connector: c.name, field: inc.field, watermark: after, batchId: summary.batchId, actor: req.actor, at: new Date().toISOString() });
    }
    await staging.discard();
    return { ...base, status: summary.status, retries, import: summary, warnings: [...warnings, ...summary.warnings] };
  } catch (err) {
    throw scrubbed(err, redactor);
  } finally {
    await staging?.release();
  }
}
