import { eventHash, GENESIS_HASH, type ChainedEvent } from '../audit/chain.js';
import type { Statement } from 'better-sqlite3';
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
const statements = new WeakMap<Db, { head: Statement; insert: Statement }>();

/** Prepared once per connection: runs and bulk actions append thousands of events. */
function statementsFor(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      head: db.prepare('SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare(
        `INSERT INTO audit_event (seq, at, actor, action, target, before_json, after_json, reason_code, note, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
    statements.set(db, s);
  }
  return s;
}

export function appendAuditEvent(db: Db, e: NewAuditEvent, at = new Date().toISOString()): ChainedEvent {
  if (!db.inTransaction) throw new Error('appendAuditEvent must run inside the transaction of the change it records');
  const st = statementsFor(db);
  const head = st.head.get() as
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
  st.insert.run(
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
  // Spelled out: `{ ...body, <new keys> }` is a slow path in V8 and runs append thousands of events.
  return { seq: body.seq, at, actor: body.actor, action: body.action, target: body.target, before: body.before, after: body.after, reasonCode: body.reasonCode, note: body.note, prevHash, hash };
}

export function* iterateAuditEvents(db: Db, fromSeq = 1): Generator<ChainedEvent> {
  const rows = db.prepare('SELECT * FROM audit_event WHERE seq >= ? ORDER BY seq').iterate(fromSeq) as Iterable<EventRow>;
  for (const r of rows) yield toEvent(r);
}

export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  /** Inclusive ISO bounds on the event time. */
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** Newest first. Actor and target match exactly; action matches as a prefix ("import" finds "import.batch"). */
export function listAuditEvents(db: Db, q: AuditQuery = {}): { total: number; events: ChainedEvent[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.actor) (where.push('actor = ?'), params.push(q.actor));
  if (q.action) (where.push("action LIKE ? ESCAPE '\\'"), params.push(`${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (q.target) (where.push('target = ?'), params.push(q.target));
  if (q.from) (where.push('at >= ?'), params.push(q.from));
  if (q.to) (where.push('at <= ?'), params.push(q.to));
  const sql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM audit_event ${sql}`).get(...params) as { n: number }).n;
  const rows = db.prepare(`SELECT * FROM audit_event ${sql} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...params, q.limit ?? 200, q.offset ?? 0) as EventRow[];
  return { total, events: rows.map(toEvent) };
}
