/**
 * A REST connector: where to fetch records, how to authenticate, page and resume. Plain JSON, so
 * the CLI reads it from a file and the UI edits it as a form. Secrets are never in it: `auth`
 * names them, and a SecretStore resolves the names at pull time.
 */
import { z } from 'zod';

/** Variables a `query` value or the `path` may use as `{name}`. */
export const TEMPLATE_VARS = ['since', 'period_start', 'period_end', 'page', 'offset', 'limit', 'cursor'] as const;
export type TemplateVar = (typeof TEMPLATE_VARS)[number];
const TEMPLATE = /\{([a-z_]+)\}/g;

const SECRET_NAMES = new Set([
  'key', 'apikey', 'api_key', 'token', 'access_token', 'auth', 'auth_token', 'authorization', 'secret', 'client_secret',
  'password', 'passwd', 'pwd', 'sig', 'signature', 'credential', 'credentials', 'session', 'sessionid', 'session_id', 'private_key',
]);

/** Whether a query parameter name carries credentials; such values are redacted wherever a URL is shown. */
export function isSecretParam(name: string): boolean {
  const n = name.toLowerCase().replace(/-/g, '_');
  // Suffixes catch `x_api_key`, `my_client_secret`; `page_token` or `sort_key` are not credentials.
  return SECRET_NAMES.has(n) || /(?:^|_)(?:api_?key|secret|password|access_token|auth_token)$/.test(n);
}

const secretName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'the name of a secret (an environment variable name), not the secret itself');
const paramName = z.string().min(1).max(200);
const dottedPath = z.string().max(500);

export const ConnectorAuth = z.discriminatedUnion('type', [
  // Strict objects: a pasted `token` or `password` key is refused rather than silently kept.
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('bearer'), tokenEnv: secretName }),
  z.strictObject({ type: z.literal('basic'), usernameEnv: secretName, passwordEnv: secretName }),
  z.strictObject({ type: z.literal('api_key'), in: z.enum(['header', 'query']), name: paramName, valueEnv: secretName }),
  z.strictObject({
    type: z.literal('oauth2_client_credentials'),
    tokenUrl: z.string().refine(isHttpUrl, 'an http(s) URL without credentials in it'),
    clientIdEnv: secretName,
    clientSecretEnv: secretName,
    scope: z.string().optional(),
    /** How the client authenticates to the token endpoint (RFC 6749 2.3.1): Basic header or form body. */
    clientAuth: z.enum(['basic', 'body']).default('basic'),
  }),
]);
export type ConnectorAuth = z.infer<typeof ConnectorAuth>;

export const ConnectorPagination = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('page'),
    param: paramName.default('page'),
    start: z.number().int().min(0).default(1),
    sizeParam: paramName.optional(),
    size: z.number().int().min(1).default(100),
  }),
  z.strictObject({
    type: z.literal('offset'),
    offsetParam: paramName.default('offset'),
    limitParam: paramName.default('limit'),
    limit: z.number().int().min(1).default(100),
  }),
  z.strictObject({
    type: z.literal('cursor'),
    param: paramName.default('cursor'),
    /** Dotted path to the next cursor in the response body; null, absent or '' ends the pull. */
    cursorPath: dottedPath.min(1),
  }),
  z.strictObject({ type: z.literal('link_header') }),
  z.strictObject({
    type: z.literal('next_url'),
    /** Dotted path to the next page's URL (absolute or relative) in the response body. */
    nextPath: dottedPath.min(1),
  }),
]);
export type ConnectorPagination = z.infer<typeof ConnectorPagination>;

export const ConnectorIncremental = z.strictObject({
  /** Dotted path in each record to the value that only grows (`updated_at`, `id`). */
  field: dottedPath.min(1),
  /** Query parameter that receives the watermark; or use `{since}` in `query`/`path`. */
  param: paramName.optional(),
  /** Watermark for the first pull. */
  initial: z.union([z.string(), z.number()]).optional(),
});
export type ConnectorIncremental = z.infer<typeof ConnectorIncremental>;

export const Connector = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    version: z.number().int().min(1).default(1),
    baseUrl: z.string().refine(isHttpUrl, 'an http(s) URL without credentials in it'),
    path: z.string().max(2000).default(''),
    query: z.record(z.string(), z.string()).default({}),
    /** Non-secret request headers (Accept, API version). Credentials go in `auth`. */
    headers: z.record(z.string(), z.string()).default({}),
    auth: ConnectorAuth.default({ type: 'none' }),
    pagination: ConnectorPagination.default({ type: 'none' }),
    /** A guard against a server that never stops paging: more pages than this is an error. */
    maxPages: z.number().int().min(1).max(1_000_000).default(1000),
    /** Dotted path to the records array in each response; '' means the body is the array. */
    recordsPath: dottedPath.default(''),
    incremental: ConnectorIncremental.optional(),
    timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
    maxRetries: z.number().int().min(0).max(20).default(4),
    /** Requests per second, evenly spaced; absent = no limit. */
    rateLimitPerSecond: z.number().positive().max(10_000).optional(),
    breaker: z
      .strictObject({
        failureThreshold: z.number().int().min(1).default(5),
        cooldownMs: z.number().int().min(0).default(60_000),
      })
      .default({ failureThreshold: 5, cooldownMs: 60_000 }),
  })
  .superRefine((c, ctx) => {
    const check = (text: string, path: (string | number)[]) => {
      for (const m of text.matchAll(TEMPLATE)) {
        if (!(TEMPLATE_VARS as readonly string[]).includes(m[1]!)) {
          ctx.addIssue({ code: 'custom', path, message: `unknown template {${m[1]}}; use one of ${TEMPLATE_VARS.map((v) => `{${v}}`).join(' ')}` });
        }
      }
    };
    check(c.path, ['path']);
    for (const [k, v] of Object.entries(c.query)) {
      check(v, ['query', k]);
      if (isSecretParam(k) && !/\{[a-z_]+\}/.test(v)) {
        ctx.addIssue({ code: 'custom', path: ['query', k], message: `"${k}" looks like a credential: use auth {type:'api_key', in:'query'} so its value comes from a secret` });
      }
    }
    for (const k of Object.keys(c.headers)) {
      if (/^(authorization|proxy-authorization|cookie)$/i.test(k) || isSecretParam(k)) {
        ctx.addIssue({ code: 'custom', path: ['headers', k], message: `"${k}" carries credentials: set it through auth so its value comes from a secret` });
      }
    }
    if (c.incremental && c.incremental.param === undefined && !`${c.path} ${Object.values(c.query).join(' ')}`.includes('{since}')) {
      ctx.addIssue({ code: 'custom', path: ['incremental', 'param'], message: 'give the query parameter that receives the watermark, or use {since} in query or path' });
    }
  });
export type Connector = z.infer<typeof Connector>;
export type ConnectorInput = z.input<typeof Connector>;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The names of the secrets a connector needs (so a caller can resolve them ahead of a worker). */
export function secretNames(c: Connector): string[] {
  const a = c.auth;
  switch (a.type) {
    case 'none':
      return [];
    case 'bearer':
      return [a.tokenEnv];
    case 'basic':
      return [a.usernameEnv, a.passwordEnv];
    case 'api_key':
      return [a.valueEnv];
    case 'oauth2_client_credentials':
      return [a.clientIdEnv, a.clientSecretEnv];
  }
}
