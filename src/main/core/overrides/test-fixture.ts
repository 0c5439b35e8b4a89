import { TieoutError } from '../../../shared/error.js';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '../audit/chain.js';
import { loadDemo } from '../demo/load-demo.js';
import { DEMO_RULE_SET } from '../engine/demo-rules.js';
import { NO_JOB } from '../jobs/job-context.js';
import { createReconciliation, runMatch } from '../reconcile/index.js';
import { syncReviewItems } from '../triage/sync.js';
import { iterateAuditEvents, openWorkspace, runTable, type Db, type Workspace } from '../workspace/index.js';
import { selectItem, type ItemRow } from '../workspace/overrides.js';
import { ensureDefaultReasonCodes } from './reason-codes.js';

/** Test-only: a demo workspace with people, a run and its review items. */

export const REC = 'Demo buys vs invoices';

export interface Fixture {
  ws: Workspace;
  db: Db;
  recId: number;
  runId: number;
  path: string;
  close(): void;
}

function addUsers(db: Db): void {
  const insert = db.prepare('INSERT INTO app_user (id, name, email, role, created_at) VALUES (?, ?, NULL, ?, ?)');
  const people: [string, string, string][] = [
    ['ana', 'Ana Analyst', 'analyst'],
    ['fin', 'Fin Approver', 'approver'],
    ['bob', 'Bob Analyst', 'analyst'],
    ['max', 'Max Approver', 'approver'],
    ['aud', 'Aud Auditor', 'auditor'],
  ];
  people.forEach(([id, name, role], i) => insert.run(id, name, role, `2026-01-01T00:00:0${i}.000Z`));
}

/** Builds the template once: 300 demo buys, one reconciliation with the demo rules, one run, its items. */
export async function buildTemplate(): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tieout-overrides-'));
  const file = join(dir, 'template.tieout');
  const ws = openWorkspace(file, { create: true });
  try {
    addUsers(ws.db);
    await loadDemo(ws, { buys: 300, seed: 7, actor: 'ana' }, NO_JOB);
    const sources = ws.db.prepare('SELECT id FROM source ORDER BY id').all() as { id: number }[];
    createReconciliation(ws.db, { name: REC, left: [sources[0]!.id], right: [sources[1]!.id], rules: DEMO_RULE_SET }, 'ana');
    const run = await runMatch(ws, { reconciliation: REC, actor: 'ana' });
    const runId = run.runId!;
    // The lead's runMatch may sync items itself; only sync when it has not.
    const items = (ws.db.prepare('SELECT COUNT(*) AS n FROM review_item').get() as { n: number }).n;
    if (items === 0) syncReviewItems(ws.db, runId, new Date(), 'ana');
    ensureDefaultReasonCodes(ws.db);
  } finally {
    ws.close();
  }
  return { dir, file };
}

let copies = 0;

/** A private copy of the template, so each test starts from the same state. */
export function fresh(template: { dir: string; file: string }): Fixture {
  const path = join(template.dir, `t${++copies}.tieout`);
  copyFileSync(template.file, path);
  const ws = openWorkspace(path);
  const rec = ws.db.prepare('SELECT id FROM reconciliation WHERE name = ?').get(REC) as { id: number };
  const run = ws.db.prepare('SELECT MAX(id) AS id FROM run WHERE reconciliation_id = ?').get(rec.id) as { id: number };
  return { ws, db: ws.db, recId: rec.id, runId: run.id, path, close: () => ws.close() };
}

export function removeTemplate(template: { dir: string }): void {
  rmSync(template.dir, { recursive: true, force: true });
}

/**
 * The hooks every file of these tests needs: the template is built once per file, each test
 * takes a fresh copy with `fresh()`, and the copy is closed after the test.
 */
export function fixturePerTest(): { fresh(): Fixture; dir(): string } {
  let template: { dir: string; file: string } | undefined;
  let current: Fixture | undefined;
  beforeAll(async () => {
    template = await buildTemplate();
  });
  afterAll(() => template && removeTemplate(template));
  afterEach(() => {
    current?.close();
    current = undefined;
  });
  return {
    fresh: () => (current = fresh(template!)),
    dir: () => template!.dir,
  };
}

export function auditCount(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM audit_event').get() as { n: number }).n;
}

export function auditActions(db: Db, fromSeq: number): string[] {
  return (db.prepare('SELECT action FROM audit_event WHERE seq > ? ORDER BY seq').all(fromSeq) as { action: string }[]).map((r) => r.action);
}

export function chainOk(db: Db): boolean {
  return verifyChain(iterateAuditEvents(db)).ok;
}

export interface ExceptionPick {
  exceptionId: string;
  class: string;
  amountMinor: number;
  currency: string;
  left: number[];
  right: number[];
}

/** Exceptions of a run of one class, with their records, in id order. */
export function exceptionsOf(db: Db, runId: number, cls: string): ExceptionPick[] {
  const rows = db.prepare('SELECT exception_id AS exceptionId, class, amount_minor AS amountMinor, currency FROM run_exception WHERE run_id = ? AND class = ? ORDER BY exception_id').all(runId, cls) as Omit<
    ExceptionPick,
    'left' | 'right'
  >[];
  const members = db.prepare(`SELECT record_id AS id, side FROM ${runTable(db, runId, 'member').name} WHERE run_id = ? AND exception_id = ? ORDER BY record_id`);
  return rows.map((r) => {
    const m = members.all(runId, r.exceptionId) as { id: number; side: 'left' | 'right' }[];
    return { ...r, left: m.filter((x) => x.side === 'left').map((x) => x.id), right: m.filter((x) => x.side === 'right').map((x) => x.id) };
  });
}

/** Matched 1:1 groups of a run, with their records. */
export function matchedGroups(db: Db, runId: number): { groupId: string; left: number[]; right: number[]; leftAmount: number }[] {
  const groups = db
    .prepare("SELECT group_id AS groupId, left_amount_minor AS leftAmount FROM match_group WHERE run_id = ? AND status = 'matched' AND left_count = 1 AND right_count = 1 ORDER BY group_id")
    .all(runId) as { groupId: string; leftAmount: number }[];
  const members = db.prepare(`SELECT record_id AS id, side FROM ${runTable(db, runId, 'member').name} WHERE run_id = ? AND group_id = ? ORDER BY record_id`);
  return groups.map((g) => {
    const m = members.all(runId, g.groupId) as { id: number; side: 'left' | 'right' }[];
    return { ...g, left: m.filter((x) => x.side === 'left').map((x) => x.id), right: m.filter((x) => x.side === 'right').map((x) => x.id) };
  });
}

export function itemOf(f: Fixture, itemId: string): ItemRow {
  const i = selectItem(f.db, f.recId, itemId);
  if (!i) throw new Error(`no item ${itemId}`);
  return i;
}

/** A fingerprint of every record row: overrides must never change one. */
export function recordsFingerprint(db: Db): string {
  const rows = db.prepare('SELECT id, is_current, content_hash, amount_minor, currency, record_date, fields_json FROM record ORDER BY id').all();
  return JSON.stringify(rows);
}

export function periodOf(db: Db, recordId: number): string {
  return (db.prepare('SELECT substr(record_date, 1, 7) AS p FROM record WHERE id = ?').get(recordId) as { p: string }).p;
}

/** Asserts a refusal with its code and message, and that it wrote no audit event. */
export function expectRefused(db: Db, fn: () => unknown, code: string, message: RegExp): TieoutError {
  const events = auditCount(db);
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(TieoutError);
  expect((err as TieoutError).code).toBe(code);
  expect((err as TieoutError).message).toMatch(message);
  expect(auditCount(db)).toBe(events);
  return err as TieoutError;
}
