import { expect, test } from '@playwright/test';
import { demoWorkspaceWithRun, queryRows, startAppServer, type AppServer } from './app-server';

/** Bulk actions from the review grid: on a whole filter result, with the count first and a justification. */
let app: AppServer;
test.beforeAll(async () => {
  const ws = demoWorkspaceWithRun('bulk', { people: ['ana'] });
  app = await startAppServer({ workspace: ws, demo: false });
});
test.afterAll(async () => {
  await app?.stop();
});

const one = <T>(sql: string, ...params: unknown[]): T => queryRows<T>(app.workspacePath, sql, ...params)[0]!;

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
