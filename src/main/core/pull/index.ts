/** API pulls: REST connectors that feed the import pipeline. */
import { flattenObject } from '../import/read/json.js';
import { CircuitBreaker, REAL_CLOCK, type HttpClock } from './http.js';
import { fetchPage, firstPosition } from './page.js';
import { endpointOf, openSession, parseConnector, type PullParams } from './pull.js';
import { Redactor, type SecretStore } from './secrets.js';
import { watermarkText } from './watermark.js';
import { TieoutError } from '../../../shared/error.js';

export {
  Connector,
  ConnectorAuth,
  ConnectorIncremental,
  ConnectorPagination,
  TEMPLATE_VARS,
  isSecretParam,
  secretNames,
  type ConnectorInput,
} from '../../../shared/connector.js';
export { envSecretStore, mapSecretStore, redactUrl, type SecretStore } from './secrets.js';
export { CircuitBreaker, parseRetryAfter, type CircuitState, type HttpClock, type HttpEvent } from './http.js';
export { compareWatermarks, type Watermark } from './watermark.js';
export {
  parseConnector,
  runPull,
  type PullOptions,
  type PullParams,
  type PullProvenance,
  type PullRequest,
  type PullRequestLog,
  type PullSummary,
} from './pull.js';

export const PREVIEW_RECORDS = 50;

export interface ConnectionTest {
  /** The first page's URL, redacted. */
  url: string;
  status: number;
  /** Flattened like an import sees them; the first 50. */
  records: Record<string, string>[];
  /** Every flattened key of those records, in first-seen order: the columns a mapping can use. */
  headers: string[];
  /** Records on the first page (may be more than shown). */
  pageRecords: number;
  /** Whether the API points to a further page. */
  hasMore: boolean;
}

/**
 * Fetches the first page only, for a UI preview and mapping. Sends the connector's initial
 * watermark, if any, as a first pull would. Errors are the pull's errors (redacted).
 */
export async function testConnection(
  connector: unknown,
  secrets: SecretStore,
  opts: { params?: PullParams; clock?: HttpClock; cancelled?: () => boolean } = {},
): Promise<ConnectionTest> {
  const c = parseConnector(connector);
  const redactor = new Redactor();
  try {
    const initial = c.incremental?.initial;
    const session = await openSession(
      c,
      secrets,
      { ...(initial !== undefined && { since: watermarkText(initial) }), ...opts.params },
      {
        clock: opts.clock ?? REAL_CLOCK,
        // Its own breaker: a test should always really try, even while pulls are cooling down.
        breaker: new CircuitBreaker(c.breaker.failureThreshold, c.breaker.cooldownMs, endpointOf(c)),
        ...(opts.cancelled && { cancelled: opts.cancelled }),
      },
      redactor,
    );
    const page = await fetchPage(session, firstPosition(c));
    const records = page.records.slice(0, PREVIEW_RECORDS).map((r) => flattenObject(r));
    const headers: string[] = [];
    const seen = new Set<string>();
    for (const r of records) for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), headers.push(k));
    return { url: page.url, status: page.status, records, headers, pageRecords: page.records.length, hasMore: page.next !== null && page.records.length > 0 };
  } catch (err) {
    const e = TieoutError.from(err);
    throw new TieoutError(e.code, redactor.text(e.message), e.details === undefined ? undefined : redactor.value(e.details));
  }
}
