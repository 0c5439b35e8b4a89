import type { ReviewItemRow } from './triage.js';
import type { Db } from './open.js';
import { runTable } from './run-tables.js';

/**
 * SQL for reason codes, overrides, approvals, reversals and period sign-off. Every statement binds
 * its parameters. Callers own the transaction and write the audit event inside it.
 */

// ---------------------------------------------------------------- reason codes

export interface ReasonCodeRow {
  code: string;
  label: string;
  appliesToJson: string;
  approval: 'never' | 'always' | 'above';
  approvalThresholdMinor: number | null;
  noteRequired: boolean;
  retiredAt: string | null;
  createdAt: string;
}

function toReasonCode(r: Record<string, unknown>): ReasonCodeRow {
  return {
    code: r['code'] as string,
    label: r['label'] as string,
    appliesToJson: r['applies_to_json'] as string,
    approval: r['approval'] as ReasonCodeRow['approval'],
    approvalThresholdMinor: (r['approval_threshold_minor'] as number | null) ?? null,
    noteRequired: r['note_required'] === 1,
    retiredAt: (r['retired_at'] as string | null) ?? null,
    createdAt: r['created_at'] as string,
  };
}

export function selectReasonCodes(db: Db): ReasonCodeRow[] {
  return (db.prepare('SELECT * FROM reason_code ORDER BY code').all() as Record<string, unknown>[]).map(toReasonCode);
}

export function selectReasonCode(db: Db, code: string): ReasonCodeRow | undefined {
  const r = db.prepare('SELECT * FROM reason_code WHERE code = ?').get(code) as Record<string, unknown> | undefined;
  return r && toReasonCode(r);
}

export function insertReasonCode(db: Db, r: ReasonCodeRow): void {
  db.prepare(
    `INSERT INTO reason_code (code, label, applies_to_json, approval, approval_threshold_minor, note_required, retired_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.code, r.label, r.appliesToJson, r.approval, r.approvalThresholdMinor, r.noteRequired ? 1 : 0, r.retiredAt, r.createdAt);
}

export function updateReasonCode(db: Db, r: Omit<ReasonCodeRow, 'createdAt' | 'retiredAt'>): void {
  db.prepare('UPDATE reason_code SET label = ?, applies_to_json = ?, approval = ?, approval_threshold_minor = ?, note_required = ? WHERE code = ?').run(
    r.label,
    r.appliesToJson,
    r.approval,
    r.approvalThresholdMinor,
    r.noteRequired ? 1 : 0,
    r.code,
  );
}

export function setReasonCodeRetired(db: Db, code: string, at: string): void {
  db.prepare('UPDATE reason_code SET retired_at = ? WHERE code = ?').run(at, code);
}

// ---------------------------------------------------------------- runs, groups, exceptions, records

export function latestRunId(db: Db, reconciliationId: number): number | undefined {
  return (db.prepare('SELECT MAX(id) AS id FROM run WHERE reconciliation_id = ?').get(reconciliationId) as { id: number | null }).id ?? undefined;
}

export interface MemberRow {
  recordId: number;
  side: 'left' | 'right';
  groupId: string | null;
  exceptionId: string | null;
}

const MEMBER_COLUMNS = 'record_id AS recordId, side, group_id AS groupId, exception_id AS exceptionId';

export function selectMember(db: Db, runId: number, recordId: number): MemberRow | undefined {
  return db.prepare(`SELECT ${MEMBER_COLUMNS} FROM ${runTable(db, runId, 'member').name} WHERE run_id = ? AND record_id = ?`).get(runId, recordId) as MemberRow | undefined;
}

// Without table statistics SQLite picks the primary key (run_id, record_id) here and scans the
// whole run for each group or exception (as review-rows.ts notes too): name the index.
export function selectGroupMembers(db: Db, runId: number, groupId: string): MemberRow[] {
  const t = runTable(db, runId, 'member');
  return db.prepare(`SELECT ${MEMBER_COLUMNS} FROM ${t.name} INDEXED BY ${t.index('group')} WHERE run_id = ? AND group_id = ? ORDER BY side, record_id`).all(runId, groupId) as MemberRow[];
}

export function selectExceptionMembers(db: Db, runId: number, exceptionId: string): MemberRow[] {
  const t = runTable(db, runId, 'member');
  return db.prepare(`SELECT ${MEMBER_COLUMNS} FROM ${t.name} INDEXED BY ${t.index('exception')} WHERE run_id = ? AND exception_id = ? ORDER BY side, record_id`).all(runId, exceptionId) as MemberRow[];
}

export interface GroupRow {
  runId: number;
  groupId: string;
  pass: string;
  passKind: string;
  status: 'matched' | 'suggested';
  score: number | null;
  leftCount: number;
  rightCount: number;
  leftAmountMinor: number | null;
  rightAmountMinor: number | null;
  currency: string | null;
  explanationJson: string;
}

export function selectGroup(db: Db, runId: number, groupId: string): GroupRow | undefined {
  return db
    .prepare(
      `SELECT run_id AS runId, group_id AS groupId, pass, pass_kind AS passKind, status, score, left_count AS leftCount, right_count AS rightCount,
              left_amount_minor AS leftAmountMinor, right_amount_minor AS rightAmountMinor, currency, explanation_json AS explanationJson
         FROM match_group WHERE run_id = ? AND group_id = ?`,
    )
    .get(runId, groupId) as GroupRow | undefined;
}

/** Group ids of a run with the given pass kind (e.g. 'locked'). */
export function selectGroupIdsByKind(db: Db, runId: number, passKind: string): string[] {
  return (db.prepare('SELECT group_id AS g FROM match_group WHERE run_id = ? AND pass_kind = ? ORDER BY group_id').all(runId, passKind) as { g: string }[]).map((r) => r.g);
}

export interface ExceptionRow {
  runId: number;
  exceptionId: string;
  class: string;
  groupId: string | null;
  pass: string | null;
  amountMinor: number;
  currency: string;
  detail: string;
  explanationJson: string | null;
}

export function selectException(db: Db, runId: number, exceptionId: string): ExceptionRow | undefined {
  return db
    .prepare(
      `SELECT run_id AS runId, exception_id AS exceptionId, class, group_id AS groupId, pass, amount_minor AS amountMinor, currency, detail,
              explanation_json AS explanationJson
         FROM run_exception WHERE run_id = ? AND exception_id = ?`,
    )
    .get(runId, exceptionId) as ExceptionRow | undefined;
}

export interface RecordInfoRow {
  id: number;
  source: string;
  ref: string | null;
  amountMinor: number | null;
  currency: string | null;
  date: string | null;
}

export function selectRecordInfo(db: Db, ids: readonly number[]): RecordInfoRow[] {
  const stmt = db.prepare(
    `SELECT r.id, s.name AS source, r.record_ref AS ref, r.amount_minor AS amountMinor, r.currency, r.record_date AS date
       FROM record r JOIN source s ON s.id = r.source_id WHERE r.id = ?`,
  );
  const out: RecordInfoRow[] = [];
  for (const id of ids) {
    const r = stmt.get(id) as RecordInfoRow | undefined;
    if (r) out.push(r);
  }
  return out;
}

/** Source name and fields of a record, for ownership rules. */
export function selectRecordFacts(db: Db, id: number): { source: string; fieldsJson: string } | undefined {
  return db.prepare('SELECT s.name AS source, r.fields_json AS fieldsJson FROM record r JOIN source s ON s.id = r.source_id WHERE r.id = ?').get(id) as
    | { source: string; fieldsJson: string }
    | undefined;
}

// ---------------------------------------------------------------- review items

/** The review item as the triage layer stores it. */
export type ItemRow = ReviewItemRow;

export function selectItem(db: Db, reconciliationId: number, itemId: string): ItemRow | undefined {
  return db
    .prepare(
      `SELECT reconciliation_id AS reconciliationId, item_id AS itemId, kind, class, status, owner, claimed_by AS claimedBy,
              amount_minor AS amountMinor, currency, first_seen_run AS firstSeenRun, last_seen_run AS lastSeenRun,
              created_at AS createdAt, due_at AS dueAt, updated_at AS updatedAt, resolution
         FROM review_item WHERE reconciliation_id = ? AND item_id = ?`,
    )
    .get(reconciliationId, itemId) as ItemRow | undefined;
}

export function updateItemState(
  db: Db,
  reconciliationId: number,
  itemId: string,
  s: { status: string; class: string; resolution: string | null; updatedAt: string; lastSeenRun?: number; clearClaim?: boolean },
): void {
  db.prepare(
    `UPDATE review_item SET status = ?, class = ?, resolution = ?, updated_at = ?, last_seen_run = COALESCE(?, last_seen_run),
            claimed_by = CASE WHEN ? THEN NULL ELSE claimed_by END
      WHERE reconciliation_id = ? AND item_id = ?`,
  ).run(s.status, s.class, s.resolution, s.updatedAt, s.lastSeenRun ?? null, s.clearClaim ? 1 : 0, reconciliationId, itemId);
}

export function insertItem(db: Db, i: Omit<ItemRow, 'claimedBy'>): void {
  db.prepare(
    `INSERT INTO review_item (reconciliation_id, item_id, kind, class, status, owner, amount_minor, currency, first_seen_run, last_seen_run,
        created_at, due_at, updated_at, resolution)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(i.reconciliationId, i.itemId, i.kind, i.class, i.status, i.owner, i.amountMinor, i.currency, i.firstSeenRun, i.lastSeenRun, i.createdAt, i.dueAt, i.updatedAt, i.resolution);
}

// ---------------------------------------------------------------- overrides

export type OverrideStatusValue = 'pending_approval' | 'applied' | 'rejected' | 'reversed';

export interface OverrideRow {
  id: number;
  reconciliationId: number;
  type: string;
  target: string;
  payloadJson: string;
  amountMinor: number | null;
  currency: string | null;
  reasonCode: string | null;
  note: string | null;
  maker: string;
  madeAt: string;
  status: OverrideStatusValue;
  checker: string | null;
  checkedAt: string | null;
  checkNote: string | null;
  reverses: number | null;
  bulkId: string | null;
  beforeJson: string | null;
  afterJson: string | null;
}

const OVERRIDE_COLUMNS = `id, reconciliation_id AS reconciliationId, type, target, payload_json AS payloadJson, amount_minor AS amountMinor, currency,
  reason_code AS reasonCode, note, maker, made_at AS madeAt, status, checker, checked_at AS checkedAt, check_note AS checkNote, reverses,
  bulk_id AS bulkId, before_json AS beforeJson, after_json AS afterJson`;

export function insertOverride(db: Db, o: Omit<OverrideRow, 'id'>): number {
  return Number(
    db
      .prepare(
        `INSERT INTO override (reconciliation_id, type, target, payload_json, amount_minor, currency, reason_code, note, maker, made_at, status,
            checker, checked_at, check_note, reverses, bulk_id, before_json, after_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        o.reconciliationId, o.type, o.target, o.payloadJson, o.amountMinor, o.currency, o.reasonCode, o.note, o.maker, o.madeAt, o.status,
        o.checker, o.checkedAt, o.checkNote, o.reverses, o.bulkId, o.beforeJson, o.afterJson,
      ).lastInsertRowid,
  );
}

export function selectOverride(db: Db, id: number): OverrideRow | undefined {
  return db.prepare(`SELECT ${OVERRIDE_COLUMNS} FROM override WHERE id = ?`).get(id) as OverrideRow | undefined;
}

export interface OverrideFilter {
  reconciliationId?: number | undefined;
  status?: OverrideStatusValue | undefined;
  type?: string | undefined;
  target?: string | undefined;
  bulkId?: string | undefined;
  /** Overrides with an effect on this review item. */
  itemId?: string | undefined;
}

export function selectOverrides(db: Db, f: OverrideFilter = {}): OverrideRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.reconciliationId !== undefined) (where.push('reconciliation_id = ?'), params.push(f.reconciliationId));
  if (f.status !== undefined) (where.push('status = ?'), params.push(f.status));
  if (f.type !== undefined) (where.push('type = ?'), params.push(f.type));
  if (f.target !== undefined) (where.push('target = ?'), params.push(f.target));
  if (f.bulkId !== undefined) (where.push('bulk_id = ?'), params.push(f.bulkId));
  // Matched in SQLite's JSON reader: an item's overrides are few, the reconciliation's many.
  if (f.itemId !== undefined) (where.push("EXISTS (SELECT 1 FROM json_each(payload_json, '$.effects') e WHERE e.value ->> 'itemId' = ?)"), params.push(f.itemId));
  const sql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  return db.prepare(`SELECT ${OVERRIDE_COLUMNS} FROM override ${sql} ORDER BY id`).all(...params) as OverrideRow[];
}

export function updateOverrideDecision(
  db: Db,
  id: number,
  d: { status: OverrideStatusValue; checker: string; checkedAt: string; checkNote: string; afterJson: string | null },
): void {
  db.prepare('UPDATE override SET status = ?, checker = ?, checked_at = ?, check_note = ?, after_json = ? WHERE id = ?').run(
    d.status,
    d.checker,
    d.checkedAt,
    d.checkNote,
    d.afterJson,
    id,
  );
}

export function setOverrideStates(db: Db, id: number, beforeJson: string | null, afterJson: string | null): void {
  db.prepare('UPDATE override SET before_json = ?, after_json = ? WHERE id = ?').run(beforeJson, afterJson, id);
}

export function setOverrideStatus(db: Db, id: number, status: OverrideStatusValue): void {
  db.prepare('UPDATE override SET status = ? WHERE id = ?').run(status, id);
}

// ---------------------------------------------------------------- period locks

export interface LockEventRow {
  id: number;
  reconciliationId: number;
  period: string;
  action: 'sign_off' | 'unlock';
  actor: string;
  approver: string | null;
  reason: string | null;
  at: string;
}

const LOCK_COLUMNS = 'id, reconciliation_id AS reconciliationId, period, action, actor, approver, reason, at';

export function latestLockEvent(db: Db, reconciliationId: number, period: string): LockEventRow | undefined {
  return db.prepare(`SELECT ${LOCK_COLUMNS} FROM period_lock_event WHERE reconciliation_id = ? AND period = ? ORDER BY id DESC LIMIT 1`).get(reconciliationId, period) as
    | LockEventRow
    | undefined;
}

export function selectLockEvents(db: Db, reconciliationId: number): LockEventRow[] {
  return db.prepare(`SELECT ${LOCK_COLUMNS} FROM period_lock_event WHERE reconciliation_id = ? ORDER BY id`).all(reconciliationId) as LockEventRow[];
}

/** Periods whose latest event is a sign-off. */
export function selectLockedPeriods(db: Db, reconciliationId: number): string[] {
  return (
    db
      .prepare(
        `SELECT e.period AS p FROM period_lock_event e
          WHERE e.reconciliation_id = ? AND e.action = 'sign_off'
            AND e.id = (SELECT MAX(id) FROM period_lock_event x WHERE x.reconciliation_id = e.reconciliation_id AND x.period = e.period)
          ORDER BY e.period`,
      )
      .all(reconciliationId) as { p: string }[]
  ).map((r) => r.p);
}

export function insertLockEvent(db: Db, e: Omit<LockEventRow, 'id'>): number {
  return Number(
    db
      .prepare('INSERT INTO period_lock_event (reconciliation_id, period, action, actor, approver, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(e.reconciliationId, e.period, e.action, e.actor, e.approver, e.reason, e.at).lastInsertRowid,
  );
}

/** Distinct 'YYYY-MM' months of the records' dates; records without a date have none. */
export function selectRecordPeriods(db: Db, ids: readonly number[]): string[] {
  const stmt = db.prepare('SELECT substr(record_date, 1, 7) AS p FROM record WHERE id = ? AND record_date IS NOT NULL');
  const out = new Set<string>();
  for (const id of ids) {
    const r = stmt.get(id) as { p: string } | undefined;
    if (r) out.add(r.p);
  }
  return [...out].sort();
}

/** The 'YYYY-MM' months a reconciliation's current records are dated in, with how many records each. */
export function selectReconciliationPeriods(db: Db, reconciliationId: number): { period: string; records: number }[] {
  return db
    .prepare(
      `SELECT substr(r.record_date, 1, 7) AS period, COUNT(*) AS records
         FROM record r
        WHERE r.is_current = 1 AND r.record_date IS NOT NULL
          AND r.source_id IN (SELECT source_id FROM reconciliation_side WHERE reconciliation_id = ?)
        GROUP BY period ORDER BY period`,
    )
    .all(reconciliationId) as { period: string; records: number }[];
}
