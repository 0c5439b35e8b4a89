import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '../audit/chain.js';
import { DEMO_SOURCES } from '../demo/index.js';
import { loadDemo } from '../demo/load-demo.js';
import { DEMO_RULE_SET } from '../engine/demo-rules.js';
import { runImport } from '../import/index.js';
import { NO_JOB } from '../jobs/job-context.js';
import { createReconciliation, runMatch } from '../reconcile/index.js';
import { findSourceByName, iterateAuditEvents, openWorkspace, type Workspace } from '../workspace/index.js';
import { syncReviewItems, type SyncSummary } from './sync.js';
import { createUser } from './users.js';

/** Test-only: a demo workspace with a reconciliation, its people, and one synced run. */
export interface Fixture {
  ws: Workspace;
  dir: string;
  recId: number;
  recName: string;
  runId: number;
  sync: SyncSummary;
  close(): void;
}

export const PEOPLE = {
  alice: { id: 'alice', name: 'Alice Analyst', role: 'analyst' },
  bob: { id: 'bob', name: 'Bob Analyst', role: 'analyst' },
  carol: { id: 'carol', name: 'Carol Approver', role: 'approver' },
  dave: { id: 'dave', name: 'Dave Auditor', role: 'auditor' },
  social: { id: 'social', name: 'Social team', role: 'analyst' },
  finlead: { id: 'finlead', name: 'Finance lead', role: 'approver' },
} as const;

export async function demoFixture(opts: { buys?: number; now?: string; beforeRun?: (f: Omit<Fixture, 'runId' | 'sync'>) => void } = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'tieout-triage-'));
  const ws = openWorkspace(join(dir, 'w.tieout'), { create: true });
  await loadDemo(ws, { buys: opts.buys ?? 300, seed: 11, actor: 'setup' }, NO_JOB);
  const left = findSourceByName(ws.db, DEMO_SOURCES.buys.name)!.id;
  const right = findSourceByName(ws.db, DEMO_SOURCES.invoices.name)!.id;
  const recName = 'Ad-ops';
  const rec = createReconciliation(ws.db, { name: recName, left: [left], right: [right], rules: DEMO_RULE_SET }, 'setup');
  for (const p of Object.values(PEOPLE)) createUser(ws.db, p, 'setup', '2026-01-01T00:00:00.000Z');
  const close = () => {
    ws.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const base = { ws, dir, recId: rec.reconciliation.id, recName, close };
  opts.beforeRun?.(base);
  const { runId, sync } = await runAndSync(ws, recName, opts.now ?? '2026-03-01T09:00:00.000Z');
  return { ...base, runId, sync };
}

/**
 * Runs the match and syncs its items. If runMatch already syncs (once the lead wires it in),
 * syncing again is harmless: every item is simply seen again.
 */
export async function runAndSync(ws: Workspace, recName: string, now: string): Promise<{ runId: number; sync: SyncSummary }> {
  const run = await runMatch(ws, { reconciliation: recName, actor: 'setup' });
  const runId = run.runId!;
  return { runId, sync: syncReviewItems(ws.db, runId, now) };
}

/** Adds invoice lines to the demo's invoice source through the ordinary import. */
export async function importInvoices(ws: Workspace, dir: string, lines: { no: string; line: number; date: string; vendor: string; po: string; desc: string; amount: string; currency: string }[]): Promise<void> {
  const header = 'Invoice No,Invoice Line,Invoice Date,Vendor Name,PO Reference,Description,Billed Impressions,Amount,Currency';
  const body = lines.map((l) => [l.no, l.line, l.date, l.vendor, l.po, l.desc, 1000, l.amount, l.currency].join(','));
  const path = join(dir, `extra-${Date.now()}-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, [header, ...body].join('\n') + '\n');
  await runImport(ws, { source: DEMO_SOURCES.invoices.name, path, fileName: 'extra.csv', mapping: DEMO_SOURCES.invoices.mapping, actor: 'setup' }, NO_JOB);
}

export function chainOk(ws: Workspace): boolean {
  return verifyChain(iterateAuditEvents(ws.db)).ok;
}

export function auditRows(ws: Workspace, where: { action?: string; target?: string } = {}): { seq: number; actor: string; action: string; target: string; before: unknown; after: unknown; reasonCode: string | null; note: string | null }[] {
  return [...iterateAuditEvents(ws.db)].filter((e) => (where.action === undefined || e.action === where.action) && (where.target === undefined || e.target === where.target));
}
