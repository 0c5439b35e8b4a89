import { expect, test } from '@playwright/test';
import { demoWorkspaceWithRun, queryRows, runTableName, startAppServer, type AppServer } from './app-server';

let app: AppServer;
test.beforeAll(async () => {
  const ws = demoWorkspaceWithRun('review');
  app = await startAppServer({ workspace: ws, demo: false });
});
test.afterAll(async () => {
  await app?.stop();
});

const one = <T>(sql: string, ...params: unknown[]): T => queryRows<T>(app.workspacePath, sql, ...params)[0]!;
/** Run 1's review rows. */
const reviewRows = () => runTableName(app.workspacePath, 'review', 1);

test('the review grid opens the latest run, filters to amount variances and explains the highlighted difference', async ({ page }) => {
  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  const total = one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${reviewRows()} WHERE run_id = 1`).n;
  await expect(page.getByTestId('review-count')).toHaveText(`${total.toLocaleString('en-US')} rows`);

  await page.getByLabel('Exception class').selectOption('amount_variance');
  const variances = one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${reviewRows()} WHERE run_id = 1 AND class = 'amount_variance'`).n;
  expect(variances).toBeGreaterThan(0);
  await expect(page.getByTestId('review-count')).toHaveText(`${variances} rows`);

  const grid = page.getByTestId('review-grid');
  const first = one<{ row_id: string; left_amount: number; right_amount: number; delta_amount: number }>(
    `SELECT row_id, left_amount, right_amount, delta_amount FROM ${reviewRows()} WHERE run_id = 1 AND class = 'amount_variance' ORDER BY row_id LIMIT 1`,
  );
  const amountCell = grid.locator('.ag-row[row-index="0"] [col-id="leftAmount"]');
  await expect(amountCell).toHaveClass(/cell-diff/);
  // Keyboard: focus a cell, then Enter opens the row.
  await amountCell.click();
  await page.keyboard.press('Enter');
  const pane = page.getByRole('complementary', { name: `Detail of ${first.row_id}` });
  await expect(pane).toBeVisible();
  const fmt = (minor: number) => (minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
  await expect(pane.getByTestId('variance')).toContainText(fmt(first.delta_amount));
  const checks = pane.getByRole('table', { name: 'Compared fields' });
  await expect(checks.getByRole('row', { name: /amount/ })).toContainText('fail');
  await expect(checks).toContainText(fmt(first.left_amount));
  await expect(checks).toContainText(fmt(first.right_amount));

  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
});

test('a probabilistic match shows its score waterfall', async ({ page }) => {
  const prob = one<{ row_id: string } | undefined>(`SELECT row_id FROM ${reviewRows()} WHERE run_id = 1 AND score IS NOT NULL ORDER BY row_id LIMIT 1`);
  test.skip(!prob, 'this run has no probabilistic matches');
  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  await page.getByLabel('Search review rows').fill(prob!.row_id);
  await expect(page.getByTestId('review-count')).toHaveText('1 rows');
  await page.getByTestId('review-grid').locator('.ag-row[row-index="0"] [col-id="status"]').click();
  await expect(page.getByRole('img', { name: /Score waterfall from prior/ })).toBeVisible();
});
