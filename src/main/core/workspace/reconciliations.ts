import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/chain.js';
import type { Db } from './open.js';

export interface ReconciliationRow {
  id: number;
  name: string;
  leftSourceIds: number[];
  rightSourceIds: number[];
  createdAt: string;
  createdBy: string;
}

export interface RuleSetVersionRow {
  id: number;
  reconciliationId: number;
  version: number;
  rules: unknown;
  sha256: string;
  createdAt: string;
  createdBy: string;
}

function sides(db: Db, id: number): { left: number[]; right: number[] } {
  const rows = db.prepare('SELECT position, source_id FROM reconciliation_side WHERE reconciliation_id = ? ORDER BY position, source_id').all(id) as {
    position: number;
    source_id: number;
  }[];
  return { left: rows.filter((r) => r.position === 0).map((r) => r.source_id), right: rows.filter((r) => r.position === 1).map((r) => r.source_id) };
}

export function listReconciliations(db: Db): ReconciliationRow[] {
  const rows = db.prepare('SELECT id, name, created_at, created_by FROM reconciliation ORDER BY id').all() as {
    id: number;
    name: string;
    created_at: string;
    created_by: string;
  }[];
  return rows.map((r) => {
    const s = sides(db, r.id);
    return { id: r.id, name: r.name, leftSourceIds: s.left, rightSourceIds: s.right, createdAt: r.created_at, createdBy: r.created_by };
  });
}

export function findReconciliation(db: Db, idOrName: number | string): ReconciliationRow | undefined {
  return listReconciliations(db).find((r) => (typeof idOrName === 'number' ? r.id === idOrName : r.name === idOrName));
}

export function insertReconciliation(db: Db, name: string, left: number[], right: number[], actor: string, at: string): number {
  const id = Number(db.prepare('INSERT INTO reconciliation (name, created_at, created_by) VALUES (?, ?, ?)').run(name, at, actor).lastInsertRowid);
  const side = db.prepare('INSERT INTO reconciliation_side (reconciliation_id, position, source_id) VALUES (?, ?, ?)');
  for (const s of left) side.run(id, 0, s);
  for (const s of right) side.run(id, 1, s);
  return id;
}

export function latestRuleSet(db: Db, reconciliationId: number): RuleSetVersionRow | undefined {
  const r = db
    .prepare('SELECT * FROM rule_set_version WHERE reconciliation_id = ? ORDER BY version DESC LIMIT 1')
    .get(reconciliationId) as Record<string, unknown> | undefined;
  return r && toRuleSet(r);
}

export function ruleSetVersions(db: Db, reconciliationId: number): RuleSetVersionRow[] {
  return (db.prepare('SELECT * FROM rule_set_version WHERE reconciliation_id = ? ORDER BY version').all(reconciliationId) as Record<string, unknown>[]).map(toRuleSet);
}

export function ruleSetById(db: Db, id: number): RuleSetVersionRow | undefined {
  const r = db.prepare('SELECT * FROM rule_set_version WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  return r && toRuleSet(r);
}

function toRuleSet(r: Record<string, unknown>): RuleSetVersionRow {
  return {
    id: r['id'] as number,
    reconciliationId: r['reconciliation_id'] as number,
    version: r['version'] as number,
    rules: JSON.parse(r['rules_json'] as string),
    sha256: r['sha256'] as string,
    createdAt: r['created_at'] as string,
    createdBy: r['created_by'] as string,
  };
}

/** Stores the rules as the next version, unless they equal the latest (then that one is returned). */
export function saveRuleSetVersion(db: Db, reconciliationId: number, rules: unknown, actor: string, at: string): { row: RuleSetVersionRow; created: boolean } {
  const json = canonicalJson(rules);
  const sha256 = createHash('sha256').update(json).digest('hex');
  const latest = latestRuleSet(db, reconciliationId);
  if (latest && latest.sha256 === sha256) return { row: latest, created: false };
  const version = (latest?.version ?? 0) + 1;
  const id = Number(
    db
      .prepare('INSERT INTO rule_set_version (reconciliation_id, version, rules_json, sha256, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
      .run(reconciliationId, version, json, sha256, at, actor).lastInsertRowid,
  );
  return { row: { id, reconciliationId, version, rules: JSON.parse(json), sha256, createdAt: at, createdBy: actor }, created: true };
}
