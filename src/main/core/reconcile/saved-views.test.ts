import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TieoutError } from '../../../shared/error.js';
import { auditRows, chainOk, demoFixture, type Fixture } from '../triage/test-fixture.js';
import { deleteView, listViews, saveView } from './saved-views.js';

let f: Fixture;
beforeAll(async () => {
  f = await demoFixture({ buys: 60 });
});
afterAll(() => f?.close());

const layout = (hide: boolean) => ({
  columns: [
    { colId: 'status', hide: false },
    { colId: 'leftDesc', hide, width: 180 },
  ],
  sort: [{ field: 'amountAtRisk', dir: 'desc' as const }],
  filter: { class: 'amount_variance', owner: 'bob' },
});

describe('saved views', () => {
  it('saves a layout under a name, lists it, and replaces it when saved again under that name, auditing both', () => {
    const t1 = new Date('2026-03-01T10:00:00.000Z');
    const first = saveView(f.ws.db, f.recName, 'Variances', layout(true), 'alice', t1);
    expect(first).toMatchObject({ name: 'Variances', createdBy: 'alice', state: layout(true) });
    const again = saveView(f.ws.db, f.recName, 'Variances', layout(false), 'bob', new Date('2026-03-01T11:00:00.000Z'));
    expect(again).toMatchObject({ id: first.id, createdBy: 'alice', updatedBy: 'bob', state: layout(false) });
    saveView(f.ws.db, f.recName, 'all rows', { columns: [] }, 'alice');
    expect(listViews(f.ws.db, f.recName).map((v) => v.name)).toEqual(['all rows', 'Variances']);
    const events = auditRows(f.ws, { action: 'view.save' });
    expect(events.map((e) => [e.actor, e.target])).toEqual([
      ['alice', `view:${f.recId}:Variances`],
      ['bob', `view:${f.recId}:Variances`],
      ['alice', `view:${f.recId}:all rows`],
    ]);
    expect(events[1]!.before).toEqual(layout(true));
    expect(chainOk(f.ws)).toBe(true);
  });

  it('deletes a view by marking it, frees the name, and keeps the row for the audit trail', () => {
    saveView(f.ws.db, f.recName, 'Temp', layout(true), 'alice');
    expect(deleteView(f.ws.db, f.recName, 'Temp', 'alice')).toEqual({ deleted: 'Temp' });
    expect(listViews(f.ws.db, f.recName).map((v) => v.name)).not.toContain('Temp');
    expect(auditRows(f.ws, { action: 'view.delete' }).map((e) => e.before)).toEqual([layout(true)]);
    saveView(f.ws.db, f.recName, 'Temp', layout(false), 'alice');
    expect((f.ws.db.prepare("SELECT COUNT(*) AS n FROM saved_view WHERE name = 'Temp'").get() as { n: number }).n).toBe(2);
    expect(() => deleteView(f.ws.db, f.recName, 'Nope', 'alice')).toThrow(/No saved view/);
  });

  it('refuses an empty name, a malformed layout, an unknown reconciliation or user, and writes nothing', () => {
    const before = auditRows(f.ws).length;
    expect(() => saveView(f.ws.db, f.recName, '  ', layout(true), 'alice')).toThrow(TieoutError);
    expect(() => saveView(f.ws.db, f.recName, 'Bad', { columns: 'all' }, 'alice')).toThrow(TieoutError);
    expect(() => saveView(f.ws.db, f.recName, 'Bad', { ...layout(true), extra: 1 }, 'alice')).toThrow(TieoutError);
    expect(() => saveView(f.ws.db, 'No such', 'Bad', layout(true), 'alice')).toThrow(/No reconciliation/);
    expect(() => saveView(f.ws.db, f.recName, 'Bad', layout(true), 'mallory')).toThrow(TieoutError);
    expect(auditRows(f.ws).length).toBe(before);
    expect(listViews(f.ws.db, f.recName).map((v) => v.name)).not.toContain('Bad');
  });
});
