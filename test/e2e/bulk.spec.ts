import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { startAppServer, tieout, type AppServer } from './app-server';

/** Bulk actions from the review grid: on a whole filter result, with the count first and a justification. */
let app: AppServer;
test.beforeAll(async () => {
  const ws = join(mkdtempSync(join(tmpdir(), 'tieout-bulk-')), 'bulk.tieout');
  tieout('demo', ws, '--buys', '1500');
  tieout('users', ws, 'add', 'ana', '--name', 'Ana Analyst', '--role', 'analyst');
  tieout('users', ws, 'switch', 'ana');
  tieout('match', ws, '--left', 'Buys (IO export)', '--right', 'Vendor invoices', '--name', 'Buys vs invoices');
  app = await startAppServer({ workspace: ws, demo: false });
});
test.afterAll(async () => {
  await app?.stop();
});

function one<T>(sql: string, ...params: unknown[]): T {
  const db = new Database(app.workspacePath, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}

test('a bulk status change and a bulk rejection of suggestions apply to the whole filter result, after showing the count', async ({ page }) => {
  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  await page.getByLabel('Exception class').selectOption('duplicate');
  await page.getByRole('button', { name: 'Bulk action…' }).click();
  const bulk = page.getByRole('dialog', { name: 'Bulk action' });

  const dups = one<{ n: number }>("SELECT COUNT(*) AS n FROM review_item WHERE class = 'duplicate' AND status IN ('open', 'investigating')").n;
  expect(dups).toBeGreaterThan(0);
  await bulk.getByLabel('Bulk action kind').selectOption('status');
  await bulk.getByLabel('Bulk status').selectOption('investigating');
  await expect(bulk.getByTestId('bulk-preview')).toContainText(`${dups} items`);
  await expect(bulk.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await bulk.getByLabel('Justification').fill('duplicates go to the vendor desk');
  await bulk.getByRole('button', { name: 'Apply' }).click();
  await expect(bulk.getByRole('status')).toContainText(`Set ${dups} items to investigating`);
  expect(one("SELECT COUNT(*) AS n FROM review_item WHERE class = 'duplicate' AND status = 'investigating'")).toEqual({ n: dups });

  const suggestions = one<{ n: number }>("SELECT COUNT(*) AS n FROM review_item WHERE kind = 'suggestion' AND status IN ('open', 'investigating')").n;
  expect(suggestions).toBeGreaterThan(1);
  await bulk.getByLabel('Bulk action kind').selectOption('reject');
  await expect(bulk.getByTestId('bulk-preview')).toContainText(`${suggestions} suggestions`);
  await bulk.getByLabel('Justification').fill('the probabilistic pass paired different flights');
  await bulk.getByRole('button', { name: 'Apply' }).click();
  await expect(bulk.getByRole('status')).toContainText(`Rejected ${suggestions} suggested matches`);
  // One bulk override of unmatches, reversible as a whole.
  expect(one("SELECT COUNT(*) AS n, COUNT(DISTINCT bulk_id) AS bulks FROM override WHERE type = 'unmatch' AND reason_code = 'suggestion_rejected'")).toEqual({ n: suggestions, bulks: 1 });
  expect(one("SELECT COUNT(*) AS n FROM review_item WHERE kind = 'suggestion' AND status IN ('open', 'investigating')")).toEqual({ n: 0 });
});
