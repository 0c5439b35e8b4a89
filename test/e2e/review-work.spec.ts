import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { demoWorkspaceWithRun, queryRows, runTableName, startAppServer, tieout, type AppServer } from './app-server';

/** The review grid as a place to work: filters on triage state, saved views, keys, the queue, and ownership rules. */
let app: AppServer;
let dir: string;
const REC = 'Buys vs invoices';

test.beforeAll(async () => {
  const ws = demoWorkspaceWithRun('review-work', { people: ['ana', 'fin', 'bob'] });
  dir = dirname(ws);
  // Items age in days; a test has seconds. Back-date two classes as if they appeared earlier:
  // duplicates five days ago (past their 24 h), currency mismatches 40 h ago (8 h of 48 left: due soon).
  const db = new Database(ws);
  const back = (cls: string, hoursAgo: number, sla: number) =>
    db
      .prepare(
        `UPDATE review_item SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?), due_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?) WHERE class = ?`,
      )
      .run(`-${hoursAgo} hours`, `${sla - hoursAgo} hours`, cls);
  back('duplicate', 120, 24);
  back('currency_mismatch', 40, 48);
  db.close();
  app = await startAppServer({ workspace: ws, demo: false });
});
test.afterAll(async () => {
  await app?.stop();
});

const all = <T>(sql: string, ...params: unknown[]): T[] => queryRows<T>(app.workspacePath, sql, ...params);
const count = (sql: string, ...params: unknown[]) => all<{ n: number }>(sql, ...params)[0]!.n;
const rows = (n: number) => `${n.toLocaleString('en-US')} rows`;

async function openReview(page: Page) {
  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  await expect(page.getByTestId('review-count')).toHaveText(rows(count(`SELECT COUNT(*) AS n FROM ${runTableName(app.workspacePath, 'review')} WHERE run_id = (SELECT MAX(id) FROM run)`)));
}

test('the grid filters by SLA state, owner, pass and source, and the counts agree with the workspace', async ({ page }) => {
  await openReview(page);
  const run = count('SELECT MAX(id) AS n FROM run');
  const open = "status IN ('open', 'investigating', 'pending_approval')";

  const breached = count(`SELECT COUNT(*) AS n FROM review_item WHERE ${open} AND due_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`);
  expect(breached).toBe(count(`SELECT COUNT(*) AS n FROM review_item WHERE class = 'duplicate'`));
  await page.getByLabel('SLA').selectOption('breached');
  await expect(page.getByTestId('review-count')).toHaveText(rows(breached));
  const grid = page.getByTestId('review-grid');
  await expect(grid.locator('.ag-row[row-index="0"] [col-id="sla"]')).toHaveText('breached');
  await expect(grid.locator('.ag-row[row-index="0"] [col-id="class"]')).toHaveText('duplicate');
  expect(count("SELECT COUNT(*) AS n FROM review_item WHERE class = 'currency_mismatch'")).toBeGreaterThan(0);
  await page.getByLabel('SLA').selectOption('due_soon');
  await expect(page.getByTestId('review-count')).toHaveText(rows(count(`SELECT COUNT(*) AS n FROM review_item WHERE class = 'currency_mismatch' AND ${open}`)));
  await page.getByLabel('SLA').selectOption('');

  // Everyone's items go to the fallback owner (the first approver) until rules say otherwise.
  await page.getByLabel('Owner').selectOption('fin');
  await expect(page.getByTestId('review-count')).toHaveText(rows(count("SELECT COUNT(*) AS n FROM review_item WHERE owner = 'fin'")));
  await page.getByLabel('Owner').selectOption('bob');
  await expect(page.getByTestId('review-count')).toHaveText('0 rows');
  await page.getByLabel('Owner').selectOption('');

  const pass = all<{ pass: string; n: number }>(`SELECT pass, COUNT(*) AS n FROM ${runTableName(app.workspacePath, 'review', run)} WHERE run_id = ? AND pass IS NOT NULL GROUP BY pass ORDER BY n LIMIT 1`, run)[0]!;
  await page.getByLabel('Pass').selectOption(pass.pass);
  await expect(page.getByTestId('review-count')).toHaveText(rows(pass.n));
  await page.getByLabel('Pass').selectOption('');

  // Unmatched buys have no invoice: filtering to the invoice source leaves them out.
  await page.getByLabel('Source').selectOption('Vendor invoices');
  await expect(page.getByTestId('review-count')).toHaveText(rows(count(`SELECT COUNT(*) AS n FROM ${runTableName(app.workspacePath, 'review', run)} WHERE run_id = ? AND right_count > 0`, run)));
  await page.getByLabel('Exception class').selectOption('unmatched_left');
  await expect(page.getByTestId('review-count')).toHaveText('0 rows');
});

test('a saved view keeps columns, sort and filters, comes back after a reload, and can be deleted', async ({ page }) => {
  await openReview(page);
  const grid = page.getByTestId('review-grid');
  await page.getByLabel('Exception class').selectOption('amount_variance');
  await grid.locator('.ag-header-cell[col-id="amountAtRisk"] .ag-header-cell-label').click();
  await grid.locator('.ag-header-cell[col-id="amountAtRisk"] .ag-header-cell-label').click();
  await page.getByRole('button', { name: 'Columns…' }).click();
  const columns = page.getByRole('dialog', { name: 'Columns' });
  await columns.getByLabel(/^Show .*\(leftDesc\)$/).uncheck();
  await columns.getByRole('button', { name: 'Move owner earlier' }).click();
  await columns.getByRole('button', { name: 'Close' }).click();
  await expect(grid.locator('.ag-header-cell[col-id="leftDesc"]')).toHaveCount(0);

  await page.getByRole('button', { name: 'Save view…' }).click();
  await page.getByLabel('View name').fill('Variances by risk');
  await page.getByLabel('View name').press('Enter');
  await expect(page.getByTestId('view-message')).toHaveText('View “Variances by risk” saved');
  const saved = all<{ state_json: string }>("SELECT state_json FROM saved_view WHERE name = 'Variances by risk' AND deleted_at IS NULL");
  expect(saved).toHaveLength(1);
  const state = JSON.parse(saved[0]!.state_json) as { columns: { colId: string; hide: boolean }[]; sort: unknown[]; filter: Record<string, unknown> };
  expect(state.sort).toEqual([{ field: 'amountAtRisk', dir: 'desc' }]);
  expect(state.filter).toEqual({ class: 'amount_variance' });
  expect(state.columns.find((c) => c.colId === 'leftDesc')!.hide).toBe(true);
  const ids = state.columns.map((c) => c.colId);
  expect(ids.indexOf('owner')).toBeLessThan(ids.indexOf('amountAtRisk'));

  // A fresh page has the default layout; applying the view restores it.
  await openReview(page);
  await expect(grid.locator('.ag-header-cell[col-id="leftDesc"]')).toHaveCount(1);
  await page.getByLabel('Saved view', { exact: true }).selectOption('Variances by risk');
  await expect(page.getByLabel('Exception class')).toHaveValue('amount_variance');
  await expect(grid.locator('.ag-header-cell[col-id="leftDesc"]')).toHaveCount(0);
  await expect(grid.locator('.ag-header-cell[col-id="amountAtRisk"]')).toHaveAttribute('aria-sort', 'descending');
  const top = all<{ row_id: string }>(
    `SELECT row_id FROM ${runTableName(app.workspacePath, 'review')} WHERE run_id = (SELECT MAX(id) FROM run) AND class = 'amount_variance' ORDER BY amount_at_risk DESC, row_id DESC LIMIT 1`,
  )[0]!;
  await expect(grid.locator('.ag-row[row-index="0"]')).toHaveAttribute('row-id', top.row_id);

  await page.getByRole('button', { name: 'Delete saved view' }).click();
  await expect(page.getByTestId('view-message')).toHaveText('View “Variances by risk” deleted');
  await expect(page.getByLabel('Saved view', { exact: true }).locator('option')).toHaveText(['Views…']);
  expect(all<{ action: string }>("SELECT action FROM audit_event WHERE target LIKE 'view:%' ORDER BY seq").map((e) => e.action)).toEqual(['view.save', 'view.delete']);
});

test('the grid works from the keyboard: help, comment and assign by keys, and keys typed in fields stay text', async ({ page }) => {
  await openReview(page);
  const grid = page.getByTestId('review-grid');
  await page.getByLabel('Exception class').selectOption('amount_variance');
  await expect(grid.locator('.ag-row[row-index="0"] [col-id="class"]')).toHaveText('amount_variance');
  // A "?" typed into the search box is text, not the help.
  await page.getByLabel('Search review rows').fill('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);
  await page.getByLabel('Search review rows').fill('');

  await grid.locator('.ag-row[row-index="0"] [col-id="status"]').click();
  await page.keyboard.press('ArrowDown');
  const rowId = (await grid.locator('.ag-row[row-index="1"]').getAttribute('row-id'))!;
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const key of ['c', 'x', 'm', 'a', 'n']) await expect(help.locator('dt', { hasText: new RegExp(`^${key}$`) })).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await expect(grid.locator('.ag-row[row-index="1"] .ag-cell:focus')).toHaveCount(1);

  // n: opens the row and puts the cursor in the comment box.
  await page.keyboard.press('n');
  const pane = page.getByRole('complementary', { name: `Detail of ${rowId}` });
  await expect(pane.getByLabel('Comment')).toBeFocused();
  await page.keyboard.type('Asked the vendor for the make-good schedule');
  await page.keyboard.press('Enter');
  await expect(pane.getByRole('list', { name: 'Timeline' })).toContainText('make-good schedule');
  expect(all<{ text: string }>('SELECT text FROM comment WHERE target LIKE ?', `item:%:${rowId}`).map((c) => c.text)).toEqual(['Asked the vendor for the make-good schedule']);

  // Esc leaves the pane for the grid; a: assign to Bob with a reason, all by keys.
  await pane.getByLabel('Comment').press('Escape');
  await expect(grid.locator('.ag-cell-focus')).toHaveCount(1);
  await page.keyboard.press('a');
  const assign = page.getByRole('dialog', { name: 'Assign item' });
  await expect(assign.getByLabel('Assign item to')).toBeFocused();
  await assign.getByLabel('Assign item to').selectOption('bob');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Bob handles this vendor');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-message')).toHaveText(/^Assigned .* to bob$/);
  const assigned = all<{ item_id: string; owner: string }>("SELECT item_id, owner FROM review_item WHERE owner = 'bob'");
  expect(assigned).toHaveLength(1);
  expect([rowId, (await grid.locator('.ag-row[row-index="1"]').getAttribute('row-id'))!]).toContain(assigned[0]!.item_id);

  // The owner filter finds it; m on a non-unmatched row says why it cannot.
  await page.getByLabel('Owner').selectOption('bob');
  await expect(page.getByTestId('review-count')).toHaveText('1 rows');
  await expect(grid.locator('.ag-row[row-index="0"] [col-id="owner"]')).toHaveText('bob');
  await grid.locator('.ag-row[row-index="0"] [col-id="status"]').click();
  await page.keyboard.press('m');
  await expect(page.getByTestId('review-message')).toContainText('Only unmatched records');
});

test('c confirms and x rejects a suggested match from the grid', async ({ page }) => {
  await openReview(page);
  const grid = page.getByTestId('review-grid');
  await page.getByRole('checkbox', { name: 'suggested', exact: true }).click();
  await expect(grid.locator('.ag-row[row-index="1"] [col-id="status"]')).toHaveText('suggested');
  const first = (await grid.locator('.ag-row[row-index="0"]').getAttribute('row-id'))!;
  const second = (await grid.locator('.ag-row[row-index="1"]').getAttribute('row-id'))!;
  await grid.locator('.ag-row[row-index="0"] [col-id="keyText"]').click();
  await page.keyboard.press('c');
  await expect(page.getByTestId('review-message')).toHaveText(`Confirmed ${first}`);
  await expect(grid.locator('.ag-row[row-index="1"] [col-id="status"]')).toHaveText('suggested');
  await grid.locator('.ag-row[row-index="1"] [col-id="keyText"]').click();
  await page.keyboard.press('x');
  await expect(page.getByTestId('review-message')).toHaveText(`Rejected ${second}`);
  const overrides = all<{ type: string; target: string }>("SELECT type, target FROM override WHERE type IN ('force_match', 'unmatch') ORDER BY id");
  expect(overrides.map((o) => o.type)).toEqual(['force_match', 'unmatch']);
  expect(overrides[1]!.target).toContain(second);
  // A matched row is not a suggestion: the key says so instead of acting.
  await page.getByRole('checkbox', { name: 'suggested', exact: true }).click();
  await page.getByRole('checkbox', { name: 'matched', exact: true }).click();
  await expect(grid.locator('.ag-row[row-index="0"] [col-id="status"]')).toHaveText('matched');
  await grid.locator('.ag-row[row-index="0"] [col-id="keyText"]').click();
  await page.keyboard.press('c');
  await expect(page.getByTestId('review-message')).toContainText('is not a suggested match');
});

test('m on an unmatched record finds candidates and focuses the first match button', async ({ page }) => {
  await openReview(page);
  const grid = page.getByTestId('review-grid');
  await page.getByLabel('Exception class').selectOption('unmatched_right');
  await expect(grid.locator('.ag-row[row-index="0"] [col-id="class"]')).toHaveText('unmatched_right');
  await grid.locator('.ag-row[row-index="0"] [col-id="status"]').click();
  await page.keyboard.press('m');
  const pane = page.getByRole('complementary', { name: /^Detail of / });
  await expect(pane.getByRole('table', { name: 'Candidates' })).toBeVisible();
  await expect(pane.getByRole('table', { name: 'Candidates' }).getByRole('button').first()).toBeFocused();
});

test('the queue lists open work most urgent first, filters to mine, and opens an item', async ({ page }) => {
  await page.goto(app.pageUrl);
  await page.getByLabel('Acting user').selectOption('fin');
  await page.getByRole('button', { name: 'Queue', exact: true }).click();
  const open = "status IN ('open', 'investigating', 'pending_approval')";
  expect(count(`SELECT COUNT(*) AS n FROM review_item WHERE ${open} AND owner = 'ana'`)).toBe(0);
  const openCount = count(`SELECT COUNT(*) AS n FROM review_item WHERE ${open}`);
  await expect(page.getByTestId('queue-count')).toHaveText(`${openCount.toLocaleString('en-US')} items`);
  const table = page.getByRole('table', { name: 'Exception queue' });
  // Breached duplicates first.
  await expect(table.locator('tbody tr').first().locator('td').nth(1)).toHaveText('duplicate');
  await expect(table.locator('tbody tr').first().locator('td').nth(7)).toHaveText('breached');

  // Ana owns nothing yet; Fin, the fallback owner, owns what nobody reassigned.
  await page.getByLabel('Acting user').selectOption('ana');
  await page.getByRole('checkbox', { name: /mine/ }).check();
  await expect(page.getByRole('checkbox', { name: /mine/ })).toHaveAccessibleName('mine (ana)');
  await expect(page.getByTestId('queue-count')).toHaveText('0 items');
  await page.getByLabel('Acting user').selectOption('fin');
  await expect(page.getByRole('checkbox', { name: /mine/ })).toHaveAccessibleName('mine (fin)');
  const mine = count(`SELECT COUNT(*) AS n FROM review_item WHERE ${open} AND owner = 'fin'`);
  expect(mine).toBeGreaterThan(0);
  await expect(page.getByTestId('queue-count')).toHaveText(`${mine.toLocaleString('en-US')} items`);
  await expect(table.getByTestId('queue-owner').first()).toHaveText('Fin Approver');

  await page.getByLabel('Queue SLA').selectOption('due_soon');
  await expect(page.getByTestId('queue-count')).toHaveText(`${count(`SELECT COUNT(*) AS n FROM review_item WHERE ${open} AND owner = 'fin' AND class = 'currency_mismatch'`)} items`);
  const first = table.locator('tbody tr').first();
  const itemId = (await first.getAttribute('data-item'))!;
  await first.getByRole('button', { name: `Open ${itemId}` }).click();
  const pane = page.getByRole('complementary', { name: `Detail of ${itemId}` });
  await expect(pane).toBeVisible();
  await expect(pane.getByTestId('item-owner')).toHaveText('fin');
});

test('an ownership rule edited in the settings assigns the next new item, and SLA hours are edited there too', async ({ page }) => {
  await page.goto(app.pageUrl);
  await page.getByLabel('Acting user').selectOption('ana');
  await page.getByRole('button', { name: 'Triage settings' }).click();
  const rules = page.getByRole('table', { name: 'Ownership rules' });
  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.getByRole('button', { name: 'Add rule' }).click();
  // Rule 2 first, then moved to the top, so the order is what gets saved.
  await rules.getByLabel('Rule 2 label').fill('Zeta invoices');
  await rules.getByLabel('Rule 2 classes').fill('unmatched_right');
  await rules.getByLabel('Rule 2 source').selectOption('Vendor invoices');
  await rules.getByLabel('Rule 2 field').fill('vendor_name');
  await rules.getByLabel('Rule 2 value').fill('zeta test');
  await rules.getByLabel('Rule 2 owner').selectOption('bob');
  await rules.getByLabel('Rule 1 label').fill('Big variances');
  await rules.getByLabel('Rule 1 classes').fill('amount_variance');
  await rules.getByLabel('Rule 1 amount above').fill('5000');
  await rules.getByLabel('Rule 1 owner').selectOption('fin');
  await page.getByRole('button', { name: 'Move rule 2 up' }).click();
  await page.getByLabel('Fallback owner').selectOption('ana');
  await page.getByRole('button', { name: 'Save rules' }).click();
  await expect(page.getByTestId('settings-message')).toContainText('Saved 2 rules');
  const saved = all<{ position: number; owner: string; match_json: string }>('SELECT position, owner, match_json FROM ownership_rule ORDER BY position');
  expect(saved.map((r) => [r.position, r.owner, JSON.parse(r.match_json).label])).toEqual([
    [0, 'bob', 'Zeta invoices'],
    [1, 'fin', 'Big variances'],
  ]);
  expect(JSON.parse(saved[1]!.match_json).amountAbove).toEqual({ minor: 500000, currency: 'USD' });

  await page.getByLabel('SLA hours for duplicate').fill('12');
  await page.getByRole('button', { name: 'Save SLA for duplicate' }).click();
  await expect(page.getByTestId('settings-message')).toContainText('SLA for duplicate: 12 h');
  expect(all<{ hours: number }>("SELECT hours FROM sla_policy WHERE class = 'duplicate'")).toEqual([{ hours: 12 }]);

  // A new invoice line nobody bought arrives; the next run makes it an item, owned by rule.
  const csv = join(dir, 'late-invoice.csv');
  writeFileSync(
    csv,
    'Invoice No,Invoice Line,Invoice Date,Vendor Name,PO Reference,Description,Billed Impressions,Amount,Currency\nINV-ZETA-1,1,2026-03-02,Zeta Test Media,PO-NOPE-1,Sponsored post,1000,321.00,USD\n',
  );
  tieout('import', app.workspacePath, '--source', 'Vendor invoices', csv);
  tieout('match', app.workspacePath, '--left', 'Buys (IO export)', '--right', 'Vendor invoices', '--name', REC);
  const item = all<{ item_id: string; owner: string }>(
    `SELECT ri.item_id, ri.owner FROM review_item ri JOIN ${runTableName(app.workspacePath, 'member')} m ON m.exception_id = ri.item_id AND m.run_id = ri.last_seen_run
       JOIN record r ON r.id = m.record_id WHERE ri.class = 'unmatched_right' AND json_extract(r.fields_json, '$.invoice_no') = 'INV-ZETA-1'`,
  );
  expect(item).toEqual([{ item_id: expect.any(String), owner: 'bob' }]);
  const created = all<{ after_json: string }>("SELECT after_json FROM audit_event WHERE action = 'item.create' AND target LIKE ?", `item:%:${item[0]!.item_id}`);
  expect(JSON.parse(created[0]!.after_json).ownerBy).toBe('Zeta invoices');

  // And the queue shows it as Bob's.
  await page.getByRole('button', { name: 'Queue', exact: true }).click();
  await page.getByLabel('Queue class').selectOption('unmatched_right');
  await expect(page.locator(`tr[data-item="${item[0]!.item_id}"]`).getByTestId('queue-owner')).toHaveText('Bob Analyst');
});
