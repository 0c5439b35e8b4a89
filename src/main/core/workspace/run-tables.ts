import { TieoutError } from '../../../shared/error.js';
import type { Db } from './open.js';

/**
 * Where a run's members and review rows live. A run writes one member per input record and one
 * review row per group or exception: two million and one million rows for a month of a big
 * account. Appended to tables shared by every run, each of their nine secondary indexes took
 * those rows in random order, and the index pages no longer fitted in SQLite's cache. In a
 * table of the run's own, the rows are appended first and each index is built once at the end
 * by sorting (measured on a 1M-buy run: review rows 13.1 -> 9.6 s, members 8.7 -> 5.2 s of
 * SQLite alone). The columns and indexes are those of the shared tables, so every query reads
 * either kind of table the same way; runs saved before schema 8 stay in the shared tables.
 */
export type RunTableKind = 'member' | 'review';

/**
 * Each kind's shared table (where runs saved before schema 8 keep theirs) and the suffix of a
 * run's own: run<id>_<suffix>. A run's table is made from the shared table's own definition in
 * the schema, indexes included, so the two cannot drift apart.
 */
const KINDS: Record<RunTableKind, { shared: string; suffix: string }> = {
  member: { shared: 'run_member', suffix: 'member' },
  review: { shared: 'review_row', suffix: 'review_row' },
};

export type MemberIndex = 'group' | 'exception';
export type ReviewIndex = 'id' | 'status' | 'risk' | 'delta' | 'left_date' | 'pass' | 'class_risk';

export interface RunTable<I extends string> {
  /** The table's name, safe to write into SQL. */
  readonly name: string;
  /** The name of one of its indexes, for INDEXED BY. */
  index(which: I): string;
}

type IndexOf<K extends RunTableKind> = K extends 'member' ? MemberIndex : ReviewIndex;

function checkedRunId(runId: number): number {
  // The id is written into table names, so it must be what SQLite gave the run: a positive integer.
  if (!Number.isSafeInteger(runId) || runId < 1) throw new TieoutError('bad_input', `Run id ${runId} is not a run id`);
  return runId;
}

function tableNamed<K extends RunTableKind>(name: string): RunTable<IndexOf<K>> {
  return { name, index: (which) => `${name}_${which}` };
}

/** The table that holds a run's members or review rows. */
export function runTable<K extends RunTableKind>(db: Db, runId: number, kind: K): RunTable<IndexOf<K>> {
  const own = db.prepare('SELECT name FROM run_table WHERE run_id = ? AND kind = ?').pluck().get(checkedRunId(runId), kind) as string | undefined;
  return tableNamed<K>(own ?? KINDS[kind].shared);
}

/**
 * Makes a run's own table for members or review rows, as the shared table is defined, and
 * registers it, inside the run's transaction. Fill it in primary-key order, then call
 * `buildIndexes` once: the shared table's indexes are built from the finished table.
 */
export function createRunTable<K extends RunTableKind>(db: Db, runId: number, kind: K): RunTable<IndexOf<K>> & { buildIndexes(): void } {
  const { shared, suffix } = KINDS[kind];
  const name = `run${checkedRunId(runId)}_${suffix}`;
  const table = tableNamed<K>(name);
  const schema = db.prepare('SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = ? AND sql IS NOT NULL').all(shared) as { type: string; name: string; sql: string }[];
  // A renamed table is stored as CREATE TABLE "name" (...). Were the pattern not to match, the
  // statement would name the shared table again and fail loudly.
  db.exec(schema.find((o) => o.type === 'table')!.sql.replace(/^CREATE TABLE "?\w+"?/, `CREATE TABLE ${name}`));
  db.prepare('INSERT INTO run_table (run_id, kind, name) VALUES (?, ?, ?)').run(runId, kind, name);
  const indexes = schema
    .filter((o) => o.type === 'index')
    .map((o) => o.sql.replace(/^CREATE (UNIQUE )?INDEX \w+ ON "?\w+"?/, `CREATE $1INDEX ${table.index(o.name.slice(shared.length + 1) as IndexOf<K>)} ON ${name}`));
  return {
    ...table,
    buildIndexes() {
      for (const sql of indexes) db.exec(sql);
    },
  };
}
