import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startAppServer, tieout, type AppServer } from './app-server';

let app: AppServer;
let dir: string;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tieout-fx-e2e-'));
  const ws = join(dir, 'fx.tieout');
  tieout('demo', ws, '--buys', '100');
  app = await startAppServer({ workspace: ws, demo: false });
});
test.afterAll(async () => {
  await app?.stop();
});

test('FX rates are imported from a file and added by hand in the Reconcile view; a conflicting rate is refused with its row', async ({ page }) => {
  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Reconcile' }).click();
  await page.getByText(/^FX rates \(0\)$/).click();

  const file = join(dir, 'rates.csv');
  writeFileSync(file, 'from,to,rate,date\nEUR,USD,1.0850,2026-03-01\nGBP,USD,1.2610,\n');
  await page.getByLabel('FX rates file').setInputFiles(file);
  await expect(page.getByTestId('fx-message')).toHaveText('rates.csv: 2 rate(s) added');
  const table = page.getByRole('table', { name: 'FX rate table' });
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table).toContainText('undated (fallback)');

  await page.getByLabel('FX from currency').fill('eur');
  await page.getByLabel('FX rate', { exact: true }).fill('1.0790');
  await page.getByLabel('FX date').fill('2026-04-01');
  await page.getByRole('button', { name: 'Add rate' }).click();
  await expect(page.getByTestId('fx-message')).toHaveText('EUR→USD: 1 rate(s) added');
  await expect(table.locator('tbody tr')).toHaveCount(3);

  const conflicting = join(dir, 'fix.csv');
  writeFileSync(conflicting, 'from,to,rate,date\nEUR,USD,1.0900,2026-03-01\n');
  await page.getByLabel('FX rates file').setInputFiles(conflicting);
  await expect(page.getByRole('alert')).toContainText('fix.csv row 2: EUR→USD on 2026-03-01 is already 1.085');
  await expect(table.locator('tbody tr')).toHaveCount(3);

  // The CLI sees the same table.
  expect(tieout('fx', app.workspacePath)).toContain('EUR→USD  1.079');
});
