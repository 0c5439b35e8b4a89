import { basename } from 'node:path';
import { SCHEMA_VERSION } from './migrations/index.js';
import { openDatabase, type Db, type OpenOptions } from './open.js';
import { listSources } from './sources.js';
import type { WorkspaceInfo } from '../../../shared/contract.js';
import { GENESIS_HASH } from '../audit/chain.js';

export { APPLICATION_ID, checkpointWorkspace, checkWorkspaceFile, type Db, type OpenOptions } from './open.js';
export { SCHEMA_VERSION } from './migrations/index.js';
export { appendAuditEvent, iterateAuditEvents, listAuditEvents, type AuditQuery, type NewAuditEvent } from './audit-log.js';
export { ensureSource, findSourceById, findSourceByName, latestTemplate, listSources, saveTemplate } from './sources.js';
export { iterateRecords, iterateRejectedRows, pageRecords, type RecordsQuery, type StoredRecord } from './records.js';

/** An open .tieout file. Every core module reaches SQLite through the `db` of one of these. */
export interface Workspace {
  readonly path: string;
  readonly db: Db;
  close(): void;
}

export function openWorkspace(path: string, opts: OpenOptions = {}): Workspace {
  const db = openDatabase(path, opts);
  return {
    path,
    db,
    close: () => {
      if (db.open) db.close();
    },
  };
}

export function workspaceInfo(ws: Workspace): WorkspaceInfo {
  const head = ws.db.prepare('SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1').get() as
    | { seq: number; hash: string }
    | undefined;
  return {
    path: ws.path,
    name: basename(ws.path).replace(/\.tieout$/, ''),
    schemaVersion: SCHEMA_VERSION,
    sources: listSources(ws.db),
    audit: { events: head?.seq ?? 0, headHash: head?.hash ?? GENESIS_HASH },
  };
}
export {
  batchWriter,
  findBatchBySha,
  hasCurrentRecords,
  listBatches,
  listRejectedRows,
  countRejectedRows,
  loadCurrentVersions,
  type BatchCounts,
  type BatchRow,
  type CurrentVersion,
  type NewRecord,
} from './batches.js';
export {
  findReconciliation,
  insertReconciliation,
  latestRuleSet,
  listReconciliations,
  ruleSetById,
  ruleSetVersions,
  saveRuleSetVersion,
  type ReconciliationRow,
  type RuleSetVersionRow,
} from './reconciliations.js';
export { insertFxRate, listFxRates, type FxRateRow } from './fx-rates.js';
export { newestVersions, recordVersions, type RecordVersion } from './record-versions.js';
export { explanationTemplates, inputBatches, insertRun, iterateResults, iterateRunInputs, listRuns, resultWriter, runInputRows, runTotals, runWriteMode, writeRun, type ResultLine, type RunInputRow, type RunRow } from './runs.js';
export {
  countReviewRows,
  explainReviewQuery,
  pageReviewRows,
  reviewRow,
  reviewRowWriter,
  reviewRunFacts,
  reviewRuns,
  rowExplanation,
  rowMembers,
  REVIEW_COLUMNS,
  REVIEW_SORTABLE,
  type ReviewFilter,
  type ReviewGridRowData,
  type PagePlan,
  type ReviewQuery,
  type ReviewRowData,
  type ReviewScope,
  type ReviewSla,
} from './review-rows.js';
export { findSavedViewRow, insertSavedView, listSavedViewRows, markSavedViewDeleted, updateSavedView, type SavedViewRow } from './saved-views.js';
export { getPullState, hasPullStateTable, recordPullState, type NewPullState, type PullState, type Watermark } from './pull-state.js';
export { runTable, type RunTableKind } from './run-tables.js';
