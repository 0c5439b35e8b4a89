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

interface KindSpec {
  /** The table that holds this kind for runs saved before schema 8. */
  shared: string;
  /** Suffix of the run's own table: run<id>_<suffix>. */
  suffix: string;
  columns: string;
  /** Index name suffix -> its definition after ON <table>; the shared indexes are named <shared>_<suffix>. */
  indexes: Record<string, string>;
}

const KINDS: Record<RunTableKind, KindSpec> = {
  member: {
    shared: 'run_member',
    suffix: 'member',
    // Written in record id order, so the primary key is an append.
    columns: `(
      run_id       INTEGER NOT NULL REFERENCES run(id),
      record_id    INTEGER NOT NULL REFERENCES record(id),
      side         TEXT NOT NULL,
      group_id     TEXT,
      exception_id TEXT,
      PRIMARY KEY (run_id, record_id)
    ) WITHOUT ROWID`,
    indexes: {
      group: '(run_id, group_id) WHERE group_id IS NOT NULL',
      exception: '(run_id, exception_id) WHERE exception_id IS NOT NULL',
    },
  },
  review: {
    shared: 'review_row',
    suffix: 'review_row',
    // A rowid table written in row id order: the rowid that ends every index entry follows row_id,
    // which is the grid's tie-breaker (see review-rows.ts SORTS).
    columns: `(
      run_id         INTEGER NOT NULL REFERENCES run(id),
      row_id         TEXT NOT NULL,
      kind           TEXT NOT NULL CHECK (kind IN ('group', 'exception')),
      status         TEXT NOT NULL CHECK (status IN ('matched', 'suggested', 'exception')),
      class          TEXT,
      pass           TEXT,
      score          REAL,
      left_count     INTEGER NOT NULL,
      right_count    INTEGER NOT NULL,
      key_text       TEXT,
      left_ref       TEXT,
      left_amount    INTEGER,
      left_date      TEXT,
      left_party     TEXT,
      left_desc      TEXT,
      right_ref      TEXT,
      right_amount   INTEGER,
      right_date     TEXT,
      right_party    TEXT,
      right_desc     TEXT,
      currency       TEXT,
      delta_amount   INTEGER,
      delta_days     INTEGER,
      amount_at_risk INTEGER
    )`,
    indexes: {
      id: 'UNIQUE (run_id, row_id)',
      status: '(run_id, status, class)',
      risk: '(run_id, amount_at_risk)',
      delta: '(run_id, delta_amount)',
      left_date: '(run_id, left_date)',
      pass: '(run_id, pass)',
      class_risk: '(run_id, class, amount_at_risk)',
    },
  },
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
 * Makes a run's own table for members or review rows and registers it, inside the run's
 * transaction. Fill it in primary-key order, then call `buildIndexes` once: the indexes are built
 * from the finished table.
 */
export function createRunTable<K extends RunTableKind>(db: Db, runId: number, kind: K): RunTable<IndexOf<K>> & { buildIndexes(): void } {
  const spec = KINDS[kind];
  const name = `run${checkedRunId(runId)}_${spec.suffix}`;
  db.exec(`CREATE TABLE ${name} ${spec.columns}`);
  db.prepare('INSERT INTO run_table (run_id, kind, name) VALUES (?, ?, ?)').run(runId, kind, name);
  const table = tableNamed<K>(name);
  return {
    ...table,
    buildIndexes() {
      for (const [which, def] of Object.entries(spec.indexes)) {
        const unique = def.startsWith('UNIQUE ');
        db.exec(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${table.index(which as IndexOf<K>)} ON ${name} ${unique ? def.slice('UNIQUE '.length) : def}`);
      }
    },
  };
}
