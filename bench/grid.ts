/// <reference lib="dom" />
/**
 * The review grid on a big run, driven in Chromium: time to first rows, to a re-sorted and a
 * re-filtered first page, and to the end of the run and back. Prints figures; asserts nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { createService } from '../src/main/core/service.js';
import { startServer, type RunningServer } from '../src/main/serve/server.js';

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

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

    let t = performance.now();
    await page.getByRole('button', { name: 'Review', exact: true }).click();
    await firstRow.waitFor();
    console.log(`  first rows visible after opening the run:   ${secs(performance.now() - t)}`);
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=review-count]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    const count = await page.getByTestId('review-count').textContent();
    console.log(`  rows in the run: ${count}`);

    const firstId = async () => grid.locator('.ag-row[row-index="0"] [col-id="keyText"]').textContent();
    let before = await firstId();
    t = performance.now();
    await grid.locator('.ag-header-cell[col-id="amountAtRisk"] .ag-header-cell-label').click();
    await page.waitForFunction(
      ([sel, prev]) => document.querySelector(sel!)?.textContent !== prev,
      ['[data-testid=review-grid] .ag-row[row-index="0"] [col-id="keyText"]', before] as const,
      { timeout: 60_000 },
    );
    console.log(`  sort by amount at risk, first page shown:   ${secs(performance.now() - t)}`);

    before = await page.getByTestId('review-count').textContent();
    t = performance.now();
    await page.getByLabel('Exception class').selectOption('amount_variance');
    await page.waitForFunction(([prev]) => document.querySelector('[data-testid=review-count]')?.textContent !== prev, [before] as const, { timeout: 60_000 });
    await firstRow.waitFor();
    console.log(`  filter to amount variances, first page:      ${secs(performance.now() - t)} (${await page.getByTestId('review-count').textContent()})`);
    await page.getByLabel('Exception class').selectOption('');
    await page.waitForFunction(([prev]) => document.querySelector('[data-testid=review-count]')?.textContent === prev, [count] as const, { timeout: 60_000 });

    t = performance.now();
    await page.evaluate(() => {
      const v = document.querySelector('[data-testid=review-grid] .ag-body-viewport');
      if (v) v.scrollTop = v.scrollHeight;
    });
    const total = Number((count ?? '0').replace(/[^0-9]/g, ''));
    await grid.locator(`.ag-row[row-index="${total - 1}"]`).waitFor({ timeout: 60_000 });
    console.log(`  jump to the last row (${total.toLocaleString('en-US')}):             ${secs(performance.now() - t)}`);
    t = performance.now();
    await page.evaluate(() => {
      const v = document.querySelector('[data-testid=review-grid] .ag-body-viewport');
      if (v) v.scrollTop = 0;
    });
    await firstRow.waitFor();
    console.log(`  and back to the first row:                  ${secs(performance.now() - t)}`);
  } finally {
    await browser.close();
    await server.close();
    service.close();
  }
}
