import { CoreEvent, UploadResult } from '../../../shared/contract.js';
import { TieoutError } from '../../../shared/error.js';
import type { Transport } from './transport.js';
import { unwrap } from './unwrap.js';

const TOKEN_KEY = 'tieout.token';

/** Takes the per-launch token from the URL once, keeps it for this tab, and hides it from the address bar. */
export function pickUpToken(loc: Location, storage: Storage, history: History): string | null {
  const url = new URL(loc.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY);
}

export function httpTransport(token: string): Transport {
  const listeners = new Set<(e: CoreEvent) => void>();
  let source: EventSource | null = null;
  const connect = () => {
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (m) => {
      const parsed = CoreEvent.safeParse(JSON.parse(String(m.data)));
      if (parsed.success) for (const l of listeners) l(parsed.data);
    };
  };
  return {
    kind: 'http',
    async call(name, input) {
      const res = await fetch(`/api/call/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(input ?? {}),
      });
      return unwrap(await res.json());
    },
    subscribe(listener) {
      if (!source) connect();
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    chooseWorkspace: null,
    chooseImportFile: null,
    async fileToPath(file) {
      const res = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        body: file,
      });
      const body = (await res.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
      if (!body.ok) throw new TieoutError('file_unreadable', body.error?.message ?? `Upload of ${file.name} failed`);
      return UploadResult.parse(body.result).path;
    },
  };
}
