import { eventHash, GENESIS_HASH, type ChainedEvent } from '../audit/chain.js';
import type { Db } from './open.js';

export interface NewAuditEvent {
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
  reasonCode?: string | null;
  note?: string | null;
}

interface EventRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before_json: string | null;
  after_json: string | null;
  reason_code: string | null;
  note: string | null;
  prev_hash: string;
  hash: string;
}

function toEvent(r: EventRow): ChainedEvent {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: r.before_json === null ? null : JSON.parse(r.before_json),
    after: r.after_json === null ? null : JSON.parse(r.after_json),
    reasonCode: r.reason_code,
    note: r.note,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/**
 * Appends one event. Call it inside the transaction of the change it describes,
 * so a change without its event cannot be committed.
 */
export function appendAuditEvent(db: Db, e: NewAuditEvent, at = new Date().toISOString()): ChainedEvent {
  if (!db.inTransaction) throw new Error('appendAuditEvent must run inside the transaction of the change it records');
  const head = db.prepare('SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1').get() as
    | { seq: number; hash: string }
    | undefined;
  const body = {
    seq: (head?.seq ?? 0) + 1,
    at,
    actor: e.actor,
    action: e.action,
    target: e.target,
    before: e.before ?? null,
    after: e.after ?? null,
    reasonCode: e.reasonCode ?? null,
    note: e.note ?? null,
  };
  const prevHash = head?.hash ?? GENESIS_HASH;
  const hash = eventHash(prevHash, body);
  db.prepare(
    `INSERT INTO audit_event (seq, at, actor, action, target, before_json, after_json, reason_code, note, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    body.seq,
    body.at,
    body.actor,
    body.action,
    body.target,
    body.before === null ? null : JSON.stringify(body.before),
    body.after === null ? null : JSON.stringify(body.after),
    body.reasonCode,
    body.note,
    prevHash,
    hash,
  );
  return { ...body, prevHash, hash };
}

export function* iterateAuditEvents(db: Db, fromSeq = 1): Generator<ChainedEvent> {
  const rows = db.prepare('SELECT * FROM audit_event WHERE seq >= ? ORDER BY seq').iterate(fromSeq) as Iterable<EventRow>;
  for (const r of rows) yield toEvent(r);
}

export function listAuditEvents(db: Db, opts: { target?: string; limit?: number; offset?: number } = {}): ChainedEvent[] {
  const rows = (
    opts.target
      ? db.prepare('SELECT * FROM audit_event WHERE target = ? ORDER BY seq DESC LIMIT ? OFFSET ?').all(opts.target, opts.limit ?? 200, opts.offset ?? 0)
      : db.prepare('SELECT * FROM audit_event ORDER BY seq DESC LIMIT ? OFFSET ?').all(opts.limit ?? 200, opts.offset ?? 0)
  ) as EventRow[];
  return rows.map(toEvent);
}
