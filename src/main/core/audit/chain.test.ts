import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
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

  it('canonical JSON gives, for any value, the text every event in existing logs was hashed with', () => {
    // The definition the chain was built on; a faster canonicalJson must not change one byte of it.
    const reference = (value: unknown): string => {
      if (value === null || typeof value !== 'object') {
        if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number in canonical JSON');
        return JSON.stringify(value ?? null);
      }
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
    };
    const outcome = (f: (v: unknown) => string, v: unknown) => {
      try {
        return f(v);
      } catch (e) {
        return `threw ${(e as Error).name}`;
      }
    };
    fc.assert(
      fc.property(fc.anything({ withSparseArray: true, withNullPrototype: true, withBigInt: true, withDate: true, maxDepth: 4 }), (v) => {
        expect(outcome(canonicalJson, v)).toBe(outcome(reference, v));
      }),
      { numRuns: 2000 },
    );
    expect(canonicalJson({ 10: 'a', 9: 'b', b: [1, , undefined], a: undefined })).toBe(reference({ 10: 'a', 9: 'b', b: [1, , undefined], a: undefined }));
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
