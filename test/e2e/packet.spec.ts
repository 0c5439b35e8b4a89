import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startAppServer, tieout, type AppServer } from './app-server';

let app: AppServer;
let packet: string;
test.beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tieout-packet-'));
  process.env['TIEOUT_HOME'] = join(dir, 'home');
  const ws = join(dir, 'p.tieout');
  tieout('demo', ws, '--buys', '300');
  tieout('match', ws, '--left', 'Buys (IO export)', '--right', 'Vendor invoices', '--name', 'Buys vs invoices');
  packet = join(dir, 'march.tieoutpkt');
  tieout('packet', 'export', ws, '--out', packet);
  app = await startAppServer({ workspace: ws, demo: false });
});
test.afterAll(async () => {
  await app?.stop();
});

test('an auditor opens a packet read-only, sees it verified with the signer fingerprint, browses the grids and keeps notes beside it', async ({ page }) => {
  const verify = tieout('packet', 'verify', packet);
  const fingerprint = /[0-9a-f]{4}( [0-9a-f]{4}){7}/.exec(verify)?.[0];
  expect(fingerprint).toBeTruthy();
  const before = readFileSync(packet);

  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Packets' }).click();
  await page.getByLabel('Packet to open').fill(packet);
  await page.getByRole('button', { name: 'Open packet' }).click();
  await expect(page.getByTestId('packet-banner')).toContainText('Verified');
  await expect(page.getByTestId('packet-banner')).toContainText(fingerprint!);

  await page.getByRole('tab', { name: 'Matches' }).click();
  await expect(page.getByTestId('packet-table').locator('.ag-row').first()).toBeVisible();
  await page.getByRole('tab', { name: 'Exceptions' }).click();
  await expect(page.getByTestId('packet-table').locator('.ag-header-cell').first()).toBeVisible();

  await page.getByLabel('Review notes').fill('Checked the Meta variances against the IO.');
  await page.getByRole('button', { name: 'Save notes' }).click();
  await expect(page.getByText('Saved to')).toBeVisible();
  expect(readFileSync(`${packet}.review-notes.txt`, 'utf8')).toContain('Meta variances');
  // The packet itself is never written.
  expect(readFileSync(packet).equals(before)).toBe(true);
  expect(existsSync(packet)).toBe(true);
});

test('an analyst exports a packet from the Packets view, and it verifies and is in the audit trail', async ({ page }) => {
  const out = join(mkdtempSync(join(tmpdir(), 'tieout-export-')), 'from-ui.tieoutpkt');
  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Packets' }).click();
  await page.getByLabel('Packet scope').selectOption({ label: 'Run 1 of Buys vs invoices' });
  await page.getByLabel('Packet file').fill(out);
  await page.getByRole('button', { name: 'Export packet' }).click();
  await expect(page.getByTestId('packet-exported')).toContainText(`Exported ${out}`);
  expect(tieout('packet', 'verify', out)).toMatch(/verified/i);
  // The export is in the workspace's audit trail, naming the packet's hash.
  const sha = createHash('sha256').update(readFileSync(out)).digest('hex');
  expect(tieout('audit', 'log', app.workspacePath, '--action', 'export.packet')).toContain(`packet:${sha}`);
});
