import { TieoutError } from '../../../shared/error.js';
import { listRuns, pageReviewRows, reviewRow, rowExplanation, rowMembers, type Db, type ReviewQuery } from '../workspace/index.js';

export function reviewPage(db: Db, q: ReviewQuery) {
  return pageReviewRows(db, q);
}

/** A group or exception with every member on each side and its stored explanation. */
export function reviewDetail(db: Db, runId: number, rowId: string) {
  const row = reviewRow(db, runId, rowId);
  if (!row) throw new TieoutError('not_found', `Run ${runId} has no group or exception ${rowId}`);
  const run = listRuns(db).find((r) => r.id === runId)!;
  const members = rowMembers(db, runId, rowId).map(({ fieldsJson, ...m }) => ({ ...m, fields: JSON.parse(fieldsJson) as Record<string, string | number | null> }));
  return { row, members, ...rowExplanation(db, runId, rowId), ruleSetVersion: run.ruleSetVersion };
}
