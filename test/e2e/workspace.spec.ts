import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { startAppServer, type AppServer } from './app-server';
import { Workbench } from './pages/workbench';

let app: AppServer;

test.beforeAll(async () => {
  app = await startAppServer();
});
test.afterAll(async () => {
  await app?.stop();
});

/** What the workspace file itself says, read independently of the app. */
function fromFile<T>(sql: string, ...params: unknown[]): T {
  const db = new Database(app.workspacePath, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}

test('opens the demo workspace and shows the demo records in the grid', async ({ page }) => {
  const wb = new Workbench(page);
  await page.goto(app.pageUrl);
  await expect(wb.workspaceName).toHaveText('demo');
  await expect(wb.tab(/Buys \(IO export\)/)).toContainText('2,000');
  await expect(wb.page.getByTestId('record-count')).toHaveText('2,000 records');

  const first = fromFile<{ fields_json: string; row_number: number }>(
    `SELECT fields_json, row_number FROM record r JOIN source s ON s.id = r.source_id
      WHERE s.name = 'Buys (IO export)' AND r.is_current = 1 ORDER BY r.id LIMIT 1`,
  );
  const fields = JSON.parse(first.fields_json) as Record<string, string | number>;
  await wb.expectFirstRow('rowNumber', String(first.row_number));
  await wb.expectFirstRow('line_id', String(fields['line_id']));
  await wb.expectFirstRow('vendor', String(fields['vendor']));
  await expect(wb.rows().first()).toBeVisible();
  // The token was taken from the URL and hidden from the address bar.
  expect(page.url()).not.toContain('token=');

  await page.screenshot({ path: resolve(import.meta.dirname, '../../docs/screenshot.png') });
});

test('sorting and filtering are pushed down to SQLite', async ({ page }) => {
  const wb = new Workbench(page);
  await page.goto(app.pageUrl);
  await expect(wb.rows().first()).toBeVisible();

  const cheapest = fromFile<{ line_id: string }>(
    `SELECT json_extract(fields_json, '$.line_id') AS line_id FROM record r JOIN source s ON s.id = r.source_id
      WHERE s.name = 'Buys (IO export)' AND r.is_current = 1
      ORDER BY json_extract(fields_json, '$.net_cost') ASC, r.id ASC LIMIT 1`,
  );
  await wb.sortBy('Net Cost');
  await wb.expectFirstRow('line_id', cheapest.line_id);

  await wb.filter.fill(cheapest.line_id);
  await expect(wb.rows()).toHaveCount(1);
  await wb.expectFirstRow('line_id', cheapest.line_id);
});

test('shows the invoices source with its money in display form', async ({ page }) => {
  const wb = new Workbench(page);
  await page.goto(app.pageUrl);
  await wb.tab(/Vendor invoices/).click();
  await expect(wb.rows().first()).toBeVisible();
  const first = fromFile<{ amount_minor: number }>(
    `SELECT amount_minor FROM record r JOIN source s ON s.id = r.source_id
      WHERE s.name = 'Vendor invoices' AND r.is_current = 1 ORDER BY r.id LIMIT 1`,
  );
  const expected = (Math.abs(first.amount_minor) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
  await expect(wb.cell(0, 'amount')).toHaveText(`${first.amount_minor < 0 ? '-' : ''}${expected}`);
});

test('opening a file that is not a workspace shows a clear error and leaves the file untouched', async ({ page }) => {
  const wb = new Workbench(page);
  await page.goto(app.pageUrl);
  await expect(wb.workspaceName).toHaveText('demo');
  const notes = join(app.dir, 'notes.tieout');
  writeFileSync(notes, 'this is a spreadsheet export, not a workspace\n');
  await wb.open(notes);
  await expect(wb.errorBanner).toContainText('is not a Tieout workspace');
  expect(readFileSync(notes, 'utf8')).toBe('this is a spreadsheet export, not a workspace\n');
  // The demo workspace stays open.
  await expect(wb.workspaceName).toHaveText('demo');
});

test('opening a workspace from a newer Tieout shows a clear error and leaves it untouched', async ({ page }) => {
  const wb = new Workbench(page);
  const future = join(app.dir, 'future.tieout');
  const db = new Database(future);
  db.pragma(`application_id = ${0x5449454f}`);
  db.pragma('user_version = 999');
  db.exec('CREATE TABLE t (x)');
  db.close();
  const before = readFileSync(future);
  await page.goto(app.pageUrl);
  await wb.open(future);
  await expect(wb.errorBanner).toContainText('newer Tieout');
  expect(readFileSync(future).equals(before)).toBe(true);
});

test('an API call without the token is refused', async ({ request }) => {
  const r = await request.post(`${app.baseUrl}/api/call/workspace.info`, { data: {} });
  expect(r.status()).toBe(401);
  const ok = await request.post(`${app.baseUrl}/api/call/workspace.info`, {
    data: {},
    headers: { authorization: `Bearer ${app.token}` },
  });
  expect(ok.status()).toBe(200);
});

test('the audit view lists, filters and opens events, and verifies the chain', async ({ page }) => {
  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Audit log' }).click();
  const events = fromFile<{ n: number }>('SELECT COUNT(*) AS n FROM audit_event').n;
  await expect(page.getByTestId('audit-count')).toHaveText(`${events} events`);
  await page.getByLabel('Filter by action').fill('import');
  await expect(page.getByTestId('audit-count')).toHaveText('2 events');
  await page.getByTestId('audit-grid').locator('.ag-row[row-index="0"] [col-id="action"]').click();
  const detail = page.getByRole('complementary', { name: /Event \d+/ });
  await expect(detail).toContainText('import.batch');
  await expect(detail.getByRole('table', { name: 'Before and after' })).toContainText('invoices.csv');
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByTestId('audit-check')).toContainText(`Verified: ${events} events`);
});
