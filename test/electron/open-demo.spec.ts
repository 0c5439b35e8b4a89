import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

const root = resolve(import.meta.dirname, '..', '..');

/** The Electron binary, checked on disk: requiring 'electron' would try to download it. */
function electronBinary(): string | null {
  const pathFile = join(root, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const binary = electronBinary();

test('Electron opens the demo workspace and shows its records', async () => {
  if (!binary) {
    console.log('SKIP electron e2e: the Electron binary is not installed (node_modules/electron/dist is missing); browser-mode e2e covers the renderer.');
    test.skip(true, 'Electron binary not installed on this machine');
    return;
  }
  const workspace = join(mkdtempSync(join(tmpdir(), 'tieout-electron-')), 'demo.tieout');
  const app = await electron.launch({ executablePath: binary, args: [root, '--workspace', workspace, '--demo'] });
  const page = await app.firstWindow();
  await expect(page.getByTestId('workspace-name')).toHaveText('demo');
  await expect(page.getByRole('tab', { name: /Buys/ })).toContainText('2,000');
  // The page has no Node and no generic IPC: only the contract's named functions.
  expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await page.evaluate(() => Object.keys((globalThis as unknown as { tieout: { calls: object } }).tieout.calls).length)).toBeGreaterThan(3);
  await app.close();
});
