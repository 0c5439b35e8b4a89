/// <reference lib="dom" />
/**
 * The review grid on a big run, driven in Chromium: time to first rows, to the row count, to a
 * re-sorted and a re-filtered first page, and to the end of the run and back. Prints figures;
 * asserts nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { createService } from '../src/main/core/service.js';
import { startServer, type RunningServer } from '../src/main/serve/server.js';
import { secs } from './figures.js';


/** Resolves when the grid has been answered a review.page call whose input contains `marker`. */
function pageAnswered(page: Page, marker: string) {
  return page.waitForResponse((r) => r.url().includes('/api/call/review.page') && (r.request().postData() ?? '').includes(marker), { timeout: 120_000 });
}

/**
 * Waits out ag-grid's scroll ownership before the bench sets a scroll position. ag-grid keeps the
 * viewport and its own scrollbar in step, and for 150 ms after a scroll event (SCROLL_END_TIMEOUT)
 * it ignores scrolls from the other one; a jump set inside that window was ignored and the bench
 * waited for rows that were never asked for (2 of 4 runs). A person scrolls one of them at a time.
 */
function scrollSettled(page: Page): Promise<void> {
  return page.waitForTimeout(300);
}

export async function benchGrid(workspacePath: string, rendererDir: string): Promise<void> {
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error('Build the renderer first: npm run build');
  let server: RunningServer | null = null;
  const service = createService({ emit: (e) => server?.broadcast(e) });
  await service.call('workspace.open', { path: workspacePath });
  server = await startServer({ service, rendererDir });
  const executablePath = process.env['CHROMIUM_PATH'] ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  const browser = await chromium.launch({
    ...(executablePath && { executablePath }),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    await page.goto(server.pageUrl);
    await page.getByRole('button', { name: 'Review', exact: true }).waitFor();
    const grid = page.getByTestId('review-grid');
    const firstRow = grid.locator('.ag-row[row-index="0"] [col-id="status"]');
    const counted = () => page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=review-count]')?.textContent ?? ''), undefined, { timeout: 120_000 });

    let t = performance.now();
    await page.getByRole('button', { name: 'Review', exact: true }).click();
    await firstRow.waitFor();
    console.log(`  first rows visible after opening the run:   ${secs(performance.now() - t)}`);
    await counted();
    console.log(`  row count shown (asked for after the rows):  ${secs(performance.now() - t)}`);
    const count = await page.getByTestId('review-count').textContent();
    console.log(`  rows in the run: ${count}`);

    t = performance.now();
    let answered = pageAnswered(page, 'amountAtRisk');
    await grid.locator('.ag-header-cell[col-id="amountAtRisk"] .ag-header-cell-label').click();
    await answered;
    await firstRow.waitFor();
    console.log(`  sort by amount at risk, first page shown:   ${secs(performance.now() - t)}`);

    t = performance.now();
    answered = pageAnswered(page, 'amount_variance');
    await page.getByLabel('Exception class').selectOption('amount_variance');
    await answered;
    await page.waitForFunction(() => document.querySelector('[data-testid=review-grid] .ag-row[row-index="0"] [col-id="class"]')?.textContent === 'amount_variance', undefined, { timeout: 120_000 });
    console.log(`  filter to amount variances, first page:      ${secs(performance.now() - t)} (debounce 0.25 s included)`);
    await counted();
    console.log(`  and its count:                               ${secs(performance.now() - t)} (${await page.getByTestId('review-count').textContent()})`);

    t = performance.now();
    answered = pageAnswered(page, 'breached');
    await page.getByLabel('SLA').selectOption('breached');
    await answered;
    console.log(`  + SLA breached (review_item join), answered: ${secs(performance.now() - t)}`);
    await page.getByLabel('SLA').selectOption('');
    await page.getByLabel('Exception class').selectOption('');
    await page.waitForFunction(([prev]) => document.querySelector('[data-testid=review-count]')?.textContent === prev, [count] as const, { timeout: 120_000 });

    await scrollSettled(page);
    t = performance.now();
    await page.evaluate(() => {
      const v = document.querySelector('[data-testid=review-grid] .ag-grid-viewport');
      if (v) v.scrollTop = v.scrollHeight;
    });
    const total = Number((count ?? '0').replace(/[^0-9]/g, ''));
    await grid.locator(`.ag-row[row-index="${total - 1}"]`).waitFor({ timeout: 120_000 });
    console.log(`  jump to the last row (${total.toLocaleString('en-US')}):             ${secs(performance.now() - t)}`);
    await scrollSettled(page);
    t = performance.now();
    await page.evaluate(() => {
      const v = document.querySelector('[data-testid=review-grid] .ag-grid-viewport');
      if (v) v.scrollTop = 0;
    });
    await firstRow.waitFor();
    console.log(`  and back to the first row:                  ${secs(performance.now() - t)}`);
    await scrollSettled(page);
    t = performance.now();
    await page.evaluate(() => {
      const v = document.querySelector('[data-testid=review-grid] .ag-grid-viewport');
      if (v) v.scrollTop = v.scrollHeight / 2;
    });
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll("[data-testid=review-grid] .ag-row [col-id=\"status\"]")).some((c) => (c.textContent ?? '') !== '' && Number(c.closest('.ag-row')?.getAttribute('row-index')) > 1000),
      undefined,
      { timeout: 120_000 },
    );
    console.log(`  jump to the middle:                         ${secs(performance.now() - t)}`);
  } finally {
    await browser.close();
    await server.close();
    service.close();
  }
}
