import type { ReviewRowData } from './review-rows.js';
import type { Db } from './open.js';
import { runTable } from './run-tables.js';

/**
 * Read-only SQL for audit packets. Every value is bound; the few dynamic pieces (IN lists,
 * optional filters) are built from `?` placeholders only.
 */

export interface PacketRunRow {
  runId: number;
  reconciliationId: number;
  reconciliation: string;
  ruleSetVersionId: number;
  ruleSetVersion: number;
  rulesJson: string;
  rulesSha256: string;
  rulesCreatedAt: string;
  rulesCreatedBy: string;
  engineVersion: string;
  actor: string;
  startedAt: string;
  finishedAt: string;
  resultSha256: string;
}

const RUN_SELECT = `
  SELECT r.id AS runId, r.reconciliation_id AS reconciliationId, c.name AS reconciliation, r.rule_set_version_id AS ruleSetVersionId,
         v.version AS ruleSetVersion, v.rules_json AS rulesJson, v.sha256 AS rulesSha256, v.created_at AS rulesCreatedAt,
         v.created_by AS rulesCreatedBy, r.engine_version AS engineVersion, r.actor, r.started_at AS startedAt,
         r.finished_at AS finishedAt, r.result_sha256 AS resultSha256
    FROM run r
    JOIN rule_set_version v ON v.id = r.rule_set_version_id
    JOIN reconciliation c ON c.id = r.reconciliation_id`;

export function packetRunById(db: Db, runId: number): PacketRunRow | undefined {
  return db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(runId) as PacketRunRow | undefined;
}

/** The latest run of each reconciliation (or of the one named), in reconciliation order. */
export function latestPacketRuns(db: Db, reconciliation?: string): PacketRunRow[] {
  const latest = `r.id IN (SELECT MAX(id) FROM run GROUP BY reconciliation_id)`;
  return (
    reconciliation === undefined
      ? db.prepare(`${RUN_SELECT} WHERE ${latest} ORDER BY c.id`).all()
      : db.prepare(`${RUN_SELECT} WHERE ${latest} AND c.name = ? ORDER BY c.id`).all(reconciliation)
  ) as PacketRunRow[];
}

export function reconciliationExists(db: Db, name: string): boolean {
  return db.prepare('SELECT 1 FROM reconciliation WHERE name = ?').get(name) !== undefined;
}

// ---------------------------------------------------------------- run inputs and results

export interface PacketInputRow {
  recordId: number;
  side: 'left' | 'right';
  source: string;
  fieldsJson: string;
  currency: string | null;
  batchId: number;
  fileSha256: string;
  rowNumber: number;
  /** Set when the record is an analyst's correction of another record (an adjust override). */
  adjustedFrom: number | null;
  adjustedBy: number | null;
}

/**
 * Every input record of a run (its members), side then record id. Each text value read costs
 * better-sqlite3 a new string, so the rows carry ids: the source name and file hash come from
 * their batch, read once. Iterating 2M records took 22.0 and 25.4 s with them (and unused
 * columns) on every row as row objects, 12.6 and 9.8 s like this (alternating runs).
 */
export function* iteratePacketInputs(db: Db, runId: number): Generator<PacketInputRow> {
  const batches = new Map(
    (db.prepare('SELECT b.id, s.name, b.sha256 FROM batch b JOIN source s ON s.id = b.source_id').raw().all() as [number, string, string][]).map(([id, source, sha]) => [id, { source, sha }]),
  );
  const members = runTable(db, runId, 'member').name;
  // One side at a time, each in the members' key order: ordering both sides at once sorted
  // every record's fields in a temporary b-tree (8.9 s for 2M records, against 3.7 s).
  const side = db
    .prepare(
      `SELECT m.record_id, r.fields_json, r.currency, r.batch_id, r.row_number, a.original_id, a.override_id
         FROM ${members} m
         JOIN record r ON r.id = m.record_id
         LEFT JOIN record_adjustment a ON a.record_id = r.id
        WHERE m.run_id = ? AND m.side = ? ORDER BY m.record_id`,
    )
    .raw();
  for (const s of ['left', 'right'] as const) {
    for (const [recordId, fieldsJson, currency, batchId, rowNumber, adjustedFrom, adjustedBy] of side.iterate(runId, s) as Iterable<
      [number, string, string | null, number, number, number | null, number | null]
    >) {
      const batch = batches.get(batchId)!;
      yield { recordId, side: s, source: batch.source, fieldsJson, currency, batchId, fileSha256: batch.sha, rowNumber, adjustedFrom, adjustedBy };
    }
  }
}

export interface PacketGroupRow {
  groupId: string;
  pass: string;
  passKind: string;
  status: 'matched' | 'suggested';
  score: number | null;
  leftAmountMinor: number | null;
  rightAmountMinor: number | null;
  currency: string | null;
}

export function packetGroups(db: Db, runId: number): PacketGroupRow[] {
  const rows = db
    .prepare(
      `SELECT group_id, pass, pass_kind, status, score, left_amount_minor, right_amount_minor, currency
         FROM match_group WHERE run_id = ? ORDER BY group_id`,
    )
    .raw()
    .all(runId) as [string, string, string, PacketGroupRow['status'], number | null, number | null, number | null, string | null][];
  // Raw rows made into objects here: 922k groups took 4.7 s, against 7.3 s as better-sqlite3's row objects.
  return rows.map(([groupId, pass, passKind, status, score, leftAmountMinor, rightAmountMinor, currency]) => ({ groupId, pass, passKind, status, score, leftAmountMinor, rightAmountMinor, currency }));
}

export interface PacketExceptionRow {
  exceptionId: string;
  class: string;
  groupId: string | null;
  pass: string | null;
  amountMinor: number;
  currency: string;
  detail: string;
}

export function packetExceptions(db: Db, runId: number): PacketExceptionRow[] {
  return db
    .prepare(
      `SELECT exception_id AS exceptionId, class, group_id AS groupId, pass, amount_minor AS amountMinor, currency, detail
         FROM run_exception WHERE run_id = ? ORDER BY exception_id`,
    )
    .all(runId) as PacketExceptionRow[];
}

/** A run's members, one at a time (a million-line run has two million). */
export function* iteratePacketMembers(db: Db, runId: number): Generator<{ recordId: number; side: 'left' | 'right'; groupId: string | null; exceptionId: string | null }> {
  const side = db.prepare(`SELECT record_id, group_id, exception_id FROM ${runTable(db, runId, 'member').name} WHERE run_id = ? AND side = ? ORDER BY record_id`).raw();
  for (const s of ['left', 'right'] as const) {
    for (const [recordId, groupId, exceptionId] of side.iterate(runId, s) as Iterable<[number, string | null, string | null]>) yield { recordId, side: s, groupId, exceptionId };
  }
}

export function packetFxRates(db: Db): { from: string; to: string; rate: string; date: string | null }[] {
  return db.prepare('SELECT from_ccy AS "from", to_ccy AS "to", rate, rate_date AS date FROM fx_rate ORDER BY id').all() as {
    from: string;
    to: string;
    rate: string;
    date: string | null;
  }[];
}

// ---------------------------------------------------------------- review rows (matches, exceptions)

export interface PacketRowFilter {
  /** 'YYYY-MM': a row is in the period when either side's date falls in that month. */
  period?: string | undefined;
  status?: string[] | undefined;
  class?: string[] | undefined;
  /** Substring of either side's counterparty. */
  vendor?: string | undefined;
  /** Substring of any text column, as in the review grid. */
  text?: string | undefined;
}

export interface PacketReviewRow extends ReviewRowData {
  runId: number;
  detail: string | null;
  itemStatus: string | null;
  ownerId: string | null;
  ownerName: string | null;
  claimedBy: string | null;
  itemCreatedAt: string | null;
  dueAt: string | null;
  resolution: string | null;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The WHERE clause (over the review table as `w`) and its parameters for a packet's scope filter. */
function reviewFilter(runId: number, f: PacketRowFilter): { where: string; params: unknown[] } {
  const where = ['w.run_id = ?'];
  const params: unknown[] = [runId];
  const inList = (col: string, values: string[] | undefined) => {
    if (!values || values.length === 0) return;
    where.push(`${col} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  inList('w.status', f.status);
  inList('w.class', f.class);
  if (f.period) {
    where.push("(substr(w.left_date, 1, 7) = ? OR substr(w.right_date, 1, 7) = ?)");
    params.push(f.period, f.period);
  }
  if (f.vendor) {
    where.push("(w.left_party LIKE ? ESCAPE '\\' OR w.right_party LIKE ? ESCAPE '\\')");
    const like = `%${escapeLike(f.vendor)}%`;
    params.push(like, like);
  }
  if (f.text) {
    const cols = ['w.row_id', 'w.key_text', 'w.left_ref', 'w.left_party', 'w.left_desc', 'w.right_ref', 'w.right_party', 'w.right_desc'];
    where.push(`(${cols.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    const like = `%${escapeLike(f.text)}%`;
    params.push(...cols.map(() => like));
  }
  return { where: where.join(' AND '), params };
}

/**
 * Review rows of one kind of a run in the scope's filter, with the review item (owner, status,
 * resolution) where there is one, one at a time: a million-group run's rows held at once took
 * gigabytes. The iterator holds the connection until it is finished or closed.
 */
export function iteratePacketReviewRows(db: Db, runId: number, reconciliationId: number, f: PacketRowFilter, kind: 'group' | 'exception'): IterableIterator<PacketReviewRow> {
  const { where, params } = reviewFilter(runId, f);
  return db
    .prepare(
      `SELECT w.run_id AS runId, w.row_id AS rowId, w.kind, w.status, w.class, w.pass, w.score, w.left_count AS leftCount, w.right_count AS rightCount,
              w.key_text AS keyText, w.left_ref AS leftRef, w.left_amount AS leftAmount, w.left_date AS leftDate, w.left_party AS leftParty,
              w.left_desc AS leftDesc, w.right_ref AS rightRef, w.right_amount AS rightAmount, w.right_date AS rightDate,
              w.right_party AS rightParty, w.right_desc AS rightDesc, w.currency, w.delta_amount AS deltaAmount, w.delta_days AS deltaDays,
              w.amount_at_risk AS amountAtRisk, e.detail, i.status AS itemStatus, i.owner AS ownerId, u.name AS ownerName,
              i.claimed_by AS claimedBy, i.created_at AS itemCreatedAt, i.due_at AS dueAt, i.resolution
         FROM ${runTable(db, runId, 'review').name} w
         LEFT JOIN review_item i ON i.reconciliation_id = ? AND i.item_id = w.row_id
         LEFT JOIN app_user u ON u.id = i.owner
         LEFT JOIN run_exception e ON e.run_id = w.run_id AND e.exception_id = w.row_id
        WHERE w.kind = ? AND ${where}
        ORDER BY w.status, w.class, w.row_id`,
    )
    .iterate(reconciliationId, kind, ...params) as IterableIterator<PacketReviewRow>;
}

export interface PacketReviewTotal {
  status: string;
  class: string | null;
  currency: string | null;
  rows: number;
  leftCount: number;
  rightCount: number;
  leftAmount: number;
  rightAmount: number;
  amountAtRisk: number;
}

/** Review rows in the scope's filter, counted and summed by status, class and currency (SQLite sums integers exactly). */
export function packetReviewTotals(db: Db, runId: number, f: PacketRowFilter): PacketReviewTotal[] {
  const { where, params } = reviewFilter(runId, f);
  return db
    .prepare(
      `SELECT w.status, w.class, w.currency, COUNT(*) AS rows, COALESCE(SUM(w.left_count), 0) AS leftCount, COALESCE(SUM(w.right_count), 0) AS rightCount,
              COALESCE(SUM(w.left_amount), 0) AS leftAmount, COALESCE(SUM(w.right_amount), 0) AS rightAmount, COALESCE(SUM(w.amount_at_risk), 0) AS amountAtRisk
         FROM ${runTable(db, runId, 'review').name} w
        WHERE ${where}
        GROUP BY w.status, w.class, w.currency`,
    )
    .all(...params) as PacketReviewTotal[];
}

// ---------------------------------------------------------------- overrides, approvals, sign-off

export interface PacketOverrideRow {
  id: number;
  reconciliation: string;
  type: string;
  target: string;
  amountMinor: number | null;
  currency: string | null;
  reasonCode: string | null;
  reasonLabel: string | null;
  note: string | null;
  maker: string;
  makerName: string | null;
  madeAt: string;
  status: string;
  checker: string | null;
  checkerName: string | null;
  checkedAt: string | null;
  checkNote: string | null;
  reverses: number | null;
  bulkId: string | null;
}

function idList(ids: readonly number[]): string {
  return ids.map(() => '?').join(', ') || 'NULL';
}

export function packetOverrides(db: Db, reconciliationIds: readonly number[]): PacketOverrideRow[] {
  return db
    .prepare(
      `SELECT o.id, c.name AS reconciliation, o.type, o.target, o.amount_minor AS amountMinor, o.currency, o.reason_code AS reasonCode,
              rc.label AS reasonLabel, o.note, o.maker, mu.name AS makerName, o.made_at AS madeAt, o.status, o.checker,
              cu.name AS checkerName, o.checked_at AS checkedAt, o.check_note AS checkNote, o.reverses, o.bulk_id AS bulkId
         FROM override o
         JOIN reconciliation c ON c.id = o.reconciliation_id
         LEFT JOIN reason_code rc ON rc.code = o.reason_code
         LEFT JOIN app_user mu ON mu.id = o.maker
         LEFT JOIN app_user cu ON cu.id = o.checker
        WHERE o.reconciliation_id IN (${idList(reconciliationIds)})
        ORDER BY o.id`,
    )
    .all(...reconciliationIds) as PacketOverrideRow[];
}

export interface PacketLockRow {
  id: number;
  reconciliation: string;
  period: string;
  action: string;
  actor: string;
  actorName: string | null;
  approver: string | null;
  approverName: string | null;
  reason: string | null;
  at: string;
}

export function packetPeriodLocks(db: Db, reconciliationIds: readonly number[], period?: string): PacketLockRow[] {
  const params: unknown[] = [...reconciliationIds];
  let extra = '';
  if (period !== undefined) {
    extra = ' AND p.period = ?';
    params.push(period);
  }
  return db
    .prepare(
      `SELECT p.id, c.name AS reconciliation, p.period, p.action, p.actor, au.name AS actorName, p.approver, pu.name AS approverName, p.reason, p.at
         FROM period_lock_event p
         JOIN reconciliation c ON c.id = p.reconciliation_id
         LEFT JOIN app_user au ON au.id = p.actor
         LEFT JOIN app_user pu ON pu.id = p.approver
        WHERE p.reconciliation_id IN (${idList(reconciliationIds)})${extra}
        ORDER BY p.id`,
    )
    .all(...params) as PacketLockRow[];
}

// ---------------------------------------------------------------- audit

/**
 * The last event that is not a packet export. Trailing `export.packet` events are left out of a
 * packet's audit slice so exporting an unchanged workspace again gives the same bytes.
 */
export function auditSliceEnd(db: Db, exportAction: string): { seq: number; at: string; hash: string } | undefined {
  return db
    .prepare('SELECT seq, at, hash FROM audit_event WHERE seq = (SELECT MAX(seq) FROM audit_event WHERE action <> ?)')
    .get(exportAction) as { seq: number; at: string; hash: string } | undefined;
}

// ---------------------------------------------------------------- sources

export interface PacketBatchRow {
  batchId: number;
  source: string;
  origin: string;
  fileName: string;
  fileSize: number;
  sha256: string;
  sheet: string | null;
  importedAt: string;
  importedBy: string | null;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsDuplicate: number;
  rowsNew: number;
  rowsChanged: number;
  rowsUnchanged: number;
  provenanceJson: string;
}

const BATCH_SELECT = `
  SELECT b.id AS batchId, s.name AS source, b.origin, b.file_name AS fileName, b.file_size AS fileSize, b.sha256, b.sheet,
         b.imported_at AS importedAt, b.imported_by AS importedBy, b.rows_read AS rowsRead, b.rows_accepted AS rowsAccepted,
         b.rows_rejected AS rowsRejected, b.rows_duplicate AS rowsDuplicate, b.rows_new AS rowsNew, b.rows_changed AS rowsChanged,
         b.rows_unchanged AS rowsUnchanged, b.provenance_json AS provenanceJson
    FROM batch b JOIN source s ON s.id = b.source_id`;

export function allPacketBatches(db: Db): PacketBatchRow[] {
  return db.prepare(`${BATCH_SELECT} ORDER BY b.id`).all() as PacketBatchRow[];
}

/** The batches whose records a run used, with how many of its records each gave. */
export function runBatchCounts(db: Db, runId: number): { batchId: number; records: number }[] {
  return db
    .prepare(
      `SELECT r.batch_id AS batchId, COUNT(*) AS records FROM ${runTable(db, runId, 'member').name} m JOIN record r ON r.id = m.record_id
        WHERE m.run_id = ? GROUP BY r.batch_id ORDER BY r.batch_id`,
    )
    .all(runId) as { batchId: number; records: number }[];
}

export function packetBatchesById(db: Db, batchIds: readonly number[]): PacketBatchRow[] {
  return db.prepare(`${BATCH_SELECT} WHERE b.id IN (${idList(batchIds)}) ORDER BY b.id`).all(...batchIds) as PacketBatchRow[];
}

export function packetRejectedRows(db: Db, batchIds: readonly number[]): { batchId: number; row: number; column: string | null; value: string | null; reason: string }[] {
  return db
    .prepare(
      `SELECT batch_id AS batchId, row_number AS row, column_name AS "column", value, reason FROM rejected_row
        WHERE batch_id IN (${idList(batchIds)}) ORDER BY batch_id, row_number, id`,
    )
    .all(...batchIds) as { batchId: number; row: number; column: string | null; value: string | null; reason: string }[];
}

/** A batch's stored raw rows (accepted records and rejected rows) in row order. */
export function* iterateBatchRawRows(db: Db, batchId: number): Generator<{ row: number; rawJson: string }> {
  yield* db
    .prepare(
      `SELECT row_number AS row, raw_json AS rawJson, 0 AS k, id FROM record WHERE batch_id = ?
       UNION ALL
       SELECT row_number AS row, raw_json AS rawJson, 1 AS k, id FROM rejected_row WHERE batch_id = ?
       ORDER BY row, k, id`,
    )
    .iterate(batchId, batchId) as Iterable<{ row: number; rawJson: string }>;
}

// ---------------------------------------------------------------- people

/** meta.current_user with their name, when set. */
export function packetCurrentUser(db: Db): { id: string; name: string } | undefined {
  return db
    .prepare("SELECT u.id, u.name FROM meta m JOIN app_user u ON u.id = m.value WHERE m.key = 'current_user'")
    .get() as { id: string; name: string } | undefined;
}

/** The analysts' decisions a run was given (engine 1.2 on), from its stored inputs. */
export function runDecisions(
  db: Db,
  runId: number,
): { locked: { groupId: string; left: string[]; right: string[]; changed?: string }[]; apart: { by: string; left: string[]; right: string[] }[] } | null {
  const row = db.prepare('SELECT inputs_json AS j FROM run WHERE id = ?').get(runId) as { j: string } | undefined;
  const d = row ? (JSON.parse(row.j) as { decisions?: { locked: { groupId: string; left: string[]; right: string[]; changed?: string }[]; apart: { by: string; left: string[]; right: string[] }[] } }).decisions : undefined;
  // Only what the engine reads: the workspace's own bookkeeping (override ids) stays out of the packet.
  return d ? { locked: d.locked.map(({ groupId, left, right, changed }) => ({ groupId, left, right, ...(changed !== undefined && { changed }) })), apart: d.apart.map(({ by, left, right }) => ({ by, left, right })) } : null;
}
