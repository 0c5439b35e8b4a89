import { createHash } from 'node:crypto';
import { TieoutError } from '../../../shared/error.js';
import type { MatchRunSummary, RunTotals } from '../../../shared/contract.js';
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
  runWriteMode,
  writeRun,
  type Workspace,
} from '../workspace/index.js';
import { fieldsNamedIn, loadInputs, releaseRecords } from './load-inputs.js';
import { manualDecisions } from './manual-decisions.js';
import { reviewFields } from './review-rows.js';
import { saveResults } from './save-results.js';
import { fxFingerprint } from '../fx/index.js';

export interface MatchRequest {
  reconciliation: string;
  /** Shadow mode: evaluate these draft rules against the latest version and write nothing. */
  draftRules?: unknown;
  actor: string;
}

/** A stable fingerprint of a result: the same inputs and rules always give the same hash. */
export function resultFingerprint(result: EngineResult): string {
  const h = createHash('sha256');
  // Hashed in chunks of lines: the digest of a stream does not depend on how it is cut, and one
  // update per line is a million calls into the hash.
  let chunk = '';
  let lines = 0;
  const line = (text: string) => {
    chunk += text;
    if (++lines % 4096 === 0) {
      h.update(chunk);
      chunk = '';
    }
  };
  for (const g of result.groups) line(`G|${g.id}|${g.pass}|${g.status}|${g.left.join(',')}|${g.right.join(',')}\n`);
  for (const e of result.exceptions) line(`E|${e.id}|${e.class}|${e.left.join(',')}|${e.right.join(',')}|${e.amountAtRisk.minor}\n`);
  h.update(chunk);
  return h.digest('hex');
}

/**
 * The run's counts and amounts by status and by class, as `runTotals` would read them back from
 * the stored groups and exceptions. Kept with the run so run lists need not scan a big run.
 */
export function totalsOf(result: EngineResult): RunTotals {
  const byStatus = new Map<string, { status: string; groups: number; records: number }>();
  for (const g of result.groups) {
    const t = byStatus.get(g.status) ?? { status: g.status, groups: 0, records: 0 };
    t.groups++;
    t.records += g.left.length + g.right.length;
    byStatus.set(g.status, t);
  }
  const byClass = new Map<string, { class: string; currency: string; exceptions: number; amount_minor: number }>();
  for (const e of result.exceptions) {
    const k = `${e.class}\u0000${e.amountAtRisk.currency}`;
    const t = byClass.get(k) ?? { class: e.class, currency: e.amountAtRisk.currency, exceptions: 0, amount_minor: 0 };
    t.exceptions++;
    t.amount_minor += e.amountAtRisk.minor;
    byClass.set(k, t);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    byStatus: [...byStatus.values()].sort((a, b) => cmp(a.status, b.status)),
    byClass: [...byClass.values()].sort((a, b) => cmp(a.class, b.class) || cmp(a.currency, b.currency)),
  };
}

/**
 * Runs the reconciliation's latest rule set on the current records of both sides and stores
 * the run, its groups, exceptions and per-record membership in one transaction.
 */
export async function runMatch(ws: Workspace, req: MatchRequest, ctx: JobContext = NO_JOB): Promise<MatchRunSummary> {
  const restoreWriteMode = runWriteMode(ws.db);
  try {
    return await matchAndSave(ws, req, ctx);
  } finally {
    restoreWriteMode();
  }
}

async function matchAndSave(ws: Workspace, req: MatchRequest, ctx: JobContext): Promise<MatchRunSummary> {
  const db = ws.db;
  const rec = findReconciliation(db, req.reconciliation);
  if (!rec) throw new TieoutError('not_found', `No reconciliation named "${req.reconciliation}"`);
  const rules = latestRuleSet(db, rec.id);
  if (!rules) throw new TieoutError('not_found', `"${rec.name}" has no rule set yet`);
  const startedAt = new Date().toISOString();
  ctx.progress({ phase: 'loading records', done: 0, total: null, unit: 'records' });
  const parsedRules = parseRuleSet(rules.rules as never);
  const inputs = loadInputs(db, rec, reviewFields(parsedRules), fieldsNamedIn(rules.rules, req.draftRules));
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

  // The engine is done with the records' field objects: most of a big run's memory.
  const recordCount = inputs.records.length;
  releaseRecords(inputs);
  const resultSha256 = resultFingerprint(result);
  const totals = totalsOf(result);
  ctx.progress({ phase: 'saving results', done: 0, total: result.groups.length + result.exceptions.length, unit: 'records' });
  const batches = inputBatches(db, [...rec.leftSourceIds, ...rec.rightSourceIds], inputs.recordsByBatch);
  const runId = writeRun(db, () => {
    const runId = insertRun(db, {
      reconciliationId: rec.id,
      ruleSetVersionId: rules.id,
      engineVersion: ENGINE_VERSION,
      actor: req.actor,
      startedAt,
      finishedAt: new Date().toISOString(),
      // The FX table is an input too: its fingerprint lets a conversion be traced to the rates seen.
      // Analysts' decisions are engine inputs too: kept on the run so a packet can replay it exactly.
      inputs: { batches, records: recordCount, fx: { rates: fx.length, sha256: fxFingerprint(fx) }, decisions: { locked, apart } },
      stats: { ...result.stats, totals },
      resultSha256,
      explanationTemplates: result.explanationTemplates,
    });
    saveResults(db, runId, result, inputs, parsedRules, ctx);
    appendAuditEvent(db, {
      actor: req.actor,
      action: 'run.create',
      target: `run:${runId}`,
      after: { reconciliation: rec.name, ruleSetVersion: rules.version, engineVersion: ENGINE_VERSION, resultSha256, batches: batches.map((b) => ({ id: b.batchId, sha256: b.sha256 })) },
    });
    // Each exception and suggestion becomes (or stays) a review item with an owner and a due time.
    ctx.progress({ phase: 'syncing review items', done: 0, total: null, unit: 'records' });
    syncReviewItems(db, runId, new Date().toISOString(), req.actor);
    return runId;
  });
  return { runId, dryRun: false, reconciliation: rec.name, ruleSetVersion: rules.version, stats: result.stats, totals, diff: null, resultSha256 };
}
