import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../shared/error.js';
import { createService } from './service.js';

describe('connector secrets through the service', () => {
  it('are saved to a writable store (the keychain in the app) and listed by name only', async () => {
    const kept = new Map<string, string>();
    const service = createService({
      secrets: { get: async (n) => kept.get(n), set: async (n, v) => void kept.set(n, v), names: () => [...kept.keys()], warning: () => null },
    });
    await service.call('secrets.set', { name: 'META_TOKEN', value: 's3cret' });
    expect(await service.call('secrets.list', {})).toEqual({ names: ['META_TOKEN'], store: 'keychain', warning: null });
    expect(kept.get('META_TOKEN')).toBe('s3cret');
    service.close();
  });

  it('refuses to store secrets where they come from the environment, and rejects odd names at the boundary', async () => {
    const service = createService();
    const err = (await service.call('secrets.set', { name: 'META_TOKEN', value: 'x' }).catch((e: unknown) => e)) as TieoutError;
    expect(err.code).toBe('forbidden');
    expect(err.message).toContain('environment variables');
    const bad = (await service.call('secrets.set', { name: 'lower case', value: 'x' }).catch((e: unknown) => e)) as TieoutError;
    expect(bad.code).toBe('bad_input');
    service.close();
  });
});
