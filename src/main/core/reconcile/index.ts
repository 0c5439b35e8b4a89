import { TieoutError } from '../../../shared/error.js';
import type { ReconciliationInfo, RunInfo, RunTotals } from '../../../shared/contract.js';
import { RuleSet } from '../engine/index.js';
import {
  appendAuditEvent,
  findReconciliation,
  findSourceById,
  insertReconciliation,
  latestRuleSet,
  listReconciliations,
  listRuns,
  ruleSetVersions,
  runTotals,
  saveRuleSetVersion,
  type Db,
  type ReconciliationRow,
} from '../workspace/index.js';
import { suggestRulesFor } from './suggest-rules.js';

export { runMatch, resultFingerprint, type MatchRequest } from './run-match.js';
export { suggestRulesFor } from './suggest-rules.js';
export { exportResults } from './results-export.js';
export { reviewCount, reviewDetail, reviewFacets, reviewPage, reviewRunList, type ReviewGridRow, type ReviewPageFilter, type ReviewPageRequest } from './review.js';
export { deleteView, listViews, saveView, SavedViewState, type SavedView } from './saved-views.js';

/** Validates rules against the engine's schema; errors name the JSON path. */
export function validateRules(rules: unknown): RuleSet {
  const parsed = RuleSet.safeParse(rules);
  if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'bad_input', 'rule set');
  return parsed.data;
}

function info(db: Db, r: ReconciliationRow): ReconciliationInfo {
  const named = (ids: number[]) => ids.map((id) => ({ id, name: findSourceById(db, id)?.name ?? `#${id}` }));
  const runs = (db.prepare('SELECT COUNT(*) AS n FROM run WHERE reconciliation_id = ?').get(r.id) as { n: number }).n;
  return { id: r.id, name: r.name, left: named(r.leftSourceIds), right: named(r.rightSourceIds), ruleSetVersion: latestRuleSet(db, r.id)?.version ?? null, runs };
}

export function reconciliationInfos(db: Db): ReconciliationInfo[] {
  return listReconciliations(db).map((r) => info(db, r));
}

function requireReconciliation(db: Db, name: string): ReconciliationRow {
  const r = findReconciliation(db, name);
  if (!r) throw new TieoutError('not_found', `No reconciliation named "${name}"`);
  return r;
}

/** Creates a reconciliation with the given rules, or with the suggested ones. */
export function createReconciliation(db: Db, req: { name: string; left: number[]; right: number[]; rules?: unknown }, actor: string) {
  for (const id of [...req.left, ...req.right]) {
    if (!findSourceById(db, id)) throw new TieoutError('not_found', `No source with id ${id}`);
  }
  if (findReconciliation(db, req.name)) throw new TieoutError('conflict', `A reconciliation named "${req.name}" already exists`);
  const suggested = req.rules === undefined;
  const rules = suggested ? suggestRulesFor(db, req.left, req.right).rules : validateRules(req.rules);
  const at = new Date().toISOString();
  return db.transaction(() => {
    const id = insertReconciliation(db, req.name, req.left, req.right, actor, at);
    const saved = saveRuleSetVersion(db, id, rules, actor, at);
    appendAuditEvent(db, { actor, action: 'reconciliation.create', target: `reconciliation:${id}`, after: { name: req.name, left: req.left, right: req.right } }, at);
    appendAuditEvent(db, { actor, action: 'rules.save', target: `reconciliation:${id}`, after: { version: saved.row.version, sha256: saved.row.sha256, suggested } }, at);
    return { reconciliation: info(db, findReconciliation(db, id)!), rules: saved.row.rules, suggested };
  })();
}

export function getRules(db: Db, name: string) {
  const r = requireReconciliation(db, name);
  const latest = latestRuleSet(db, r.id);
  if (!latest) throw new TieoutError('not_found', `"${name}" has no rule set yet`);
  return {
    version: latest.version,
    rules: latest.rules,
    versions: ruleSetVersions(db, r.id).map((v) => ({ version: v.version, createdAt: v.createdAt, createdBy: v.createdBy })),
  };
}

/** Saving writes a new version when the rules changed; old versions are never touched. */
export function saveRules(db: Db, name: string, rules: unknown, actor: string): { version: number; created: boolean } {
  const r = requireReconciliation(db, name);
  const valid = validateRules(rules);
  return db.transaction(() => {
    const before = latestRuleSet(db, r.id);
    const saved = saveRuleSetVersion(db, r.id, valid, actor, new Date().toISOString());
    if (saved.created) {
      appendAuditEvent(db, {
        actor,
        action: 'rules.save',
        target: `reconciliation:${r.id}`,
        before: before ? { version: before.version, sha256: before.sha256 } : null,
        after: { version: saved.row.version, sha256: saved.row.sha256 },
      });
    }
    return { version: saved.row.version, created: saved.created };
  })();
}

export function runInfos(db: Db, name?: string): RunInfo[] {
  const rec = name === undefined ? undefined : requireReconciliation(db, name);
  const names = new Map(listReconciliations(db).map((r) => [r.id, r.name]));
  return listRuns(db, rec?.id).map((r) => ({
    id: r.id,
    reconciliation: names.get(r.reconciliationId) ?? String(r.reconciliationId),
    ruleSetVersion: r.ruleSetVersion,
    engineVersion: r.engineVersion,
    actor: r.actor,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    resultSha256: r.resultSha256,
    // Runs since engine 1.2 keep their totals; older ones are summed from their groups.
    totals: (r.stats as { totals?: RunTotals } | null)?.totals ?? runTotals(db, r.id),
  }));
}
