import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTable } from '../workspace/index.js';
import { findReviewItem } from '../workspace/triage.js';
import { effectiveOwnershipRules, fallbackOwner, listOwnershipRules, OwnershipRuleInput, pickOwner, saveOwnershipRules, setFallbackOwner, type OwnershipFacts } from './ownership.js';
import { auditRows, chainOk, demoFixture, type Fixture } from './test-fixture.js';

const META_TO_SOCIAL: OwnershipRuleInput = { match: { label: 'Meta variances', classes: ['amount_variance'], field: { name: 'vendor_name', op: 'contains', value: 'meta' } }, owner: 'social' };
const BIG_TO_FINLEAD: OwnershipRuleInput = { match: { label: 'Over 10k', amountAbove: { minor: 1_000_000, currency: 'USD' } }, owner: 'finlead' };

const item = (over: Partial<OwnershipFacts>): OwnershipFacts => ({
  class: 'amount_variance',
  amountMinor: 50_000,
  currency: 'USD',
  records: [{ source: 'Vendor invoices', fields: { vendor_name: 'Meta Platforms, Inc.' } }],
  ...over,
});

describe('pickOwner (pure)', () => {
  const rules = [BIG_TO_FINLEAD, META_TO_SOCIAL].map((r) => OwnershipRuleInput.parse(r));

  it('sends amount variances on Meta to the social team', () => {
    expect(pickOwner(rules, item({}))?.owner).toBe('social');
  });

  it('lets the first matching rule win: a Meta variance above 10,000.00 USD goes to the finance lead', () => {
    const hit = pickOwner(rules, item({ amountMinor: 1_000_001 }));
    expect(hit?.owner).toBe('finlead');
    expect(hit?.index).toBe(0);
  });

  it('compares the threshold strictly and only in its currency', () => {
    expect(pickOwner(rules, item({ amountMinor: 1_000_000, records: [] }))).toBeNull();
    expect(pickOwner(rules, item({ amountMinor: 9_000_000, currency: 'EUR', records: [] }))).toBeNull();
  });

  it('returns null when nothing matches (other class, other vendor), leaving the fallback to the caller', () => {
    expect(pickOwner(rules, item({ class: 'duplicate' }))).toBeNull();
    expect(pickOwner(rules, item({ records: [{ source: 'Vendor invoices', fields: { vendor_name: 'Google LLC' } }] }))).toBeNull();
  });

  it('matches on a source name, on equals (case-insensitive), and treats an empty rule as catch-all', () => {
    const r = [
      { match: { source: 'buys (io export)' }, owner: 'a' },
      { match: { field: { name: 'vendor', op: 'equals' as const, value: 'the  trade desk' } }, owner: 'b' },
      { match: {}, owner: 'c' },
    ];
    expect(pickOwner(r, item({ records: [{ source: 'Buys (IO export)', fields: {} }] }))?.owner).toBe('a');
    expect(pickOwner(r, item({ records: [{ source: 'x', fields: { vendor: 'The Trade Desk' } }] }))?.owner).toBe('b');
    expect(pickOwner(r, item({ records: [{ source: 'x', fields: { vendor: 'The Trade Desk Inc' } }] }))?.owner).toBe('c');
  });
});

describe('ownership rules in a workspace', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await demoFixture({ beforeRun: ({ ws, recId }) => saveOwnershipRules(ws.db, recId, [BIG_TO_FINLEAD, META_TO_SOCIAL], 'alice') });
  });
  afterAll(() => f?.close());

  const itemsOf = (vendorLike: string, cls: string) =>
    f.ws.db
      .prepare(
        `SELECT DISTINCT e.exception_id AS id, e.amount_minor AS amount, e.currency FROM run_exception e
           JOIN ${runTable(f.ws.db, f.runId, 'member').name} m ON m.run_id = e.run_id AND m.exception_id = e.exception_id
           JOIN record r ON r.id = m.record_id
          WHERE e.run_id = ? AND e.class = ? AND json_extract(r.fields_json, '$.vendor_name') LIKE ?`,
      )
      .all(f.runId, cls, vendorLike) as { id: string; amount: number; currency: string }[];

  it('stores the ordered list with an audit event and reads it back', () => {
    const rules = listOwnershipRules(f.ws.db, f.recId);
    expect(rules.map((r) => [r.position, r.owner])).toEqual([
      [0, 'finlead'],
      [1, 'social'],
    ]);
    const ev = auditRows(f.ws, { action: 'ownership.rules' })[0]!;
    expect(ev).toMatchObject({ actor: 'alice', target: `reconciliation:${f.recId}`, before: [] });
    expect(listOwnershipRules(f.ws.db, null)).toEqual([]);
  });

  it('assigns new items by the rules when a run is synced, else to the fallback (the first approver)', () => {
    const meta = itemsOf('%meta%', 'amount_variance');
    expect(meta.length).toBeGreaterThan(0);
    for (const m of meta) {
      const expected = m.currency === 'USD' && m.amount > 1_000_000 ? 'finlead' : 'social';
      expect(findReviewItem(f.ws.db, f.recId, m.id)?.owner, m.id).toBe(expected);
    }
    const bigOther = itemsOf('%', 'amount_variance').filter((m) => m.currency === 'USD' && m.amount > 1_000_000);
    expect(bigOther.length).toBeGreaterThan(0);
    for (const m of bigOther) expect(findReviewItem(f.ws.db, f.recId, m.id)?.owner).toBe('finlead');
    // Not a variance, not USD above 10k: nobody's rule, so the first approver by creation order.
    const rest = itemsOf('%', 'unmatched_right').filter((m) => !(m.currency === 'USD' && m.amount > 1_000_000));
    expect(rest.length).toBeGreaterThan(0);
    for (const m of rest) expect(findReviewItem(f.ws.db, f.recId, m.id)?.owner).toBe('carol');
    const created = auditRows(f.ws, { action: 'item.create', target: `item:${f.recId}:${meta[0]!.id}` })[0]!;
    expect((created.after as { ownerBy: string }).ownerBy).toMatch(/Meta variances|Over 10k/);
  });

  it('uses the configured fallback owner before the first approver', () => {
    expect(fallbackOwner(f.ws.db)).toBe('carol');
    setFallbackOwner(f.ws.db, 'bob', 'alice');
    expect(fallbackOwner(f.ws.db)).toBe('bob');
    setFallbackOwner(f.ws.db, null, 'alice');
    expect(fallbackOwner(f.ws.db)).toBe('carol');
    expect(auditRows(f.ws, { action: 'ownership.fallback' })).toHaveLength(2);
  });

  it('refuses rules naming an unknown owner, bad conditions, or an auditor editing them, and changes nothing', () => {
    const before = auditRows(f.ws).length;
    expect(() => saveOwnershipRules(f.ws.db, f.recId, [{ match: {}, owner: 'nobody' }], 'alice')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => saveOwnershipRules(f.ws.db, f.recId, [{ match: { amountAbove: { minor: 1.5, currency: 'USD' } }, owner: 'bob' }], 'alice')).toThrow(
      expect.objectContaining({ code: 'bad_input' }),
    );
    expect(() => saveOwnershipRules(f.ws.db, f.recId, [{ match: { typo: 1 } as never, owner: 'bob' }], 'alice')).toThrow(expect.objectContaining({ code: 'bad_input' }));
    expect(() => saveOwnershipRules(f.ws.db, f.recId, [], 'dave')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(listOwnershipRules(f.ws.db, f.recId)).toHaveLength(2);
    expect(auditRows(f.ws).length).toBe(before);
  });

  it('tries a reconciliation\'s rules before the global ones', () => {
    saveOwnershipRules(f.ws.db, null, [{ match: { classes: ['duplicate'] }, owner: 'bob' }], 'alice');
    expect(auditRows(f.ws, { action: 'ownership.rules', target: 'ownership:global' })).toHaveLength(1);
    expect(listOwnershipRules(f.ws.db, null).map((r) => r.owner)).toEqual(['bob']);
    expect(effectiveOwnershipRules(f.ws.db, f.recId).map((r) => r.owner)).toEqual(['finlead', 'social', 'bob']);
    expect(chainOk(f.ws)).toBe(true);
  });
});
