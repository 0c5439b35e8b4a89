import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReviewItem } from '../workspace/triage.js';
import { queryItems } from './queue.js';
import { age, compareUrgency, DEFAULT_SLA_HOURS, setSlaHours, slaPolicy, slaState, urgencyKey, type SlaFacts } from './sla.js';
import { auditRows, chainOk, demoFixture, type Fixture } from './test-fixture.js';

const created = '2026-03-01T00:00:00.000Z';
const due48 = '2026-03-03T00:00:00.000Z';
const open = (over: Partial<SlaFacts> = {}): SlaFacts => ({ status: 'open', createdAt: created, dueAt: due48, ...over });

describe('SLA arithmetic (pure)', () => {
  it('is ok with more than a quarter of the window left', () => {
    expect(slaState(open(), '2026-03-01T00:00:00.000Z')).toBe('ok');
    expect(slaState(open(), '2026-03-02T12:00:00.000Z')).toBe('ok'); // exactly 12h of 48h left
  });

  it('is due soon with less than a quarter of the window left', () => {
    expect(slaState(open(), '2026-03-02T12:00:00.001Z')).toBe('due_soon');
    expect(slaState(open(), '2026-03-02T23:59:59.999Z')).toBe('due_soon');
  });

  it('is breached from the due time on, but never for closed items', () => {
    expect(slaState(open(), due48)).toBe('breached');
    expect(slaState(open({ status: 'investigating' }), '2026-04-01T00:00:00.000Z')).toBe('breached');
    expect(slaState(open({ status: 'resolved' }), '2026-04-01T00:00:00.000Z')).toBe('ok');
    expect(slaState(open({ status: 'written_off' }), '2026-04-01T00:00:00.000Z')).toBe('ok');
  });

  it('ages items in whole hours', () => {
    expect(age(open(), '2026-03-01T00:59:59.000Z')).toBe(0);
    expect(age(open(), '2026-03-02T01:30:00.000Z')).toBe(25);
  });

  it('sorts breached first, then due soonest, closed last, ties by id', () => {
    const items = [
      { itemId: 'c', ...open({ dueAt: '2026-03-05T00:00:00.000Z' }) },
      { itemId: 'z', ...open({ status: 'resolved', dueAt: '2026-02-01T00:00:00.000Z' }) },
      { itemId: 'b', ...open({ dueAt: '2026-02-20T00:00:00.000Z' }) },
      { itemId: 'a', ...open({ dueAt: '2026-03-05T00:00:00.000Z' }) },
    ];
    expect([...items].sort(compareUrgency).map((i) => i.itemId)).toEqual(['b', 'a', 'c', 'z']);
    expect(urgencyKey(items[1]!)).toMatch(/^1\|/);
  });

  it('has the documented defaults', () => {
    expect(DEFAULT_SLA_HOURS).toMatchObject({ unmatched_left: 72, unmatched_right: 72, amount_variance: 48, duplicate: 24, currency_mismatch: 48, ambiguous: 24, suggested: 24 });
  });
});

describe('SLA in a workspace', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await demoFixture();
  });
  afterAll(() => f?.close());

  const anyOf = (cls: string) => f.ws.db.prepare('SELECT item_id FROM review_item WHERE reconciliation_id = ? AND class = ? ORDER BY item_id LIMIT 1').get(f.recId, cls) as { item_id: string };

  it('dates new items created_at + the class SLA', () => {
    for (const [cls, hours] of [
      ['duplicate', 24],
      ['amount_variance', 48],
      ['unmatched_left', 72],
    ] as const) {
      const i = findReviewItem(f.ws.db, f.recId, anyOf(cls).item_id)!;
      expect(Date.parse(i.dueAt) - Date.parse(i.createdAt), cls).toBe(hours * 3_600_000);
    }
  });

  it('filters the queue by SLA state in SQL exactly as slaState says', () => {
    const i = findReviewItem(f.ws.db, f.recId, anyOf('duplicate').item_id)!;
    // 20h into a 24h window: the 24h duplicates are due soon, the 48h/72h classes are ok.
    const now = new Date(Date.parse(i.createdAt) + 20 * 3_600_000).toISOString();
    const all = queryItems(f.ws.db, f.recId, {}, {}, { limit: 1000 }, now).items;
    for (const state of ['ok', 'due_soon', 'breached'] as const) {
      const got = queryItems(f.ws.db, f.recId, { sla: [state] }, {}, { limit: 1000 }, now).items.map((x) => x.itemId).sort();
      expect(got, state).toEqual(all.filter((x) => slaState(x, now) === state).map((x) => x.itemId).sort());
    }
    expect(queryItems(f.ws.db, f.recId, { sla: ['due_soon'] }, {}, {}, now).items.every((x) => x.class === 'duplicate' && x.sla === 'due_soon')).toBe(true);
    const later = new Date(Date.parse(i.createdAt) + 50 * 3_600_000).toISOString();
    const breached = queryItems(f.ws.db, f.recId, { sla: ['breached'] }, {}, { limit: 1000 }, later).items;
    expect(new Set(breached.map((x) => x.class))).toEqual(new Set(['duplicate', 'amount_variance', 'currency_mismatch']));
  });

  it('re-dates open items when a class SLA changes, with one audit event', () => {
    const id = anyOf('unmatched_left').item_id;
    const before = findReviewItem(f.ws.db, f.recId, id)!;
    const r = setSlaHours(f.ws.db, 'unmatched_left', 96, 'carol');
    expect(r.hours).toBe(96);
    expect(r.redated).toBeGreaterThan(0);
    expect(slaPolicy(f.ws.db)['unmatched_left']).toBe(96);
    const after = findReviewItem(f.ws.db, f.recId, id)!;
    expect(Date.parse(after.dueAt) - Date.parse(before.createdAt)).toBe(96 * 3_600_000);
    expect(auditRows(f.ws, { action: 'sla.set', target: 'sla:unmatched_left' })[0]).toMatchObject({ before: { hours: 72 }, after: { hours: 96 } });
    setSlaHours(f.ws.db, 'unmatched_left', null, 'carol');
    expect(slaPolicy(f.ws.db)['unmatched_left']).toBe(72);
    expect(findReviewItem(f.ws.db, f.recId, id)!.dueAt).toBe(before.dueAt);
    expect(() => setSlaHours(f.ws.db, 'duplicate', 0, 'carol')).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => setSlaHours(f.ws.db, 'duplicate', 10, 'dave')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(chainOk(f.ws)).toBe(true);
  });
});
