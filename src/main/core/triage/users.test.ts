import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../workspace/index.js';
import { auditRows, chainOk } from './test-fixture.js';
import { createUser, currentUser, ensureDefaultUser, listUsers, switchUser } from './users.js';

let dir = '';
let ws: Workspace;

function fresh(): Workspace {
  dir = mkdtempSync(join(tmpdir(), 'tieout-users-'));
  ws = openWorkspace(join(dir, 'w.tieout'), { create: true });
  return ws;
}

afterEach(() => {
  ws?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('users', () => {
  it('gives an empty workspace a default analyst named after the OS user, once', () => {
    fresh();
    expect(currentUser(ws.db)).toBeUndefined();
    const u = ensureDefaultUser(ws.db, 'jdoe', '2026-01-01T00:00:00.000Z');
    expect(u).toMatchObject({ id: 'jdoe', name: 'jdoe', role: 'analyst' });
    expect(currentUser(ws.db)?.id).toBe('jdoe');
    expect(ensureDefaultUser(ws.db, 'someone-else').id).toBe('jdoe');
    expect(listUsers(ws.db)).toHaveLength(1);
    expect(auditRows(ws).map((e) => e.action)).toEqual(['user.create', 'user.switch']);
    expect(chainOk(ws)).toBe(true);
  });

  it('derives unique ids from names and refuses a taken id or a bad role', () => {
    fresh();
    const a = createUser(ws.db, { name: 'Ann Lee', email: 'ann@example.com', role: 'approver' }, 'setup');
    const b = createUser(ws.db, { name: 'Ann Lee' }, 'setup');
    expect([a.id, b.id]).toEqual(['ann-lee', 'ann-lee-2']);
    expect(b.role).toBe('analyst');
    expect(() => createUser(ws.db, { id: 'ann-lee', name: 'Other' }, 'setup')).toThrow(/already exists/);
    expect(() => createUser(ws.db, { name: 'X', role: 'admin' as never }, 'setup')).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => createUser(ws.db, { name: 'X', email: 'not-an-email' }, 'setup')).toThrow(expect.objectContaining({ code: 'bad_input' }));
  });

  it('switches the current user and records who switched from whom', () => {
    fresh();
    ensureDefaultUser(ws.db, 'jdoe');
    createUser(ws.db, { id: 'carol', name: 'Carol', role: 'approver' }, 'jdoe');
    switchUser(ws.db, 'carol', 'jdoe', '2026-01-02T00:00:00.000Z');
    expect(currentUser(ws.db)?.id).toBe('carol');
    const ev = auditRows(ws, { action: 'user.switch' }).at(-1)!;
    expect(ev).toMatchObject({ actor: 'jdoe', target: 'user:carol', before: { user: 'jdoe' }, after: { user: 'carol' } });
    expect(() => switchUser(ws.db, 'nobody', 'jdoe')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(chainOk(ws)).toBe(true);
  });

  it('makes the first existing user current when users exist but none is current', () => {
    fresh();
    createUser(ws.db, { id: 'zed', name: 'Zed' }, 'setup', '2026-01-01T00:00:00.000Z');
    createUser(ws.db, { id: 'amy', name: 'Amy' }, 'setup', '2026-01-02T00:00:00.000Z');
    expect(ensureDefaultUser(ws.db, 'os-user').id).toBe('zed');
    expect(listUsers(ws.db).map((u) => u.id)).toEqual(['zed', 'amy']);
  });
});
