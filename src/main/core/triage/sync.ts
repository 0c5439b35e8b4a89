import { TieoutError } from '../../../shared/error.js';
import type { FieldValue } from '../engine/index.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import { selectOverrides } from '../workspace/overrides.js';
import {
  findRunRef,
  insertReviewItem,
  itemsMissingFromRun,
  listRunExceptions,
  listSuggestedGroups,
  latestRunId,
  memberFacts,
  reviewItemLookup,
  updateReviewItem,
  type ItemKind,
  type ReviewItemRow,
} from '../workspace/triage.js';
import { addHours, itemTarget, toIso } from './items.js';
import { effectiveOwnershipRules, fallbackOwner, pickOwner, rulesNeedRecords, type OwnershipFacts } from './ownership.js';
import { slaHoursFor, slaPolicy } from './sla.js';

/** Resolution text of items a run made disappear; such items reopen if they come back. */
export const CLEARED_PREFIX = 'cleared by run ';
/** Currency of a suggested group whose records carry none (ISO 4217 "no currency"). */
const NO_CURRENCY = 'XXX';

export interface SyncSummary {
  runId: number;
  reconciliationId: number;
  /** New items, each given an owner and a due time. */
  created: number;
  /** Items already known that this run reported again (owner, status and history kept). */
  seen: number;
  /** Items a previous run had cleared that came back. */
  reopened: number;
  /** Not-closed items this run no longer reports, now resolved. */
  cleared: number;
}

interface Found {
  kind: ItemKind;
  id: string;
  class: string;
  amountMinor: number;
  currency: string;
}

/** Item id → class, for every applied (not reversed) reclassify override of the reconciliation. */
function reclassifiedItems(db: Db, reconciliationId: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of selectOverrides(db, { reconciliationId, type: 'reclassify', status: 'applied' })) {
    const p = JSON.parse(o.payloadJson) as { itemId?: string; toClass?: string };
    if (p.itemId && p.toClass) out.set(p.itemId, p.toClass);
  }
  return out;
}

function found(db: Db, runId: number): Found[] {
  return [
    ...listRunExceptions(db, runId).map((e): Found => ({ kind: 'exception', id: e.id, class: e.class, amountMinor: e.amountMinor, currency: e.currency })),
    ...listSuggestedGroups(db, runId).map(
      (g): Found => ({ kind: 'suggestion', id: g.id, class: 'suggested', amountMinor: Math.abs(g.leftAmount ?? g.rightAmount ?? 0), currency: g.currency ?? NO_CURRENCY }),
    ),
  ];
}

/**
 * Brings the reconciliation's review items in line with a run: one item per exception and per
 * suggested group, keyed by the engine's id so owner, status and history survive re-runs.
 * Runs in a savepoint when called inside a transaction (runMatch calls it in its own).
 */
export function syncReviewItems(db: Db, runId: number, now: Date | string = new Date(), actor?: string): SyncSummary {
  const run = findRunRef(db, runId);
  if (!run) throw new TieoutError('not_found', `No run ${runId}`);
  const at = toIso(now);
  const who = actor ?? run.actor;
  const rec = run.reconciliationId;
  return db.transaction(() => {
    // An older run must not clear what a newer one reported.
    if (latestRunId(db, rec) !== runId) throw new TieoutError('conflict', `Run ${runId} is not the latest run of its reconciliation`);
    const rules = effectiveOwnershipRules(db, rec);
    const needRecords = rulesNeedRecords(rules);
    const members = memberFacts(db);
    const fallback = fallbackOwner(db);
    const policy = slaPolicy(db);
    const get = reviewItemLookup(db);
    const insert = insertReviewItem(db);
    const summary: SyncSummary = { runId, reconciliationId: rec, created: 0, seen: 0, reopened: 0, cleared: 0 };
    const reclassified = reclassifiedItems(db, rec);

    for (const f of found(db, runId)) {
      const target = itemTarget({ reconciliationId: rec, itemId: f.id });
      const old = get(rec, f.id);
      if (!old) {
        const facts: OwnershipFacts = {
          class: f.class,
          amountMinor: f.amountMinor,
          currency: f.currency,
          records: needRecords
            ? members(runId, f.kind, f.id).map((m) => ({ source: m.source, fields: JSON.parse(m.fieldsJson) as Record<string, FieldValue> }))
            : [],
        };
        const picked = pickOwner(rules, facts);
        const owner = picked?.owner ?? fallback;
        const item: ReviewItemRow = {
          reconciliationId: rec,
          itemId: f.id,
          kind: f.kind,
          class: f.class,
          status: 'open',
          owner,
          claimedBy: null,
          amountMinor: f.amountMinor,
          currency: f.currency,
          firstSeenRun: runId,
          lastSeenRun: runId,
          createdAt: at,
          dueAt: addHours(at, slaHoursFor(policy, f.class)),
          updatedAt: at,
          resolution: null,
        };
        insert(item);
        const rule = picked ? (picked.rule.match.label ?? `rule ${picked.index + 1}`) : owner === null ? null : 'fallback owner';
        appendAuditEvent(
          db,
          { actor: who, action: 'item.create', target, after: { kind: f.kind, class: f.class, amountMinor: f.amountMinor, currency: f.currency, owner, ownerBy: rule, dueAt: item.dueAt, run: runId } },
          at,
        );
        summary.created++;
        continue;
      }
      // An analyst's applied reclassification outranks the engine's class.
      const cls = reclassified.get(f.id) ?? f.class;
      const changed = old.class !== cls || old.amountMinor !== f.amountMinor || old.currency !== f.currency;
      const reopen = old.status === 'resolved' && (old.resolution ?? '').startsWith(CLEARED_PREFIX);
      updateReviewItem(db, rec, f.id, {
        lastSeenRun: runId,
        class: cls,
        amountMinor: f.amountMinor,
        currency: f.currency,
        ...((changed || reopen) && { updatedAt: at }),
        ...(reopen && { status: 'open' as const, resolution: null }),
      });
      if (reopen) {
        appendAuditEvent(
          db,
          { actor: who, action: 'item.status', target, before: { status: old.status, resolution: old.resolution }, after: { status: 'open', resolution: null, run: runId }, note: `reported again by run ${runId}` },
          at,
        );
        summary.reopened++;
      }
      summary.seen++;
    }

    for (const old of itemsMissingFromRun(db, rec, runId)) {
      const resolution = `${CLEARED_PREFIX}${runId}`;
      updateReviewItem(db, rec, old.itemId, { status: 'resolved', resolution, claimedBy: null, updatedAt: at });
      appendAuditEvent(
        db,
        {
          actor: who,
          action: 'item.status',
          target: itemTarget(old),
          before: { status: old.status, claimedBy: old.claimedBy, resolution: old.resolution },
          after: { status: 'resolved', claimedBy: null, resolution, run: runId },
          note: `no longer reported by run ${runId}`,
        },
        at,
      );
      summary.cleared++;
    }
    appendAuditEvent(db, { actor: who, action: 'review.sync', target: `run:${runId}`, after: { ...summary } }, at);
    return summary;
  }).immediate();
}
