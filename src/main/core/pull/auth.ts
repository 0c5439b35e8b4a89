/**
 * Puts a connector's credentials on a request. Secrets are resolved once per pull from the
 * SecretStore and registered with the Redactor before anything can print them. OAuth2 client
 * credentials: the token is fetched on first use, cached until shortly before it expires, and
 * fetched again on expiry or once after a 401.
 */
import { TieoutError } from '../../../shared/error.js';
import type { ConnectorAuth } from '../../../shared/connector.js';
import { bodySnippet, type HttpClient, type HttpClock } from './http.js';
import { withQueryParam } from './url.js';
import type { Redactor, SecretStore } from './secrets.js';

export interface RequestAuth {
  /** Adds credentials: returns the URL to fetch (with a query key when configured). */
  apply(url: string, headers: Record<string, string>): Promise<string>;
  /** After a 401: drops a cached token. True when a fresh attempt could succeed. */
  renew(): boolean;
  /** The URL as it may be shown: a query credential appears as `name=***`. */
  display(url: string): string;
}

async function need(secrets: SecretStore, name: string, what: string, connector: string): Promise<string> {
  let v: string | undefined;
  try {
    v = await secrets.get(name);
  } catch (err) {
    throw new TieoutError('bad_input', `Could not read secret "${name}" (${what} for connector "${connector}"): ${err instanceof Error ? err.message : String(err)}`, {
      secret: name,
    });
  }
  if (v === undefined || v === '') {
    throw new TieoutError('bad_input', `Secret "${name}" is not set (${what} for connector "${connector}")`, { secret: name });
  }
  return v;
}

export async function createAuth(
  auth: ConnectorAuth,
  secrets: SecretStore,
  redactor: Redactor,
  connector: string,
  http: HttpClient,
  clock: HttpClock,
): Promise<RequestAuth> {
  switch (auth.type) {
    case 'none':
      return { apply: async (url) => url, renew: () => false, display: (url) => redactor.url(url) };
    case 'bearer': {
      const token = await need(secrets, auth.tokenEnv, 'bearer token', connector);
      redactor.addSecret(token);
      return {
        apply: async (url, headers) => {
          headers['authorization'] = `Bearer ${token}`;
          return url;
        },
        renew: () => false,
        display: (url) => redactor.url(url),
      };
    }
    case 'basic': {
      const user = await need(secrets, auth.usernameEnv, 'user name', connector);
      const password = await need(secrets, auth.passwordEnv, 'password', connector);
      redactor.addSecret(password);
      redactor.addSecret(`${user}:${password}`);
      const value = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      return {
        apply: async (url, headers) => {
          headers['authorization'] = value;
          return url;
        },
        renew: () => false,
        display: (url) => redactor.url(url),
      };
    }
    case 'api_key': {
      const key = await need(secrets, auth.valueEnv, `API key "${auth.name}"`, connector);
      redactor.addSecret(key);
      if (auth.in === 'query') redactor.addParam(auth.name);
      return {
        apply: async (url, headers) => {
          if (auth.in === 'header') {
            headers[auth.name.toLowerCase()] = key;
            return url;
          }
          return withQueryParam(url, auth.name, key);
        },
        renew: () => false,
        display: (url) => redactor.url(auth.in === 'query' ? withQueryParam(url, auth.name, '***') : url),
      };
    }
    case 'oauth2_client_credentials': {
      const id = await need(secrets, auth.clientIdEnv, 'OAuth client id', connector);
      const secret = await need(secrets, auth.clientSecretEnv, 'OAuth client secret', connector);
      redactor.addSecret(secret);
      let cached: { token: string; expiresAt: number } | null = null;
      const label = redactor.url(auth.tokenUrl);
      const fetchToken = async (): Promise<{ token: string; expiresAt: number }> => {
        const form = new URLSearchParams({ grant_type: 'client_credentials' });
        if (auth.scope) form.set('scope', auth.scope);
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
        if (auth.clientAuth === 'basic') {
          // RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding.
          const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
          const basic = Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
          redactor.addSecret(basic);
          headers['authorization'] = `Basic ${basic}`;
        } else {
          form.set('client_id', id);
          form.set('client_secret', secret);
        }
        const requestedAt = clock.now();
        const res = await http.request({ url: auth.tokenUrl, label, method: 'POST', headers, body: form.toString() });
        const text = res.body.toString('utf8');
        let json: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
        try {
          json = JSON.parse(text) as typeof json;
        } catch {
          json = undefined;
        }
        if (res.status < 200 || res.status >= 300 || typeof json?.access_token !== 'string' || json.access_token === '') {
          const why =
            json && typeof json.error === 'string'
              ? `: ${redactor.text(json.error)}${typeof json.error_description === 'string' ? ` (${redactor.text(json.error_description)})` : ''}`
              : res.status >= 200 && res.status < 300
                ? ': the answer has no access_token'
                : bodySnippet(res.body, (s) => redactor.text(s));
          throw new TieoutError(
            res.status === 400 || res.status === 401 || res.status === 403 ? 'unauthorized' : 'file_unreadable',
            `The token endpoint ${label} refused the client credentials (HTTP ${res.status})${why}`,
            { url: label, status: res.status },
          );
        }
        redactor.addSecret(json.access_token);
        const lifetime = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in * 1000 : 3_600_000;
        // Renew a little early so a token does not expire between the check and the request.
        const skew = Math.min(30_000, lifetime / 10);
        return { token: json.access_token, expiresAt: requestedAt + lifetime - skew };
      };
      return {
        apply: async (url, headers) => {
          if (!cached || clock.now() >= cached.expiresAt) cached = await fetchToken();
          headers['authorization'] = `Bearer ${cached.token}`;
          return url;
        },
        renew: () => {
          cached = null;
          return true;
        },
        display: (url) => redactor.url(url),
      };
    }
  }
}
