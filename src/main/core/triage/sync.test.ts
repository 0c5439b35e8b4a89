import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMinor } from '../../../shared/money.js';
import { addDays } from '../../../shared/date.js';
import { DEMO_SOURCES } from '../demo/index.js';
import { DEMO_RULE_SET } from '../engine/demo-rules.js';
import { createReconciliation } from '../reconcile/index.js';
import { findSourceByName, runTable } from '../workspace/index.js';
import { findReviewItem } from '../workspace/triage.js';
import { assign } from './claims.js';
import { syncReviewItems } from './sync.js';
import { auditRows, chainOk, demoFixture, importInvoices, runAndSync, type Fixture } from './test-fixture.js';
import { setStatus } from './transitions.js';

let f: Fixture;
beforeAll(async () => {
  f = await demoFixture();
});
afterAll(() => f?.close());

const items = () => f.ws.db.prepare('SELECT item_id, status FROM review_item WHERE reconciliation_id = ? ORDER BY item_id').all(f.recId) as { item_id: string; status: string }[];

describe('syncReviewItems', () => {
  it('makes one open, owned, dated item per exception of the run', () => {
    const exceptions = f.ws.db.prepare('SELECT exception_id, class, amount_minor, currency FROM run_exception WHERE run_id = ? ORDER BY exception_id').all(f.runId) as {
      exception_id: string;
      class: string;
      amount_minor: number;
      currency: string;
    }[];
    expect(exceptions.length).toBeGreaterThan(10);
    expect(items().map((i) => i.item_id)).toEqual(exceptions.map((e) => e.exception_id));
    for (const e of exceptions) {
      const i = findReviewItem(f.ws.db, f.recId, e.exception_id)!;
      expect(i).toMatchObject({ kind: 'exception', class: e.class, status: 'open', amountMinor: e.amount_minor, currency: e.currency, firstSeenRun: f.runId, lastSeenRun: f.runId });
      expect(i.owner).toBe('carol');
      expect(auditRows(f.ws, { action: 'item.create', target: `item:${f.recId}:${e.exception_id}` })).toHaveLength(1);
    }
  });

  it('is idempotent for the same run and refuses an unknown run', () => {
    const n = items().length;
    const again = syncReviewItems(f.ws.db, f.runId, '2026-03-01T10:00:00.000Z');
    expect(again).toMatchObject({ created: 0, seen: n, cleared: 0, reopened: 0 });
    expect(() => syncReviewItems(f.ws.db, 9999)).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('joins a caller\'s open transaction (runMatch calls it inside its own) and rolls back with it', () => {
    const events = auditRows(f.ws).length;
    f.ws.db.exec('BEGIN IMMEDIATE');
    try {
      expect(syncReviewItems(f.ws.db, f.runId, '2026-03-01T11:00:00.000Z').seen).toBe(items().length);
      expect(auditRows(f.ws).length).toBe(events + 1);
    } finally {
      f.ws.db.exec('ROLLBACK');
    }
    expect(auditRows(f.ws).length).toBe(events);
  });

  it('keeps owner, status and claims across runs, and clears items the new run no longer reports', async () => {
    const buy = f.ws.db
      .prepare(
        `SELECT e.exception_id AS id, r.fields_json AS fields FROM run_exception e
           JOIN ${runTable(f.ws.db, f.runId, 'member').name} m ON m.run_id = e.run_id AND m.exception_id = e.exception_id JOIN record r ON r.id = m.record_id
          WHERE e.run_id = ? AND e.class = 'unmatched_left' ORDER BY e.exception_id LIMIT 1`,
      )
      .get(f.runId) as { id: string; fields: string };
    const b = JSON.parse(buy.fields) as Record<string, string | number>;
    const others = items().filter((i) => i.item_id !== buy.id);
    const worked = { reconciliationId: f.recId, itemId: others[0]!.item_id };
    const closed = { reconciliationId: f.recId, itemId: others[1]!.item_id };
    assign(f.ws.db, [worked], 'bob', 'carol', 'Bob knows this vendor');
    setStatus(f.ws.db, worked, 'investigating', 'alice');
    setStatus(f.ws.db, closed, 'resolved', 'alice', 'credit note received');
    setStatus(f.ws.db, { reconciliationId: f.recId, itemId: buy.id }, 'investigating', 'alice');

    // The vendor finally bills the unbilled buy: the next run pairs it.
    const line = { no: 'INV-LATE-1', line: 1, date: addDays(String(b['flight_end']), 10), vendor: String(b['vendor']), desc: String(b['placement']), currency: String(b['currency']) };
    await importInvoices(f.ws, f.dir, [{ ...line, po: `PO-${b['line_id']}`, amount: formatMinor(Number(b['net_cost']), line.currency) }]);
    const run2 = await runAndSync(f.ws, f.recName, '2026-03-05T09:00:00.000Z');

    expect(findReviewItem(f.ws.db, f.recId, worked.itemId)).toMatchObject({ owner: 'bob', status: 'investigating', claimedBy: 'alice', firstSeenRun: f.runId, lastSeenRun: run2.runId });
    expect(findReviewItem(f.ws.db, f.recId, closed.itemId)).toMatchObject({ status: 'resolved', resolution: 'credit note received', lastSeenRun: run2.runId });
    expect(findReviewItem(f.ws.db, f.recId, buy.id)).toMatchObject({ status: 'resolved', resolution: `cleared by run ${run2.runId}`, claimedBy: null, lastSeenRun: f.runId });
    const cleared = auditRows(f.ws, { action: 'item.status', target: `item:${f.recId}:${buy.id}` }).at(-1)!;
    expect(cleared).toMatchObject({ before: { status: 'investigating', claimedBy: 'alice' }, after: { status: 'resolved', resolution: `cleared by run ${run2.runId}` } });
    expect(auditRows(f.ws, { action: 'review.sync', target: `run:${run2.runId}` }).length).toBeGreaterThanOrEqual(1);
    // An older run may not clear what a newer one reported.
    expect(() => syncReviewItems(f.ws.db, f.runId)).toThrow(expect.objectContaining({ code: 'conflict' }));

    // The invoice's PO is corrected away again: the buy is unbilled once more, and its item reopens.
    await importInvoices(f.ws, f.dir, [{ ...line, po: 'PO-UNKNOWN-999', vendor: 'Somebody Else', desc: 'other', amount: '1.23' }]);
    const run3 = await runAndSync(f.ws, f.recName, '2026-03-06T09:00:00.000Z');
    expect(findReviewItem(f.ws.db, f.recId, buy.id)).toMatchObject({ status: 'open', resolution: null, lastSeenRun: run3.runId, firstSeenRun: f.runId });
    expect(auditRows(f.ws, { action: 'item.status', target: `item:${f.recId}:${buy.id}` }).at(-1)).toMatchObject({ after: { status: 'open' } });
    expect(chainOk(f.ws)).toBe(true);
  });

  it('makes a suggestion item (class suggested) per suggested group', async () => {
    const rules = structuredClone(DEMO_RULE_SET);
    rules.passes[0] = { ...rules.passes[0]!, confirm: 'suggest' } as (typeof rules.passes)[number];
    const left = findSourceByName(f.ws.db, DEMO_SOURCES.buys.name)!.id;
    const right = findSourceByName(f.ws.db, DEMO_SOURCES.invoices.name)!.id;
    const rec = createReconciliation(f.ws.db, { name: 'Suggest all', left: [left], right: [right], rules }, 'setup').reconciliation;
    const run = await runAndSync(f.ws, 'Suggest all', '2026-03-01T09:00:00.000Z');
    const groups = f.ws.db.prepare("SELECT group_id, left_amount_minor, currency FROM match_group WHERE run_id = ? AND status = 'suggested' ORDER BY group_id").all(run.runId) as {
      group_id: string;
      left_amount_minor: number;
      currency: string;
    }[];
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups.slice(0, 20)) {
      const i = findReviewItem(f.ws.db, rec.id, g.group_id)!;
      expect(i).toMatchObject({ kind: 'suggestion', class: 'suggested', status: 'open', amountMinor: g.left_amount_minor, currency: g.currency });
      expect(Date.parse(i.dueAt) - Date.parse(i.createdAt)).toBe(24 * 3_600_000);
    }
  });
});
