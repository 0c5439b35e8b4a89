/**
 * Secrets and their redaction. A connector names its secrets; a SecretStore resolves the names
 * (environment in the CLI, OS-encrypted storage in the app). Every URL or message that leaves a
 * pull goes through a Redactor, so no credential reaches provenance, errors, logs or the audit log.
 */
import { isSecretParam } from '../../../shared/connector.js';

export interface SecretStore {
  get(name: string): Promise<string | undefined>;
}

/** The CLI's store: secrets are environment variables. A blank variable counts as unset. */
export function envSecretStore(env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): SecretStore {
  return {
    get: async (name) => {
      const v = env[name];
      return v === undefined || v === '' ? undefined : v;
    },
  };
}

/** A store over already-resolved values (e.g. handed to a worker that cannot reach the real store). */
export function mapSecretStore(values: Readonly<Record<string, string>>): SecretStore {
  return { get: async (name) => (Object.hasOwn(values, name) && values[name] !== '' ? values[name] : undefined) };
}

const MASK = '***';

/**
 * A URL fit to show or store: credentials in the authority are dropped and the values of
 * credential-like query parameters (plus any `extraParams`) become `***`. The rest of the query
 * is left byte-for-byte, so a recorded URL still reads like the request that was made.
 */
export function redactUrl(url: string, extraParams: readonly string[] = []): string {
  const extra = new Set(extraParams.map((p) => p.toLowerCase()));
  const hashAt = url.indexOf('#');
  const noHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const q = noHash.indexOf('?');
  let head = q >= 0 ? noHash.slice(0, q) : noHash;
  head = head.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, `$1${MASK}@`);
  if (q < 0) return head;
  const parts = noHash
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const rawName = eq >= 0 ? part.slice(0, eq) : part;
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: judge the raw name
      }
      return eq >= 0 && (isSecretParam(name) || extra.has(name.toLowerCase())) ? `${rawName}=${MASK}` : part;
    });
  return `${head}?${parts.join('&')}`;
}

/** Collects the secret values of one pull and scrubs them (and their encoded forms) out of text. */
export class Redactor {
  private readonly values = new Set<string>();
  private readonly params = new Set<string>();

  addSecret(value: string | undefined): void {
    // Very short values would blank out ordinary text; no real credential is that short.
    if (value === undefined || value.length < 4) return;
    this.values.add(value);
    this.values.add(encodeURIComponent(value));
    this.values.add(encodeURIComponent(value).replace(/%20/g, '+'));
    this.values.add(Buffer.from(value).toString('base64'));
  }

  addParam(name: string): void {
    this.params.add(name);
  }

  text(s: string): string {
    let out = s;
    // Longest first, so a secret containing another is masked whole.
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join(MASK);
    return out;
  }

  url(u: string): string {
    return this.text(redactUrl(u, [...this.params]));
  }

  /** A deep copy of a JSON-like value with every string scrubbed. */
  value<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x) => this.value(x)) as T;
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, this.value(x)])) as T;
    }
    return v;
  }
}
