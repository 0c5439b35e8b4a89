import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReviewItem } from '../workspace/triage.js';
import { approve, reject } from '../overrides/approvals.js';
import { itemRecords } from '../overrides/items.js';
import { makeOverride } from '../overrides/overrides.js';
import { signOff, unlockPeriod, periodsOf } from '../overrides/sign-off.js';
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

  it('refuses to move an item out of pending_approval while its override waits, naming the override', () => {
    f.ws.db
      .prepare('INSERT INTO reason_code (code, label, applies_to_json, approval, approval_threshold_minor, note_required, retired_at, created_at) VALUES (?, ?, ?, ?, NULL, 0, NULL, ?)')
      .run('needs_ok', 'Needs a checker', JSON.stringify(['write_off']), 'always', '2026-01-01T00:00:00.000Z');
    const o = makeOverride(f.ws.db, { type: 'write_off', reconciliationId: f.recId, itemId: ids[8]!, reasonCode: 'needs_ok', note: 'immaterial' }, 'alice');
    expect(o.status).toBe('pending_approval');
    expect(item(8).status).toBe('pending_approval');
    const events = auditRows(f.ws).length;
    for (const to of ['resolved', 'written_off', 'investigating'] as const) {
      // Even an approver other than the maker goes through the override, not a bare status change.
      expect(() => setStatus(f.ws.db, ref(8), to, 'carol', 'looks fine')).toThrow(
        expect.objectContaining({ code: 'conflict', message: expect.stringContaining(`override #${o.id} (write_off by alice, reason needs_ok)`) }),
      );
    }
    expect(item(8).status).toBe('pending_approval');
    expect(auditRows(f.ws).length).toBe(events);
    // Its approval closes it, as the override says.
    approve(f.ws.db, o.id, 'carol', 'immaterial, approved');
    expect(item(8).status).toBe('written_off');

    const o2 = makeOverride(f.ws.db, { type: 'write_off', reconciliationId: f.recId, itemId: ids[9]!, reasonCode: 'needs_ok', note: 'immaterial' }, 'alice');
    expect(() => setStatus(f.ws.db, ref(9), 'investigating', 'finlead')).toThrow(new RegExp(`override #${o2.id}`));
    reject(f.ws.db, o2.id, 'finlead', 'chase the vendor');
    expect(item(9).status).toBe('investigating');
    // With nothing pending any more, status changes work again.
    setStatus(f.ws.db, ref(9), 'open', 'alice');
    expect(item(9).status).toBe('open');
  });

  it('refuses a status change to an item whose records are in a signed-off period, until it is unlocked', () => {
    const records = (n: number) => Object.values(itemRecords(f.ws.db, item(n))).flat();
    const i = ids.findIndex((_, n) => n >= 10 && item(n).status === 'open' && periodsOf(f.ws.db, records(n)).length > 0);
    expect(i).toBeGreaterThanOrEqual(10);
    const period = periodsOf(f.ws.db, records(i))[0]!;
    signOff(f.ws.db, f.recId, period, 'carol', 'month closed');
    expect(() => setStatus(f.ws.db, ref(i), 'investigating', 'alice')).toThrow(expect.objectContaining({ code: 'forbidden', message: expect.stringContaining(`Period ${period}`) }));
    expect(item(i).status).toBe('open');
    unlockPeriod(f.ws.db, f.recId, period, 'alice', 'carol', 'late credit note');
    setStatus(f.ws.db, ref(i), 'investigating', 'alice');
    expect(item(i).status).toBe('investigating');
    expect(chainOk(f.ws)).toBe(true);
  });
});
