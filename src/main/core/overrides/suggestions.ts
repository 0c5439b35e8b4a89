import { TieoutError } from '../../../shared/error.js';
import type { Db } from '../workspace/index.js';
import { latestRunId, selectGroup, selectGroupMembers, selectItem } from '../workspace/overrides.js';
import { makeBulkOverride, makeOverride, type OverrideRequest, type OverrideResult } from './overrides.js';

export type SuggestionDecision = 'confirm' | 'reject';

export interface SuggestionOutcome {
  decided: number;
  overrides: OverrideResult[];
  bulkId: string | null;
  /** Groups left as they were, and why (not a suggestion any more, already decided…). */
  skipped: { groupId: string; reason: string }[];
}

/** The reason codes a confirm or reject is recorded under unless the analyst picks another. */
export const SUGGESTION_REASON: Record<SuggestionDecision, string> = { confirm: 'suggestion_confirmed', reject: 'suggestion_rejected' };

/**
 * Confirms suggested groups (each becomes a manual match the next run keeps, a `force_match`) or
 * rejects them (an `unmatch`: the records surface as unmatched and are never paired that way
 * again). Several at once are one bulk override, reversible as a whole.
 */
export function decideSuggestions(
  db: Db,
  req: { reconciliationId: number; groupIds: readonly string[]; decision: SuggestionDecision; note?: string | undefined; reasonCode?: string | undefined },
  actor: string,
): SuggestionOutcome {
  const runId = latestRunId(db, req.reconciliationId);
  if (runId === undefined) throw new TieoutError('not_found', 'This reconciliation has no runs yet; run the match first');
  const skipped: SuggestionOutcome['skipped'] = [];
  const requests: OverrideRequest[] = [];
  const reasonCode = req.reasonCode ?? SUGGESTION_REASON[req.decision];
  for (const groupId of [...new Set(req.groupIds)]) {
    const g = selectGroup(db, runId, groupId);
    if (!g) {
      skipped.push({ groupId, reason: `not in the latest run (#${runId})` });
      continue;
    }
    if (g.status !== 'suggested') {
      skipped.push({ groupId, reason: `already matched by pass ${g.pass}, not a suggestion` });
      continue;
    }
    const item = selectItem(db, req.reconciliationId, groupId);
    if (item && (item.status === 'resolved' || item.status === 'written_off' || item.status === 'pending_approval')) {
      skipped.push({ groupId, reason: `already decided (${item.status.replace('_', ' ')})` });
      continue;
    }
    const base = { reconciliationId: req.reconciliationId, reasonCode, note: req.note ?? null };
    if (req.decision === 'reject') {
      requests.push({ type: 'unmatch', groupId, ...base });
    } else {
      const members = selectGroupMembers(db, runId, groupId);
      const side = (s: 'left' | 'right') => members.filter((m) => m.side === s).map((m) => m.recordId);
      requests.push({ type: 'force_match', left: side('left'), right: side('right'), ...base });
    }
  }
  if (requests.length === 0) return { decided: 0, overrides: [], bulkId: null, skipped };
  if (requests.length === 1) {
    const o = makeOverride(db, requests[0]!, actor);
    return { decided: 1, overrides: [o], bulkId: null, skipped };
  }
  const bulk = makeBulkOverride(db, requests, actor);
  return { decided: bulk.overrides.length, overrides: bulk.overrides, bulkId: bulk.bulkId, skipped };
}
