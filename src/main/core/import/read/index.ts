/**
 * The file readers' one entry: open any supported file as a uniform table of cell texts.
 * Readers do not interpret types; money and dates are parsed from the texts elsewhere.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { TieoutError } from '../../../../shared/error.js';
import { openCsv } from './csv.js';
import type { Encoding } from './encoding.js';
import { openJson, openNdjson } from './json.js';
import { unreadable } from './source.js';
import { openSheet } from './xlsx.js';

export { ENCODINGS, type Encoding } from './encoding.js';
export { openCsv, previewCsv, readCsv, sniffDelimiter, type CsvRow, type CsvTable, type CsvOptions, type CsvPreview } from './csv.js';
export { flattenObject, openJson, openNdjson, type JsonTable, type JsonOptions } from './json.js';
export { listSheets, openSheet, MAX_SPREADSHEET_BYTES, type SheetTable, type SheetOptions } from './xlsx.js';
export type { Source } from './source.js';

export type TableFormat = 'csv' | 'xlsx' | 'json' | 'ndjson';

export interface OpenTableOptions {
  /** Overrides the extension. */
  format?: TableFormat;
  /** Spreadsheets: sheet name (first visible sheet when absent). */
  sheet?: string;
  /** Text formats: override the detected encoding. */
  encoding?: Encoding;
  /** CSV: override the sniffed delimiter. */
  delimiter?: string;
  /** JSON: dotted path to the record array, e.g. 'data.items'. */
  jsonPath?: string;
  /** CSV and spreadsheets: 1-based row (line / Excel row) of the header; detected when absent. */
  headerRow?: number;
  signal?: AbortSignal;
}

export interface TableRow {
  /** CSV/NDJSON: physical line where the record starts; spreadsheets: Excel row; JSON: record position. */
  row: number;
  /** One text per header, '' for missing. */
  cells: string[];
  /** Problems with this row (quotes, ragged width, bad JSON line, formula errors...). Not fatal. */
  issues?: string[];
}

export interface Table {
  /** 'xlsx' covers .xlsx, .xlsm, .xls and .ods. */
  format: TableFormat;
  fileName: string;
  sheet?: string;
  sheets?: string[];
  encoding?: Encoding;
  delimiter?: string;
  jsonPath?: string;
  headers: string[];
  /** 1-based row of the header as `row` counts; 0 for JSON and NDJSON, which have none. */
  headerRow: number;
  /** Problems in the header record itself (CSV quote issues). */
  headerIssues?: string[];
  totalBytes: number;
  /** For a progress bar: bytesRead() / totalBytes. */
  bytesRead(): number;
  /** Iterate once. Breaking out of the loop releases the file. */
  rows: AsyncIterable<TableRow>;
  /** Release the file when `rows` is not iterated to the end. */
  close(): Promise<void>;
}

const BY_EXTENSION: Record<string, TableFormat> = {
  '.csv': 'csv',
  '.txt': 'csv',
  '.tsv': 'csv',
  '.tab': 'csv',
  '.psv': 'csv',
  '.xlsx': 'xlsx',
  '.xlsm': 'xlsx',
  '.xls': 'xlsx',
  '.ods': 'xlsx',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** The format an extension implies, or undefined for an unsupported one. */
export function formatForPath(path: string): TableFormat | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}

export async function openTable(path: string, opts: OpenTableOptions = {}): Promise<Table> {
  const format = opts.format ?? formatForPath(path);
  const fileName = basename(path);
  if (!format) {
    throw new TieoutError(
      'file_unreadable',
      `Cannot import ${fileName}: ${extname(path) || 'files without an extension'} is not a supported type (CSV, TXT, TSV, XLSX, XLS, ODS, JSON, NDJSON)`,
      { file: fileName, path },
    );
  }
  switch (format) {
    case 'csv': {
      const t = await openCsv({ path }, pick(opts, ['delimiter', 'encoding', 'signal', 'headerRow']));
      return {
        format,
        fileName: t.fileName,
        get encoding() {
          return t.encoding;
        },
        delimiter: t.delimiter,
        headers: t.headers,
        headerRow: t.headerRow,
        headerIssues: t.headerIssues,
        totalBytes: t.totalBytes,
        bytesRead: t.bytesRead,
        rows: t.rows,
        close: t.close,
      };
    }
    case 'xlsx': {
      const t = await openSheet(path, pick(opts, ['sheet', 'signal', 'headerRow']));
      return {
        format,
        fileName: t.fileName,
        sheet: t.sheet,
        sheets: t.sheets,
        headers: t.headers,
        headerRow: t.headerRow,
        totalBytes: t.totalBytes,
        bytesRead: t.bytesRead,
        rows: t.rows,
        close: t.close,
      };
    }
    case 'json':
    case 'ndjson': {
      const jsonOpts = pick(opts, ['jsonPath', 'encoding', 'signal']);
      const t = format === 'json' ? await openJson({ path }, jsonOpts) : await openNdjson({ path }, jsonOpts);
      const table: Table = {
        format,
        fileName: t.fileName,
        encoding: t.encoding,
        headers: t.headers,
        headerRow: 0,
        totalBytes: t.totalBytes,
        bytesRead: t.bytesRead,
        rows: t.rows,
        close: t.close,
      };
      if (t.jsonPath !== undefined) table.jsonPath = t.jsonPath;
      return table;
    }
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export interface TablePreview extends Omit<Table, 'rows' | 'bytesRead' | 'close'> {
  rows: TableRow[];
  /** More rows follow. */
  truncated: boolean;
}

/** The header and first `limit` rows of any supported file, for the import wizard. */
export async function previewTable(path: string, opts: OpenTableOptions & { limit?: number } = {}): Promise<TablePreview> {
  const limit = opts.limit ?? 100;
  const t = await openTable(path, opts);
  const rows: TableRow[] = [];
  let truncated = false;
  try {
    for await (const r of t.rows) {
      if (rows.length === limit) {
        truncated = true;
        break;
      }
      rows.push(r);
    }
  } finally {
    await t.close();
  }
  const { rows: _rows, bytesRead: _b, close: _c, ...meta } = t;
  return { ...meta, encoding: t.encoding, rows, truncated };
}

/** Hex SHA-256 of a file, streamed (records which exact file a batch came from). */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  } catch (err) {
    if (signal?.aborted) throw new TieoutError('cancelled', `Hashing ${basename(path)} was cancelled`, { file: basename(path), path });
    throw unreadable({ name: basename(path), path }, err);
  }
  return hash.digest('hex');
}
