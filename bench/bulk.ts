/**
 * A bulk write-off of every open exception of a run, recorded as one bulk override, then reversed
 * as a whole: preview, apply and reverse times. Prints figures; asserts nothing.
 */
import { ensureDefaultReasonCodes, reverseBulk, saveReasonCode } from '../src/main/core/overrides/index.js';
import { applyBulk, createUser, previewBulk } from '../src/main/core/triage/index.js';
import { findReconciliation, openWorkspace } from '../src/main/core/workspace/index.js';
import { rate, secs } from './figures.js';

export function benchBulk(workspacePath: string, reconciliation: string): void {
  const ws = openWorkspace(workspacePath);
  try {
    const rec = findReconciliation(ws.db, reconciliation)!;
    createUser(ws.db, { id: 'bench', name: 'Bench Analyst', role: 'analyst' }, 'bench');
    createUser(ws.db, { id: 'bench-lead', name: 'Bench Approver', role: 'approver' }, 'bench');
    ensureDefaultReasonCodes(ws.db);
    saveReasonCode(ws.db, { code: 'bench_write_off', label: 'Bench write-off', appliesTo: ['write_off'], approval: 'never', approvalThresholdMinor: null, noteRequired: false }, 'bench-lead');
    const req = {
      selection: { reconciliationId: rec.id, filter: { status: ['open' as const], kind: ['exception' as const] } },
      action: { type: 'resolve' as const, reasonCode: 'bench_write_off', writeOff: true },
      actor: 'bench',
    };
    let t = performance.now();
    const p = previewBulk(ws.db, req);
    console.log(`  preview of ${p.count.toLocaleString('en-US')} open exceptions: ${secs(performance.now() - t)} (${p.willChange.toLocaleString('en-US')} would change, ${p.blockedCount} blocked)`);
    t = performance.now();
    const r = applyBulk(ws.db, req, 'bench: write everything off', { skipBlocked: true });
    let ms = performance.now() - t;
    console.log(`  bulk write-off as one bulk override: ${r.changed.toLocaleString('en-US')} items in ${secs(ms)} (${rate(r.changed, ms)})`);
    t = performance.now();
    const undone = reverseBulk(ws.db, r.bulkId, 'bench', 'override_in_error', 'bench: undo it all');
    ms = performance.now() - t;
    console.log(`  reversed as a whole: ${undone.reversals.length.toLocaleString('en-US')} overrides in ${secs(ms)} (${rate(undone.reversals.length, ms)})`);
  } finally {
    ws.close();
  }
}
