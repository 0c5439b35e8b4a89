/**
 * A packet opened for a read-only viewer: the manifest, the verification result and the tables.
 * Reads from memory; the only thing it can write is an extraction into a fresh temp folder.
 */
import type { ChainedEvent } from '../audit/chain.js';
import { TieoutError } from '../../../shared/error.js';
import { ENTRY, ResultsFile, RulesFile, type Manifest } from './format.js';
import { parseCsv } from './tables.js';
import { parseAuditLines, verifyZip, type VerifyResult } from './verify.js';
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

/** Text exactly as the CSV holds it (formula-like text keeps its neutralizing quote). */
export interface PacketTable {
  columns: string[];
  rows: string[][];
}

export interface OpenedPacket {
  path: string;
  /** Null when manifest.json is missing or unreadable (verification says why). */
  manifest: Manifest | null;
  verification: VerifyResult;
  entries: string[];
  table(name: PacketTableName): PacketTable;
  summary(): PacketTable;
  matches(): PacketTable;
  exceptions(): PacketTable;
  overrides(): PacketTable;
  audit(): ChainedEvent[];
  rules(): RulesFile;
  results(): ResultsFile;
  /** Raw bytes of one entry. */
  entry(name: string): Buffer;
  /** Writes every entry into a new temp folder and returns it (the caller removes it). */
  extract(): string;
}

export function openPacket(path: string): OpenedPacket {
  const zip = readZipFile(path);
  const { result, manifest } = verifyZip(zip);
  const cache = new Map<string, Buffer>();
  const entry = (name: string) => {
    let b = cache.get(name);
    if (!b) cache.set(name, (b = zip.read(name)));
    return b;
  };
  const json = <T>(name: string, schema: { parse(v: unknown): T }): T => {
    try {
      return schema.parse(JSON.parse(entry(name).toString('utf8')));
    } catch (err) {
      if (err instanceof TieoutError) throw err;
      throw new TieoutError('file_unreadable', `${name} is not readable: ${(err as Error).message}`, { path: name });
    }
  };
  const table = (name: PacketTableName): PacketTable => {
    const [columns = [], ...rows] = parseCsv(entry(PACKET_TABLES[name]).toString('utf8'));
    return { columns, rows };
  };
  return {
    path,
    manifest,
    verification: result,
    entries: zip.entries.map((e) => e.name),
    table,
    summary: () => table('summary'),
    matches: () => table('matches'),
    exceptions: () => table('exceptions'),
    overrides: () => table('overrides'),
    audit: () => parseAuditLines(entry(ENTRY.audit)).events,
    rules: () => json(ENTRY.rules, RulesFile),
    results: () => json(ENTRY.results, ResultsFile),
    entry,
    extract: () => extractToTemp(zip),
  };
}
