import { createHash } from 'node:crypto';
import { TieoutError } from '../../../shared/error.js';
import type { MatchRunSummary } from '../../../shared/contract.js';
import { diffResults, parseRuleSet, runEngine, type EngineResult } from '../engine/index.js';
import { ENGINE_VERSION } from '../engine/version.js';
import { syncReviewItems } from '../triage/index.js';
import { throwIfCancelled, type JobContext, NO_JOB } from '../jobs/job-context.js';
import {
  appendAuditEvent,
  findReconciliation,
  inputBatches,
  insertRun,
  latestRuleSet,
  listFxRates,
  resultWriter,
  reviewRowWriter,
  runTotals,
  type Workspace,
} from '../workspace/index.js';
import { loadInputs, type LoadedInputs } from './load-inputs.js';
import { manualDecisions } from './manual-decisions.js';
import { fxFingerprint } from '../fx/index.js';
import { reviewRows } from './review-rows.js';

export interface MatchRequest {
  reconciliation: string;
  /** Shadow mode: evaluate these draft rules against the latest version and write nothing. */
  draftRules?: unknown;
  actor: string;
}

/** A stable fingerprint of a result: the same inputs and rules always give the same hash. */
export function resultFingerprint(result: EngineResult): string {
  const h = createHash('sha256');
  for (const g of result.groups) h.update(`G|${g.id}|${g.pass}|${g.status}|${g.left.join(',')}|${g.right.join(',')}\n`);
  for (const e of result.exceptions) h.update(`E|${e.id}|${e.class}|${e.left.join(',')}|${e.right.join(',')}|${e.amountAtRisk.minor}\n`);
  return h.digest('hex');
}

function sum(ids: string[], inputs: LoadedInputs): number | null {
  let total = 0;
  for (const id of ids) {
    const a = inputs.byId.get(id)?.amount;
    if (a === null || a === undefined) return null;
    total += a;
  }
  return total;
}

/**
 * Runs the reconciliation's latest rule set on the current records of both sides and stores
 * the run, its groups, exceptions and per-record membership in one transaction.
 */
export async function runMatch(ws: Workspace, req: MatchRequest, ctx: JobContext = NO_JOB): Promise<MatchRunSummary> {
  const db = ws.db;
  const rec = findReconciliation(db, req.reconciliation);
  if (!rec) throw new TieoutError('not_found', `No reconciliation named "${req.reconciliation}"`);
  const rules = latestRuleSet(db, rec.id);
  if (!rules) throw new TieoutError('not_found', `"${rec.name}" has no rule set yet`);
  const startedAt = new Date().toISOString();
  ctx.progress({ phase: 'loading records', done: 0, total: null, unit: 'records' });
  const inputs = loadInputs(db, rec);
  throwIfCancelled(ctx);
  const fx = listFxRates(db);
  const hooks = {
    onProgress: (p: { pass: string; done: number; total: number }) => ctx.progress({ phase: p.pass, done: p.done, total: p.total, unit: 'records' }),
    isCancelled: ctx.cancelled,
  };
  // Confirmed manual matches are claimed before the first pass; unmatched records stay apart.
  const { locked, apart } = manualDecisions(db, rec.id, inputs);
  const result = runEngine({ ruleSet: rules.rules as never, ruleSetVersion: rules.version, records: inputs.records, fx, locked, apart }, hooks);

  if (req.draftRules !== undefined) {
    const draft = runEngine({ ruleSet: req.draftRules as never, ruleSetVersion: rules.version + 1, records: inputs.records, fx, locked, apart }, hooks);
    const diff = diffResults(result, draft);
    return { runId: null, dryRun: true, reconciliation: rec.name, ruleSetVersion: rules.version, stats: draft.stats, totals: null, diff, resultSha256: resultFingerprint(draft) };
  }

  const resultSha256 = resultFingerprint(result);
  ctx.progress({ phase: 'saving results', done: 0, total: result.groups.length + result.exceptions.length, unit: 'records' });
  const batches = inputBatches(db, [...rec.leftSourceIds, ...rec.rightSourceIds]);
  db.exec('BEGIN IMMEDIATE');
  try {
    const runId = insertRun(db, {
      reconciliationId: rec.id,
      ruleSetVersionId: rules.id,
      engineVersion: ENGINE_VERSION,
      actor: req.actor,
      startedAt,
      finishedAt: new Date().toISOString(),
      // The FX table is an input too: its fingerprint lets a conversion be traced to the rates seen.
      // Analysts' decisions are engine inputs too: kept on the run so a packet can replay it exactly.
      inputs: { batches, records: inputs.records.length, fx: { rates: fx.length, sha256: fxFingerprint(fx) }, decisions: { locked, apart } },
      stats: result.stats,
      resultSha256,
    });
    const w = resultWriter(db, runId);
    let done = 0;
    for (const g of result.groups) {
      const left = inputs.byId.get(g.left[0] ?? '');
      w.group({
        id: g.id,
        pass: g.pass,
        passKind: g.passKind,
        status: g.status,
        score: g.score,
        left: g.left.length,
        right: g.right.length,
        leftAmount: sum(g.left, inputs),
        rightAmount: sum(g.right, inputs),
        currency: left?.currency ?? null,
        explanation: g.explanation,
      });
      for (const id of g.left) w.member(Number(id), 'left', g.id, null);
      for (const id of g.right) w.member(Number(id), 'right', g.id, null);
      if (++done % 20000 === 0) {
        throwIfCancelled(ctx);
        ctx.progress({ phase: 'saving results', done, total: result.groups.length + result.exceptions.length, unit: 'records' });
      }
    }
    for (const e of result.exceptions) {
      w.exception({
        id: e.id,
        class: e.class,
        groupId: e.groupId ?? null,
        pass: e.pass ?? null,
        amountMinor: e.amountAtRisk.minor,
        currency: e.amountAtRisk.currency,
        detail: e.detail,
        explanation: e.explanation,
      });
      for (const id of e.left) w.member(Number(id), 'left', null, e.id);
      for (const id of e.right) w.member(Number(id), 'right', null, e.id);
      if (++done % 20000 === 0) {
        throwIfCancelled(ctx);
        ctx.progress({ phase: 'saving results', done, total: result.groups.length + result.exceptions.length, unit: 'records' });
      }
    }
    ctx.progress({ phase: 'preparing review rows', done: 0, total: null, unit: 'records' });
    const writeRow = reviewRowWriter(db, runId);
    for (const r of reviewRows(result, inputs, parseRuleSet(rules.rules as never))) writeRow(r);
    appendAuditEvent(db, {
      actor: req.actor,
      action: 'run.create',
      target: `run:${runId}`,
      after: { reconciliation: rec.name, ruleSetVersion: rules.version, engineVersion: ENGINE_VERSION, resultSha256, batches: batches.map((b) => ({ id: b.batchId, sha256: b.sha256 })) },
    });
    // Each exception and suggestion becomes (or stays) a review item with an owner and a due time.
    ctx.progress({ phase: 'syncing review items', done: 0, total: null, unit: 'records' });
    syncReviewItems(db, runId, new Date().toISOString(), req.actor);
    db.exec('COMMIT');
    return { runId, dryRun: false, reconciliation: rec.name, ruleSetVersion: rules.version, stats: result.stats, totals: runTotals(db, runId), diff: null, resultSha256 };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
