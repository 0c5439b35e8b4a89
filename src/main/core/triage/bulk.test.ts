import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReviewItem } from '../workspace/triage.js';
import { applyBulk, previewBulk } from './bulk.js';
import { approve } from '../overrides/approvals.js';
import { reverseBulk } from '../overrides/reversal.js';
import { claim } from './claims.js';
import { auditRows, chainOk, demoFixture, type Fixture } from './test-fixture.js';

let f: Fixture;
const ids = (cls?: string) =>
  (
    f.ws.db
      .prepare(`SELECT item_id FROM review_item WHERE reconciliation_id = ? ${cls ? 'AND class = ?' : ''} ORDER BY item_id`)
      .all(...(cls ? [f.recId, cls] : [f.recId])) as { item_id: string }[]
  ).map((r) => r.item_id);
const item = (id: string) => findReviewItem(f.ws.db, f.recId, id)!;

function reasonCode(code: string, appliesTo: string[], approval: 'never' | 'always' | 'above', threshold: number | null, retired = false) {
  // reason_code rows belong to the overrides module; tests write them directly.
  f.ws.db
    .prepare('INSERT INTO reason_code (code, label, applies_to_json, approval, approval_threshold_minor, note_required, retired_at, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)')
    .run(code, code, JSON.stringify(appliesTo), approval, threshold, retired ? '2026-01-01T00:00:00.000Z' : null, '2026-01-01T00:00:00.000Z');
}

beforeAll(async () => {
  f = await demoFixture();
  reasonCode('timing', ['force_match', 'accept_variance'], 'never', null);
  reasonCode('big_needs_ok', ['accept_variance', 'write_off'], 'above', 1_000_000);
  reasonCode('old', ['accept_variance'], 'never', null, true);
  reasonCode('unmatch_only', ['unmatch'], 'never', null);
  reasonCode('oops', ['reversal'], 'never', null);
});
afterAll(() => f?.close());

describe('bulk actions', () => {
  it('previews the count and total amount by currency without changing anything', () => {
    const events = auditRows(f.ws).length;
    const p = previewBulk(f.ws.db, { selection: { reconciliationId: f.recId, filter: { class: ['amount_variance'] } }, action: { type: 'assign', owner: 'bob' }, actor: 'carol' });
    const expected = f.ws.db
      .prepare("SELECT currency, COUNT(*) AS count, SUM(amount_minor) AS amountMinor FROM review_item WHERE reconciliation_id = ? AND class = 'amount_variance' GROUP BY currency ORDER BY currency")
      .all(f.recId);
    expect(p.totals).toEqual(expected);
    expect(p.count).toBe(ids('amount_variance').length);
    expect(p).toMatchObject({ willChange: p.count, unchanged: 0, blockedCount: 0 });
    expect(auditRows(f.ws).length).toBe(events);
    expect(ids('amount_variance').every((id) => item(id).owner !== 'bob')).toBe(true);
  });

  it('always requires a justification', () => {
    const req = { selection: { reconciliationId: f.recId, itemIds: ids().slice(0, 2) }, action: { type: 'assign', owner: 'bob' } as const, actor: 'carol' };
    for (const j of ['', '   ']) expect(() => applyBulk(f.ws.db, req, j)).toThrow(expect.objectContaining({ code: 'bad_input', message: expect.stringContaining('justification') }));
    expect(ids().slice(0, 2).every((id) => item(id).owner !== 'bob')).toBe(true);
  });

  it('applies an assignment: one event per item and one bulk.apply event, sharing the bulk id', () => {
    const sel = ids('amount_variance');
    const r = applyBulk(f.ws.db, { selection: { reconciliationId: f.recId, filter: { class: ['amount_variance'] } }, action: { type: 'assign', owner: 'bob' }, actor: 'carol' }, 'Bob covers variances', {
      expectCount: sel.length,
    });
    expect(r).toMatchObject({ count: sel.length, changed: sel.length });
    for (const id of sel) {
      expect(item(id).owner).toBe('bob');
      const evs = auditRows(f.ws, { action: 'item.assign', target: `item:${f.recId}:${id}` });
      expect(evs).toEqual([expect.objectContaining({ actor: 'carol', after: { owner: 'bob', bulkId: r.bulkId }, note: 'Bob covers variances' })]);
    }
    expect(auditRows(f.ws, { action: 'bulk.apply', target: `bulk:${r.bulkId}` })).toEqual([
      expect.objectContaining({ after: expect.objectContaining({ count: sel.length, changed: sel.length, totals: r.totals }), note: 'Bob covers variances' }),
    ]);
    expect(chainOk(f.ws)).toBe(true);
  });

  it('refuses when the selection changed since the preview', () => {
    expect(() =>
      applyBulk(f.ws.db, { selection: { reconciliationId: f.recId, filter: { class: ['duplicate'] } }, action: { type: 'assign', owner: 'bob' }, actor: 'carol' }, 'why', { expectCount: 999 }),
    ).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('aborts a status change when some items are held by others, unless told to skip them', () => {
    const dups = ids('duplicate');
    claim(f.ws.db, { reconciliationId: f.recId, itemId: dups[0]! }, 'alice');
    const req = { selection: { reconciliationId: f.recId, itemIds: dups }, action: { type: 'status', to: 'investigating' } as const, actor: 'bob' };
    expect(previewBulk(f.ws.db, req)).toMatchObject({ count: dups.length, willChange: dups.length - 1, blockedCount: 1, blocked: [expect.objectContaining({ itemId: dups[0], code: 'conflict' })] });
    const events = auditRows(f.ws).length;
    expect(() => applyBulk(f.ws.db, req, 'triage the duplicates')).toThrow(/1 of \d+ items cannot/);
    expect(auditRows(f.ws).length).toBe(events);
    expect(dups.slice(1).every((id) => item(id).status === 'open')).toBe(true);
    const r = applyBulk(f.ws.db, req, 'triage the duplicates', { skipBlocked: true });
    expect(r.changed).toBe(dups.length - 1);
    expect(dups.slice(1).every((id) => item(id).status === 'investigating' && item(id).claimedBy === 'bob')).toBe(true);
    expect(item(dups[0]!)).toMatchObject({ status: 'open', claimedBy: 'alice' });
    expect((auditRows(f.ws, { action: 'bulk.apply', target: `bulk:${r.bulkId}` })[0]!.after as { skipped: string[] }).skipped).toEqual([dups[0]]);
  });

  it('resolves variances with a reason code as one bulk override, sends those above the threshold for approval, and reverses it as a whole', () => {
    const sel = ids('amount_variance');
    const amounts = sel.map((id) => item(id).amountMinor).sort((a, b) => a - b);
    const threshold = amounts[Math.floor(amounts.length / 2)]!;
    reasonCode('mid_needs_ok', ['accept_variance', 'write_off'], 'above', threshold);
    const before = new Map(sel.map((id) => [id, item(id).status]));
    const req = { selection: { reconciliationId: f.recId, itemIds: sel }, action: { type: 'resolve', reasonCode: 'mid_needs_ok' } as const, actor: 'alice' };
    const expectedPending = sel.filter((id) => item(id).amountMinor > threshold).length;
    expect(expectedPending).toBeGreaterThan(0);
    expect(previewBulk(f.ws.db, req)).toMatchObject({ willChange: sel.length, needApproval: expectedPending, blockedCount: 0 });

    const r = applyBulk(f.ws.db, req, 'agreed with the vendors');
    expect(r).toMatchObject({ changed: sel.length, needApproval: expectedPending });
    expect(r.overrideIds).toHaveLength(sel.length);
    const made = f.ws.db.prepare('SELECT id, type, status, bulk_id AS bulkId, reason_code AS reasonCode, note, before_json AS b, after_json AS a, target FROM override WHERE bulk_id = ? ORDER BY id').all(r.bulkId) as {
      id: number; type: string; status: string; bulkId: string; reasonCode: string; note: string; b: string; a: string; target: string;
    }[];
    expect(made.map((o) => o.id)).toEqual(r.overrideIds);
    for (const o of made) {
      const id = o.target.replace('item:', '');
      const i = item(id);
      expect(o).toMatchObject({ type: 'accept_variance', reasonCode: 'mid_needs_ok', note: 'agreed with the vendors' });
      expect(o.status).toBe(i.amountMinor > threshold ? 'pending_approval' : 'applied');
      expect(i.status, id).toBe(i.amountMinor > threshold ? 'pending_approval' : 'resolved');
      // Every item's before and after is on its override.
      expect(JSON.parse(o.b).items).toEqual([expect.objectContaining({ itemId: id, status: before.get(id) })]);
      expect(JSON.parse(o.a).items).toEqual([expect.objectContaining({ itemId: id, status: i.status })]);
      expect(auditRows(f.ws, { action: 'item.status', target: `item:${f.recId}:${id}` }).at(-1)).toMatchObject({ reasonCode: 'mid_needs_ok', note: 'agreed with the vendors', after: expect.objectContaining({ bulkId: r.bulkId }) });
    }
    expect(auditRows(f.ws, { action: 'override.bulk', target: `bulk:${r.bulkId}` })).toHaveLength(1);
    expect(auditRows(f.ws, { action: 'bulk.apply', target: `bulk:${r.bulkId}` })[0]!.after).toMatchObject({ overrides: r.overrideIds, needApproval: expectedPending });

    // The pending ones are decided through their overrides, not by resolving again in bulk.
    const pending = sel.filter((id) => item(id).status === 'pending_approval');
    const again = previewBulk(f.ws.db, { selection: { reconciliationId: f.recId, filter: { status: ['pending_approval'], class: ['amount_variance'] } }, action: { type: 'resolve', reasonCode: 'mid_needs_ok' }, actor: 'carol' });
    expect(again).toMatchObject({ willChange: 0, blockedCount: pending.length });
    expect(again.blocked[0]!.message).toMatch(/waits for approval of override #\d+/);
    // While some wait, the bulk cannot be half undone.
    expect(() => reverseBulk(f.ws.db, r.bulkId, 'alice', 'oops', 'wrong batch')).toThrow(/wait for approval/);
    for (const o of made.filter((m) => m.status === 'pending_approval')) approve(f.ws.db, o.id, 'carol', 'fine');
    expect(pending.every((id) => item(id).status === 'resolved')).toBe(true);

    const undone = reverseBulk(f.ws.db, r.bulkId, 'alice', 'oops', 'wrong batch');
    expect(undone.reversals).toHaveLength(sel.length);
    for (const id of sel) expect(item(id).status, id).toBe(before.get(id));
    expect((f.ws.db.prepare("SELECT COUNT(*) AS n FROM override WHERE bulk_id = ? AND status = 'reversed'").get(r.bulkId) as { n: number }).n).toBe(sel.length);
    expect(chainOk(f.ws)).toBe(true);
  });

  it('writes off unmatched items in bulk, and refuses to resolve them as variances', () => {
    const sel = ids('unmatched_left').slice(0, 5);
    const asVariance = previewBulk(f.ws.db, { selection: { reconciliationId: f.recId, itemIds: sel }, action: { type: 'resolve', reasonCode: 'timing' }, actor: 'alice' });
    expect(asVariance).toMatchObject({ willChange: 0, blockedCount: sel.length });
    expect(asVariance.blocked[0]!.message).toMatch(/not a variance/);
    reasonCode('small_wo', ['write_off'], 'never', null);
    const r = applyBulk(f.ws.db, { selection: { reconciliationId: f.recId, itemIds: sel }, action: { type: 'resolve', reasonCode: 'small_wo', writeOff: true }, actor: 'alice' }, 'never billed, immaterial');
    expect(r.changed).toBe(sel.length);
    for (const id of sel) expect(item(id)).toMatchObject({ status: 'written_off', resolution: expect.stringContaining('small_wo') });
    expect((f.ws.db.prepare("SELECT COUNT(*) AS n FROM override WHERE bulk_id = ? AND type = 'write_off' AND status = 'applied'").get(r.bulkId) as { n: number }).n).toBe(sel.length);
  });

  it('refuses unknown, retired and inapplicable reason codes, and auditors', () => {
    const sel = { reconciliationId: f.recId, itemIds: ids('currency_mismatch') };
    const go = (reasonCode: string, actor = 'alice') => () => applyBulk(f.ws.db, { selection: sel, action: { type: 'resolve', reasonCode }, actor }, 'why');
    expect(go('nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(go('old')).toThrow(/retired/);
    expect(go('unmatch_only')).toThrow(/does not apply/);
    expect(go('timing', 'dave')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => previewBulk(f.ws.db, { selection: { reconciliationId: f.recId, itemIds: ['missing'] }, action: { type: 'assign', owner: 'bob' }, actor: 'alice' })).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    );
  });

  it('writes nothing when an audit event cannot be written (one transaction)', () => {
    const sel = ids('currency_mismatch');
    f.ws.db.exec("CREATE TEMP TRIGGER block_bulk BEFORE INSERT ON audit_event WHEN NEW.action = 'bulk.apply' BEGIN SELECT RAISE(ABORT, 'audit blocked'); END");
    try {
      expect(() => applyBulk(f.ws.db, { selection: { reconciliationId: f.recId, itemIds: sel }, action: { type: 'resolve', reasonCode: 'timing' }, actor: 'alice' }, 'why')).toThrow(/audit blocked/);
    } finally {
      f.ws.db.exec('DROP TRIGGER block_bulk');
    }
    expect(sel.every((id) => item(id).status === 'open')).toBe(true);
    expect(chainOk(f.ws)).toBe(true);
  });
});
