import init from './001-init.js';
import reconciliation from './002-reconciliation.js';
import review from './003-review.js';
import pull from './004-pull.js';
import runSpeed from './005-run-speed.js';
import savedViews from './006-saved-views.js';
import recordAdjustment from './007-record-adjustment.js';
import runTables from './008-run-tables.js';
import explanationTemplates from './009-explanation-templates.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Ordered; append only. Never edit a shipped migration: add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'init', sql: init },
  { version: 2, name: 'reconciliation', sql: reconciliation },
  { version: 3, name: 'review', sql: review },
  { version: 4, name: 'pull', sql: pull },
  // 5 rebuilds review_row, so the review indexes of 6 come after it.
  { version: 5, name: 'run-speed', sql: runSpeed },
  { version: 6, name: 'saved-views', sql: savedViews },
  { version: 7, name: 'record-adjustment', sql: recordAdjustment },
  { version: 8, name: 'run-tables', sql: runTables },
  { version: 9, name: 'explanation-templates', sql: explanationTemplates },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
