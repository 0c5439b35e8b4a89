import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The slice of Electron's safeStorage we use (the async API; the sync one is deprecated). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plain: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  getSelectedStorageBackend?(): string;
}

/**
 * Connector secrets, encrypted by the OS keychain through safeStorage and kept in the user
 * profile: never in a workspace, a packet or a log.
 */
export function safeSecretStore(safe: SafeStorageLike, file: string, platform = process.platform) {
  const read = (): Record<string, string> => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {});
  const write = (all: Record<string, string>) => writeFileSync(file, JSON.stringify(all, null, 2), { mode: 0o600 });
  return {
    /** On Linux without a keyring, safeStorage falls back to a hard-coded key: say so. */
    warning(): string | null {
      if (platform === 'linux' && safe.getSelectedStorageBackend?.() === 'basic_text') {
        return 'No OS keyring was found, so secrets are only obfuscated (safeStorage backend "basic_text"). Install and unlock a keyring (GNOME Keyring or KWallet) to encrypt them.';
      }
      return null;
    },
    async set(name: string, value: string): Promise<void> {
      if (!(await safe.isAsyncEncryptionAvailable())) throw new Error('Secret storage is not available on this system');
      const all = read();
      all[name] = (await safe.encryptStringAsync(value)).toString('base64');
      write(all);
    },
    async get(name: string): Promise<string | undefined> {
      const stored = read()[name];
      if (stored === undefined) return undefined;
      const { result, shouldReEncrypt } = await safe.decryptStringAsync(Buffer.from(stored, 'base64'));
      if (shouldReEncrypt) await this.set(name, result);
      return result;
    },
    names: (): string[] => Object.keys(read()),
  };
}
