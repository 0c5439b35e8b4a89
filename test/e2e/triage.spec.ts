import { expect, test, type Page } from '@playwright/test';
import { demoWorkspaceWithRun, queryRows, startAppServer, type AppServer } from './app-server';

let app: AppServer;
test.beforeAll(async () => {
  const ws = demoWorkspaceWithRun('triage', { people: ['ana', 'fin', 'bob'] });
  app = await startAppServer({ workspace: ws, demo: false });
});
test.afterAll(async () => {
  await app?.stop();
});

const all = <T>(sql: string, ...params: unknown[]): T[] => queryRows<T>(app.workspacePath, sql, ...params);

async function openFirstOfClass(page: Page, cls: string, orderByRisk = false): Promise<string> {
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  await page.getByLabel('Exception class').selectOption(cls);
  const grid = page.getByTestId('review-grid');
  if (orderByRisk) {
    await grid.locator('.ag-header-cell[col-id="amountAtRisk"] .ag-header-cell-label').click();
    await grid.locator('.ag-header-cell[col-id="amountAtRisk"] .ag-header-cell-label').click();
  }
  // Wait for the filtered page itself, not a row left over from the previous filter.
  await expect(grid.locator('.ag-row[row-index="0"] [col-id="class"]')).toHaveText(cls);
  const cell = grid.locator('.ag-row[row-index="0"] [col-id="status"]');
  await cell.click();
  await expect(page.getByRole('complementary', { name: /^Detail of / })).toContainText(cls);
  const pane = page.getByRole('complementary', { name: /^Detail of / });
  await expect(pane).toBeVisible();
  return ((await pane.getAttribute('aria-label')) ?? '').replace('Detail of ', '');
}

test('an analyst claims, comments on and resolves a variance, matches an invoice line by hand and bulk-assigns the unbilled buys', async ({ page }) => {
  await page.goto(app.pageUrl);
  await expect(page.getByLabel('Acting user')).toHaveValue('ana');

  // Claim, comment and resolve with a reason code.
  const itemId = await openFirstOfClass(page, 'amount_variance');
  const panel = page.locator('[aria-label="Exception work"]');
  await panel.getByRole('button', { name: 'Claim' }).click();
  await expect(panel.getByTestId('item-claimed')).toHaveText('ana');
  await panel.getByLabel('Comment').fill('Checked the IO: the invoice includes a late make-up day');
  await panel.getByRole('button', { name: 'Comment' }).click();
  await expect(panel.getByRole('list', { name: 'Timeline' })).toContainText('late make-up day');
  await panel.getByLabel('Override type').selectOption('accept_variance');
  await panel.getByLabel('Reason code', { exact: true }).selectOption('timing_difference');
  await panel.getByLabel('Override note').fill('timing, agreed with the vendor');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByTestId('item-message')).toContainText('applied');
  await expect(panel.getByTestId('item-status')).toHaveText('resolved');
  expect(all<{ status: string; claimed_by: string | null }>('SELECT status, claimed_by FROM review_item WHERE item_id = ?', itemId)[0]!.status).toBe('resolved');
  const events = all<{ action: string; actor: string }>("SELECT action, actor FROM audit_event WHERE target LIKE ? ORDER BY seq", `item:%:${itemId}`).map((e) => e.action);
  expect(events).toEqual(expect.arrayContaining(['item.claim', 'comment.add']));

  // An unmatched invoice line: pick a candidate and match it by hand.
  await openFirstOfClass(page, 'unmatched_right');
  await panel.getByRole('button', { name: 'Find candidates' }).click();
  const candidates = panel.getByRole('table', { name: 'Candidates' });
  await expect(candidates.getByRole('button', { name: /^Match with/ }).first()).toBeVisible();
  await candidates.getByRole('button', { name: /^Match with/ }).first().click();
  await expect(panel.getByTestId('item-message')).toContainText('Matched by hand');
  expect(all<{ n: number }>("SELECT COUNT(*) AS n FROM override WHERE type = 'force_match' AND status = 'applied'")[0]!.n).toBe(1);

  // Bulk-assign the remaining unbilled buys to Bob, seeing count and total first.
  await page.getByLabel('Exception class').selectOption('unmatched_left');
  await page.getByRole('button', { name: 'Bulk action…' }).click();
  const bulk = page.getByRole('dialog', { name: 'Bulk action' });
  await bulk.getByLabel('Assign to').selectOption('bob');
  const open = all<{ n: number }>("SELECT COUNT(*) AS n FROM review_item WHERE class = 'unmatched_left' AND status IN ('open', 'investigating')")[0]!.n;
  expect(open).toBeGreaterThan(0);
  await expect(bulk.getByTestId('bulk-preview')).toContainText(`${open} items`);
  await bulk.getByLabel('Justification').fill('Bob owns unbilled follow-ups this month');
  await bulk.getByRole('button', { name: 'Apply' }).click();
  await expect(bulk.getByRole('status')).toContainText(`Assigned ${open} items to bob`);
  const owners = all<{ owner: string }>("SELECT DISTINCT owner FROM review_item WHERE class = 'unmatched_left' AND status IN ('open', 'investigating')");
  expect(owners).toEqual([{ owner: 'bob' }]);
});

test('a write-off that needs approval waits, is approved by a different approver, and both are in the log', async ({ page }) => {
  await page.goto(app.pageUrl);
  await page.getByLabel('Acting user').selectOption('ana');
  const itemId = await openFirstOfClass(page, 'amount_variance', true);
  const panel = page.locator('[aria-label="Exception work"]');
  await panel.getByLabel('Override type').selectOption('write_off');
  await panel.getByLabel('Reason code', { exact: true }).selectOption('immaterial_write_off');
  await panel.getByLabel('Override note').fill('not worth chasing');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByTestId('item-message')).toContainText('waits for approval');
  await expect(panel.getByTestId('item-status')).toHaveText('pending_approval');

  // The maker cannot approve their own override.
  await page.getByRole('button', { name: 'Approvals' }).click();
  const card = page.getByRole('article').first();
  await card.getByRole('textbox').fill('ok');
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('alert')).toContainText(/maker|approver/i);

  await page.getByLabel('Acting user').selectOption('fin');
  await page.getByRole('button', { name: 'Approvals' }).click();
  await page.getByRole('article').first().getByRole('textbox').fill('Immaterial, approved');
  await page.getByRole('article').first().getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status')).toContainText('approved');

  expect(all<{ status: string }>('SELECT status FROM review_item WHERE item_id = ?', itemId)[0]!.status).toBe('written_off');
  const o = all<{ status: string; maker: string; checker: string }>("SELECT status, maker, checker FROM override WHERE type = 'write_off'")[0]!;
  expect(o).toEqual({ status: 'applied', maker: 'ana', checker: 'fin' });

  // Reason codes are managed in the app: a retired code stays listed but can no longer be chosen.
  await page.getByRole('button', { name: 'Approvals' }).click();
  await page.getByRole('button', { name: 'Retire make_good' }).click();
  await expect(page.getByRole('table', { name: 'Reason code list' }).getByRole('row', { name: /make_good/ })).toContainText('retired');
  const codes = all<{ code: string; retired_at: string | null }>("SELECT code, retired_at FROM reason_code WHERE code = 'make_good'");
  expect(codes[0]!.retired_at).not.toBeNull();

  await page.getByRole('button', { name: 'Audit log' }).click();
  await page.getByLabel('Filter by action').fill('override.approve');
  await expect(page.getByTestId('audit-count')).toHaveText('1 events');
  await page.getByLabel('Filter by action').fill('user.switch');
  await expect(page.getByTestId('audit-count')).not.toHaveText('0 events');
});
