import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReviewItem } from '../workspace/triage.js';
import { claim } from './claims.js';
import type { ItemRef } from './items.js';
import { auditRows, chainOk, demoFixture, type Fixture } from './test-fixture.js';
import { setStatus } from './transitions.js';

let f: Fixture;
let ids: string[] = [];
const ref = (i: number): ItemRef => ({ reconciliationId: f.recId, itemId: ids[i]! });
const item = (i: number) => findReviewItem(f.ws.db, f.recId, ids[i]!)!;
const target = (i: number) => `item:${f.recId}:${ids[i]}`;

beforeAll(async () => {
  f = await demoFixture();
  ids = (f.ws.db.prepare("SELECT item_id FROM review_item WHERE reconciliation_id = ? AND kind = 'exception' ORDER BY item_id").all(f.recId) as { item_id: string }[]).map((r) => r.item_id);
  expect(ids.length).toBeGreaterThanOrEqual(10);
});
afterAll(() => f?.close());

describe('setStatus', () => {
  it('moves an item to investigating, claims it for the actor and records before/after', () => {
    const after = setStatus(f.ws.db, ref(0), 'investigating', 'alice', 'looking into it', '2026-03-01T10:00:00.000Z');
    expect(after).toMatchObject({ status: 'investigating', claimedBy: 'alice' });
    expect(item(0)).toMatchObject({ status: 'investigating', claimedBy: 'alice', updatedAt: '2026-03-01T10:00:00.000Z' });
    const ev = auditRows(f.ws, { action: 'item.status', target: target(0) }).at(-1)!;
    expect(ev).toMatchObject({ actor: 'alice', before: { status: 'open', claimedBy: null }, after: { status: 'investigating', claimedBy: 'alice' }, note: 'looking into it' });
  });

  it('refuses a step the status machine does not allow, and leaves item and log untouched', () => {
    setStatus(f.ws.db, ref(1), 'resolved', 'alice', 'paid in March');
    expect(item(1)).toMatchObject({ status: 'resolved', claimedBy: null, resolution: 'paid in March' });
    const events = auditRows(f.ws).length;
    expect(() => setStatus(f.ws.db, ref(1), 'investigating', 'alice')).toThrow(/cannot go from resolved to investigating; allowed: open/);
    expect(item(1).status).toBe('resolved');
    expect(auditRows(f.ws).length).toBe(events);
    // Reopening clears the resolution.
    setStatus(f.ws.db, ref(1), 'open', 'alice');
    expect(item(1)).toMatchObject({ status: 'open', resolution: null });
  });

  it('refuses a change to an item someone else is working on, naming them', () => {
    claim(f.ws.db, ref(2), 'alice');
    expect(() => setStatus(f.ws.db, ref(2), 'resolved', 'bob')).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining('Alice Analyst') }));
    expect(item(2).status).toBe('open');
  });

  it('refuses auditors, unknown users, unknown items and unknown statuses', () => {
    expect(() => setStatus(f.ws.db, ref(3), 'investigating', 'dave')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => setStatus(f.ws.db, ref(3), 'investigating', 'nobody')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => setStatus(f.ws.db, { reconciliationId: f.recId, itemId: 'nope' }, 'investigating', 'alice')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => setStatus(f.ws.db, ref(3), 'done' as never, 'alice')).toThrow(expect.objectContaining({ code: 'bad_input' }));
  });

  it('lets only an approver other than the submitter decide an item pending approval', () => {
    setStatus(f.ws.db, ref(4), 'investigating', 'alice');
    setStatus(f.ws.db, ref(4), 'pending_approval', 'alice', 'write off: immaterial');
    expect(item(4)).toMatchObject({ status: 'pending_approval', claimedBy: 'alice' });
    expect(() => setStatus(f.ws.db, ref(4), 'written_off', 'alice')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => setStatus(f.ws.db, ref(4), 'written_off', 'bob')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    // The approver decides although alice holds the claim; closing releases it.
    setStatus(f.ws.db, ref(4), 'written_off', 'carol', 'approved');
    expect(item(4)).toMatchObject({ status: 'written_off', claimedBy: null, resolution: 'approved' });

    setStatus(f.ws.db, ref(7), 'pending_approval', 'carol');
    expect(() => setStatus(f.ws.db, ref(7), 'resolved', 'carol')).toThrow(/cannot also approve/);
    setStatus(f.ws.db, ref(7), 'resolved', 'finlead');
    expect(item(7).status).toBe('resolved');

    // A rejection sends it back to investigating, still claimed by the submitter.
    setStatus(f.ws.db, ref(5), 'investigating', 'bob');
    setStatus(f.ws.db, ref(5), 'pending_approval', 'bob');
    setStatus(f.ws.db, ref(5), 'investigating', 'finlead', 'need the credit note');
    expect(item(5)).toMatchObject({ status: 'investigating', claimedBy: 'bob' });
    expect(chainOk(f.ws)).toBe(true);
  });

  it('writes nothing when its audit event cannot be written (same transaction)', () => {
    f.ws.db.exec("CREATE TEMP TRIGGER block_audit BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'audit blocked'); END");
    try {
      expect(() => setStatus(f.ws.db, ref(6), 'investigating', 'bob')).toThrow(/audit blocked/);
    } finally {
      f.ws.db.exec('DROP TRIGGER block_audit');
    }
    expect(item(6)).toMatchObject({ status: 'open', claimedBy: null });
  });
});
