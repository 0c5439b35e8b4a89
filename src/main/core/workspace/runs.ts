import { TieoutError } from '../../../shared/error.js';
import type { ExplanationTemplates, PackedExplanation } from '../engine/index.js';
import { bulkInserter } from './bulk-insert.js';
import { createRunTable, runTable } from './run-tables.js';
import { bulkWriteMode, type Db } from './open.js';

/** SQL for runs and their results. A run is written once and never updated. */

export interface RunInputRecord {
  id: number;
  sourceId: number;
  fieldsJson: string;
  currency: string | null;
  amountMinor: number | null;
  ref: string | null;
  date: string | null;
}

/** The templates a run's explanations refer to; null for runs saved before there were any (schema 9). */
export function explanationTemplates(db: Db, runId: number): ExplanationTemplates | null {
  const json = db.prepare('SELECT explanation_templates_json FROM run WHERE id = ?').pluck().get(runId) as string | null | undefined;
  return json ? (JSON.parse(json) as ExplanationTemplates) : null;
}

/** Current records of the given sources, in id order. */
export function* iterateRunInputs(db: Db, sourceIds: number[]): Generator<RunInputRecord> {
  for (const sourceId of sourceIds) {
    for (const [id, , fieldsJson, currency, amountMinor, ref, date] of runInputRows(db, sourceId)) yield { id, sourceId, fieldsJson, currency, amountMinor, ref, date };
  }
}

/** [id, batch_id, fields_json, currency, amount_minor, record_ref, record_date] of a source's current records. */
export type RunInputRow = [number, number, string, string | null, number | null, string | null, string | null];

/**
 * Current records of one source in id order, as raw rows: a run reads millions of them, and an
 * object per row (and a generator step) costs more than reading them.
 */
export function runInputRows(db: Db, sourceId: number): Iterable<RunInputRow> {
  return db
    .prepare('SELECT id, batch_id, fields_json, currency, amount_minor, record_ref, record_date FROM record WHERE source_id = ? AND is_current = 1 ORDER BY id')
    .raw()
    .iterate(sourceId) as Iterable<RunInputRow>;
}

/**
 * A run's input batches, with their hashes: the batches of these sources (in this order, then by
 * id) that gave the run records, and how many each gave. The counts come from the records the run
 * read, not from counting the record table again, which took a scan of it per source (2.5 s at 1M buys).
 */
export function inputBatches(
  db: Db,
  sourceIds: number[],
  recordsByBatch: ReadonlyMap<number, number>,
): { batchId: number; sourceId: number; fileName: string; sha256: string; records: number }[] {
  const stmt = db.prepare('SELECT id AS batchId, source_id AS sourceId, file_name AS fileName, sha256 FROM batch WHERE source_id = ? ORDER BY id');
  return sourceIds.flatMap((s) =>
    (stmt.all(s) as { batchId: number; sourceId: number; fileName: string; sha256: string }[]).flatMap((b) => {
      const records = recordsByBatch.get(b.batchId) ?? 0;
      return records > 0 ? [{ ...b, records }] : [];
    }),
  );
}

export interface NewRun {
  reconciliationId: number;
  ruleSetVersionId: number;
  engineVersion: string;
  actor: string;
  startedAt: string;
  finishedAt: string;
  inputs: unknown;
  stats: unknown;
  resultSha256: string;
  /** What the run's explanations refer to (engine/packed-explanation.ts). */
  explanationTemplates: ExplanationTemplates;
}

/**
 * Runs `write` in one IMMEDIATE transaction with foreign-key enforcement off. A run's rows
 * reference only the records it just read (never deleted: records are superseded, not removed),
 * the run row it just wrote and existing users; checking two million member rows against the
 * record table would read that whole table again, the largest single cost of saving a big run.
 */
export function writeRun<T>(db: Db, write: () => T): T {
  const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
  if (enforced) db.pragma('foreign_keys = OFF');
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = write();
      db.exec('COMMIT');
      return out;
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    if (enforced) db.pragma('foreign_keys = ON');
  }
}

/** KiB of page cache while a run reads its inputs and writes its results. */
const RUN_CACHE_KIB = 16 * 1024;

/**
 * Bulk-write mode for a run (see bulkWriteMode), and its undo. A run reads its records once, in
 * order, and appends its results to tables of its own whose indexes are built by sorting
 * (run-tables.ts), so few pages are worth keeping. On a 1M-buy run, 64 MB instead of the usual
 * 256 MB took about 200 MB off peak memory, and 16 MB another 50 MB; the save was no slower.
 */
export function runWriteMode(db: Db): () => void {
  return bulkWriteMode(db, RUN_CACHE_KIB);
}

export function insertRun(db: Db, r: NewRun): number {
  return Number(
    db
      .prepare(
        `INSERT INTO run (reconciliation_id, rule_set_version_id, engine_version, actor, started_at, finished_at, inputs_json, stats_json, result_sha256, explanation_templates_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.reconciliationId,
        r.ruleSetVersionId,
        r.engineVersion,
        r.actor,
        r.startedAt,
        r.finishedAt,
        JSON.stringify(r.inputs),
        JSON.stringify(r.stats),
        r.resultSha256,
        JSON.stringify(r.explanationTemplates),
      )
      .lastInsertRowid,
  );
}

/**
 * Buffered writers for a run's groups, exceptions and members. Callers write each table in its
 * primary-key order (group id, exception id, record id), so SQLite appends to the B-trees
 * instead of splitting pages all over them; `finish` writes what is still buffered.
 */
export function resultWriter(db: Db, runId: number) {
  const groups = bulkInserter(db, 'match_group', [
    'run_id', 'group_id', 'pass', 'pass_kind', 'status', 'score', 'left_count', 'right_count', 'left_amount_minor', 'right_amount_minor', 'currency', 'explanation_json',
  ]);
  const exceptions = bulkInserter(db, 'run_exception', ['run_id', 'exception_id', 'class', 'group_id', 'pass', 'amount_minor', 'currency', 'detail', 'explanation_json']);
  const memberTable = createRunTable(db, runId, 'member');
  const members = bulkInserter(db, memberTable.name, ['run_id', 'record_id', 'side', 'group_id', 'exception_id']);
  let membersDone = false;
  const finishMembers = () => {
    if (membersDone) return;
    members.flush();
    memberTable.buildIndexes();
    membersDone = true;
  };
  return {
    group(g: { id: string; pass: string; passKind: string; status: string; score: number | null; left: number; right: number; leftAmount: number | null; rightAmount: number | null; currency: string | null; explanation: PackedExplanation }) {
      groups.row(runId, g.id, g.pass, g.passKind, g.status, g.score, g.left, g.right, g.leftAmount, g.rightAmount, g.currency, g.explanation);
    },
    exception(e: { id: string; class: string; groupId: string | null; pass: string | null; amountMinor: number; currency: string; detail: string; explanation: PackedExplanation | undefined }) {
      exceptions.row(runId, e.id, e.class, e.groupId, e.pass, e.amountMinor, e.currency, e.detail, e.explanation ?? null);
    },
    member(recordId: number, side: 'left' | 'right', groupId: string | null, exceptionId: string | null) {
      if (membersDone) throw new TieoutError('internal', 'A member was written after the members were indexed');
      members.row(runId, recordId, side, groupId, exceptionId);
    },
    /** Writes the last members and indexes them; no member may follow. */
    finishMembers,
    finish() {
      groups.flush();
      exceptions.flush();
      finishMembers();
    },
  };
}

export interface RunRow {
  id: number;
  reconciliationId: number;
  ruleSetVersion: number;
  engineVersion: string;
  actor: string;
  startedAt: string;
  finishedAt: string;
  inputs: unknown;
  stats: unknown;
  resultSha256: string;
}

export function listRuns(db: Db, reconciliationId?: number): RunRow[] {
  const rows = (
    reconciliationId === undefined
      ? db.prepare('SELECT r.*, v.version FROM run r JOIN rule_set_version v ON v.id = r.rule_set_version_id ORDER BY r.id DESC').all()
      : db.prepare('SELECT r.*, v.version FROM run r JOIN rule_set_version v ON v.id = r.rule_set_version_id WHERE r.reconciliation_id = ? ORDER BY r.id DESC').all(reconciliationId)
  ) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: r['id'] as number,
    reconciliationId: r['reconciliation_id'] as number,
    ruleSetVersion: r['version'] as number,
    engineVersion: r['engine_version'] as string,
    actor: r['actor'] as string,
    startedAt: r['started_at'] as string,
    finishedAt: r['finished_at'] as string,
    inputs: JSON.parse(r['inputs_json'] as string),
    stats: JSON.parse(r['stats_json'] as string),
    resultSha256: r['result_sha256'] as string,
  }));
}

/** Counts and amounts by status and by class, for run summaries. */
export function runTotals(db: Db, runId: number) {
  // A group's counts are its member rows (written together), so the groups alone give the totals.
  const byStatus = db
    .prepare(
      `SELECT status, COUNT(*) AS groups, SUM(left_count + right_count) AS records
         FROM match_group WHERE run_id = ? GROUP BY status ORDER BY status`,
    )
    .all(runId) as { status: string; groups: number; records: number }[];
  const byClass = db
    .prepare(
      `SELECT class, currency, COUNT(*) AS exceptions, SUM(amount_minor) AS amount_minor
         FROM run_exception WHERE run_id = ? GROUP BY class, currency ORDER BY class, currency`,
    )
    .all(runId) as { class: string; currency: string; exceptions: number; amount_minor: number }[];
  return { byStatus, byClass };
}

export interface ResultLine {
  recordId: number;
  side: 'left' | 'right';
  sourceName: string;
  fieldsJson: string;
  currency: string | null;
  groupId: string | null;
  exceptionId: string | null;
  status: 'matched' | 'suggested' | 'exception';
  class: string | null;
  pass: string | null;
  score: number | null;
  leftAmount: number | null;
  rightAmount: number | null;
  exceptionAmount: number | null;
  exceptionGroup: string | null;
}

/** One line per input record of a run, in side then record order. */
export function* iterateResults(db: Db, runId: number): Generator<ResultLine> {
  const members = runTable(db, runId, 'member').name;
  const rows = db
    .prepare(
      `SELECT m.record_id, m.side, s.name AS source_name, r.fields_json, r.currency, m.group_id, m.exception_id,
              g.status, g.pass AS g_pass, g.score, g.left_amount_minor, g.right_amount_minor,
              e.class, e.pass AS e_pass, e.amount_minor AS e_amount, e.group_id AS e_group
         FROM ${members} m
         JOIN record r ON r.id = m.record_id
         JOIN source s ON s.id = r.source_id
         LEFT JOIN match_group g ON g.run_id = m.run_id AND g.group_id = m.group_id
         LEFT JOIN run_exception e ON e.run_id = m.run_id AND e.exception_id = m.exception_id
        WHERE m.run_id = ? ORDER BY m.side, m.record_id`,
    )
    .iterate(runId) as Iterable<Record<string, unknown>>;
  for (const r of rows) {
    const exception = r['exception_id'] !== null;
    yield {
      recordId: r['record_id'] as number,
      side: r['side'] as 'left' | 'right',
      sourceName: r['source_name'] as string,
      fieldsJson: r['fields_json'] as string,
      currency: (r['currency'] as string | null) ?? null,
      groupId: (r['group_id'] as string | null) ?? null,
      exceptionId: (r['exception_id'] as string | null) ?? null,
      status: exception ? 'exception' : (r['status'] as 'matched' | 'suggested'),
      class: (r['class'] as string | null) ?? null,
      pass: ((exception ? r['e_pass'] : r['g_pass']) as string | null) ?? null,
      score: (r['score'] as number | null) ?? null,
      leftAmount: (r['left_amount_minor'] as number | null) ?? null,
      rightAmount: (r['right_amount_minor'] as number | null) ?? null,
      exceptionAmount: (r['e_amount'] as number | null) ?? null,
      exceptionGroup: (r['e_group'] as string | null) ?? null,
    };
  }
}
