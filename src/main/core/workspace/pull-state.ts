import { TieoutError } from '../../../shared/error.js';
import { appendAuditEvent } from './audit-log.js';
import type { Db } from './open.js';

/** SQL for API pull watermarks (table `pull_state`, migration 004). */

export type Watermark = string | number;

export interface PullState {
  sourceId: number;
  connector: string;
  /** The incremental field the watermark is a value of. */
  field: string;
  watermark: Watermark | null;
  batchId: number | null;
  updatedAt: string;
  updatedBy: string;
}

export interface NewPullState {
  sourceId: number;
  connector: string;
  field: string;
  watermark: Watermark | null;
  batchId: number | null;
  actor: string;
  at: string;
}

export function hasPullStateTable(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pull_state'").get() !== undefined;
}

function requireTable(db: Db): void {
  if (!hasPullStateTable(db)) throw new TieoutError('internal', 'This workspace has no pull_state table (migration 004-pull is not applied)');
}

export function getPullState(db: Db, sourceId: number, connector: string): PullState | undefined {
  requireTable(db);
  const r = db
    .prepare('SELECT source_id, connector, field, watermark_json, batch_id, updated_at, updated_by FROM pull_state WHERE source_id = ? AND connector = ?')
    .get(sourceId, connector) as
    | { source_id: number; connector: string; field: string; watermark_json: string | null; batch_id: number | null; updated_at: string; updated_by: string }
    | undefined;
  if (!r) return undefined;
  return {
    sourceId: r.source_id,
    connector: r.connector,
    field: r.field,
    watermark: r.watermark_json === null ? null : (JSON.parse(r.watermark_json) as Watermark),
    batchId: r.batch_id,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

/**
 * Stores a source's watermark for a connector, with an audit event, unless it is already stored.
 * Inside an open transaction it joins it (a savepoint); otherwise it runs in its own.
 * Returns whether anything was written.
 */
export function recordPullState(db: Db, s: NewPullState): boolean {
  requireTable(db);
  return db.transaction((): boolean => {
    const before = getPullState(db, s.sourceId, s.connector);
    const json = s.watermark === null ? null : JSON.stringify(s.watermark);
    const beforeJson = before?.watermark === null || before === undefined ? null : JSON.stringify(before.watermark);
    if (before && before.field === s.field && beforeJson === json) return false;
    db.prepare(
      `INSERT INTO pull_state (source_id, connector, field, watermark_json, batch_id, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source_id, connector) DO UPDATE SET field = excluded.field, watermark_json = excluded.watermark_json,
         batch_id = excluded.batch_id, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(s.sourceId, s.connector, s.field, json, s.batchId, s.at, s.actor);
    appendAuditEvent(
      db,
      {
        actor: s.actor,
        action: 'pull.watermark',
        target: `source:${s.sourceId}`,
        before: before ? { connector: before.connector, field: before.field, watermark: before.watermark } : null,
        after: { connector: s.connector, field: s.field, watermark: s.watermark, batchId: s.batchId },
      },
      s.at,
    );
    return true;
  })();
}
