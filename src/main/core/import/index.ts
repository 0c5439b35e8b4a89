import { hash } from 'node:crypto';
import { basename } from 'node:path';
import { TieoutError } from '../../../shared/error.js';
import { MappingTemplate, type MappingTemplateInput } from '../../../shared/mapping.js';
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
import { openTable, sha256File, type Table } from './read/index.js';
import type { PullProvenance } from '../pull/pull.js';
import { compileRowParser, isRejection } from './row-parser.js';
import { suggestMapping, suggestRemaps } from './suggest-mapping.js';

export { suggestMapping } from './suggest-mapping.js';

export const IMPORTER_VERSION = '1.0.0';
const SAMPLE_ROWS = 2000;
const PROGRESS_EVERY = 5000;
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
  const mappedColumns = mapping.fields.map((f) => f.column);
  const missing = mappedColumns.filter((c) => !present.has(c));
  const mapped = new Set(mappedColumns);
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
  const mappedIdx = new Set(mapping.fields.map((f) => table.headers.indexOf(f.column)));
  const extraHeaders = table.headers.filter((_, i) => !mappedIdx.has(i));
  let issueCount = 0;

  db.exec('BEGIN IMMEDIATE');
  try {
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

    const handle = (r: { row: number; cells: string[]; issues?: string[] }) => {
      counts.read++;
      if (r.issues && r.issues.length > 0) {
        issueCount++;
        if (warnings.length < MAX_WARNINGS) warnings.push(`Row ${r.row}: ${r.issues.join('; ')}`);
      }
      const rawJson = JSON.stringify(r.cells);
      const parsed = parser.parse(r.cells);
      if (isRejection(parsed)) {
        if (req.strict) {
          throw new TieoutError('parse', `${fileName}, row ${r.row}, column "${parsed.column}": ${parsed.reason} ("${parsed.value}")`, {
            file: fileName,
            row: r.row,
            column: parsed.column,
            value: parsed.value,
            ...(table.sheet !== undefined && { sheet: table.sheet }),
          });
        }
        counts.rejected++;
        writer.rejected(batchId, r.row, parsed.column, parsed.value, parsed.reason, rawJson);
        return;
      }
      counts.accepted++;
      const fieldsJson = JSON.stringify(parsed.fields);
      const contentHash = hash('sha1', `${fieldsJson}|${parsed.currency ?? ''}`, 'base64');
      const old = parsed.naturalKey !== null ? prior.get(parsed.naturalKey) : undefined;
      if (old && old.contentHash === contentHash) {
        counts.unchanged++;
        return;
      }
      const duplicateOf = seenContent.get(contentHash) ?? null;
      if (duplicateOf !== null) counts.duplicate++;
      if (parsed.naturalKey !== null && duplicateOf === null) {
        if (seenKeys.has(parsed.naturalKey)) keyRepeats++;
        seenKeys.add(parsed.naturalKey);
      }
      const id = writer.record(
        sourceId,
        batchId,
        {
          rowNumber: r.row,
          naturalKey: parsed.naturalKey,
          contentHash,
          recordRef: parsed.recordRef,
          amountMinor: parsed.amountMinor,
          currency: parsed.currency,
          date: parsed.date,
          fieldsJson,
          rawJson,
        },
        old && duplicateOf === null ? old : null,
        duplicateOf,
      );
      if (old && duplicateOf === null) {
        counts.changed++;
        prior.delete(parsed.naturalKey!);
      } else if (duplicateOf === null) counts.new++;
      if (duplicateOf === null) seenContent.set(contentHash, id);
    };

    const report = () =>
      ctx.progress({ phase: 'importing', done: table.bytesRead(), total: table.totalBytes, unit: 'bytes', message: `${counts.read} rows` });
    for (const r of sample) handle(r);
    report();
    for (;;) {
      const next = await rest.next();
      if (next.done) break;
      handle(next.value);
      if (counts.read % PROGRESS_EVERY === 0) {
        throwIfCancelled(ctx);
        report();
      }
    }
    throwIfCancelled(ctx);
    if (issueCount > 0) warnings.push(`${issueCount} row${issueCount > 1 ? 's' : ''} had layout problems (see the rows above)`);
    if (keyRepeats > 0) warnings.push(`${keyRepeats} row${keyRepeats > 1 ? 's' : ''} ${keyRepeats > 1 ? 'repeat' : 'repeats'} the natural key of an earlier row in this file with different values`);
    if (counts.duplicate > 0) warnings.push(`${counts.duplicate} row${counts.duplicate > 1 ? 's are' : ' is'} identical to an earlier row on all mapped fields: flagged as possible duplicates, kept`);
    writer.finish(batchId, counts, warnings);
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
    await table.close();
    throw err;
  }
}
