import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SOURCES } from '../demo/index.js';
import { runTable } from '../workspace/index.js';
import { findReviewItem } from '../workspace/triage.js';
import { ownershipSettings, saveOwnershipRules, saveOwnershipSettings } from './ownership.js';
import { setSlaHours, slaSettings } from './sla.js';
import { auditRows, demoFixture, importInvoices, runAndSync, type Fixture } from './test-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await demoFixture({ buys: 80 });
});
afterAll(() => f?.close());

describe('triage settings (what the settings screen reads and saves)', () => {
  it('reads a reconciliation’s rules, the global ones and the fallback owner, configured and effective', () => {
    saveOwnershipRules(f.ws.db, null, [{ match: { classes: ['duplicate'] }, owner: 'carol' }], 'alice');
    const s = ownershipSettings(f.ws.db, f.recId);
    expect(s.rules).toEqual([]);
    expect(s.globalRules).toEqual([{ match: { classes: ['duplicate'] }, owner: 'carol' }]);
    expect(s.fallbackOwner).toBeNull();
    expect(s.effectiveFallback).toBe('carol'); // the first approver
  });

  it('saves ordered rules and the fallback owner together; the next new item is assigned by the first rule that matches', async () => {
    const saved = saveOwnershipSettings(
      f.ws.db,
      f.recId,
      [
        { match: { label: 'Zeta invoices', classes: ['unmatched_right'], source: DEMO_SOURCES.invoices.name, field: { name: 'vendor_name', op: 'contains', value: 'zeta' } }, owner: 'bob' },
        { match: { label: 'Anything unmatched', classes: ['unmatched_right'] }, owner: 'finlead' },
      ],
      'social',
      'alice',
      '2026-03-02T09:00:00.000Z',
    );
    expect(saved.rules.map((r) => r.owner)).toEqual(['bob', 'finlead']);
    expect(saved.fallbackOwner).toBe('social');
    expect(auditRows(f.ws, { action: 'ownership.rules' }).at(-1)).toMatchObject({ actor: 'alice', target: `reconciliation:${f.recId}` });
    expect(auditRows(f.ws, { action: 'ownership.fallback' }).at(-1)).toMatchObject({ after: { owner: 'social' } });

    await importInvoices(f.ws, f.dir, [
      { no: 'INV-Z-1', line: 1, date: '2026-03-01', vendor: 'Zeta Test Media', po: 'PO-NONE-1', desc: 'post', amount: '12.00', currency: 'USD' },
      { no: 'INV-Y-1', line: 1, date: '2026-03-01', vendor: 'Yonder Ltd', po: 'PO-NONE-2', desc: 'post', amount: '13.00', currency: 'USD' },
    ]);
    const { runId } = await runAndSync(f.ws, f.recName, '2026-03-03T09:00:00.000Z');
    const byInvoice = (no: string) => {
      const r = f.ws.db
        .prepare(
          `SELECT m.exception_id AS id FROM ${runTable(f.ws.db, runId, 'member').name} m JOIN record r ON r.id = m.record_id
            WHERE m.run_id = ? AND json_extract(r.fields_json, '$.invoice_no') = ?`,
        )
        .get(runId, no) as { id: string };
      return findReviewItem(f.ws.db, f.recId, r.id)!;
    };
    expect(byInvoice('INV-Z-1')).toMatchObject({ class: 'unmatched_right', owner: 'bob' });
    expect(byInvoice('INV-Y-1')).toMatchObject({ class: 'unmatched_right', owner: 'finlead' });
  });

  it('refuses a rule for an unknown user and leaves the saved rules as they were', () => {
    const before = ownershipSettings(f.ws.db, f.recId);
    expect(() => saveOwnershipSettings(f.ws.db, f.recId, [{ match: {}, owner: 'nobody-here' }], null, 'alice')).toThrow(/no user/);
    expect(ownershipSettings(f.ws.db, f.recId)).toEqual(before);
  });

  it('lists every class with its hours and default, marking the ones changed', () => {
    setSlaHours(f.ws.db, 'duplicate', 6, 'alice');
    const s = slaSettings(f.ws.db);
    expect(s.find((x) => x.class === 'duplicate')).toEqual({ class: 'duplicate', hours: 6, defaultHours: 24, custom: true });
    expect(s.find((x) => x.class === 'unmatched_left')).toEqual({ class: 'unmatched_left', hours: 72, defaultHours: 72, custom: false });
    setSlaHours(f.ws.db, 'duplicate', null, 'alice');
    expect(slaSettings(f.ws.db).find((x) => x.class === 'duplicate')!.custom).toBe(false);
  });
});
