import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SOURCES } from '../demo/index.js';
import { loadDemo } from '../demo/load-demo.js';
import { DEMO_RULE_SET } from '../engine/demo-rules.js';
import { NO_JOB } from '../jobs/job-context.js';
import { createReconciliation, runMatch } from '../reconcile/index.js';
import { selectGroupMembers } from './overrides.js';
import { createRunTable } from './run-tables.js';
import { workspaceAtSchema } from './test-fixture.js';
import { findSourceByName, insertRun, openWorkspace, pageReviewRows, reviewRow, rowExplanation, rowMembers, runTable, writeRun } from './index.js';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});
const tempDir = () => (dir = mkdtempSync(join(tmpdir(), 'tieout-run-tables-')));

/** Each index of a table as "<name suffix>: <columns> [WHERE ...]", so tables of different names compare. */
function indexShapes(db: Database.Database, table: string): string[] {
  const rows = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name").all(table) as { name: string; sql: string }[];
  return rows.map((r) => `${r.name.slice(table.length)}: ${r.sql.replace(/^.* ON \S+ ?/s, '').replace(/\s+/g, ' ')}${r.sql.startsWith('CREATE UNIQUE') ? ' unique' : ''}`).sort();
}

describe('run tables', () => {
  it('a run saved now keeps its members and review rows in tables of its own, with the indexes of the shared tables', async () => {
    const ws = openWorkspace(join(tempDir(), 'w.tieout'), { create: true });
    try {
      await loadDemo(ws, { buys: 60, seed: 3, actor: 'setup' }, NO_JOB);
      const left = findSourceByName(ws.db, DEMO_SOURCES.buys.name)!.id;
      const right = findSourceByName(ws.db, DEMO_SOURCES.invoices.name)!.id;
      createReconciliation(ws.db, { name: 'Ad-ops', left: [left], right: [right], rules: DEMO_RULE_SET }, 'setup');
      const runId = (await runMatch(ws, { reconciliation: 'Ad-ops', actor: 'setup' })).runId!;

      expect(ws.db.prepare('SELECT kind, name FROM run_table WHERE run_id = ? ORDER BY kind').all(runId)).toEqual([
        { kind: 'member', name: `run${runId}_member` },
        { kind: 'review', name: `run${runId}_review_row` },
      ]);
      const count = (table: string) => (ws.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`).get(runId) as { n: number }).n;
      expect(count('run_member')).toBe(0);
      expect(count('review_row')).toBe(0);
      const records = (ws.db.prepare('SELECT COUNT(*) AS n FROM record WHERE is_current = 1').get() as { n: number }).n;
      expect(count(runTable(ws.db, runId, 'member').name)).toBe(records);
      expect(count(runTable(ws.db, runId, 'review').name)).toBeGreaterThan(0);

      // Same columns and the same indexes, so the same queries (and plans) serve both.
      const columns = (t: string) => ws.db.prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`).all(t);
      expect(columns(`run${runId}_member`)).toEqual(columns('run_member'));
      expect(columns(`run${runId}_review_row`)).toEqual(columns('review_row'));
      expect(indexShapes(ws.db, `run${runId}_member`)).toEqual(indexShapes(ws.db, 'run_member'));
      expect(indexShapes(ws.db, `run${runId}_review_row`)).toEqual(indexShapes(ws.db, 'review_row'));
      expect(indexShapes(ws.db, `run${runId}_review_row`)).toHaveLength(7);
    } finally {
      ws.close();
    }
  });

  it('a run whose save fails leaves no table and no registry row behind', () => {
    const ws = openWorkspace(join(tempDir(), 'w.tieout'), { create: true });
    try {
      ws.db.exec(`INSERT INTO reconciliation (id, name, created_at, created_by) VALUES (1, 'Rec', 'x', 'x');
        INSERT INTO rule_set_version (id, reconciliation_id, version, rules_json, sha256, created_at, created_by) VALUES (1, 1, 1, '{}', 'h', 'x', 'x');`);
      expect(() =>
        writeRun(ws.db, () => {
          const runId = insertRun(ws.db, { reconciliationId: 1, ruleSetVersionId: 1, engineVersion: 'e', actor: 'x', startedAt: 'x', finishedAt: 'x', inputs: {}, stats: {}, resultSha256: 'h', explanationTemplates: [] });
          createRunTable(ws.db, runId, 'member');
          throw new Error('disk full');
        }),
      ).toThrow('disk full');
      expect(ws.db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'run1_%'").all()).toEqual([]);
      expect(ws.db.prepare('SELECT * FROM run_table').all()).toEqual([]);
    } finally {
      ws.close();
    }
  });

  it('runs saved before schema 8 are still read from the shared tables', () => {
    const path = join(tempDir(), 'old.tieout');
    const old = workspaceAtSchema(path, 7);
    old.exec(`
      INSERT INTO source (id, name, created_at) VALUES (1, 'L', 'x'), (2, 'R', 'x');
      INSERT INTO template (id, source_id, version, mapping_json, created_at, created_by) VALUES (1, 1, 1, '{}', 'x', 'x');
      INSERT INTO batch (id, source_id, origin, file_name, file_size, sha256, template_id, importer_version, imported_at, imported_by,
                         rows_read, rows_accepted, rows_rejected, rows_duplicate, rows_new, rows_changed, rows_unchanged)
        VALUES (1, 1, 'file', 'l.csv', 1, 'h', 1, '1', 'x', 'x', 2, 2, 0, 0, 2, 0, 0);
      INSERT INTO record (id, source_id, batch_id, row_number, content_hash, fields_json, raw_json) VALUES (1, 1, 1, 2, 'c1', '{"n":1}', '[]'), (2, 1, 1, 3, 'c2', '{"n":2}', '[]');
      INSERT INTO reconciliation (id, name, created_at, created_by) VALUES (1, 'Rec', 'x', 'x');
      INSERT INTO rule_set_version (id, reconciliation_id, version, rules_json, sha256, created_at, created_by) VALUES (1, 1, 1, '{}', 'h', 'x', 'x');
      INSERT INTO run (id, reconciliation_id, rule_set_version_id, engine_version, actor, started_at, finished_at, inputs_json, stats_json, result_sha256)
        VALUES (1, 1, 1, 'e', 'x', 'x', 'x', '{}', '{}', 'h');
      INSERT INTO match_group VALUES (1, 'gggg', 'p', 'key', 'matched', NULL, 2, 0, 300, NULL, 'USD', '{"pass":"p"}');
      INSERT INTO run_member VALUES (1, 1, 'left', 'gggg', NULL), (1, 2, 'left', 'gggg', NULL);
      INSERT INTO review_row (run_id, row_id, kind, status, pass, left_count, right_count, left_ref, left_amount, amount_at_risk)
        VALUES (1, 'gggg', 'group', 'matched', 'p', 2, 0, 'R1 (+1)', 300, 0);
    `);
    old.close();

    const ws = openWorkspace(path);
    try {
      expect(runTable(ws.db, 1, 'member').name).toBe('run_member');
      expect(runTable(ws.db, 1, 'review').name).toBe('review_row');
      expect(selectGroupMembers(ws.db, 1, 'gggg').map((m) => m.recordId)).toEqual([1, 2]);
      expect(rowMembers(ws.db, 1, 'gggg').map((m) => m.recordId)).toEqual([1, 2]);
      expect(reviewRow(ws.db, 1, 'gggg')).toMatchObject({ rowId: 'gggg', leftRef: 'R1 (+1)', leftAmount: 300 });
      // Its explanation was stored whole, and the run has no explanation templates.
      expect(rowExplanation(ws.db, 1, 'gggg')).toEqual({ explanation: { pass: 'p' }, detail: null });
      const page = pageReviewRows(ws.db, { runId: 1, offset: 0, limit: 10, sort: [{ field: 'amountAtRisk', dir: 'desc' }], filter: {} }, { reconciliationId: 1, now: 'x', soleSide: new Map() });
      expect(page.map((r) => r.rowId)).toEqual(['gggg']);
    } finally {
      ws.close();
    }
  });

  it('refuses a run id that is not a positive integer before it reaches SQL', () => {
    const ws = openWorkspace(join(tempDir(), 'w.tieout'), { create: true });
    try {
      expect(() => runTable(ws.db, 1.5, 'member')).toThrow(/not a run id/);
      expect(() => runTable(ws.db, 0, 'review')).toThrow(/not a run id/);
    } finally {
      ws.close();
    }
  });
});
