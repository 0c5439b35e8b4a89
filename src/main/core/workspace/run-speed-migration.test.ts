import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations/index.js';
import { openWorkspace } from './index.js';
import { workspaceAtSchema } from './test-fixture.js';

let dir: string | null = null;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** A workspace file as schema 4 left it, with one run's group, review row and members. */
function schema4Workspace(): string {
  dir = mkdtempSync(join(tmpdir(), 'tieout-mig7-'));
  const path = join(dir, 'old.tieout');
  const db = workspaceAtSchema(path, 4);
  db.exec(`
    INSERT INTO source (id, name, created_at) VALUES (1, 'L', 'x'), (2, 'R', 'x');
    INSERT INTO reconciliation (id, name, created_at, created_by) VALUES (1, 'Rec', 'x', 'x');
    INSERT INTO rule_set_version (id, reconciliation_id, version, rules_json, sha256, created_at, created_by) VALUES (1, 1, 1, '{}', 'h', 'x', 'x');
    INSERT INTO run (id, reconciliation_id, rule_set_version_id, engine_version, actor, started_at, finished_at, inputs_json, stats_json, result_sha256)
      VALUES (1, 1, 1, 'e', 'x', 'x', 'x', '{}', '{}', 'h');
    INSERT INTO match_group VALUES (1, 'bbbb', 'p', 'key', 'matched', NULL, 1, 1, 100, 100, 'USD', '{"pass":"p"}'),
                                   (1, 'aaaa', 'p', 'key', 'suggested', 2.5, 1, 2, 100, 90, 'USD', '{"pass":"p","n":1}');
    INSERT INTO review_row (run_id, row_id, kind, status, class, pass, score, left_count, right_count, key_text, left_ref, left_amount, amount_at_risk)
      VALUES (1, 'bbbb', 'group', 'matched', NULL, 'p', NULL, 1, 1, 'K1', 'R1', 100, 0),
             (1, 'cccc', 'exception', 'exception', 'unmatched_left', NULL, NULL, 1, 0, NULL, 'R2', 50, 50);
  `);
  db.close();
  return path;
}

describe('migration 5 (run speed)', () => {
  it('keeps every group and review row of older runs, and still refuses a second row with the same id', () => {
    const path = schema4Workspace();
    const before = new Database(path, { readonly: true });
    const groups = before.prepare('SELECT * FROM match_group ORDER BY group_id').all();
    const rows = before.prepare('SELECT * FROM review_row ORDER BY row_id').all();
    before.close();

    const ws = openWorkspace(path);
    try {
      expect(ws.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
      expect(ws.db.prepare('SELECT * FROM match_group ORDER BY group_id').all()).toEqual(groups);
      expect(ws.db.prepare('SELECT * FROM review_row ORDER BY row_id').all()).toEqual(rows);
      expect(() => ws.db.prepare("INSERT INTO match_group VALUES (1, 'aaaa', 'p', 'key', 'matched', NULL, 1, 1, 1, 1, 'USD', '{}')").run()).toThrow(/UNIQUE/);
      expect(() => ws.db.prepare("INSERT INTO review_row (run_id, row_id, kind, status, left_count, right_count) VALUES (1, 'cccc', 'group', 'matched', 1, 1)").run()).toThrow(/UNIQUE/);
      expect(() => ws.db.prepare("INSERT INTO review_row (run_id, row_id, kind, status, left_count, right_count) VALUES (1, 'dddd', 'nope', 'matched', 1, 1)").run()).toThrow(/CHECK/);
    } finally {
      ws.close();
    }
  });

  it('looks members up by group and by exception through the partial indexes', () => {
    const ws = openWorkspace(join((dir = mkdtempSync(join(tmpdir(), 'tieout-mig7-'))), 'new.tieout'), { create: true });
    try {
      const plan = (sql: string) => (ws.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan("SELECT record_id FROM run_member INDEXED BY run_member_group WHERE run_id = 1 AND group_id = 'g'")).toMatch(/USING (COVERING )?INDEX run_member_group/);
      expect(plan("SELECT record_id FROM run_member INDEXED BY run_member_exception WHERE run_id = 1 AND exception_id = 'x'")).toMatch(/USING (COVERING )?INDEX run_member_exception/);
      expect(plan("SELECT * FROM review_row WHERE run_id = 1 AND row_id = 'r'")).toMatch(/USING INDEX review_row_id/);
    } finally {
      ws.close();
    }
  });
});
