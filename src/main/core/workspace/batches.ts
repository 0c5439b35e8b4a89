import type { Statement } from 'better-sqlite3';
import { TieoutError } from '../../../shared/error.js';
import { bulkWriteMode, type Db } from './open.js';

/** SQL for writing one import batch. The caller owns the surrounding transaction. */

export interface NewBatch {
  sourceId: number;
  origin: 'file' | 'pull';
  fileName: string;
  fileSize: number;
  sha256: string;
  sheet: string | null;
  templateId: number;
  importerVersion: string;
  importedAt: string;
  importedBy: string;
  provenance: unknown;
}

export interface BatchCounts {
  read: number;
  accepted: number;
  rejected: number;
  duplicate: number;
  new: number;
  changed: number;
  unchanged: number;
}

export interface NewRecord {
  rowNumber: number;
  naturalKey: string | null;
  contentHash: string;
  recordRef: string | null;
  amountMinor: number | null;
  currency: string | null;
  date: string | null;
  fieldsJson: string;
  rawJson: string;
}

export interface CurrentVersion {
  id: number;
  version: number;
  contentHash: string;
}

/** The latest batch of these bytes in this source, and the template version it was read with. */
export function findBatchBySha(db: Db, sourceId: number, sha256: string): { id: number; imported_at: string; templateId: number | null } | undefined {
  return db
    .prepare('SELECT id, imported_at, template_id AS templateId FROM batch WHERE source_id = ? AND sha256 = ? ORDER BY id DESC LIMIT 1')
    .get(sourceId, sha256) as { id: number; imported_at: string; templateId: number | null } | undefined;
}

export function hasCurrentRecords(db: Db, sourceId: number): boolean {
  return db.prepare('SELECT 1 FROM record WHERE source_id = ? AND is_current = 1 LIMIT 1').get(sourceId) !== undefined;
}

/** Natural key -> current version, for upserting an overlapping later export. */
export function loadCurrentVersions(db: Db, sourceId: number): Map<string, CurrentVersion> {
  const map = new Map<string, CurrentVersion>();
  const rows = db
    .prepare('SELECT id, natural_key, version, content_hash FROM record WHERE source_id = ? AND is_current = 1 AND natural_key IS NOT NULL')
    .raw()
    .iterate(sourceId) as Iterable<[number, string, number, string]>;
  for (const [id, key, version, contentHash] of rows) map.set(key, { id, version, contentHash });
  return map;
}

/** KiB of page cache while a batch is written. */
const IMPORT_CACHE_KIB = 64 * 1024;

/**
 * Bulk-write mode for writing a batch (see bulkWriteMode), and its undo. An import appends, so
 * its pages are mostly new ones at the B-trees' right edges: at a million rows a 64 MB cache
 * inserted as fast as the usual 256 MB and kept peak memory about 200 MB lower.
 */
export function importWriteMode(db: Db): () => void {
  return bulkWriteMode(db, IMPORT_CACHE_KIB);
}

/** A new record's own values; the batch's (source, batch, version 1, no predecessor) are written into the SQL. */
const NEW_RECORD_COLUMNS = 'row_number, natural_key, content_hash, duplicate_of, record_ref, amount_minor, currency, record_date, fields_json, raw_json';
const NEW_RECORD_PARAMS = 10;
/**
 * New records per INSERT statement. Binding values costs better-sqlite3 more than SQLite's own
 * insert, and a statement step per row costs as much again, so records go in chunks with the
 * batch's constants written into the SQL: on 30k demo records this took better-sqlite3's run()
 * from 0.96 G instructions to 0.55 G (callgrind; 16 and 64 rows per chunk measured as 32).
 */
const NEW_RECORDS_PER_INSERT = 32;

function insertNewRecordsSql(sourceId: number, batchId: number, rows: number): string {
  // The only values written into SQL: row ids SQLite gave out, checked to be plain integers.
  if (!Number.isSafeInteger(sourceId) || !Number.isSafeInteger(batchId)) throw new TieoutError('internal', `Bad source or batch id (${sourceId}, ${batchId})`);
  const tuple = `(${sourceId}, ${batchId}, 1, NULL, ${Array(NEW_RECORD_PARAMS).fill('?').join(', ')})`;
  return `INSERT INTO record (source_id, batch_id, version, supersedes, ${NEW_RECORD_COLUMNS}) VALUES ${Array(rows).fill(tuple).join(', ')}`;
}

/**
 * Writes one batch's rows. New records are queued and inserted in chunks; each gets its id up
 * front, the one SQLite gives it (one past the largest, in insert order), so later rows can
 * name it as their duplicate. Call finish() last: it writes what is still queued.
 */
export function batchWriter(db: Db) {
  const insertBatch = db.prepare(
    `INSERT INTO batch (source_id, origin, file_name, file_size, sha256, sheet, template_id, importer_version, imported_at,
        imported_by, rows_read, rows_accepted, rows_rejected, rows_duplicate, rows_new, rows_changed, rows_unchanged, provenance_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, ?)`,
  );
  const insertVersion = db.prepare(
    `INSERT INTO record (source_id, batch_id, version, supersedes, ${NEW_RECORD_COLUMNS})
     VALUES (?, ?, ?, ?, ${Array(NEW_RECORD_PARAMS).fill('?').join(', ')})`,
  );
  const retire = db.prepare('UPDATE record SET is_current = 0 WHERE id = ?');
  const insertRejected = db.prepare(
    'INSERT INTO rejected_row (batch_id, row_number, column_name, value, reason, raw_json) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const finish = db.prepare(
    `UPDATE batch SET rows_read = ?, rows_accepted = ?, rows_rejected = ?, rows_duplicate = ?, rows_new = ?, rows_changed = ?,
        rows_unchanged = ?, warnings_json = ? WHERE id = ?`,
  );
  const largestId = db.prepare('SELECT max(id) FROM record').pluck();

  let sourceId = 0;
  let batchId = 0;
  let insertNewRecord: Statement | null = null;
  let insertNewRecords: Statement | null = null;
  let nextId = 0;
  const queued: unknown[] = new Array(NEW_RECORD_PARAMS * NEW_RECORDS_PER_INSERT);
  let queuedRows = 0;

  /** The ids handed out must be the ones SQLite gave; anything else would misdirect duplicate_of. */
  const checkIds = (lastInsertRowid: number | bigint) => {
    if (Number(lastInsertRowid) !== nextId - 1) {
      throw new TieoutError('internal', `Record ids went out of step while writing batch ${batchId} (${lastInsertRowid}, expected ${nextId - 1})`);
    }
  };
  const writeQueued = () => {
    if (queuedRows === NEW_RECORDS_PER_INSERT) {
      // Spread, not an array: better-sqlite3 reads array elements through a slow V8 call each.
      checkIds(insertNewRecords!.run(...queued).lastInsertRowid);
    } else if (queuedRows > 0) {
      let last: number | bigint = 0;
      for (let k = 0; k < queuedRows; k++) last = insertNewRecord!.run(queued.slice(k * NEW_RECORD_PARAMS, (k + 1) * NEW_RECORD_PARAMS)).lastInsertRowid;
      checkIds(last);
    }
    queuedRows = 0;
  };

  return {
    begin(b: NewBatch): number {
      sourceId = b.sourceId;
      batchId = Number(
        insertBatch.run(
          b.sourceId, b.origin, b.fileName, b.fileSize, b.sha256, b.sheet, b.templateId, b.importerVersion,
          b.importedAt, b.importedBy, JSON.stringify(b.provenance),
        ).lastInsertRowid,
      );
      insertNewRecord = db.prepare(insertNewRecordsSql(sourceId, batchId, 1));
      insertNewRecords = db.prepare(insertNewRecordsSql(sourceId, batchId, NEW_RECORDS_PER_INSERT));
      nextId = ((largestId.get() as number | null) ?? 0) + 1;
      return batchId;
    },
    /** Writes a record and returns its id; when it supersedes an older version, that version stops being current. */
    record(r: NewRecord, prior: CurrentVersion | null, duplicateOf: number | null): number {
      if (prior) {
        // The queued records come first, so ids stay in file order.
        writeQueued();
        retire.run(prior.id);
        const id = nextId++;
        checkIds(
          insertVersion.run(
            sourceId, batchId, prior.version + 1, prior.id, r.rowNumber, r.naturalKey, r.contentHash, duplicateOf, r.recordRef,
            r.amountMinor, r.currency, r.date, r.fieldsJson, r.rawJson,
          ).lastInsertRowid,
        );
        return id;
      }
      const id = nextId++;
      let k = queuedRows * NEW_RECORD_PARAMS;
      queued[k++] = r.rowNumber;
      queued[k++] = r.naturalKey;
      queued[k++] = r.contentHash;
      queued[k++] = duplicateOf;
      queued[k++] = r.recordRef;
      queued[k++] = r.amountMinor;
      queued[k++] = r.currency;
      queued[k++] = r.date;
      queued[k++] = r.fieldsJson;
      queued[k++] = r.rawJson;
      if (++queuedRows === NEW_RECORDS_PER_INSERT) writeQueued();
      return id;
    },
    rejected(row: number, column: string | null, value: string | null, reason: string, raw: string): void {
      insertRejected.run(batchId, row, column, value, reason, raw);
    },
    finish(c: BatchCounts, warnings: string[]): void {
      writeQueued();
      finish.run(c.read, c.accepted, c.rejected, c.duplicate, c.new, c.changed, c.unchanged, JSON.stringify(warnings), batchId);
    },
  };
}

export interface BatchRow {
  id: number;
  sourceId: number;
  origin: 'file' | 'pull';
  /** For pulls: connector, pages, records and the watermark before and after. */
  pull: { connector: string; pages: number; records: number; watermarkBefore: string | null; watermarkAfter: string | null } | null;
  fileName: string;
  fileSize: number;
  sha256: string;
  sheet: string | null;
  templateVersion: number | null;
  importedAt: string;
  importedBy: string | null;
  counts: BatchCounts;
  warnings: string[];
}

function pullOf(provenanceJson: string): BatchRow['pull'] {
  const p = (JSON.parse(provenanceJson) as { pull?: { connector: { name: string; version: number }; pages: number; records: number; watermark?: { before: unknown; after: unknown } | null } }).pull;
  if (!p) return null;
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    connector: `${p.connector.name} v${p.connector.version}`,
    pages: p.pages,
    records: p.records,
    watermarkBefore: text(p.watermark?.before),
    watermarkAfter: text(p.watermark?.after),
  };
}

export function listBatches(db: Db, sourceId: number): BatchRow[] {
  const rows = db
    .prepare(
      `SELECT b.*, t.version AS template_version FROM batch b LEFT JOIN template t ON t.id = b.template_id
        WHERE b.source_id = ? ORDER BY b.id`,
    )
    .all(sourceId) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: r.id as number,
    sourceId: r.source_id as number,
    origin: r.origin as 'file' | 'pull',
    pull: pullOf(r.provenance_json as string),
    fileName: r.file_name as string,
    fileSize: r.file_size as number,
    sha256: r.sha256 as string,
    sheet: (r.sheet as string | null) ?? null,
    templateVersion: (r.template_version as number | null) ?? null,
    importedAt: r.imported_at as string,
    importedBy: (r.imported_by as string | null) ?? null,
    counts: {
      read: r.rows_read as number,
      accepted: r.rows_accepted as number,
      rejected: r.rows_rejected as number,
      duplicate: r.rows_duplicate as number,
      new: r.rows_new as number,
      changed: r.rows_changed as number,
      unchanged: r.rows_unchanged as number,
    },
    warnings: JSON.parse(r.warnings_json as string) as string[],
  }));
}

export function listRejectedRows(db: Db, batchId: number, limit = 1000, offset = 0) {
  return db
    .prepare('SELECT row_number AS row, column_name AS column, value, reason, raw_json AS raw FROM rejected_row WHERE batch_id = ? ORDER BY id LIMIT ? OFFSET ?')
    .all(batchId, limit, offset) as { row: number; column: string | null; value: string | null; reason: string; raw: string }[];
}

export function countRejectedRows(db: Db, batchId: number): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM rejected_row WHERE batch_id = ?').get(batchId) as { n: number }).n;
}
