import { describe, expect, it } from 'vitest';
import { CALL_NAMES, ipcChannel } from '../../shared/contract.js';
import { createService } from '../core/service.js';
import { denyPermissions, hardenWebContents } from './harden.js';
import { registerIpcHost, type IpcMainLike } from './ipc-host.js';
import { makeTrustedSender } from './trusted-sender.js';
import { mainWindowOptions } from './window-options.js';

describe('Electron shell hardening', () => {
  it('the main window runs sandboxed and isolated, without Node, with web security on', () => {
    const prefs = mainWindowOptions('/app/out/preload/index.cjs').webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
  });

  it('denies navigation, redirects, webviews and new windows', () => {
    const handlers = new Map<string, (e: { preventDefault(): void }) => void>();
    let openHandler: (() => { action: string }) | null = null;
    hardenWebContents({
      on: ((event: string, fn: (e: { preventDefault(): void }) => void) => handlers.set(event, fn)) as never,
      setWindowOpenHandler: ((fn: () => { action: string }) => (openHandler = fn)) as never,
    });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      handlers.get(event)!({ preventDefault: () => (prevented = true) });
      expect(prevented, event).toBe(true);
    }
    expect(openHandler!()).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', () => {
    let request: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    let check: (() => boolean) | null = null;
    denyPermissions({
      setPermissionRequestHandler: ((fn: typeof request) => (request = fn)) as never,
      setPermissionCheckHandler: ((fn: typeof check) => (check = fn)) as never,
    });
    let granted: boolean | null = null;
    request!({}, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect(check!()).toBe(false);
  });
});

describe('IPC host', () => {
  const page = 'file:///app/out/renderer/index.html';
  function host() {
    const handlers = new Map<string, (event: { senderFrame: { url: string; parent: unknown } | null }, input: unknown) => Promise<any>>();
    const ipc: IpcMainLike = { handle: (channel, fn) => handlers.set(channel, fn as never) };
    registerIpcHost(ipc, createService({ actor: 'tester' }), makeTrustedSender(page));
    return handlers;
  }

  it('registers exactly one channel per contract call', () => {
    expect([...host().keys()].sort()).toEqual(CALL_NAMES.map(ipcChannel).sort());
  });

  it('refuses calls from a frame that is not our page', async () => {
    const h = host().get(ipcChannel('workspace.info'))!;
    const foreign = await h({ senderFrame: { url: 'https://evil.example/', parent: null } }, {});
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const iframe = await h({ senderFrame: { url: page, parent: {} } }, {});
    expect(iframe).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const own = await h({ senderFrame: { url: page, parent: null } }, {});
    expect(own).toEqual({ ok: true, result: null });
  });

  it('rejects a bad payload at the boundary with the one error shape', async () => {
    const h = host().get(ipcChannel('records.page'))!;
    const r = await h({ senderFrame: { url: page, parent: null } }, { sourceId: -3, offset: 0, limit: 5000 });
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('bad_input');
    expect(r.error.details.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['sourceId', 'limit']));
  });
});

describe('secret store', () => {
  it('keeps only ciphertext on disk and warns when Linux has no keyring', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { safeSecretStore } = await import('./secrets.js');
    // A stand-in for the OS keychain: reversible, but not the plain text.
    const fake = {
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: async (s: string) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
      decryptStringAsync: async (b: Buffer) => ({ result: Buffer.from([...b].map((x) => x ^ 0x5a)).toString(), shouldReEncrypt: false }),
      getSelectedStorageBackend: () => 'basic_text',
    };
    const file = join(mkdtempSync(join(tmpdir(), 'tieout-secrets-')), 'secrets.json');
    const store = safeSecretStore(fake, file, 'linux');
    await store.set('META_TOKEN', 'sk-live-123');
    expect(readFileSync(file, 'utf8')).not.toContain('sk-live-123');
    expect(await store.get('META_TOKEN')).toBe('sk-live-123');
    expect(store.warning()).toContain('basic_text');
    expect(safeSecretStore({ ...fake, getSelectedStorageBackend: () => 'gnome_libsecret' }, file, 'linux').warning()).toBeNull();
  });
});
