import { z } from 'zod';
import { TieoutError } from '../../../shared/error.js';
import { requireUser } from '../triage/users.js';
import {
  appendAuditEvent,
  findReconciliation,
  findSavedViewRow,
  insertSavedView,
  listSavedViewRows,
  markSavedViewDeleted,
  updateSavedView,
  type Db,
  type SavedViewRow,
} from '../workspace/index.js';

/**
 * What a view remembers of the grid: columns in display order with their visibility (and width),
 * the sort, and the filters as the grid sends them to review.page.
 */
export const SavedViewState = z
  .object({
    columns: z
      .array(z.object({ colId: z.string().min(1).max(64), hide: z.boolean().default(false), width: z.number().int().min(10).max(2000).optional() }).strict())
      .max(100),
    sort: z.array(z.object({ field: z.string().min(1).max(64), dir: z.enum(['asc', 'desc']) }).strict()).max(3).default([]),
    filter: z.record(z.string().max(40), z.unknown()).default({}),
  })
  .strict();
export type SavedViewState = z.output<typeof SavedViewState>;

const ViewName = z.string().trim().min(1, 'a view needs a name').max(80);

export interface SavedView {
  id: number;
  name: string;
  state: SavedViewState;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

const target = (recId: number, name: string) => `view:${recId}:${name}`;

function toView(r: SavedViewRow): SavedView {
  return { id: r.id, name: r.name, state: SavedViewState.parse(JSON.parse(r.stateJson)), createdBy: r.createdBy, createdAt: r.createdAt, updatedBy: r.updatedBy, updatedAt: r.updatedAt };
}

function requireRec(db: Db, reconciliation: string): number {
  const rec = findReconciliation(db, reconciliation);
  if (!rec) throw new TieoutError('not_found', `No reconciliation named "${reconciliation}"`);
  return rec.id;
}

export function listViews(db: Db, reconciliation: string): SavedView[] {
  return listSavedViewRows(db, requireRec(db, reconciliation)).map(toView);
}

/** Saves a view under a name; saving over an existing name replaces its layout (both are audited). */
export function saveView(db: Db, reconciliation: string, name: string, state: unknown, actor: string, now: Date = new Date()): SavedView {
  const n = ViewName.safeParse(name);
  if (!n.success) throw TieoutError.fromZod(n.error, 'bad_input', 'view name');
  const s = SavedViewState.safeParse(state);
  if (!s.success) throw TieoutError.fromZod(s.error, 'bad_input', 'view');
  const at = now.toISOString();
  return db.transaction(() => {
    requireUser(db, actor);
    const recId = requireRec(db, reconciliation);
    const stateJson = JSON.stringify(s.data);
    const old = findSavedViewRow(db, recId, n.data);
    if (old) updateSavedView(db, old.id, { stateJson, actor, at });
    else insertSavedView(db, { reconciliationId: recId, name: n.data, stateJson, actor, at });
    appendAuditEvent(db, { actor, action: 'view.save', target: target(recId, n.data), before: old ? JSON.parse(old.stateJson) : null, after: s.data }, at);
    return toView(findSavedViewRow(db, recId, n.data)!);
  }).immediate();
}

/** Removes a view from the list; the row stays, marked deleted, and the name is free again. */
export function deleteView(db: Db, reconciliation: string, name: string, actor: string, now: Date = new Date()): { deleted: string } {
  const at = now.toISOString();
  return db.transaction(() => {
    requireUser(db, actor);
    const recId = requireRec(db, reconciliation);
    const old = findSavedViewRow(db, recId, name);
    if (!old) throw new TieoutError('not_found', `No saved view named "${name}"`);
    markSavedViewDeleted(db, old.id, at);
    appendAuditEvent(db, { actor, action: 'view.delete', target: target(recId, name), before: JSON.parse(old.stateJson), after: null }, at);
    return { deleted: name };
  }).immediate();
}
