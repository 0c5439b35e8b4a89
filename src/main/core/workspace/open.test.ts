import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { APPLICATION_ID, openWorkspace, SCHEMA_VERSION } from './index.js';
import { MIGRATIONS } from './migrations/index.js';
import { bulkWriteMode, checkpointWorkspace } from './open.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'tieout-ws-'));

function errorOf(fn: () => unknown): TieoutError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TieoutError) return e;
    throw e;
  }
  throw new Error('expected a TieoutError');
}

describe('workspace file', () => {
  it('is created with the Tieout application_id, WAL, foreign keys and recorded migrations', () => {
    const path = join(tmp(), 'new.tieout');
    const ws = openWorkspace(path, { create: true });
    expect(ws.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(ws.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(ws.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const migrations = ws.db.prepare('SELECT version, name, sha256 FROM schema_migration ORDER BY version').all() as { version: number; sha256: string }[];
    // Versions are numbered per branch of work, so the list may have gaps: every one is applied.
    expect(migrations.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrations[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    ws.close();
    // Reopening applies nothing new and keeps the data.
    const again = openWorkspace(path);
    expect(again.db.prepare('SELECT COUNT(*) AS n FROM schema_migration').get()).toEqual({ n: MIGRATIONS.length });
    again.close();
  });

  it('refuses to create over an existing file', () => {
    const path = join(tmp(), 'taken.tieout');
    writeFileSync(path, 'hello');
    expect(errorOf(() => openWorkspace(path, { create: true })).code).toBe('conflict');
    expect(readFileSync(path, 'utf8')).toBe('hello');
  });

  it('refuses a file that is not a Tieout workspace and leaves it byte-for-byte untouched', () => {
    const dir = tmp();
    const text = join(dir, 'notes.tieout');
    writeFileSync(text, 'IO Number,Net Cost\nIO-1,10.00\n');
    const e = errorOf(() => openWorkspace(text));
    expect(e.code).toBe('not_a_workspace');
    expect(e.message).toContain('is not a Tieout workspace');
    expect(readFileSync(text, 'utf8')).toBe('IO Number,Net Cost\nIO-1,10.00\n');

    // A real SQLite database of another application is refused too, without a WAL switch or migration.
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    const before = readFileSync(other);
    expect(errorOf(() => openWorkspace(other)).code).toBe('not_a_workspace');
    expect(readFileSync(other).equals(before)).toBe(true);
  });

  it('refuses a workspace written by a newer schema version and leaves it untouched', () => {
    const path = join(tmp(), 'future.tieout');
    openWorkspace(path, { create: true }).close();
    const db = new Database(path);
    db.pragma('journal_mode = DELETE');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = readFileSync(path);
    const e = errorOf(() => openWorkspace(path));
    expect(e.code).toBe('workspace_too_new');
    expect(e.message).toContain('newer Tieout');
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('reports a missing file as not found', () => {
    expect(errorOf(() => openWorkspace(join(tmp(), 'nope.tieout'))).code).toBe('not_found');
  });
});

const TEMP_STORE_FILE = 1;
const TEMP_STORE_MEMORY = 2;

describe('bulk-write mode', () => {
  it('commits without copying the WAL into the file, sorts into a temporary file, restores the connection after, and a passive checkpoint copies it', () => {
    const path = join(tmp(), 'bulk.tieout');
    const ws = openWorkspace(path, { create: true });
    const db = ws.db;
    db.exec('CREATE TABLE t (x TEXT)');
    db.pragma('wal_autocheckpoint = 1');
    db.pragma('cache_size = -2048');
    const insert = db.transaction(() => {
      const stmt = db.prepare('INSERT INTO t VALUES (?)');
      for (let i = 0; i < 2000; i++) stmt.run('x'.repeat(1000));
    });
    // Usual mode: the commit's checkpoint copies the pages into the file at once.
    insert();
    const afterUsual = statSync(path).size;
    expect(afterUsual).toBeGreaterThan(2_000_000);

    const undo = bulkWriteMode(db, 1024);
    expect(db.pragma('cache_size', { simple: true })).toBe(-1024);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(db.pragma('temp_store', { simple: true })).toBe(TEMP_STORE_FILE);
    insert();
    undo();
    expect(db.pragma('cache_size', { simple: true })).toBe(-2048);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1);
    expect(db.pragma('temp_store', { simple: true })).toBe(TEMP_STORE_MEMORY);
    expect(statSync(path).size).toBe(afterUsual);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 4000 });

    const r = checkpointWorkspace(db);
    expect(r.walPages).toBeGreaterThan(400);
    expect(r.copied).toBe(r.walPages);
    expect(statSync(path).size).toBeGreaterThan(afterUsual + 2_000_000);
    ws.close();
  });
});
