import { TieoutError } from '../../../shared/error.js';
import type { RecordRow, RecordsPage } from '../../../shared/contract.js';
import { latestTemplate } from './sources.js';
import type { Db } from './open.js';

export interface RecordsQuery {
  sourceId: number;
  offset: number;
  limit: number;
  sort: { field: string; dir: 'asc' | 'desc' }[];
  filter: { text?: string | undefined; fields?: Record<string, string> | undefined };
}

/** Columns that exist on every record; anything else is a mapped field inside fields_json. */
const BUILTIN_SORT: Record<string, string> = {
  rowNumber: 'r.row_number',
  batchId: 'r.batch_id',
  naturalKey: 'r.natural_key',
  version: 'r.version',
};

interface RecordDbRow {
  id: number;
  row_number: number;
  batch_id: number;
  version: number;
  natural_key: string | null;
  duplicate_of: number | null;
  currency: string | null;
  fields_json: string;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A page of a source's current records. Field names are checked against the template; values are bound. */
export function pageRecords(db: Db, q: RecordsQuery): RecordsPage {
  const template = latestTemplate(db, q.sourceId);
  if (!template) throw new TieoutError('not_found', `No source with id ${q.sourceId}`);
  const fields = new Map(template.mapping.fields.map((f) => [f.name, f]));
  const fieldExpr = (name: string): string => {
    if (!fields.has(name)) throw new TieoutError('bad_input', `Unknown field "${name}"`, { column: name });
    // The path is built from a checked field name (lower_snake_case), so it is safe to inline.
    return `json_extract(r.fields_json, '$.${name}')`;
  };

  const where = ['r.source_id = ?', 'r.is_current = 1'];
  const params: unknown[] = [q.sourceId];
  if (q.filter.text) {
    where.push(`r.fields_json LIKE ? ESCAPE '\\'`);
    params.push(`%${escapeLike(q.filter.text)}%`);
  }
  for (const [name, value] of Object.entries(q.filter.fields ?? {})) {
    where.push(`CAST(${fieldExpr(name)} AS TEXT) LIKE ? ESCAPE '\\'`);
    params.push(`%${escapeLike(value)}%`);
  }
  const order = q.sort.map((s) => `${BUILTIN_SORT[s.field] ?? fieldExpr(s.field)} ${s.dir === 'desc' ? 'DESC' : 'ASC'}`);
  order.push('r.id ASC');

  const whereSql = where.join(' AND ');
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM record r WHERE ${whereSql}`).get(...params) as { n: number }).n;
  const rows = db
    .prepare(
      `SELECT r.id, r.row_number, r.batch_id, r.version, r.natural_key, r.duplicate_of, r.currency, r.fields_json
         FROM record r WHERE ${whereSql} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    )
    .all(...params, q.limit, q.offset) as RecordDbRow[];
  return {
    total,
    rows: rows.map(
      (r): RecordRow => ({
        id: r.id,
        rowNumber: r.row_number,
        batchId: r.batch_id,
        version: r.version,
        naturalKey: r.natural_key,
        duplicateOf: r.duplicate_of,
        currency: r.currency,
        fields: JSON.parse(r.fields_json) as RecordRow['fields'],
      }),
    ),
  };
}

export interface StoredRecord {
  id: number;
  batchId: number;
  rowNumber: number;
  version: number;
  duplicateOf: number | null;
  currency: string | null;
  fields: Record<string, string | number | null>;
  /** Unmapped columns of the original row, by header. */
  extras: Record<string, string>;
}

/** Current records of a source (or of one batch), with extras rebuilt from the raw row and the batch's headers. */
export function* iterateRecords(db: Db, sourceId: number, batchId?: number): Generator<StoredRecord> {
  const headersByBatch = new Map<number, { headers: string[]; extra: Set<string> }>();
  const batchInfo = (id: number) => {
    let info = headersByBatch.get(id);
    if (!info) {
      const row = db.prepare('SELECT provenance_json FROM batch WHERE id = ?').get(id) as { provenance_json: string };
      const prov = JSON.parse(row.provenance_json) as { headers?: string[]; extraColumns?: string[] };
      info = { headers: prov.headers ?? [], extra: new Set(prov.extraColumns ?? []) };
      headersByBatch.set(id, info);
    }
    return info;
  };
  const stmt =
    batchId === undefined
      ? db.prepare('SELECT * FROM record WHERE source_id = ? AND is_current = 1 ORDER BY id')
      : db.prepare('SELECT * FROM record WHERE source_id = ? AND batch_id = ? ORDER BY id');
  const rows = (batchId === undefined ? stmt.iterate(sourceId) : stmt.iterate(sourceId, batchId)) as Iterable<Record<string, unknown>>;
  for (const r of rows) {
    const info = batchInfo(r['batch_id'] as number);
    const raw = JSON.parse(r['raw_json'] as string) as string[];
    const extras: Record<string, string> = {};
    info.headers.forEach((h, i) => {
      if (info.extra.has(h)) extras[h] = raw[i] ?? '';
    });
    yield {
      id: r['id'] as number,
      batchId: r['batch_id'] as number,
      rowNumber: r['row_number'] as number,
      version: r['version'] as number,
      duplicateOf: (r['duplicate_of'] as number | null) ?? null,
      currency: (r['currency'] as string | null) ?? null,
      fields: JSON.parse(r['fields_json'] as string) as StoredRecord['fields'],
      extras,
    };
  }
}

export function* iterateRejectedRows(db: Db, sourceId: number, batchId?: number) {
  const sql = `SELECT j.batch_id AS batchId, j.row_number AS row, j.column_name AS "column", j.value, j.reason, j.raw_json AS raw
                 FROM rejected_row j JOIN batch b ON b.id = j.batch_id WHERE b.source_id = ? ${batchId === undefined ? '' : 'AND j.batch_id = ?'}
                ORDER BY j.id`;
  const stmt = db.prepare(sql);
  yield* (batchId === undefined ? stmt.iterate(sourceId) : stmt.iterate(sourceId, batchId)) as Iterable<{
    batchId: number;
    row: number;
    column: string | null;
    value: string | null;
    reason: string;
    raw: string;
  }>;
}
