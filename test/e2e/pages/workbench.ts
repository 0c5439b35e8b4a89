import { expect, type Locator, type Page } from '@playwright/test';

/** Locators and actions of the workbench page, so specs read as user journeys. */
export class Workbench {
  readonly workspaceName: Locator;
  readonly errorBanner: Locator;
  readonly pathInput: Locator;
  readonly grid: Locator;
  readonly filter: Locator;

  constructor(readonly page: Page) {
    this.workspaceName = page.getByTestId('workspace-name');
    this.errorBanner = page.getByRole('alert');
    this.pathInput = page.getByLabel('Workspace path');
    this.grid = page.getByTestId('records-grid');
    this.filter = page.getByLabel('Filter records');
  }

  tab(name: string | RegExp): Locator {
    return this.page.getByRole('tab', { name });
  }

  /** The rendered text of a cell, by row index in the grid and column id. */
  cell(rowIndex: number, colId: string): Locator {
    return this.grid.locator(`.ag-row[row-index="${rowIndex}"] [col-id="${colId}"]`);
  }

  rows(): Locator {
    return this.grid.locator('.ag-row:has([col-id="rowNumber"])');
  }

  async open(path: string): Promise<void> {
    await this.pathInput.fill(path);
    await this.page.getByRole('button', { name: 'Open…' }).click();
  }

  async sortBy(headerText: string): Promise<void> {
    await this.grid.locator('.ag-header-cell', { hasText: headerText }).locator('.ag-header-cell-label').click();
  }

  async expectFirstRow(colId: string, text: string): Promise<void> {
    await expect(this.cell(0, colId)).toHaveText(text);
  }
}
