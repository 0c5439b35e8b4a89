import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { startAppServer, type AppServer } from './app-server';

let app: AppServer;
test.beforeAll(async () => {
  app = await startAppServer();
});
test.afterAll(async () => {
  await app?.stop();
});

function query<T>(sql: string, ...params: unknown[]): T {
  const db = new Database(app.workspacePath, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}

/** Opens the import wizard on `file` for `source` and asks for its preview. */
async function previewImport(page: Page, source: string, file: string): Promise<void> {
  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByLabel('Source name').fill(source);
  await page.getByLabel('File path').fill(file);
  await page.getByRole('button', { name: 'Preview' }).click();
}

test('the import wizard previews, re-parses an edited mapping in place, imports with a summary, and lists rejected rows', async ({ page }) => {
  const csv = join(app.dir, 'payments.csv');
  writeFileSync(
    csv,
    ['Payment ID;Paid On;Payee;Amount;Currency', 'P-1;01.03.2026;Meta;1.234,50;EUR', 'P-2;02.03.2026;Hulu;abc;EUR', 'P-3;03.03.2026;Spotify;(5,00);EUR', 'P-4;04.03.2026;Bank;10,00 CR;EUR'].join('\n'),
  );
  await previewImport(page, 'Payments (bank)', csv);

  await expect(page.getByTestId('preview-layout')).toContainText('delimiter ";"');
  await expect(page.getByTestId('preview-layout')).toContainText('mapping suggested');
  await expect(page.getByTestId('preview-errors')).toHaveText('1 of 4 rows have problems');
  const grid = page.getByTestId('preview-grid');
  await expect(grid.locator('.ag-row[row-index="0"] [col-id="amount"]')).toHaveText('1,234.50 EUR');
  await expect(grid.locator('.ag-row[row-index="1"] [col-id="error"]')).toContainText('Amount');

  // Edit the mapping: Amount as text makes every row parse; the preview re-parses in place.
  await page.getByLabel('Type of Amount').selectOption('text');
  await expect(page.getByTestId('preview-errors')).toHaveText('0 of 4 rows have problems');
  await page.getByLabel('Type of Amount').selectOption('money');
  await page.getByLabel('Amount field').selectOption('amount');
  await expect(page.getByTestId('preview-errors')).toHaveText('1 of 4 rows have problems');
  // A bank statement read by its holder: CR is money in.
  await page.getByLabel('CR means').selectOption('positive');
  await expect(grid.locator('.ag-row[row-index="3"] [col-id="amount"]')).toHaveText('10.00 EUR');

  await page.getByRole('button', { name: 'Import', exact: true }).last().click();
  const summary = page.getByTestId('import-summary');
  await expect(summary).toContainText('Imported payments.csv into Payments (bank)');
  await expect(page.getByTestId('count-read')).toHaveText('4');
  await expect(page.getByTestId('count-accepted')).toHaveText('3');
  await expect(page.getByTestId('count-rejected')).toHaveText('1');

  const stored = query<{ n: number; total: number }>(
    `SELECT COUNT(*) AS n, SUM(amount_minor) AS total FROM record r JOIN source s ON s.id = r.source_id WHERE s.name = 'Payments (bank)'`,
  );
  expect(stored).toEqual({ n: 3, total: 123450 - 500 + 1000 });

  await page.getByRole('button', { name: 'Sources' }).click();
  await page.getByRole('button', { name: /Show 1 rejected rows of batch/ }).click();
  const rejected = page.getByTestId('rejected-grid');
  await expect(rejected.locator('.ag-row[row-index="0"] [col-id="row"]')).toHaveText('3');
  await expect(rejected.locator('.ag-row[row-index="0"] [col-id="value"]')).toHaveText('abc');
});

test('the import wizard reads a bank statement\'s Paid out and Paid in columns as one signed amount, and the credit column can be changed in the mapping', async ({ page }) => {
  const csv = join(app.dir, 'bank-paid-in-out.csv');
  copyFileSync(join(import.meta.dirname, '../fixtures/import/bank-paid-in-out.csv'), csv);
  await previewImport(page, 'Bank statement', csv);

  // Suggested: one amount field over both columns, money in positive; "Paid in" maps no field of its own.
  await expect(page.getByLabel('Credit column')).toHaveValue('Paid in');
  await expect(page.getByLabel('CR means')).toHaveValue('positive');
  await expect(page.getByRole('row', { name: /Paid in credit side of amount/ })).toBeVisible();
  const grid = page.getByTestId('preview-grid');
  await expect(grid.locator('.ag-header-cell[col-id="amount"]')).toContainText('Paid out / Paid in → amount (money)');
  await expect(grid.locator('.ag-row[row-index="0"] [col-id="amount"]')).toHaveText('-1,250.00');
  await expect(grid.locator('.ag-row[row-index="1"] [col-id="amount"]')).toHaveText('3,400.00');
  await expect(page.getByTestId('preview-errors')).toHaveText('2 of 6 rows have problems');

  // Without the credit column, money in is a blank required amount: the preview says so in place.
  await page.getByLabel('Credit column').selectOption('');
  await expect(page.getByTestId('preview-errors')).toHaveText('3 of 6 rows have problems');
  await expect(grid.locator('.ag-row[row-index="1"] [col-id="error"]')).toContainText('a required value is blank');
  await page.getByLabel('Credit column').selectOption('Paid in');
  await expect(page.getByTestId('preview-errors')).toHaveText('2 of 6 rows have problems');

  await page.getByRole('button', { name: 'Import', exact: true }).last().click();
  await expect(page.getByTestId('count-accepted')).toHaveText('4');
  await expect(page.getByTestId('count-rejected')).toHaveText('2');
  const stored = query<{ n: number; total: number }>(
    `SELECT COUNT(*) AS n, SUM(amount_minor) AS total FROM record r JOIN source s ON s.id = r.source_id WHERE s.name = 'Bank statement'`,
  );
  expect(stored).toEqual({ n: 4, total: -125000 + 340000 - 750 + 800 });
});

test('the import wizard signs a bank statement\'s amounts by its DR/CR column', async ({ page }) => {
  const csv = join(app.dir, 'bank-dr-cr-indicator.csv');
  copyFileSync(join(import.meta.dirname, '../fixtures/import/bank-dr-cr-indicator.csv'), csv);
  await previewImport(page, 'Bank (DR/CR)', csv);

  await expect(page.getByLabel('Debit/credit indicator column')).toHaveValue('DR/CR');
  await expect(page.getByLabel('Credit column')).toBeDisabled();
  await expect(page.getByRole('row', { name: /DR\/CR debit\/credit indicator of amount/ })).toBeVisible();
  const grid = page.getByTestId('preview-grid');
  await expect(grid.locator('.ag-header-cell[col-id="amount"]')).toContainText('Amount / DR/CR → amount (money)');
  await expect(grid.locator('.ag-row[row-index="1"] [col-id="amount"]')).toHaveText('-3,400.00');
  // A bank statement read by its holder: credits are money in.
  await page.getByLabel('CR means').selectOption('positive');
  await expect(grid.locator('.ag-row[row-index="1"] [col-id="amount"]')).toHaveText('3,400.00');
  await expect(grid.locator('.ag-row[row-index="4"] [col-id="error"]')).toContainText('the debit/credit indicator is blank');

  await page.getByRole('button', { name: 'Import', exact: true }).last().click();
  await expect(page.getByTestId('count-accepted')).toHaveText('4');
  const stored = query<{ total: number }>(`SELECT SUM(amount_minor) AS total FROM record r JOIN source s ON s.id = r.source_id WHERE s.name = 'Bank (DR/CR)'`);
  expect(stored.total).toBe(-125000 + 340000 - 750 + 200);
});

test('a reconciliation created with suggested rules runs from the UI with progress and appears in the run history', async ({ page }) => {
  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Reconcile' }).click();
  await page.getByLabel('New reconciliation name').fill('Buys vs invoices');
  await page.getByLabel('left source').selectOption({ label: 'Buys (IO export)' });
  await page.getByLabel('right source').selectOption({ label: 'Vendor invoices' });
  await page.getByRole('button', { name: 'Create with suggested rules' }).click();
  await expect(page.getByLabel('Reconciliation', { exact: true })).toHaveValue('Buys vs invoices');
  await expect(page.getByLabel('Passes')).toBeVisible();

  await page.getByRole('button', { name: 'Run match' }).click();
  await expect(page.getByTestId('run-summary')).toContainText('Run 1', { timeout: 60_000 });
  const matched = query<{ n: number }>(`SELECT COUNT(*) AS n FROM match_group WHERE run_id = 1 AND status = 'matched'`);
  expect(matched.n).toBeGreaterThan(1000);
  await expect(page.getByTestId('run-1-matched')).toHaveText(`${matched.n} groups`);

  // A bad rule edit is refused with the error at its JSON path, and no version is written.
  const editor = page.getByLabel('Rule set JSON');
  const text = await editor.inputValue();
  await editor.fill(text.replace('"passes": [', '"passes": [{"id": "broken", "kind": "key"},'));
  await page.getByRole('button', { name: 'Save as new version' }).click();
  await expect(page.getByLabel('Rule set errors')).toContainText('passes.0');
  expect(query<{ n: number }>('SELECT COUNT(*) AS n FROM rule_set_version').n).toBe(1);
});
