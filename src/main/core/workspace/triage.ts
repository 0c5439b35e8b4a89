import type { Statement } from 'better-sqlite3';
import { bulkInserter } from './bulk-insert.js';
import type { Db } from './open.js';
import { runTable } from './run-tables.js';

/**
 * SQL for triage: people, review items, ownership rules, SLA policy, comments and the queue.
 * Every value is a bound parameter; the only SQL built at run time joins fixed fragments.
 */

// ---------------------------------------------------------------- meta

export function getMeta(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function deleteMeta(db: Db, key: string): void {
  db.prepare('DELETE FROM meta WHERE key = ?').run(key);
}

// ---------------------------------------------------------------- users

export type UserRole = 'analyst' | 'approver' | 'auditor';

export interface UserRow {
  id: string;
  name: string;
  email: string | null;
  role: UserRole;
  createdAt: string;
}

interface RawUser {
  id: string;
  name: string;
  email: string | null;
  role: UserRole;
  created_at: string;
}

const toUser = (r: RawUser): UserRow => ({ id: r.id, name: r.name, email: r.email, role: r.role, createdAt: r.created_at });

export function insertUser(db: Db, u: UserRow): void {
  db.prepare('INSERT INTO app_user (id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?)').run(u.id, u.name, u.email, u.role, u.createdAt);
}

/** In creation order, so "the first approver" is stable. */
export function listUserRows(db: Db): UserRow[] {
  return (db.prepare('SELECT * FROM app_user ORDER BY created_at, id').all() as RawUser[]).map(toUser);
}

export function findUserRow(db: Db, id: string): UserRow | undefined {
  const r = db.prepare('SELECT * FROM app_user WHERE id = ?').get(id) as RawUser | undefined;
  return r && toUser(r);
}

export function firstUserWithRole(db: Db, role: UserRole): UserRow | undefined {
  const r = db.prepare('SELECT * FROM app_user WHERE role = ? ORDER BY created_at, id LIMIT 1').get(role) as RawUser | undefined;
  return r && toUser(r);
}

export function userIdExists(db: Db, id: string): boolean {
  return db.prepare('SELECT 1 FROM app_user WHERE id = ?').get(id) !== undefined;
}

// ---------------------------------------------------------------- runs (read-only)

export interface RunRef {
  id: number;
  reconciliationId: number;
  actor: string;
}

export function findRunRef(db: Db, runId: number): RunRef | undefined {
  const r = db.prepare('SELECT id, reconciliation_id, actor FROM run WHERE id = ?').get(runId) as
    | { id: number; reconciliation_id: number; actor: string }
    | undefined;
  return r && { id: r.id, reconciliationId: r.reconciliation_id, actor: r.actor };
}

export function latestRunId(db: Db, reconciliationId: number): number | undefined {
  return (db.prepare('SELECT MAX(id) AS id FROM run WHERE reconciliation_id = ?').get(reconciliationId) as { id: number | null }).id ?? undefined;
}

export interface RunExceptionLite {
  id: string;
  class: string;
  amountMinor: number;
  currency: string;
}

/** Materialized: the caller writes while walking them, which a live cursor would not allow. */
export function listRunExceptions(db: Db, runId: number): RunExceptionLite[] {
  const rows = db.prepare('SELECT exception_id, class, amount_minor, currency FROM run_exception WHERE run_id = ? ORDER BY exception_id').raw().all(runId);
  return (rows as [string, string, number, string][]).map(([id, cls, amountMinor, currency]) => ({ id, class: cls, amountMinor, currency }));
}

export interface SuggestedGroupLite {
  id: string;
  leftAmount: number | null;
  rightAmount: number | null;
  currency: string | null;
}

export function listSuggestedGroups(db: Db, runId: number): SuggestedGroupLite[] {
  const rows = db
    .prepare("SELECT group_id, left_amount_minor, right_amount_minor, currency FROM match_group WHERE run_id = ? AND status = 'suggested' ORDER BY group_id")
    .raw()
    .all(runId);
  return (rows as [string, number | null, number | null, string | null][]).map(([id, leftAmount, rightAmount, currency]) => ({ id, leftAmount, rightAmount, currency }));
}

export interface MemberFacts {
  recordId: number;
  side: 'left' | 'right';
  source: string;
  fieldsJson: string;
}

/**
 * The records of every exception and suggested group of a run, by item id, each list in record
 * order: one query for a whole sync instead of one per new item.
 */
export function runItemMembers(db: Db, runId: number): Map<string, MemberFacts[]> {
  const m = runTable(db, runId, 'member');
  const rows = db
    .prepare(
      `SELECT e.exception_id, m.record_id, m.side, s.name, r.fields_json
         FROM run_exception e
         JOIN ${m.name} m INDEXED BY ${m.index('exception')} ON m.run_id = e.run_id AND m.exception_id = e.exception_id
         JOIN record r ON r.id = m.record_id JOIN source s ON s.id = r.source_id
        WHERE e.run_id = ?
       UNION ALL
       SELECT g.group_id, m.record_id, m.side, s.name, r.fields_json
         FROM match_group g
         JOIN ${m.name} m INDEXED BY ${m.index('group')} ON m.run_id = g.run_id AND m.group_id = g.group_id
         JOIN record r ON r.id = m.record_id JOIN source s ON s.id = r.source_id
        WHERE g.run_id = ? AND g.status = 'suggested'
       ORDER BY 2`,
    )
    .raw()
    .iterate(runId, runId) as Iterable<[string, number, 'left' | 'right', string, string]>;
  const out = new Map<string, MemberFacts[]>();
  for (const [itemId, recordId, side, source, fieldsJson] of rows) {
    const list = out.get(itemId);
    if (list) list.push({ recordId, side, source, fieldsJson });
    else out.set(itemId, [{ recordId, side, source, fieldsJson }]);
  }
  return out;
}

// ---------------------------------------------------------------- review items

export type ItemKind = 'exception' | 'suggestion';

export interface ReviewItemRow {
  reconciliationId: number;
  itemId: string;
  kind: ItemKind;
  class: string;
  status: 'open' | 'investigating' | 'pending_approval' | 'resolved' | 'written_off';
  owner: string | null;
  claimedBy: string | null;
  amountMinor: number;
  currency: string;
  firstSeenRun: number;
  lastSeenRun: number;
  createdAt: string;
  dueAt: string;
  updatedAt: string;
  resolution: string | null;
}

type RawItem = Record<string, unknown>;

export function toReviewItem(r: RawItem): ReviewItemRow {
  return {
    reconciliationId: r['reconciliation_id'] as number,
    itemId: r['item_id'] as string,
    kind: r['kind'] as ItemKind,
    class: r['class'] as string,
    status: r['status'] as ReviewItemRow['status'],
    owner: (r['owner'] as string | null) ?? null,
    claimedBy: (r['claimed_by'] as string | null) ?? null,
    amountMinor: r['amount_minor'] as number,
    currency: r['currency'] as string,
    firstSeenRun: r['first_seen_run'] as number,
    lastSeenRun: r['last_seen_run'] as number,
    createdAt: r['created_at'] as string,
    dueAt: r['due_at'] as string,
    updatedAt: r['updated_at'] as string,
    resolution: (r['resolution'] as string | null) ?? null,
  };
}

export function findReviewItem(db: Db, reconciliationId: number, itemId: string): ReviewItemRow | undefined {
  const r = db.prepare('SELECT * FROM review_item WHERE reconciliation_id = ? AND item_id = ?').get(reconciliationId, itemId) as RawItem | undefined;
  return r && toReviewItem(r);
}

/** Every review item of a reconciliation by item id: one query where a sync would look up each item. */
export function reviewItemsOf(db: Db, reconciliationId: number): Map<string, ReviewItemRow> {
  const out = new Map<string, ReviewItemRow>();
  for (const r of db.prepare('SELECT * FROM review_item WHERE reconciliation_id = ?').iterate(reconciliationId) as Iterable<RawItem>) {
    const item = toReviewItem(r);
    out.set(item.itemId, item);
  }
  return out;
}

/** Buffered multi-row insert of new review items (a first run of a big reconciliation creates 100,000s). */
export function reviewItemInserter(db: Db): { insert(i: ReviewItemRow): void; flush(): void } {
  const rows = bulkInserter(db, 'review_item', [
    'reconciliation_id', 'item_id', 'kind', 'class', 'status', 'owner', 'claimed_by', 'amount_minor', 'currency', 'first_seen_run', 'last_seen_run', 'created_at', 'due_at', 'updated_at', 'resolution',
  ]);
  return {
    insert: (i) =>
      rows.row(i.reconciliationId, i.itemId, i.kind, i.class, i.status, i.owner, i.claimedBy, i.amountMinor, i.currency, i.firstSeenRun, i.lastSeenRun, i.createdAt, i.dueAt, i.updatedAt, i.resolution),
    flush: () => rows.flush(),
  };
}

/** Columns a triage action may change; anything else stays as the run wrote it. */
const ITEM_COLUMNS = {
  class: 'class',
  status: 'status',
  owner: 'owner',
  claimedBy: 'claimed_by',
  amountMinor: 'amount_minor',
  currency: 'currency',
  lastSeenRun: 'last_seen_run',
  dueAt: 'due_at',
  updatedAt: 'updated_at',
  resolution: 'resolution',
} as const;
export type ItemPatch = Partial<Pick<ReviewItemRow, keyof typeof ITEM_COLUMNS>>;

// Patches come in a handful of shapes; preparing each shape once keeps sync and bulk loops fast.
const updateCache = new WeakMap<Db, Map<string, Statement<unknown[]>>>();

export function updateReviewItem(db: Db, reconciliationId: number, itemId: string, patch: ItemPatch): void {
  const keys = (Object.keys(patch) as (keyof typeof ITEM_COLUMNS)[]).filter((k) => patch[k] !== undefined && k in ITEM_COLUMNS).sort();
  if (keys.length === 0) return;
  const sql = `UPDATE review_item SET ${keys.map((k) => `${ITEM_COLUMNS[k]} = ?`).join(', ')} WHERE reconciliation_id = ? AND item_id = ?`;
  let cache = updateCache.get(db);
  if (!cache) updateCache.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare<unknown[]>(sql)));
  stmt.run(...keys.map((k) => patch[k] ?? null), reconciliationId, itemId);
}

/** Items not seen in `runId` that are not closed: the run cleared them. */
export function itemsMissingFromRun(db: Db, reconciliationId: number, runId: number): ReviewItemRow[] {
  return (
    db
      .prepare(
        `SELECT * FROM review_item
          WHERE reconciliation_id = ? AND last_seen_run <> ? AND status IN ('open', 'investigating', 'pending_approval')
          ORDER BY item_id`,
      )
      .all(reconciliationId, runId) as RawItem[]
  ).map(toReviewItem);
}

/** Who last sent this item for approval (the maker, who may not approve it). */
export function lastSubmitter(db: Db, target: string): string | undefined {
  const r = db
    .prepare(
      `SELECT actor FROM audit_event
        WHERE target = ? AND action = 'item.status' AND json_extract(after_json, '$.status') = 'pending_approval'
        ORDER BY seq DESC LIMIT 1`,
    )
    .get(target) as { actor: string } | undefined;
  return r?.actor;
}

// ---------------------------------------------------------------- ownership rules

export interface OwnershipRuleRow {
  id: number;
  reconciliationId: number | null;
  position: number;
  matchJson: string;
  owner: string;
}

interface RawRule {
  id: number;
  reconciliation_id: number | null;
  position: number;
  match_json: string;
  owner: string;
}

const toRule = (r: RawRule): OwnershipRuleRow => ({ id: r.id, reconciliationId: r.reconciliation_id, position: r.position, matchJson: r.match_json, owner: r.owner });

/** One scope's rules in order: a reconciliation's, or the global ones (null). */
export function listOwnershipRuleRows(db: Db, reconciliationId: number | null): OwnershipRuleRow[] {
  const rows =
    reconciliationId === null
      ? db.prepare('SELECT * FROM ownership_rule WHERE reconciliation_id IS NULL ORDER BY position, id').all()
      : db.prepare('SELECT * FROM ownership_rule WHERE reconciliation_id = ? ORDER BY position, id').all(reconciliationId);
  return (rows as RawRule[]).map(toRule);
}

export function replaceOwnershipRuleRows(db: Db, reconciliationId: number | null, rules: { matchJson: string; owner: string }[]): OwnershipRuleRow[] {
  if (reconciliationId === null) db.prepare('DELETE FROM ownership_rule WHERE reconciliation_id IS NULL').run();
  else db.prepare('DELETE FROM ownership_rule WHERE reconciliation_id = ?').run(reconciliationId);
  const ins = db.prepare('INSERT INTO ownership_rule (reconciliation_id, position, match_json, owner) VALUES (?, ?, ?, ?)');
  rules.forEach((r, i) => ins.run(reconciliationId, i, r.matchJson, r.owner));
  return listOwnershipRuleRows(db, reconciliationId);
}

// ---------------------------------------------------------------- SLA policy

export function listSlaPolicyRows(db: Db): { class: string; hours: number }[] {
  return db.prepare('SELECT class, hours FROM sla_policy ORDER BY class').all() as { class: string; hours: number }[];
}

export function upsertSlaPolicy(db: Db, cls: string, hours: number): void {
  db.prepare('INSERT INTO sla_policy (class, hours) VALUES (?, ?) ON CONFLICT (class) DO UPDATE SET hours = excluded.hours').run(cls, hours);
}

export function deleteSlaPolicy(db: Db, cls: string): void {
  db.prepare('DELETE FROM sla_policy WHERE class = ?').run(cls);
}

/** Moves the due time of every not-closed item of a class to created_at + hours; returns how many. */
export function redateOpenItems(db: Db, cls: string, hours: number, updatedAt: string): number {
  return db
    .prepare(
      `UPDATE review_item SET due_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at, ? || ' hours'), updated_at = ?
        WHERE class = ? AND status IN ('open', 'investigating', 'pending_approval')`,
    )
    .run(String(hours), updatedAt, cls).changes;
}

// ---------------------------------------------------------------- comments and timeline

export interface CommentRow {
  id: number;
  target: string;
  actor: string;
  at: string;
  text: string;
}

export function insertComment(db: Db, c: Omit<CommentRow, 'id'>): number {
  return Number(db.prepare('INSERT INTO comment (target, actor, at, text) VALUES (?, ?, ?, ?)').run(c.target, c.actor, c.at, c.text).lastInsertRowid);
}

export function listComments(db: Db, target: string): CommentRow[] {
  return db.prepare('SELECT id, target, actor, at, text FROM comment WHERE target = ? ORDER BY id').all(target) as CommentRow[];
}

export interface TargetEventRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  before: unknown;
  after: unknown;
  reasonCode: string | null;
  note: string | null;
}

export function listTargetEvents(db: Db, target: string): TargetEventRow[] {
  const rows = db.prepare('SELECT seq, at, actor, action, before_json, after_json, reason_code, note FROM audit_event WHERE target = ? ORDER BY seq').all(target) as {
    seq: number;
    at: string;
    actor: string;
    action: string;
    before_json: string | null;
    after_json: string | null;
    reason_code: string | null;
    note: string | null;
  }[];
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    before: r.before_json === null ? null : JSON.parse(r.before_json),
    after: r.after_json === null ? null : JSON.parse(r.after_json),
    reasonCode: r.reason_code,
    note: r.note,
  }));
}

// ---------------------------------------------------------------- reason codes (read-only here)

export interface ReasonCodeLite {
  code: string;
  label: string;
  appliesTo: unknown;
  approval: 'never' | 'always' | 'above';
  approvalThresholdMinor: number | null;
  noteRequired: boolean;
  retiredAt: string | null;
}

export function findReasonCodeLite(db: Db, code: string): ReasonCodeLite | undefined {
  const r = db.prepare('SELECT * FROM reason_code WHERE code = ?').get(code) as Record<string, unknown> | undefined;
  if (!r) return undefined;
  let appliesTo: unknown = null;
  try {
    appliesTo = JSON.parse(r['applies_to_json'] as string);
  } catch {
    appliesTo = null;
  }
  return {
    code: r['code'] as string,
    label: r['label'] as string,
    appliesTo,
    approval: r['approval'] as ReasonCodeLite['approval'],
    approvalThresholdMinor: (r['approval_threshold_minor'] as number | null) ?? null,
    noteRequired: (r['note_required'] as number) === 1,
    retiredAt: (r['retired_at'] as string | null) ?? null,
  };
}

// ---------------------------------------------------------------- queue

/** What the queue filters on; the triage layer validates it before it gets here. */
export interface ItemQuery {
  status?: readonly string[] | undefined;
  class?: readonly string[] | undefined;
  kind?: readonly string[] | undefined;
  /** null in the list means "no owner". */
  owner?: readonly (string | null)[] | undefined;
  claimedBy?: readonly (string | null)[] | undefined;
  sla?: readonly ('ok' | 'due_soon' | 'breached')[] | undefined;
  amountMin?: number | undefined;
  amountMax?: number | undefined;
  currency?: string | undefined;
  text?: string | undefined;
  itemIds?: readonly string[] | undefined;
}

export type ItemOrder = 'urgency' | 'amount' | 'age' | 'updated' | 'class' | 'status';

const OPEN_SQL = "ri.status IN ('open', 'investigating', 'pending_approval')";
const BREACHED_SQL = `(${OPEN_SQL} AND ri.due_at <= @now)`;
// Less than a quarter of the window left <=> now is past created + 3/4 of the window (see sla.ts).
const DUE_SOON_SQL = `(${OPEN_SQL} AND ri.due_at > @now AND julianday(@now) > julianday(ri.created_at) + 0.75 * (julianday(ri.due_at) - julianday(ri.created_at)))`;

function listParam(name: string, values: readonly unknown[], params: Record<string, unknown>): string {
  return values
    .map((v, i) => {
      params[`${name}${i}`] = v;
      return `@${name}${i}`;
    })
    .join(', ');
}

function nullableIn(column: string, name: string, values: readonly (string | null)[], params: Record<string, unknown>): string {
  const named = values.filter((v): v is string => v !== null);
  const parts: string[] = [];
  if (named.length) parts.push(`${column} IN (${listParam(name, named, params)})`);
  if (values.includes(null)) parts.push(`${column} IS NULL`);
  return parts.length ? `(${parts.join(' OR ')})` : '0';
}

function whereOf(reconciliationId: number, q: ItemQuery, now: string): { sql: string; params: Record<string, unknown>; joins: boolean } {
  const params: Record<string, unknown> = { rec: reconciliationId, now };
  const where = ['ri.reconciliation_id = @rec'];
  if (q.status) where.push(q.status.length ? `ri.status IN (${listParam('st', q.status, params)})` : '0');
  if (q.class) where.push(q.class.length ? `ri.class IN (${listParam('cl', q.class, params)})` : '0');
  if (q.kind) where.push(q.kind.length ? `ri.kind IN (${listParam('kd', q.kind, params)})` : '0');
  if (q.owner) where.push(nullableIn('ri.owner', 'ow', q.owner, params));
  if (q.claimedBy) where.push(nullableIn('ri.claimed_by', 'cb', q.claimedBy, params));
  if (q.itemIds) where.push(q.itemIds.length ? `ri.item_id IN (SELECT value FROM json_each(@ids))` : '0');
  if (q.itemIds?.length) params['ids'] = JSON.stringify(q.itemIds);
  if (q.sla) {
    const parts = q.sla.map((s) => (s === 'breached' ? BREACHED_SQL : s === 'due_soon' ? DUE_SOON_SQL : `NOT (${BREACHED_SQL} OR ${DUE_SOON_SQL})`));
    where.push(parts.length ? `(${parts.join(' OR ')})` : '0');
  }
  if (q.amountMin !== undefined) (where.push('ri.amount_minor >= @amin'), (params['amin'] = q.amountMin));
  if (q.amountMax !== undefined) (where.push('ri.amount_minor <= @amax'), (params['amax'] = q.amountMax));
  if (q.currency !== undefined) (where.push('ri.currency = @ccy'), (params['ccy'] = q.currency));
  if (q.text !== undefined && q.text.trim() !== '') {
    params['text'] = `%${q.text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      `(ri.item_id LIKE @text ESCAPE '\\' OR ri.class LIKE @text ESCAPE '\\' OR e.detail LIKE @text ESCAPE '\\' OR g.pass LIKE @text ESCAPE '\\')`,
    );
  }
  return { sql: where.join(' AND '), params, joins: params['text'] !== undefined };
}

const ORDER_SQL: Record<ItemOrder, { asc: string; desc: string }> = {
  // Closed items last; among the rest the earliest due first, which puts breached items on top.
  urgency: {
    asc: `CASE WHEN ${OPEN_SQL} THEN 0 ELSE 1 END, ri.due_at, ri.item_id`,
    desc: `CASE WHEN ${OPEN_SQL} THEN 0 ELSE 1 END DESC, ri.due_at DESC, ri.item_id DESC`,
  },
  amount: { asc: 'ri.amount_minor, ri.item_id', desc: 'ri.amount_minor DESC, ri.item_id' },
  // Oldest first when ascending by age.
  age: { asc: 'ri.created_at DESC, ri.item_id', desc: 'ri.created_at, ri.item_id' },
  updated: { asc: 'ri.updated_at, ri.item_id', desc: 'ri.updated_at DESC, ri.item_id' },
  class: { asc: 'ri.class, ri.due_at, ri.item_id', desc: 'ri.class DESC, ri.due_at, ri.item_id' },
  status: { asc: 'ri.status, ri.due_at, ri.item_id', desc: 'ri.status DESC, ri.due_at, ri.item_id' },
};

const FROM_ITEMS = 'FROM review_item ri';
// The detail lives with the run's exception or group; only free text and the page need it.
const FROM_SQL = `FROM review_item ri
  LEFT JOIN run_exception e ON ri.kind = 'exception' AND e.run_id = ri.last_seen_run AND e.exception_id = ri.item_id
  LEFT JOIN match_group g ON ri.kind = 'suggestion' AND g.run_id = ri.last_seen_run AND g.group_id = ri.item_id`;

export interface QueueRow extends ReviewItemRow {
  detail: string | null;
  pass: string | null;
  score: number | null;
  ownerName: string | null;
  claimedByName: string | null;
}

export function queryItemRows(
  db: Db,
  reconciliationId: number,
  q: ItemQuery,
  now: string,
  order: ItemOrder,
  dir: 'asc' | 'desc',
  limit: number,
  offset: number,
): { total: number; rows: QueueRow[] } {
  const { sql, params, joins } = whereOf(reconciliationId, q, now);
  const total = (db.prepare(`SELECT COUNT(*) AS n ${joins ? FROM_SQL : FROM_ITEMS} WHERE ${sql}`).get(params) as { n: number }).n;
  const rows = db
    .prepare(
      `SELECT ri.*, e.detail AS detail, COALESCE(e.pass, g.pass) AS pass, g.score AS score, uo.name AS owner_name, uc.name AS claimed_by_name
       ${FROM_SQL}
       LEFT JOIN app_user uo ON uo.id = ri.owner
       LEFT JOIN app_user uc ON uc.id = ri.claimed_by
       WHERE ${sql} ORDER BY ${ORDER_SQL[order][dir]} LIMIT @limit OFFSET @offset`,
    )
    .all({ ...params, limit, offset }) as RawItem[];
  return {
    total,
    rows: rows.map((r) => ({
      ...toReviewItem(r),
      detail: (r['detail'] as string | null) ?? null,
      pass: (r['pass'] as string | null) ?? null,
      score: (r['score'] as number | null) ?? null,
      ownerName: (r['owner_name'] as string | null) ?? null,
      claimedByName: (r['claimed_by_name'] as string | null) ?? null,
    })),
  };
}

/** Every item a filter selects, in urgency order (bulk actions). */
export function selectItemRows(db: Db, reconciliationId: number, q: ItemQuery, now: string): ReviewItemRow[] {
  const { sql, params, joins } = whereOf(reconciliationId, q, now);
  return (db.prepare(`SELECT ri.* ${joins ? FROM_SQL : FROM_ITEMS} WHERE ${sql} ORDER BY ${ORDER_SQL.urgency.asc}`).all(params) as RawItem[]).map(toReviewItem);
}

// ---------------------------------------------------------------- candidates

export interface RunMembership {
  side: 'left' | 'right';
  exceptionId: string | null;
  groupId: string | null;
  class: string | null;
}

export function runMembership(db: Db, runId: number, recordId: number): RunMembership | undefined {
  const r = db
    .prepare(
      `SELECT m.side, m.exception_id, m.group_id, e.class
         FROM ${runTable(db, runId, 'member').name} m LEFT JOIN run_exception e ON e.run_id = m.run_id AND e.exception_id = m.exception_id
        WHERE m.run_id = ? AND m.record_id = ?`,
    )
    .get(runId, recordId) as { side: 'left' | 'right'; exception_id: string | null; group_id: string | null; class: string | null } | undefined;
  return r && { side: r.side, exceptionId: r.exception_id, groupId: r.group_id, class: r.class };
}

export interface CandidateRecordRow {
  recordId: number;
  source: string;
  fieldsJson: string;
  ref: string | null;
  amountMinor: number | null;
  currency: string | null;
  date: string | null;
  exceptionId: string | null;
}

const candidateSelect = (members: string) => `SELECT r.id, s.name, r.fields_json, r.record_ref, r.amount_minor, r.currency, r.record_date, m.exception_id
  FROM ${members} m JOIN record r ON r.id = m.record_id JOIN source s ON s.id = r.source_id`;

function toCandidate(row: unknown[]): CandidateRecordRow {
  const [recordId, source, fieldsJson, ref, amountMinor, currency, date, exceptionId] = row as [
    number,
    string,
    string,
    string | null,
    number | null,
    string | null,
    string | null,
    string | null,
  ];
  return { recordId, source, fieldsJson, ref, amountMinor, currency, date, exceptionId };
}

export function candidateRecord(db: Db, runId: number, recordId: number): CandidateRecordRow | undefined {
  const r = db.prepare(`${candidateSelect(runTable(db, runId, 'member').name)} WHERE m.run_id = ? AND m.record_id = ?`).raw().get(runId, recordId) as unknown[] | undefined;
  return r && toCandidate(r);
}

/** Records of one side of a run that ended as unmatched exceptions, in record order. */
export function unmatchedRecords(db: Db, runId: number, side: 'left' | 'right'): CandidateRecordRow[] {
  // Driven from the exception class index, so only the unmatched records are visited.
  const m = runTable(db, runId, 'member');
  return (
    db
      .prepare(
        `SELECT r.id, s.name, r.fields_json, r.record_ref, r.amount_minor, r.currency, r.record_date, m.exception_id
           FROM run_exception e
           JOIN ${m.name} m INDEXED BY ${m.index('exception')} ON m.run_id = e.run_id AND m.exception_id = e.exception_id
           JOIN record r ON r.id = m.record_id JOIN source s ON s.id = r.source_id
          WHERE e.run_id = ? AND e.class = ? AND m.side = ?
          ORDER BY r.id`,
      )
      .raw()
      .all(runId, side === 'left' ? 'unmatched_left' : 'unmatched_right', side) as unknown[][]
  ).map(toCandidate);
}
