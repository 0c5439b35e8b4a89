import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { MIGRATIONS } from './migrations/index.js';
import { APPLICATION_ID } from './open.js';

/**
 * A workspace file as an earlier Tieout left it: migrations up to `version` applied and
 * recorded, nothing else. Returns the open connection, for the test to add the old rows.
 */
export function workspaceAtSchema(path: string, version: number): Database.Database {
  const db = new Database(path);
  db.pragma(`application_id = ${APPLICATION_ID}`);
  db.exec('CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter((x) => x.version <= version)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migration VALUES (?, ?, ?, ?)').run(m.version, m.name, createHash('sha256').update(m.sql).digest('hex'), '2026-01-01T00:00:00.000Z');
  }
  db.pragma(`user_version = ${version}`);
  return db;
}
