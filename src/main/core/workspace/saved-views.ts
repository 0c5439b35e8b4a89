import type { Db } from './open.js';

/** SQL for saved views of the review grid (schema 6). Views are marked deleted, never removed. */

export interface SavedViewRow {
  id: number;
  reconciliationId: number;
  name: string;
  stateJson: string;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

const SELECT = `SELECT id, reconciliation_id AS reconciliationId, name, state_json AS stateJson, created_by AS createdBy, created_at AS createdAt,
  updated_by AS updatedBy, updated_at AS updatedAt FROM saved_view`;

/** A reconciliation's live views, by name. */
export function listSavedViewRows(db: Db, reconciliationId: number): SavedViewRow[] {
  return db.prepare(`${SELECT} WHERE reconciliation_id = ? AND deleted_at IS NULL ORDER BY name COLLATE NOCASE, id`).all(reconciliationId) as SavedViewRow[];
}

export function findSavedViewRow(db: Db, reconciliationId: number, name: string): SavedViewRow | undefined {
  return db.prepare(`${SELECT} WHERE reconciliation_id = ? AND name = ? AND deleted_at IS NULL`).get(reconciliationId, name) as SavedViewRow | undefined;
}

export function insertSavedView(db: Db, v: { reconciliationId: number; name: string; stateJson: string; actor: string; at: string }): number {
  return Number(
    db
      .prepare('INSERT INTO saved_view (reconciliation_id, name, state_json, created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(v.reconciliationId, v.name, v.stateJson, v.actor, v.at, v.actor, v.at).lastInsertRowid,
  );
}

export function updateSavedView(db: Db, id: number, v: { stateJson: string; actor: string; at: string }): void {
  db.prepare('UPDATE saved_view SET state_json = ?, updated_by = ?, updated_at = ? WHERE id = ?').run(v.stateJson, v.actor, v.at, id);
}

export function markSavedViewDeleted(db: Db, id: number, at: string): void {
  db.prepare('UPDATE saved_view SET deleted_at = ? WHERE id = ?').run(at, id);
}
