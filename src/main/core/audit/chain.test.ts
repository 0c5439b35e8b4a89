import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAuditEvent, iterateAuditEvents, openWorkspace } from '../workspace/index.js';
import { canonicalJson, verifyChain } from './chain.js';

function workspaceWithEvents(n: number) {
  const ws = openWorkspace(join(mkdtempSync(join(tmpdir(), 'tieout-audit-')), 'a.tieout'), { create: true });
  ws.db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      appendAuditEvent(ws.db, { actor: 'ana', action: 'test.event', target: `item:${i}`, after: { i, nested: { b: 1, a: 2 } } });
    }
  })();
  return ws;
}

describe('audit chain', () => {
  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('verifies an untouched log and returns its head', () => {
    const ws = workspaceWithEvents(5);
    const check = verifyChain(iterateAuditEvents(ws.db));
    expect(check).toMatchObject({ ok: true, count: 5 });
    ws.close();
  });

  it('rejects UPDATE and DELETE on the log through triggers', () => {
    const ws = workspaceWithEvents(2);
    expect(() => ws.db.prepare("UPDATE audit_event SET actor = 'mallory' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => ws.db.prepare('DELETE FROM audit_event WHERE seq = 2').run()).toThrow(/append-only/);
    ws.close();
  });

  it('names the first altered event when the triggers are dropped and one event is edited', () => {
    const ws = workspaceWithEvents(4);
    ws.db.exec('DROP TRIGGER audit_event_no_update');
    ws.db.prepare(`UPDATE audit_event SET after_json = '{"i":99}' WHERE seq = 3`).run();
    expect(verifyChain(iterateAuditEvents(ws.db))).toMatchObject({ ok: false, brokenAt: 3 });
    ws.close();
  });

  it('refuses to append outside a transaction', () => {
    const ws = workspaceWithEvents(0);
    expect(() => appendAuditEvent(ws.db, { actor: 'a', action: 'x', target: 't' })).toThrow(/inside the transaction/);
    ws.close();
  });
});
