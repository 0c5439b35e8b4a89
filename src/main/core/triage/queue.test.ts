import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, claim } from './claims.js';
import { queryItems } from './queue.js';
import { compareUrgency } from './sla.js';
import { demoFixture, type Fixture } from './test-fixture.js';
import { setStatus } from './transitions.js';

let f: Fixture;
let all: ReturnType<typeof queryItems>['items'];
let NOW = '';

beforeAll(async () => {
  f = await demoFixture();
  // A day after the items appeared, whenever the run synced them.
  const first = (f.ws.db.prepare('SELECT MIN(created_at) AS t FROM review_item WHERE reconciliation_id = ?').get(f.recId) as { t: string }).t;
  NOW = new Date(Date.parse(first) + 24 * 3_600_000).toISOString();
  const ids = (f.ws.db.prepare('SELECT item_id FROM review_item WHERE reconciliation_id = ? ORDER BY item_id').all(f.recId) as { item_id: string }[]).map((r) => r.item_id);
  const ref = (i: number) => ({ reconciliationId: f.recId, itemId: ids[i]! });
  setStatus(f.ws.db, ref(0), 'resolved', 'alice', 'done');
  assign(f.ws.db, [ref(1), ref(2)], 'bob', 'carol', 'workload');
  claim(f.ws.db, ref(2), 'bob');
  all = queryItems(f.ws.db, f.recId, {}, {}, { limit: 1000 }, NOW).items;
});
afterAll(() => f?.close());

const q = (filter: Parameters<typeof queryItems>[2], sort: Parameters<typeof queryItems>[3] = {}, page: Parameters<typeof queryItems>[4] = { limit: 1000 }) =>
  queryItems(f.ws.db, f.recId, filter, sort, page, NOW);

describe('queryItems', () => {
  it('sorts by urgency by default: open items by due time, closed last', () => {
    expect(all.length).toBeGreaterThan(10);
    expect(all.map((i) => i.itemId)).toEqual([...all].sort(compareUrgency).map((i) => i.itemId));
    expect(all.at(-1)!.status).toBe('resolved');
    expect(all[0]!.class).toBe('duplicate'); // shortest SLA, all created together
  });

  it('filters by status, class, owner (including none), claim, amount range and currency', () => {
    expect(q({ status: ['resolved'] }).items.map((i) => i.resolution)).toEqual(['done']);
    const dup = q({ class: ['duplicate', 'ambiguous'] });
    expect(dup.total).toBe(all.filter((i) => i.class === 'duplicate' || i.class === 'ambiguous').length);
    expect(q({ owner: ['bob'] }).items.map((i) => i.ownerName)).toEqual(['Bob Analyst', 'Bob Analyst']);
    expect(q({ owner: [null] }).total).toBe(0);
    expect(q({ owner: ['bob', 'carol'] }).total).toBe(all.length);
    expect(q({ claimedBy: ['bob'] }).items.map((i) => i.claimedByName)).toEqual(['Bob Analyst']);
    expect(q({ claimedBy: [null] }).total).toBe(all.length - 1);
    const mid = q({ amountMin: 100_000, amountMax: 1_000_000, currency: 'USD' });
    expect(mid.total).toBe(all.filter((i) => i.currency === 'USD' && i.amountMinor >= 100_000 && i.amountMinor <= 1_000_000).length);
    expect(mid.items.every((i) => i.currency === 'USD' && i.amountMinor >= 100_000 && i.amountMinor <= 1_000_000)).toBe(true);
    expect(q({ status: [] }).total).toBe(0);
  });

  it('finds free text in the item id, class and the exception detail', () => {
    const one = all[3]!;
    expect(q({ text: one.itemId.slice(2, 10) }).items.map((i) => i.itemId)).toContain(one.itemId);
    expect(q({ text: 'variance' }).items.every((i) => i.class === 'amount_variance' || /variance/i.test(i.detail ?? ''))).toBe(true);
    const detailWord = all.find((i) => i.detail)!.detail!.split(/\s+/)[0]!;
    expect(q({ text: detailWord }).total).toBeGreaterThan(0);
    expect(q({ text: '100%_' }).total).toBe(0); // LIKE wildcards are literal
  });

  it('pages with a stable total and returns SLA state, age and detail', () => {
    const p1 = q({}, {}, { offset: 0, limit: 5 });
    const p2 = q({}, {}, { offset: 5, limit: 5 });
    expect(p1.total).toBe(all.length);
    expect([...p1.items, ...p2.items].map((i) => i.itemId)).toEqual(all.slice(0, 10).map((i) => i.itemId));
    const i = p1.items[0]!;
    expect(i.ageHours).toBe(Math.floor((Date.parse(NOW) - Date.parse(i.createdAt)) / 3_600_000));
    expect(['ok', 'due_soon', 'breached']).toContain(i.sla);
    expect(typeof i.detail).toBe('string');
  });

  it('sorts by amount either way', () => {
    const desc = q({}, { by: 'amount', dir: 'desc' }).items.map((i) => i.amountMinor);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
  });

  it('refuses malformed filters, sorts and pages', () => {
    expect(() => q({ status: ['done' as never] })).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => q({ nope: 1 } as never)).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => q({}, { by: 'owner' as never })).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => q({}, {}, { limit: 0 })).toThrow(expect.objectContaining({ code: 'bad_input' }));
  });
});
