/**
 * A packet opened for a read-only viewer: the manifest, the verification result and the tables.
 * Reads the file a slice at a time; the only thing it can write is an extraction into a fresh temp folder.
 */
import type { ChainedEvent } from '../audit/chain.js';
import { TieoutError } from '../../../shared/error.js';
import { ENTRY, ResultsFile, RulesFile, type Manifest } from './format.js';
import { CsvReader } from './tables.js';
import { readAuditEvents, verifyZip, type VerifyResult } from './verify.js';
import { extractToTemp, readZipFile } from './zip.js';

export const PACKET_TABLES = {
  summary: 'csv/summary.csv',
  matches: 'csv/matches.csv',
  exceptions: 'csv/exceptions.csv',
  overrides: 'csv/overrides.csv',
  approvals: 'csv/approvals.csv',
  signOffs: 'csv/sign-offs.csv',
  audit: 'csv/audit-log.csv',
  rules: 'csv/rules.csv',
  sources: 'csv/sources.csv',
  rejected: 'csv/rejected-rows.csv',
} as const;
export type PacketTableName = keyof typeof PACKET_TABLES;

/**
 * Rows a viewer table holds. A million-group run's matches are 300 MB of CSV; the viewer shows
 * the first rows and the count, and the whole table is in the packet (extract it).
 */
export const VIEWER_ROWS = 10_000;

/** Text exactly as the CSV holds it (formula-like text keeps its neutralizing quote). */
export interface PacketTable {
  /** The CSV entry it was read from. */
  file: string;
  columns: string[];
  /** The first rows, VIEWER_ROWS at most. */
  rows: string[][];
  /** Every row of the table, including those not in `rows`. */
  totalRows: number;
}

export interface OpenedPacket {
  path: string;
  /** Null when manifest.json is missing or unreadable (verification says why). */
  manifest: Manifest | null;
  verification: VerifyResult;
  entries: string[];
  table(name: PacketTableName): Promise<PacketTable>;
  audit(): Promise<ChainedEvent[]>;
  rules(): RulesFile;
  results(): ResultsFile;
  /** Raw bytes of one entry. */
  entry(name: string): Buffer;
  /** Writes every entry into a new temp folder and returns it (the caller removes it). */
  extract(): Promise<string>;
}

export async function openPacket(path: string, opts: { tableRows?: number } = {}): Promise<OpenedPacket> {
  const keep = opts.tableRows ?? VIEWER_ROWS;
  const zip = readZipFile(path);
  const { result, manifest } = await verifyZip(zip);
  const entry = (name: string) => zip.read(name);
  const json = <T>(name: string, schema: { parse(v: unknown): T }): T => {
    try {
      return schema.parse(JSON.parse(entry(name).toString('utf8')));
    } catch (err) {
      if (err instanceof TieoutError) throw err;
      throw new TieoutError('file_unreadable', `${name} is not readable: ${(err as Error).message}`, { path: name });
    }
  };
  const table = async (name: PacketTableName): Promise<PacketTable> => {
    const rows: string[][] = [];
    let columns: string[] | null = null;
    const reader = new CsvReader((row) => {
      if (columns === null) columns = row;
      else if (rows.length < keep) rows.push(row);
    });
    const text = new TextDecoder('utf-8');
    for await (const chunk of zip.chunks(PACKET_TABLES[name])) {
      // Past the rows kept, lines are only counted.
      if (rows.length < keep) reader.push(text.decode(chunk, { stream: true }));
      else reader.count(chunk);
    }
    if (rows.length < keep) reader.push(text.decode());
    reader.end();
    return { file: PACKET_TABLES[name], columns: columns ?? [], rows, totalRows: Math.max(0, reader.rows - 1) };
  };
  return {
    path,
    manifest,
    verification: result,
    entries: zip.entries.map((e) => e.name),
    table,
    audit: async () => (await readAuditEvents(zip, ENTRY.audit)).events,
    rules: () => json(ENTRY.rules, RulesFile),
    results: () => json(ENTRY.results, ResultsFile),
    entry,
    extract: () => extractToTemp(zip),
  };
}
