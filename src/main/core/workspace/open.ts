import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { TieoutError } from '../../../shared/error.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations/index.js';

/** 'TIEO' as a big-endian int32: marks a SQLite file as a Tieout workspace. */
export const APPLICATION_ID = 0x5449454f;
const SQLITE_MAGIC = 'SQLite format 3\0';

export interface OpenOptions {
  /** Create a new workspace; fails if a non-empty file is already there. */
  create?: boolean;
  readonly?: boolean;
  /** Path to a better_sqlite3.node built for another ABI (a packaged Electron app). */
  nativeBinding?: string;
}

export type Db = Database.Database;

/**
 * Sets the connection's page cache to `kib` KiB for a piece of work, and returns the undo. Work
 * that appends (imports, runs) needs few pages at a time, and every cached page is memory the
 * process keeps until it exits.
 */
export function usePageCache(db: Db, kib: number): () => void {
  const before = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${-Math.round(kib)}`);
  return () => {
    db.pragma(`cache_size = ${before}`);
  };
}

interface Header {
  applicationId: number;
  userVersion: number;
}

/** Reads the SQLite header without opening the file, so a foreign file is never touched. */
function readHeader(path: string): Header | null {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(100);
    const n = readSync(fd, buf, 0, 100, 0);
    if (n < 100 || buf.toString('latin1', 0, 16) !== SQLITE_MAGIC) return null;
    return { userVersion: buf.readInt32BE(60), applicationId: buf.readInt32BE(68) };
  } finally {
    closeSync(fd);
  }
}

export function checkWorkspaceFile(path: string): void {
  if (!existsSync(path)) throw new TieoutError('not_found', `No workspace at ${path}`, { file: path });
  if (statSync(path).isDirectory()) throw new TieoutError('not_a_workspace', `${path} is a folder, not a Tieout workspace`, { file: path });
  const header = readHeader(path);
  if (!header || header.applicationId !== APPLICATION_ID) {
    throw new TieoutError('not_a_workspace', `${path} is not a Tieout workspace`, { file: path });
  }
  if (header.userVersion > SCHEMA_VERSION) {
    throw new TieoutError(
      'workspace_too_new',
      `${path} was written by a newer Tieout (schema ${header.userVersion}; this version reads up to ${SCHEMA_VERSION}). Upgrade Tieout to open it.`,
      { file: path, schemaVersion: header.userVersion, supported: SCHEMA_VERSION },
    );
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function migrate(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migration (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Map(
    (db.prepare('SELECT version, sha256 FROM schema_migration').all() as { version: number; sha256: string }[]).map((r) => [
      r.version,
      r.sha256,
    ]),
  );
  for (const m of MIGRATIONS) {
    const hash = sha256(m.sql);
    const seen = applied.get(m.version);
    if (seen !== undefined) {
      if (seen !== hash) {
        throw new TieoutError('internal', `Migration ${m.version} (${m.name}) differs from the one applied to this workspace`);
      }
      continue;
    }
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migration (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)').run(
        m.version,
        m.name,
        hash,
        new Date().toISOString(),
      );
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

/** The single factory through which every workspace file is opened. */
export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  if (opts.create) {
    if (existsSync(path) && statSync(path).size > 0) {
      throw new TieoutError('conflict', `${path} already exists; open it instead`, { file: path });
    }
  } else {
    checkWorkspaceFile(path);
  }
  const dbOptions: Database.Options = {};
  if (opts.readonly) dbOptions.readonly = true;
  if (opts.nativeBinding) dbOptions.nativeBinding = opts.nativeBinding;
  const db = new Database(path, dbOptions);
  try {
    db.pragma('busy_timeout = 10000');
    if (!opts.readonly) {
      if (opts.create) db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Big imports and runs touch large B-trees; a larger page cache keeps index updates in memory.
      db.pragma('cache_size = -262144');
      db.pragma('temp_store = MEMORY');
      migrate(db);
    }
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
