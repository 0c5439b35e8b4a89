import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReviewItem } from '../workspace/triage.js';
import { assign, claim, release } from './claims.js';
import type { ItemRef } from './items.js';
import { setStatus } from './transitions.js';
import { auditRows, chainOk, demoFixture, type Fixture } from './test-fixture.js';

let f: Fixture;
let ids: string[] = [];
const ref = (i: number): ItemRef => ({ reconciliationId: f.recId, itemId: ids[i]! });
const item = (i: number) => findReviewItem(f.ws.db, f.recId, ids[i]!)!;
const target = (i: number) => `item:${f.recId}:${ids[i]}`;

beforeAll(async () => {
  f = await demoFixture();
  ids = (f.ws.db.prepare('SELECT item_id FROM review_item WHERE reconciliation_id = ? ORDER BY item_id').all(f.recId) as { item_id: string }[]).map((r) => r.item_id);
});
afterAll(() => f?.close());

describe('claims', () => {
  it('lets one person work an item; a second claim fails with a conflict naming the holder', () => {
    claim(f.ws.db, ref(0), 'alice', { now: '2026-03-02T08:00:00.000Z' });
    expect(item(0).claimedBy).toBe('alice');
    expect(auditRows(f.ws, { action: 'item.claim', target: target(0) })[0]).toMatchObject({ actor: 'alice', before: { claimedBy: null }, after: { claimedBy: 'alice' } });
    let err: unknown;
    try {
      claim(f.ws.db, ref(0), 'bob');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'conflict', details: { holder: 'alice' } });
    expect((err as Error).message).toContain('Alice Analyst');
    expect(item(0).claimedBy).toBe('alice');
    // Claiming one's own item again is a no-op, with no new event.
    const n = auditRows(f.ws).length;
    claim(f.ws.db, ref(0), 'alice');
    expect(auditRows(f.ws).length).toBe(n);
  });

  it('records a reassignment with the previous and new holder', () => {
    claim(f.ws.db, ref(0), 'bob', { reassign: true, note: 'Alice is out' });
    expect(item(0).claimedBy).toBe('bob');
    expect(auditRows(f.ws, { action: 'item.reassign', target: target(0) })).toEqual([
      expect.objectContaining({ actor: 'bob', before: { claimedBy: 'alice' }, after: { claimedBy: 'bob' }, note: 'Alice is out' }),
    ]);
  });

  it('releases only one\'s own claim', () => {
    expect(() => release(f.ws.db, ref(0), 'alice')).toThrow(expect.objectContaining({ code: 'conflict' }));
    release(f.ws.db, ref(0), 'bob');
    expect(item(0).claimedBy).toBeNull();
    expect(auditRows(f.ws, { action: 'item.release', target: target(0) })).toHaveLength(1);
  });

  it('refuses claims on closed items and by auditors', () => {
    setStatus(f.ws.db, ref(1), 'resolved', 'alice');
    expect(() => claim(f.ws.db, ref(1), 'bob')).toThrow(/reopen it/);
    expect(() => claim(f.ws.db, ref(2), 'dave')).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('assigns an owner to several items with a justification, one event each, claims untouched', () => {
    claim(f.ws.db, ref(3), 'alice');
    const before = [item(3).owner, item(4).owner];
    assign(f.ws.db, [ref(3), ref(4)], 'social', 'carol', 'social campaigns', '2026-03-02T09:00:00.000Z');
    expect([item(3).owner, item(4).owner]).toEqual(['social', 'social']);
    expect(item(3).claimedBy).toBe('alice');
    const evs = [3, 4].map((i) => auditRows(f.ws, { action: 'item.assign', target: target(i) })[0]);
    expect(evs.map((e) => [e?.before, e?.after, e?.note])).toEqual([
      [{ owner: before[0] }, { owner: 'social' }, 'social campaigns'],
      [{ owner: before[1] }, { owner: 'social' }, 'social campaigns'],
    ]);
  });

  it('requires a justification and a known owner, and is all or nothing', () => {
    expect(() => assign(f.ws.db, [ref(5)], 'bob', 'carol', '   ')).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => assign(f.ws.db, [ref(5)], 'nobody', 'carol', 'x')).toThrow(expect.objectContaining({ code: 'not_found' }));
    const owner = item(5).owner;
    expect(() => assign(f.ws.db, [ref(5), { reconciliationId: f.recId, itemId: 'missing' }], 'bob', 'carol', 'why')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(item(5).owner).toBe(owner);
    expect(chainOk(f.ws)).toBe(true);
  });

  it('writes no claim when its audit event cannot be written (same transaction)', () => {
    f.ws.db.exec("CREATE TEMP TRIGGER block_audit BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'audit blocked'); END");
    try {
      expect(() => claim(f.ws.db, ref(6), 'bob')).toThrow(/audit blocked/);
      expect(() => assign(f.ws.db, [ref(6)], 'bob', 'carol', 'why')).toThrow(/audit blocked/);
    } finally {
      f.ws.db.exec('DROP TRIGGER block_audit');
    }
    expect(item(6).claimedBy).toBeNull();
    expect(item(6).owner).not.toBe('bob');
  });
});
