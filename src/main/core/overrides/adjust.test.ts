import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_SOURCES } from '../demo/index.js';
import { exportPacket, readZipFile, replayPacket } from '../packet/index.js';
import { runMatch } from '../reconcile/index.js';
import { runTable } from '../workspace/index.js';
import { approve, makeOverride, reverse } from './index.js';
import { auditActions, auditCount, chainOk, exceptionsOf, expectRefused, type Fixture, fixturePerTest, REC } from './test-fixture.js';

const fixtures = fixturePerTest();
let f: Fixture;

const refused = (fn: () => unknown, code: string, message: RegExp) => expectRefused(f.db, fn, code, message);

interface RecordRow {
  id: number;
  is_current: number;
  version: number;
  supersedes: number | null;
  amount_minor: number;
  batch_id: number;
  row_number: number;
  raw_json: string;
  fields_json: string;
}
const recordRow = (id: number) => f.db.prepare('SELECT * FROM record WHERE id = ?').get(id) as RecordRow;
const newer = (id: number) => f.db.prepare('SELECT * FROM record WHERE supersedes = ?').get(id) as RecordRow | undefined;

/** An amount variance whose invoice line is off by a small amount: a typo the vendor confirms. */
function smallVariance() {
  const x = exceptionsOf(f.db, f.runId, 'amount_variance').find((e) => e.amountMinor <= 10_000 && e.right.length === 1 && e.left.length === 1)!;
  const buy = recordRow(x.left[0]!);
  return { x, invoiceId: x.right[0]!, buyAmount: buy.amount_minor };
}

describe('adjust: a correction to a source record', () => {
  it('adds a corrected version that references the original, keeps the original untouched, and the next run matches it', async () => {
    f = fixtures.fresh();
    const { x, invoiceId, buyAmount } = smallVariance();
    const original = recordRow(invoiceId);
    const seq = auditCount(f.db);
    const o = makeOverride(
      f.db,
      { type: 'adjust', reconciliationId: f.recId, recordId: invoiceId, changes: [{ field: 'amount', value: (buyAmount / 100).toFixed(2) }], reasonCode: 'source_correction', note: 'vendor re-issued the line' },
      'ana',
    );
    expect(o).toMatchObject({ type: 'adjust', status: 'applied', target: `record:${invoiceId}` });
    expect(auditActions(f.db, seq)).toEqual(['record.adjust', 'override.adjust']);

    const fixed = newer(invoiceId)!;
    expect(fixed).toMatchObject({ is_current: 1, version: original.version + 1, supersedes: invoiceId, amount_minor: buyAmount, batch_id: original.batch_id, row_number: original.row_number, raw_json: original.raw_json });
    expect(JSON.parse(fixed.fields_json)).toMatchObject({ amount: buyAmount });
    expect(recordRow(invoiceId)).toEqual({ ...original, is_current: 0 });

    const run2 = (await runMatch(f.ws, { reconciliation: REC, actor: 'ana' })).runId!;
    const place = f.db.prepare(`SELECT g.status FROM ${runTable(f.db, run2, 'member').name} m JOIN match_group g ON g.run_id = m.run_id AND g.group_id = m.group_id WHERE m.run_id = ? AND m.record_id = ?`).get(run2, fixed.id) as { status: string };
    expect(place.status).toBe('matched');
    expect(f.db.prepare('SELECT COUNT(*) AS n FROM run_exception WHERE run_id = ? AND exception_id = ?').get(run2, x.exceptionId)).toEqual({ n: 0 });
    expect(chainOk(f.db)).toBe(true);

    // An auditor's packet says which input is a correction, of what, by which override.
    const packet = await exportPacket(f.db, { scope: { kind: 'run', runId: run2 }, includeSources: false, exporter: { userId: 'ana', name: 'Ana' }, keyDir: join(fixtures.dir(), 'keys'), now: new Date(), out: join(fixtures.dir(), 'adjusted.tieoutpkt') });
    expect(await replayPacket(packet.path)).toMatchObject({ equal: true });
    const inputs = readZipFile(packet.path).read('inputs/records.ndjson').toString().trim().split('\n').map((l) => JSON.parse(l) as { id: string; provenance: Record<string, unknown> });
    expect(inputs.find((l) => l.id === String(fixed.id))!.provenance).toMatchObject({ batch: original.batch_id, row: original.row_number, adjusted: { from: invoiceId, override: o.id } });
    expect(inputs.filter((l) => l.provenance['adjusted'] !== undefined)).toHaveLength(1);
  });

  it('a large correction waits for a second approver and changes nothing until approved', () => {
    f = fixtures.fresh();
    const { invoiceId } = smallVariance();
    const o = makeOverride(f.db, { type: 'adjust', reconciliationId: f.recId, recordId: invoiceId, changes: [{ field: 'amount', value: '999999.00' }], reasonCode: 'source_correction', note: 'big fix' }, 'ana');
    expect(o.status).toBe('pending_approval');
    expect(newer(invoiceId)).toBeUndefined();
    refused(() => approve(f.db, o.id, 'ana', 'mine'), 'forbidden', /only an approver/);
    approve(f.db, o.id, 'fin', 'checked with the vendor');
    expect(newer(invoiceId)).toMatchObject({ amount_minor: 99_999_900, is_current: 1 });
  });

  it('reversal makes the original current again and keeps both rows; a correction replaced by a later version cannot be undone', () => {
    f = fixtures.fresh();
    const { invoiceId } = smallVariance();
    const o = makeOverride(f.db, { type: 'adjust', reconciliationId: f.recId, recordId: invoiceId, changes: [{ field: 'description', value: 'Corrected text' }], reasonCode: 'source_correction', note: 'typo' }, 'ana');
    const fixed = newer(invoiceId)!;
    const seq = auditCount(f.db);
    reverse(f.db, o.id, 'ana', 'override_in_error', 'wrong line');
    expect(auditActions(f.db, seq)).toEqual(['record.restore', 'override.reverse']);
    expect(recordRow(invoiceId).is_current).toBe(1);
    expect(recordRow(fixed.id)).toMatchObject({ is_current: 0, supersedes: invoiceId });

    const again = makeOverride(f.db, { type: 'adjust', reconciliationId: f.recId, recordId: invoiceId, changes: [{ field: 'description', value: 'Second fix' }], reasonCode: 'source_correction', note: 'typo' }, 'ana');
    const second = f.db.prepare('SELECT id FROM record WHERE supersedes = ? AND is_current = 1').get(invoiceId) as { id: number };
    makeOverride(f.db, { type: 'adjust', reconciliationId: f.recId, recordId: second.id, changes: [{ field: 'description', value: 'Third fix' }], reasonCode: 'source_correction', note: 'more' }, 'ana');
    refused(() => reverse(f.db, again.id, 'ana', 'override_in_error', 'undo'), 'conflict', /came later|replaced/);
  });

  it('refuses identity fields, unknown fields, bad values, unchanged values and records outside the reconciliation, naming the field and value', () => {
    f = fixtures.fresh();
    const { invoiceId } = smallVariance();
    const adjust = (field: string, value: string, recordId = invoiceId) => () =>
      makeOverride(f.db, { type: 'adjust', reconciliationId: f.recId, recordId, changes: [{ field, value }], reasonCode: 'source_correction', note: 'x' }, 'ana');
    const keyField = DEMO_SOURCES.invoices.mapping.naturalKey![0]!;
    refused(adjust(keyField, 'INV-X'), 'bad_input', /natural key/);
    refused(adjust('currency', 'EUR'), 'bad_input', /currency/);
    refused(adjust('nope', '1'), 'bad_input', /has no field "nope"/);
    const bad = refused(adjust('amount', '12,34,5.x'), 'bad_input', /^amount: /);
    expect(bad.details).toMatchObject({ column: 'amount', value: '12,34,5.x' });
    refused(adjust('invoice_date', '2026-13-45'), 'bad_input', /^invoice_date: /);
    const current = JSON.parse(recordRow(invoiceId).fields_json) as { description: string };
    refused(adjust('description', current.description), 'bad_input', /is already/);
    refused(adjust('amount', '1.00', 9_999_999), 'not_found', /No record 9999999/);
    expect(newer(invoiceId)).toBeUndefined();
  });
});
