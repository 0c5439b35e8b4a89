import { basename } from 'node:path';
import { TieoutError } from '../../../shared/error.js';
import { mappedColumns, MappingTemplate, type MappingTemplateInput } from '../../../shared/mapping.js';
import { throwIfCancelled, type JobContext, NO_JOB } from '../jobs/job-context.js';
import {
  appendAuditEvent,
  batchWriter,
  ensureSource,
  findBatchBySha,
  findSourceByName,
  hasCurrentRecords,
  latestTemplate,
  loadCurrentVersions,
  recordPullState,
  saveTemplate,
  type BatchCounts,
  type CurrentVersion,
  type Workspace,
} from '../workspace/index.js';
import { importWriteMode } from '../workspace/batches.js';
import { openTable, sha256File, type Table } from './read/index.js';
import type { PullProvenance } from '../pull/pull.js';
import { parseInWorker, type WorkerRows } from './parse-in-worker.js';
import { BATCH_ROWS, contentHash as hashContent, prepareRow, SLOT, STRIDE, type PreparedBatch } from './prepared-rows.js';
import { idleCoresNow } from './idle-cores.js';
import { compileRowParser } from './row-parser.js';
import { suggestMapping, suggestRemaps } from './suggest-mapping.js';

export { suggestMapping } from './suggest-mapping.js';

export const IMPORTER_VERSION = '1.0.0';
const SAMPLE_ROWS = 2000;
/**
 * CSV files from this size on are read and parsed on a worker thread while this thread
 * inserts; below it, starting the worker costs more than the overlap saves.
 */
const WORKER_MIN_BYTES = 8 * 1024 * 1024;

/**
 * The worker adds work (its start, copying rows between threads), so it only pays when a core
 * sits idle for it: measured on a 2-core machine with one core taken by other work, it was
 * slower than one thread. Writing needs one core and parsing most of another.
 */
const IDLE_CORES_FOR_WORKER = 1.5;
const MAX_WARNINGS = 200;

export interface ImportRequest {
  source: string;
  path: string;
  /** The name shown in provenance; defaults to the file's base name. */
  fileName?: string;
  /** An explicit mapping; otherwise the source's latest template; otherwise a suggested one. */
  mapping?: MappingTemplateInput;
  sheet?: string;
  encoding?: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
  delimiter?: string;
  /** JSON: dotted path to the array of records, e.g. "data.items". */
  jsonPath?: string;
  strict?: boolean;
  actor: string;
  /** Set by runPull: the batch is an API pull. Kept in provenance; its watermark is stored in the same transaction. */
  pull?: PullProvenance;
  /** Read and parse on a worker thread: 'auto' (default) does for large CSV files when a core is idle. */
  parseWorker?: 'auto' | 'always' | 'never';
}

export interface ImportSummary {
  status: 'imported' | 'already_imported';
  batchId: number;
  sourceId: number;
  source: string;
  fileName: string;
  sha256: string;
  templateVersion: number;
  mappingSuggested: boolean;
  mapping: MappingTemplate;
  counts: BatchCounts;
  warnings: string[];
}

/** Reads the first rows once, so sniffing and suggestions see real values. */
async function readSample(table: Table, n: number): Promise<{ sample: { row: number; cells: string[]; issues?: string[] }[]; rest: AsyncIterator<{ row: number; cells: string[]; issues?: string[] }> }> {
  const it = table.rows[Symbol.asyncIterator]();
  const sample: { row: number; cells: string[]; issues?: string[] }[] = [];
  while (sample.length < n) {
    const next = await it.next();
    if (next.done) break;
    sample.push(next.value);
  }
  return { sample, rest: it };
}

/** Missing mapped columns are fatal; columns new since the saved template are worth a warning. */
function checkDrift(mapping: MappingTemplate, headers: string[], fileName: string, hadTemplate: boolean): string[] {
  const present = new Set(headers);
  const columns = mappedColumns(mapping);
  const missing = columns.filter((c) => !present.has(c));
  const mapped = new Set(columns);
  const added = headers.filter((h) => !mapped.has(h));
  if (missing.length > 0) {
    const remaps = suggestRemaps(missing, added);
    const hints = remaps.filter((r) => r.suggestion).map((r) => `"${r.missing}" -> "${r.suggestion}"?`);
    throw new TieoutError(
      'schema_drift',
      `${fileName} lacks mapped column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; nothing was imported` +
        (hints.length ? `. Renamed? ${hints.join(' ')}` : ''),
      { file: fileName, column: missing[0]!, missing, remaps },
    );
  }
  return added.length > 0 && hadTemplate ? [`New column${added.length > 1 ? 's' : ''} not in the template, kept as extra attributes: ${added.map((a) => `"${a}"`).join(', ')}`] : [];
}

/**
 * Imports one file into a source as one batch, in one transaction: a cancel or a crash
 * leaves the workspace as it was. Re-importing the same bytes is a no-op; an overlapping
 * later export is upserted by natural key (unchanged skipped, changed -> new version).
 */
export async function runImport(ws: Workspace, req: ImportRequest, ctx: JobContext = NO_JOB): Promise<ImportSummary> {
  const db = ws.db;
  const fileName = req.fileName ?? basename(req.path);
  ctx.progress({ phase: 'hashing', done: 0, total: null, unit: 'bytes' });
  const sha256 = await sha256File(req.path);
  throwIfCancelled(ctx);

  const existingSource = findSourceByName(db, req.source);
  const existingTemplate = existingSource ? latestTemplate(db, existingSource.id) : undefined;
  if (existingSource) {
    const dup = findBatchBySha(db, existingSource.id, sha256);
    // The same bytes are a no-op, unless the user fixed the mapping and wants them read again.
    const sameMapping = !req.mapping || (existingTemplate && JSON.stringify(MappingTemplate.parse(req.mapping)) === JSON.stringify(existingTemplate.mapping) && dup?.templateId === existingTemplate.id);
    if (dup && existingTemplate && sameMapping) {
      return {
        status: 'already_imported',
        batchId: dup.id,
        sourceId: existingSource.id,
        source: req.source,
        fileName,
        sha256,
        templateVersion: existingTemplate.version,
        mappingSuggested: false,
        mapping: existingTemplate.mapping,
        counts: { read: 0, accepted: 0, rejected: 0, duplicate: 0, new: 0, changed: 0, unchanged: 0 },
        warnings: [`${fileName} was already imported into "${req.source}" as batch ${dup.id} on ${dup.imported_at}; nothing changed`],
      };
    }
  }

  const table = await openTable(req.path, {
    ...(req.sheet !== undefined && { sheet: req.sheet }),
    ...(req.encoding !== undefined && { encoding: req.encoding }),
    ...(req.delimiter !== undefined && { delimiter: req.delimiter }),
    ...(req.jsonPath !== undefined && { jsonPath: req.jsonPath }),
  });
  const { sample, rest } = await readSample(table, SAMPLE_ROWS);
  const fail = async (err: unknown): Promise<never> => {
    await table.close();
    throw err;
  };

  let mapping: MappingTemplate;
  let mappingSuggested = false;
  if (req.mapping) {
    const parsed = MappingTemplate.safeParse(req.mapping);
    if (!parsed.success) return fail(TieoutError.fromZod(parsed.error, 'mapping_invalid', 'mapping'));
    mapping = parsed.data;
  } else if (existingTemplate) {
    mapping = existingTemplate.mapping;
  } else {
    mapping = suggestMapping(table.headers, sample.map((s) => s.cells));
    mappingSuggested = true;
  }
  let warnings: string[];
  let parser: ReturnType<typeof compileRowParser>;
  try {
    warnings = checkDrift(mapping, table.headers, fileName, existingTemplate !== undefined);
    parser = compileRowParser(mapping, table.headers, sample.map((s) => s.cells));
  } catch (err) {
    return fail(err);
  }

  const at = new Date().toISOString();
  const counts: BatchCounts = { read: 0, accepted: 0, rejected: 0, duplicate: 0, new: 0, changed: 0, unchanged: 0 };
  const mappedIdx = new Set(mappedColumns(mapping).map((c) => table.headers.indexOf(c)));
  const extraHeaders = table.headers.filter((_, i) => !mappedIdx.has(i));
  let issueCount = 0;

  const mode = req.parseWorker ?? 'auto';
  const canUseWorker = mode !== 'never' && table.format === 'csv' && sample.length === SAMPLE_ROWS;
  const useWorker = canUseWorker && (mode === 'always' || (table.totalBytes >= WORKER_MIN_BYTES && (await idleCoresNow()) >= IDLE_CORES_FOR_WORKER));
  let workerRows: WorkerRows | null = null;
  const restoreWriteMode = importWriteMode(db);
  try {
    db.exec('BEGIN IMMEDIATE');
    // The sample filled the first SAMPLE_ROWS rows; the worker reads the file again and skips them.
    if (useWorker) {
      await table.close();
      workerRows = parseInWorker({
        path: req.path,
        open: {
          ...(req.encoding !== undefined && { encoding: req.encoding }),
          ...(req.delimiter !== undefined && { delimiter: req.delimiter }),
        },
        mapping,
        headers: table.headers,
        sample: sample.map((s) => s.cells),
        skip: sample.length,
      });
    }

    const sourceId = existingSource?.id ?? ensureSource(db, req.source, at);
    const template = saveTemplate(db, sourceId, mapping, req.actor, at);
    const writer = batchWriter(db);
    const batchId = writer.begin({
      sourceId,
      origin: req.pull ? 'pull' : 'file',
      fileName,
      fileSize: table.totalBytes,
      sha256,
      sheet: table.sheet ?? null,
      templateId: template.id,
      importerVersion: IMPORTER_VERSION,
      importedAt: at,
      importedBy: req.actor,
      provenance: {
        format: table.format,
        headers: table.headers,
        headerRow: table.headerRow,
        encoding: table.encoding ?? null,
        delimiter: table.delimiter ?? null,
        extraColumns: extraHeaders,
        columnOptions: parser.columnOptions,
        ...(req.pull && { pull: req.pull }),
      },
    });
    const prior: Map<string, CurrentVersion> = hasCurrentRecords(db, sourceId) ? loadCurrentVersions(db, sourceId) : new Map();
    const seenContent = new Map<string, number>();
    const seenKeys = new Set<string>();
    let keyRepeats = 0;

    const handle = (b: PreparedBatch, i: number) => {
      counts.read++;
      const row = b[i + SLOT.row] as number;
      const issues = b[i + SLOT.issues] as string[] | null;
      if (issues !== null) {
        issueCount++;
        if (warnings.length < MAX_WARNINGS) warnings.push(`Row ${row}: ${issues.join('; ')}`);
      }
      const rawJson = b[i + SLOT.rawJson] as string;
      const reason = b[i + SLOT.rejectReason] as string | null;
      if (reason !== null) {
        const column = b[i + SLOT.rejectColumn] as string;
        const value = b[i + SLOT.rejectValue] as string;
        if (req.strict) {
          throw new TieoutError('parse', `${fileName}, row ${row}, column "${column}": ${reason} ("${value}")`, {
            file: fileName,
            row,
            column,
            value,
            ...(table.sheet !== undefined && { sheet: table.sheet }),
          });
        }
        counts.rejected++;
        writer.rejected(row, column, value, reason, rawJson);
        return;
      }
      counts.accepted++;
      const naturalKey = b[i + SLOT.naturalKey] as string | null;
      const fieldsJson = b[i + SLOT.fieldsJson] as string;
      const contentHash = (b[i + SLOT.contentHash] as string | null) ?? hashContent(fieldsJson, b[i + SLOT.currency] as string | null);
      const old = naturalKey !== null ? prior.get(naturalKey) : undefined;
      if (old && old.contentHash === contentHash) {
        counts.unchanged++;
        return;
      }
      const duplicateOf = seenContent.get(contentHash) ?? null;
      if (duplicateOf !== null) counts.duplicate++;
      if (naturalKey !== null && duplicateOf === null) {
        if (seenKeys.has(naturalKey)) keyRepeats++;
        seenKeys.add(naturalKey);
      }
      const id = writer.record(
        {
          rowNumber: row,
          naturalKey,
          contentHash,
          recordRef: b[i + SLOT.recordRef] as string | null,
          amountMinor: b[i + SLOT.amountMinor] as number | null,
          currency: b[i + SLOT.currency] as string | null,
          date: b[i + SLOT.date] as string | null,
          fieldsJson,
          rawJson,
        },
        old && duplicateOf === null ? old : null,
        duplicateOf,
      );
      if (old && duplicateOf === null) {
        counts.changed++;
        prior.delete(naturalKey!);
      } else if (duplicateOf === null) counts.new++;
      if (duplicateOf === null) seenContent.set(contentHash, id);
    };
    const consume = (b: PreparedBatch) => {
      for (let i = 0; i < b.length; i += STRIDE) handle(b, i);
    };

    const bytesRead = () => (workerRows ? workerRows.bytesRead() : table.bytesRead());
    const report = () =>
      ctx.progress({ phase: 'importing', done: bytesRead(), total: table.totalBytes, unit: 'bytes', message: `${counts.read} rows` });
    let batch: PreparedBatch = [];
    for (const r of sample) prepareRow(parser, r, batch);
    consume(batch);
    report();
    if (workerRows) {
      for (;;) {
        const b = await workerRows.next();
        if (b === undefined) break;
        consume(b);
        throwIfCancelled(ctx);
        report();
      }
    } else {
      batch = [];
      for (;;) {
        const next = await rest.next();
        if (next.done) break;
        prepareRow(parser, next.value, batch);
        if (batch.length === BATCH_ROWS * STRIDE) {
          consume(batch);
          batch = [];
          throwIfCancelled(ctx);
          report();
        }
      }
      consume(batch);
    }
    throwIfCancelled(ctx);
    if (issueCount > 0) warnings.push(`${issueCount} row${issueCount > 1 ? 's' : ''} had layout problems (see the rows above)`);
    if (keyRepeats > 0) warnings.push(`${keyRepeats} row${keyRepeats > 1 ? 's' : ''} ${keyRepeats > 1 ? 'repeat' : 'repeats'} the natural key of an earlier row in this file with different values`);
    if (counts.duplicate > 0) warnings.push(`${counts.duplicate} row${counts.duplicate > 1 ? 's are' : ' is'} identical to an earlier row on all mapped fields: flagged as possible duplicates, kept`);
    writer.finish(counts, warnings);
    appendAuditEvent(
      db,
      {
        actor: req.actor,
        action: 'import.batch',
        target: `batch:${batchId}`,
        after: { source: req.source, fileName, sha256, templateVersion: template.version, counts },
      },
      at,
    );
    const wm = req.pull?.watermark;
    if (wm && wm.after !== null) {
      recordPullState(db, { sourceId, connector: req.pull!.connector.name, field: wm.field, watermark: wm.after, batchId, actor: req.actor, at });
    }
    db.exec('COMMIT');
    await workerRows?.close();
    ctx.progress({ phase: 'done', done: table.totalBytes, total: table.totalBytes, unit: 'bytes', message: `${counts.read} rows` });
    return {
      status: 'imported',
      batchId,
      sourceId,
      source: req.source,
      fileName,
      sha256,
      templateVersion: template.version,
      mappingSuggested,
      mapping,
      counts,
      warnings,
    };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    await workerRows?.close();
    await table.close();
    throw err;
  } finally {
    restoreWriteMode();
  }
}
