import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { startTestApiServer, type TestApiServer } from '../../src/main/core/pull/test-server';
import { runTableName, startAppServer, tieout, type AppServer } from './app-server';

let app: AppServer;
let api: TestApiServer;

test.beforeAll(async () => {
  const ws = join(mkdtempSync(join(tmpdir(), 'tieout-pull-')), 'pull.tieout');
  tieout('demo', ws, '--buys', '200');
  // The API bills 25 of the demo buys: the pulled records must then match them.
  const buys = JSON.parse(tieout('records', ws, '--source', 'Buys (IO export)', '--format', 'json')) as Record<string, string>[];
  const records = buys.slice(0, 25).map((b, i) => ({
    id: `API-${String(i + 1).padStart(3, '0')}`,
    po_reference: b['line_id'],
    billed: { amount: b['net_cost'], currency: b['currency_code'] },
    invoice_date: b['flight_end'],
    vendor: b['vendor'],
    updated_at: `2026-03-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`,
  }));
  api = await startTestApiServer({ records, pagination: 'page', pageSize: 10, envelope: 'data' });
  app = await startAppServer({ workspace: ws, demo: false });
});
test.afterAll(async () => {
  await app?.stop();
  await api?.close();
});

test('a pull from the UI tests the connection, imports every page, and its records take part in a match', async ({ page }) => {
  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'API pull' }).click();
  await page.getByLabel('Pull source name').fill('Invoices (API)');
  const connector = {
    name: 'test-api',
    version: 1,
    baseUrl: api.url,
    path: '/api/items',
    auth: { type: 'none' },
    pagination: { type: 'page', param: 'page', start: 1, sizeParam: 'per_page', size: 10 },
    recordsPath: 'data',
    timeoutMs: 5000,
    maxRetries: 2,
    rateLimitPerSecond: 50,
    breaker: { failureThreshold: 5, cooldownMs: 1000 },
  };
  await page.getByLabel('Connector JSON').fill(JSON.stringify(connector, null, 2));
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('pull-preview-status')).toContainText('HTTP 200, 10 records on the first page');
  await expect(page.getByTestId('pull-preview').locator('.ag-header-cell', { hasText: 'billed.amount' })).toBeVisible();

  await page.getByRole('button', { name: 'Pull now' }).click();
  await expect(page.getByTestId('pull-summary')).toContainText('Pulled 25 records', { timeout: 60_000 });
  await expect(page.getByRole('table', { name: 'Pull history' })).toContainText('test-api v1');

  const db = new Database(app.workspacePath, { readonly: true });
  const pulled = db.prepare("SELECT COUNT(*) AS n FROM record r JOIN source s ON s.id = r.source_id WHERE s.name = 'Invoices (API)'").get() as { n: number };
  const origin = db.prepare("SELECT origin FROM batch b JOIN source s ON s.id = b.source_id WHERE s.name = 'Invoices (API)'").get() as { origin: string };
  db.close();
  expect(pulled.n).toBe(25);
  expect(origin.origin).toBe('pull');

  await page.getByRole('button', { name: 'Reconcile' }).click();
  await page.getByLabel('New reconciliation name').fill('Buys vs API invoices');
  await page.getByLabel('left source').selectOption({ label: 'Buys (IO export)' });
  await page.getByLabel('right source').selectOption({ label: 'Invoices (API)' });
  await page.getByRole('button', { name: 'Create with suggested rules' }).click();
  await page.getByRole('button', { name: 'Run match' }).click();
  await expect(page.getByTestId('run-summary')).toContainText('Run', { timeout: 60_000 });

  const db2 = new Database(app.workspacePath, { readonly: true });
  const matched = db2
    .prepare(
      `SELECT COUNT(DISTINCT m.record_id) AS n FROM ${runTableName(app.workspacePath, 'member')} m JOIN record r ON r.id = m.record_id JOIN source s ON s.id = r.source_id
        WHERE s.name = 'Invoices (API)' AND m.group_id IS NOT NULL`,
    )
    .get() as { n: number };
  db2.close();
  expect(matched.n).toBe(25);
});
