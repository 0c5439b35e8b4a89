import { expect, test, type Page } from '@playwright/test';
import { demoWorkspaceWithRun, queryRows, runTableName, startAppServer, tieout, type AppServer } from './app-server';

let app: AppServer;
test.beforeAll(async () => {
  const ws = demoWorkspaceWithRun('overrides', { people: ['ana', 'fin', 'max'] });
  app = await startAppServer({ workspace: ws, demo: false });
});
test.afterAll(async () => {
  await app?.stop();
});

const all = <T>(sql: string, ...params: unknown[]): T[] => queryRows<T>(app.workspacePath, sql, ...params);

const pane = (page: Page) => page.getByRole('complementary', { name: /^Detail of / });

/** The row id the detail pane shows once it has moved off `previous`: a click on another row updates it a moment later. */
async function paneMovedFrom(page: Page, previous: string): Promise<string> {
  await expect(pane(page)).not.toHaveAttribute('aria-label', `Detail of ${previous}`);
  return ((await pane(page).getAttribute('aria-label')) ?? '').replace('Detail of ', '');
}

/** Opens the first row of the review grid with the given row status (and exception class). */
async function openFirst(page: Page, status: 'matched' | 'exception', cls = ''): Promise<string> {
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  await page.getByRole('checkbox', { name: status, exact: true }).check();
  await page.getByLabel('Exception class').selectOption(cls);
  const grid = page.getByTestId('review-grid');
  if (cls) await expect(grid.locator('.ag-row[row-index="0"] [col-id="class"]')).toHaveText(cls);
  await expect(grid.locator('.ag-row[row-index="0"] [col-id="status"]')).toHaveText(status);
  await grid.locator('.ag-row[row-index="0"] [col-id="status"]').click();
  await expect(pane(page)).toBeVisible();
  return ((await pane(page).getAttribute('aria-label')) ?? '').replace('Detail of ', '');
}

test('an analyst unmatches a group with a reason code, and reverses it from the group\'s override history', async ({ page }) => {
  await page.goto(app.pageUrl);
  await expect(page.getByLabel('Acting user')).toHaveValue('ana');
  const groupId = await openFirst(page, 'matched');
  const work = page.locator('[aria-label="Group work"]');
  const form = work.getByRole('form', { name: 'Unmatch' });
  await expect(form.getByRole('button', { name: 'Unmatch' })).toBeDisabled();
  await form.getByLabel('Unmatch reason code').selectOption('wrong_match');
  await form.getByLabel('Unmatch note').fill('different POs, same amount');
  await form.getByRole('button', { name: 'Unmatch' }).click();
  await expect(work.getByTestId('item-message')).toContainText('Group unmatched');
  const unmatch = all<{ id: number; status: string; reason_code: string; note: string; maker: string }>("SELECT id, status, reason_code, note, maker FROM override WHERE type = 'unmatch' AND target = ?", `group:${groupId}`);
  expect(unmatch).toEqual([{ id: expect.any(Number), status: 'applied', reason_code: 'wrong_match', note: 'different POs, same amount', maker: 'ana' }]);
  // Its records are unmatched items again.
  const surfaced = all<{ n: number }>("SELECT COUNT(*) AS n FROM review_item WHERE class IN ('unmatched_left', 'unmatched_right') AND status = 'open' AND created_at = (SELECT made_at FROM override WHERE id = ?)", unmatch[0]!.id)[0]!.n;
  expect(surfaced).toBeGreaterThan(0);

  // The run still lists it as matched; the panel says it no longer stands.
  await expect(work.getByTestId('group-broken')).toContainText(`Unmatched by override #${unmatch[0]!.id}`);
  await expect(form).toHaveCount(0);

  const history = work.getByRole('table', { name: 'Override history' });
  await expect(history.getByTestId(`override-${unmatch[0]!.id}`)).toContainText('applied');
  await history.getByRole('button', { name: `Reverse override ${unmatch[0]!.id}` }).click();
  const reversal = work.getByRole('form', { name: 'Reversal' });
  await reversal.getByLabel('Reversal reason code').selectOption('override_in_error');
  await reversal.getByLabel('Reversal note').fill('the POs were the same after all');
  await reversal.getByRole('button', { name: 'Confirm reversal' }).click();
  await expect(work.getByTestId('item-message')).toContainText(`Override #${unmatch[0]!.id} reversed`);
  await expect(history.getByTestId(`override-${unmatch[0]!.id}`)).toContainText('reversed');
  await expect(history).toContainText(`reversal of #${unmatch[0]!.id}`);
  expect(all<{ status: string }>('SELECT status FROM override WHERE id = ?', unmatch[0]!.id)[0]!.status).toBe('reversed');
  // The group stands again, so it could be unmatched again.
  await expect(work.getByTestId('group-broken')).toHaveCount(0);
  await expect(form).toBeVisible();
  expect(all<{ n: number }>("SELECT COUNT(*) AS n FROM audit_event WHERE action = 'override.reverse' AND target = ?", `override:${unmatch[0]!.id}`)[0]!.n).toBe(1);

  // A code that always needs a checker leaves the next group as it is, waiting for approval.
  const grid = page.getByTestId('review-grid');
  await grid.locator('.ag-row[row-index="1"] [col-id="status"]').click();
  const other = await paneMovedFrom(page, groupId);
  await form.getByLabel('Unmatch reason code').selectOption('duplicate_billing_disputed');
  await form.getByLabel('Unmatch note').fill('vendor billed this twice');
  await form.getByRole('button', { name: 'Unmatch' }).click();
  await expect(work.getByTestId('item-message')).toContainText(/Unmatch \(override #\d+\) waits for approval/);
  await expect(work.getByTestId('group-broken')).toContainText('waiting for approval');
  await expect(work.getByRole('table', { name: 'Override history' })).toContainText('pending approval');
  expect(all<{ status: string }>("SELECT status FROM override WHERE type = 'unmatch' AND target = ?", `group:${other}`)).toEqual([{ status: 'pending_approval' }]);
});

test('an accepted variance is reversed from the item panel, and the item\'s timeline shows both', async ({ page }) => {
  await page.goto(app.pageUrl);
  const itemId = await openFirst(page, 'exception', 'amount_variance');
  const work = page.locator('[aria-label="Exception work"]');
  await work.getByLabel('Override type').selectOption('accept_variance');
  await work.getByLabel('Reason code', { exact: true }).selectOption('timing_difference');
  await work.getByLabel('Override note').fill('make-up day billed late');
  await work.getByRole('button', { name: 'Apply' }).click();
  await expect(work.getByTestId('item-status')).toHaveText('resolved');
  const o = all<{ id: number }>("SELECT id FROM override WHERE type = 'accept_variance' AND target = ?", `item:${itemId}`)[0]!;

  await work.getByRole('button', { name: `Reverse override ${o.id}` }).click();
  const reversal = work.getByRole('form', { name: 'Reversal' });
  await reversal.getByLabel('Reversal reason code').selectOption('override_in_error');
  await reversal.getByLabel('Reversal note').fill('wrong line');
  await reversal.getByRole('button', { name: 'Confirm reversal' }).click();
  await expect(work.getByTestId('item-status')).toHaveText('open');
  const timeline = work.getByRole('list', { name: 'Timeline' });
  await expect(timeline).toContainText(`open → resolved by accept_variance #${o.id} [timing_difference]`);
  await expect(timeline).toContainText(/resolved → open by reversal #\d+ \[override_in_error\] \(wrong line\)/);
  expect(all<{ status: string }>('SELECT status FROM review_item WHERE item_id = ?', itemId)[0]!.status).toBe('open');
});

test('an approver signs off a month, changes in it are refused, and it unlocks only when a second approver agrees', async ({ page }) => {
  await page.goto(app.pageUrl);
  const itemId = await openFirst(page, 'exception', 'currency_mismatch');
  const period = all<{ p: string }>(
    `SELECT substr(r.record_date, 1, 7) AS p FROM ${runTableName(app.workspacePath, 'member')} m JOIN record r ON r.id = m.record_id WHERE m.exception_id = ? AND r.record_date IS NOT NULL ORDER BY m.side LIMIT 1`,
    itemId,
  )[0]!.p;

  // An analyst cannot sign off.
  await page.getByRole('button', { name: 'Periods' }).click();
  const row = page.getByRole('row', { name: `Period ${period}` });
  await row.getByRole('button', { name: `Sign off ${period}` }).click();
  await expect(page.getByRole('alert')).toContainText('only an approver can sign off');

  await page.getByLabel('Acting user').selectOption('fin');
  await page.getByRole('button', { name: 'Periods' }).click();
  await row.getByLabel(`Note for ${period}`).fill('month closed with the vendor statements');
  await row.getByRole('button', { name: `Sign off ${period}` }).click();
  await expect(page.getByRole('status')).toContainText(`Signed off ${period}`);
  await expect(page.getByTestId(`period-state-${period}`)).toHaveText('signed off');
  await expect(page.getByRole('list', { name: 'Sign-off history' })).toContainText(`${period}: fin signed off (month closed with the vendor statements)`);

  // The analyst's change to an item dated in it is refused, and says why.
  await page.getByLabel('Acting user').selectOption('ana');
  await openFirst(page, 'exception', 'currency_mismatch');
  const work = page.locator('[aria-label="Exception work"]');
  await work.getByLabel('Override type').selectOption('accept_variance');
  await work.getByLabel('Reason code', { exact: true }).selectOption('timing_difference');
  await work.getByRole('button', { name: 'Apply' }).click();
  await expect(work.getByRole('alert')).toContainText(`Period ${period} of "Buys vs invoices" is signed off`);
  await work.getByLabel('Set status').selectOption('investigating');
  await expect(work.getByRole('alert')).toContainText(`Period ${period}`);
  await expect(work.getByTestId('item-status')).toHaveText('open');

  // fin asks to unlock; fin cannot agree to their own request; max does.
  await page.getByLabel('Acting user').selectOption('fin');
  await page.getByRole('button', { name: 'Periods' }).click();
  await row.getByLabel(`Note for ${period}`).fill('late credit note from the vendor');
  await row.getByRole('button', { name: `Ask to unlock ${period}` }).click();
  await expect(page.getByTestId(`period-state-${period}`)).toContainText('unlock asked by fin: “late credit note from the vendor”');
  await expect(page.getByRole('list', { name: 'Sign-off history' })).toContainText(`${period}: fin asked to unlock (late credit note from the vendor)`);
  await row.getByRole('button', { name: `Approve unlock of ${period}` }).click();
  await expect(page.getByRole('alert')).toContainText('cannot approve their own unlock');
  await expect(page.getByTestId(`period-state-${period}`)).toContainText('signed off');

  await page.getByLabel('Acting user').selectOption('max');
  await page.getByRole('button', { name: 'Periods' }).click();
  await row.getByRole('button', { name: `Approve unlock of ${period}` }).click();
  await expect(page.getByRole('status')).toContainText(`Unlocked ${period}`);
  await expect(page.getByTestId(`period-state-${period}`)).toHaveText('unlocked');
  await expect(page.getByRole('list', { name: 'Sign-off history' })).toContainText(`${period}: fin unlocked, approved by max (late credit note from the vendor)`);
  expect(all<{ action: string; actor: string; approver: string | null }>('SELECT action, actor, approver FROM period_lock_event WHERE period = ? ORDER BY id', period)).toEqual([
    { action: 'sign_off', actor: 'fin', approver: null },
    { action: 'unlock', actor: 'fin', approver: 'max' },
  ]);

  // Now the change goes through.
  await page.getByLabel('Acting user').selectOption('ana');
  await openFirst(page, 'exception', 'currency_mismatch');
  await work.getByLabel('Override type').selectOption('accept_variance');
  await work.getByLabel('Reason code', { exact: true }).selectOption('timing_difference');
  await work.getByRole('button', { name: 'Apply' }).click();
  await expect(work.getByTestId('item-status')).toHaveText('resolved');
  const actions = all<{ action: string }>("SELECT action FROM audit_event WHERE action LIKE 'period.%' ORDER BY seq").map((e) => e.action);
  expect(actions).toEqual(['period.sign_off', 'period.unlock_request', 'period.unlock']);
});

test('a bulk write-off is recorded as one bulk override and reversed as a whole from Approvals', async ({ page, request }) => {
  const items = all<{ item_id: string }>(
    "SELECT item_id FROM review_item WHERE class = 'amount_variance' AND status = 'open' AND amount_minor <= 100000 ORDER BY item_id LIMIT 3",
  ).map((r) => r.item_id);
  expect(items).toHaveLength(3);
  // The bulk goes through the same contract call the review's bulk tools use.
  const r = await request.post(`${app.baseUrl}/api/call/items.bulkApply`, {
    headers: { authorization: `Bearer ${app.token}` },
    data: { reconciliation: 'Buys vs invoices', selection: { itemIds: items }, action: { type: 'resolve', reasonCode: 'immaterial_write_off', writeOff: true }, justification: 'small variances, not worth chasing' },
  });
  expect(r.ok()).toBe(true);
  const { result } = (await r.json()) as { result: { bulkId: string; changed: number; overrideIds: number[] } };
  expect(result.changed).toBe(3);
  const made = all<{ id: number; status: string }>('SELECT id, status FROM override WHERE bulk_id = ? ORDER BY id', result.bulkId);
  expect(made.map((o) => o.status)).toEqual(['applied', 'applied', 'applied']);

  await page.goto(app.pageUrl);
  await page.getByRole('button', { name: 'Approvals' }).click();
  await page.getByText('Recent overrides').click();
  const history = page.getByRole('table', { name: 'Override history' });
  await history.getByRole('button', { name: `Reverse bulk of override ${made[1]!.id}` }).click();
  const reversal = page.getByRole('form', { name: 'Reversal' });
  await expect(reversal).toContainText(`Reverse the whole bulk action of #${made[1]!.id}`);
  await reversal.getByLabel('Reversal reason code').selectOption('override_in_error');
  await reversal.getByLabel('Reversal note').fill('wrong selection');
  await reversal.getByRole('button', { name: 'Confirm reversal' }).click();
  await expect(page.getByRole('status')).toContainText('Bulk action reversed: 3 overrides undone');
  for (const o of made) await expect(history.getByTestId(`override-${o.id}`)).toContainText('reversed');
  expect(all<{ status: string }>('SELECT status FROM override WHERE bulk_id = ? ORDER BY id', result.bulkId).map((o) => o.status)).toEqual(['reversed', 'reversed', 'reversed']);
  expect(all<{ status: string }>(`SELECT status FROM review_item WHERE item_id IN (?, ?, ?)`, ...items).map((i) => i.status)).toEqual(['open', 'open', 'open']);
  expect(all<{ action: string }>("SELECT action FROM audit_event WHERE target = ? ORDER BY seq", `bulk:${result.bulkId}`).map((e) => e.action)).toEqual(['override.bulk', 'bulk.apply', 'override.reverse_bulk']);
});

test('an analyst confirms one suggested match and rejects another from the panel', async ({ page }) => {
  await page.goto(app.pageUrl);
  await page.getByLabel('Acting user').selectOption('ana');
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  await page.getByRole('checkbox', { name: 'suggested', exact: true }).check();
  const grid = page.getByTestId('review-grid');
  await expect(grid.locator('.ag-row[row-index="1"] [col-id="status"]')).toHaveText('suggested');

  await grid.locator('.ag-row[row-index="0"] [col-id="status"]').click();
  await expect(pane(page)).toBeVisible();
  const first = ((await pane(page).getAttribute('aria-label')) ?? '').replace('Detail of ', '');
  const work = page.locator('[aria-label="Group work"]');
  await expect(work.getByTestId('item-status')).toHaveText('open');
  await work.getByLabel('Suggestion note').fill('same PO, split across two lines');
  await work.getByRole('button', { name: 'Confirm match' }).click();
  await expect(work.getByTestId('item-message')).toContainText('Suggestion confirmed');
  await expect(work.getByTestId('item-status')).toHaveText('resolved');
  await expect(work.getByRole('table', { name: 'Override history' })).toContainText('force_match');
  expect(all<{ status: string }>('SELECT status FROM review_item WHERE item_id = ?', first)[0]!.status).toBe('resolved');

  await grid.locator('.ag-row[row-index="1"] [col-id="status"]').click();
  const second = await paneMovedFrom(page, first);
  await work.getByRole('button', { name: 'Reject match' }).click();
  await expect(work.getByTestId('item-message')).toContainText('Suggestion rejected');
  expect(all<{ type: string; status: string; maker: string }>('SELECT type, status, maker FROM override WHERE target = ?', `group:${second}`)).toEqual([{ type: 'unmatch', status: 'applied', maker: 'ana' }]);
});

test('an analyst corrects an invoice line\'s amount; above the code\'s threshold it waits for an approver; the original is kept, and the next run matches the corrected version', async ({ page }) => {
  await page.goto(app.pageUrl);
  const itemId = await openFirst(page, 'exception', 'amount_variance');
  const members = all<{ side: string; id: number; amount: number }>(
    `SELECT m.side, r.id, r.amount_minor AS amount FROM ${runTableName(app.workspacePath, 'member')} m JOIN record r ON r.id = m.record_id WHERE m.exception_id = ? AND m.run_id = (SELECT MAX(id) FROM run) ORDER BY m.side`,
    itemId,
  );
  const buy = members.find((m) => m.side === 'left')!;
  const line = members.find((m) => m.side === 'right')!;
  await pane(page).getByText('Correct a source record…').click();
  const form = pane(page).getByRole('form', { name: 'Correct record' });
  await form.getByLabel('Record to correct').selectOption(String(line.id));
  await form.getByLabel('Field to correct').selectOption('amount');
  await expect(form.getByLabel('Corrected value')).not.toHaveValue('');
  await form.getByLabel('Corrected value').fill((buy.amount / 100).toFixed(2));
  await form.getByLabel('Correction reason code').selectOption('source_correction');
  await form.getByLabel('Correction note').fill('vendor re-issued the line');
  await form.getByRole('button', { name: 'Correct' }).click();
  // The line moves by more than 1,000.00, so source_correction needs a second person.
  await expect(pane(page).getByTestId('item-message')).toContainText('waits for approval');
  expect(all('SELECT id FROM record WHERE supersedes = ?', line.id)).toEqual([]);
  const [made] = all<{ id: number }>("SELECT id FROM override WHERE type = 'adjust' AND target = ?", `record:${line.id}`);
  tieout('approve', app.workspacePath, String(made!.id), '--as', 'fin', '--note', 'checked the re-issued invoice');
  const versions = all<{ id: number; is_current: number; amount: number }>('SELECT id, is_current, amount_minor AS amount FROM record WHERE id = ? OR supersedes = ? ORDER BY id', line.id, line.id);
  expect(versions).toEqual([
    { id: line.id, is_current: 0, amount: line.amount },
    { id: expect.any(Number), is_current: 1, amount: buy.amount },
  ]);

  await page.getByRole('button', { name: 'Reconcile' }).click();
  await page.getByRole('button', { name: 'Run match' }).click();
  await expect(page.getByTestId('run-summary')).toBeVisible({ timeout: 60_000 });
  const placed = all<{ status: string }>(
    `SELECT g.status FROM ${runTableName(app.workspacePath, 'member')} m JOIN match_group g ON g.run_id = m.run_id AND g.group_id = m.group_id WHERE m.record_id = ? AND m.run_id = (SELECT MAX(id) FROM run)`,
    versions[1]!.id,
  );
  expect(placed).toEqual([{ status: 'matched' }]);
});
