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
 * Puts the connection in bulk-write mode for a piece of work (an import, a run), and returns
 * the undo:
 * - a page cache of `cacheKib` KiB: such work appends, so it needs few pages at a time, and
 *   every cached page is memory the process keeps until it exits;
 * - no automatic checkpoint at its commit: SQLite would otherwise copy the whole transaction
 *   (0.5 GB for a 1M-row import) from the WAL into the file before the commit returns, while the
 *   user waits. The job worker checkpoints after it has replied (see checkpointWorkspace);
 *   closing the last connection checkpoints too;
 * - sorts bigger than the cache spill to a temporary file, not to memory: a 1M-buy run builds
 *   indexes over two million members and a million review rows, and with temp_store = MEMORY
 *   their sorts added ~90 MB to the run's peak (2,113 -> 2,020 MB), at no measurable cost in time.
 */
export function bulkWriteMode(db: Db, cacheKib: number): () => void {
  const cache = db.pragma('cache_size', { simple: true }) as number;
  const autocheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  const tempStore = db.pragma('temp_store', { simple: true }) as number;
  db.pragma(`cache_size = ${-Math.round(cacheKib)}`);
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('temp_store = FILE');
  return () => {
    db.pragma(`cache_size = ${cache}`);
    db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
    db.pragma(`temp_store = ${tempStore}`);
  };
}

/**
 * Copies what the WAL holds into the workspace file, without waiting for readers or writers of
 * other connections (a passive checkpoint). Returns the WAL's pages and how many were copied.
 */
export function checkpointWorkspace(db: Db): { walPages: number; copied: number } {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  return { walPages: Math.max(0, r?.log ?? 0), copied: Math.max(0, r?.checkpointed ?? 0) };
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
