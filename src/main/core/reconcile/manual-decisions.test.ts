import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_SOURCES, INVOICE_COLUMNS } from '../demo/index.js';
import { runImport } from '../import/index.js';
import { decideSuggestions, makeOverride, reverse, unmatchedItemId } from '../overrides/index.js';
import { chainOk, exceptionsOf, type Fixture, fixturePerTest, itemOf, matchedGroups, REC } from '../overrides/test-fixture.js';
import { runTable } from '../workspace/index.js';
import { selectItem } from '../workspace/overrides.js';
import { DEMO_RULE_SET } from '../engine/demo-rules.js';
import { exportPacket, replayPacket } from '../packet/index.js';
import { runMatch, saveRules } from './index.js';

const fixtures = fixturePerTest();
let f: Fixture;

async function rerun(): Promise<number> {
  const r = await runMatch(f.ws, { reconciliation: REC, actor: 'ana' });
  return r.runId!;
}

/** Where a record sits in a run: its group's status and pass, or its exception class. */
function placeOf(runId: number, recordId: number): { group: string | null; exception: string | null; status: string | null; cls: string | null } {
  return f.db
    .prepare(
      `SELECT m.group_id AS "group", m.exception_id AS exception, g.status, x.class AS cls
         FROM ${runTable(f.db, runId, 'member').name} m LEFT JOIN match_group g ON g.run_id = m.run_id AND g.group_id = m.group_id
         LEFT JOIN run_exception x ON x.run_id = m.run_id AND x.exception_id = m.exception_id
        WHERE m.run_id = ? AND m.record_id = ?`,
    )
    .get(runId, recordId) as never;
}

/** A run whose first pass only suggests, so there are plenty of suggestions to decide. */
async function withSuggestions(): Promise<number> {
  const passes = DEMO_RULE_SET.passes.map((p, i) => (i === 0 ? { ...p, confirm: 'suggest' as const } : p));
  saveRules(f.db, REC, { ...DEMO_RULE_SET, passes }, 'ana');
  return rerun();
}

function suggestedGroups(runId: number): { groupId: string; left: number[]; right: number[] }[] {
  const ids = (f.db.prepare("SELECT group_id AS g FROM match_group WHERE run_id = ? AND status = 'suggested' ORDER BY group_id").all(runId) as { g: string }[]).map((r) => r.g);
  const members = f.db.prepare(`SELECT record_id AS id, side FROM ${runTable(f.db, runId, 'member').name} WHERE run_id = ? AND group_id = ? ORDER BY record_id`);
  return ids.map((groupId) => {
    const m = members.all(runId, groupId) as { id: number; side: 'left' | 'right' }[];
    return { groupId, left: m.filter((x) => x.side === 'left').map((x) => x.id), right: m.filter((x) => x.side === 'right').map((x) => x.id) };
  });
}

describe('a re-run honours what analysts decided', () => {
  it('an applied unmatch keeps its records apart: the group is not formed again and the surfaced items stay open with their history', async () => {
    f = fixtures.fresh();
    const g = matchedGroups(f.db, f.runId)[0]!;
    makeOverride(f.db, { type: 'unmatch', reconciliationId: f.recId, groupId: g.groupId, reasonCode: 'wrong_match', note: 'different campaign' }, 'ana');
    const leftItem = unmatchedItemId('left', g.left[0]!);
    expect(itemOf(f, leftItem).status).toBe('open');

    const run2 = await rerun();
    expect(placeOf(run2, g.left[0]!)).toMatchObject({ group: null, cls: 'unmatched_left' });
    expect(placeOf(run2, g.right[0]!)).toMatchObject({ group: null, cls: 'unmatched_right' });
    const detail = f.db.prepare('SELECT detail FROM run_exception WHERE run_id = ? AND exception_id = ?').get(run2, leftItem) as { detail: string };
    expect(detail.detail).toMatch(/kept apart from its former match by override #\d+ \(wrong_match\)/);
    // Same item as the unmatch surfaced: seen again, not cleared and recreated.
    expect(itemOf(f, leftItem)).toMatchObject({ status: 'open', lastSeenRun: run2 });
    expect(chainOk(f.db)).toBe(true);

    // The run keeps the decision as an input, so its packet replays to the same result.
    const packet = await exportPacket(f.db, { scope: { kind: 'run', runId: run2 }, includeSources: false, exporter: { userId: 'ana', name: 'Ana' }, keyDir: join(fixtures.dir(), 'keys'), now: new Date(), out: join(fixtures.dir(), `run${run2}.tieoutpkt`) });
    expect(await replayPacket(packet.path)).toMatchObject({ equal: true });
  });

  it('reversing the unmatch lets the next run pair the records again', async () => {
    f = fixtures.fresh();
    const g = matchedGroups(f.db, f.runId)[0]!;
    const um = makeOverride(f.db, { type: 'unmatch', reconciliationId: f.recId, groupId: g.groupId, reasonCode: 'wrong_match', note: 'checking' }, 'ana');
    reverse(f.db, um.id, 'ana', 'override_in_error', 'it was right');
    const run2 = await rerun();
    expect(placeOf(run2, g.left[0]!)).toMatchObject({ group: g.groupId, status: 'matched' });
  });

  it('a reclassified item keeps the analyst\u2019s class when the next run reports it again', async () => {
    f = fixtures.fresh();
    const x = exceptionsOf(f.db, f.runId, 'amount_variance')[0]!;
    makeOverride(f.db, { type: 'reclassify', reconciliationId: f.recId, itemId: x.exceptionId, toClass: 'date_variance', reasonCode: 'timing_difference' }, 'ana');
    await rerun();
    expect(itemOf(f, x.exceptionId).class).toBe('date_variance');
  });

  it('a confirmed suggestion becomes a manual match the next run keeps; a rejected one is never suggested again', async () => {
    f = fixtures.fresh();
    const [a, b] = suggestedGroups(await withSuggestions());
    expect(b).toBeDefined();
    const confirmed = decideSuggestions(f.db, { reconciliationId: f.recId, groupIds: [a!.groupId], decision: 'confirm' }, 'ana');
    expect(confirmed).toMatchObject({ decided: 1, skipped: [], bulkId: null });
    expect(confirmed.overrides[0]).toMatchObject({ type: 'force_match', status: 'applied', reasonCode: 'suggestion_confirmed' });
    expect(itemOf(f, a!.groupId).status).toBe('resolved');
    const rejected = decideSuggestions(f.db, { reconciliationId: f.recId, groupIds: [b!.groupId], decision: 'reject', note: 'different flight' }, 'ana');
    expect(rejected.overrides[0]).toMatchObject({ type: 'unmatch', status: 'applied', reasonCode: 'suggestion_rejected' });

    const run2 = await rerun();
    expect(placeOf(run2, a!.left[0]!)).toMatchObject({ status: 'matched' });
    expect(f.db.prepare('SELECT pass_kind AS k FROM match_group WHERE run_id = ? AND group_id = ?').get(run2, placeOf(run2, a!.left[0]!).group)).toEqual({ k: 'locked' });
    expect(placeOf(run2, b!.left[0]!)).toMatchObject({ group: null, cls: 'unmatched_left' });
    expect(placeOf(run2, b!.right[0]!)).toMatchObject({ group: null, cls: 'unmatched_right' });
  });

  it('deciding several suggestions is one bulk override; matched groups and repeats are skipped with a reason', async () => {
    f = fixtures.fresh();
    const runId = await withSuggestions();
    const sugg = suggestedGroups(runId).slice(0, 3);
    expect(sugg).toHaveLength(3);
    const matched = matchedGroups(f.db, runId)[0]!;
    const r = decideSuggestions(f.db, { reconciliationId: f.recId, groupIds: [...sugg.map((s) => s.groupId), matched.groupId, 'nope'], decision: 'reject' }, 'ana');
    expect(r.decided).toBe(sugg.length);
    expect(r.bulkId).not.toBeNull();
    expect(r.skipped).toEqual([
      { groupId: matched.groupId, reason: expect.stringMatching(/already matched/) },
      { groupId: 'nope', reason: expect.stringMatching(/not in the latest run/) },
    ]);
    const again = decideSuggestions(f.db, { reconciliationId: f.recId, groupIds: [sugg[0]!.groupId], decision: 'confirm' }, 'ana');
    expect(again).toMatchObject({ decided: 0, skipped: [{ reason: expect.stringMatching(/already decided \(resolved\)/) }] });
  });

  it('a manual match whose record changed since becomes a record_changed exception naming the change', async () => {
    f = fixtures.fresh();
    const l = exceptionsOf(f.db, f.runId, 'unmatched_left')[0]!;
    const r = exceptionsOf(f.db, f.runId, 'unmatched_right')[0]!;
    const fm = makeOverride(f.db, { type: 'force_match', reconciliationId: f.recId, left: l.left, right: r.right, reasonCode: 'timing_difference' }, 'ana');
    const run2 = await rerun();
    expect(placeOf(run2, l.left[0]!)).toMatchObject({ group: fm.payload.groupId, status: 'matched' });

    // The vendor re-sends the invoice line with a new amount: an overlapping export.
    const old = f.db.prepare('SELECT fields_json AS j, amount_minor AS a FROM record WHERE id = ?').get(r.right[0]!) as { j: string; a: number };
    const fields = JSON.parse(old.j) as Record<string, unknown>;
    const byColumn: Record<string, unknown> = {
      'Invoice No': fields['invoice_no'],
      'Invoice Line': fields['invoice_line'],
      'Invoice Date': fields['invoice_date'],
      'Vendor Name': fields['vendor_name'],
      'PO Reference': fields['po_reference'],
      Description: fields['description'],
      'Billed Impressions': fields['billed_impressions'],
      Amount: ((old.a + 12_345) / 100).toFixed(2),
      Currency: fields['currency'],
    };
    const file = join(fixtures.dir(), 'resend.csv');
    const cell = (v: unknown) => `"${String(v ?? '').replaceAll('"', '""')}"`;
    writeFileSync(file, `${INVOICE_COLUMNS.map(cell).join(',')}\n${INVOICE_COLUMNS.map((c) => cell(byColumn[c])).join(',')}\n`);
    const imported = await runImport(f.ws, { source: DEMO_SOURCES.invoices.name, path: file, actor: 'ana' });
    expect(imported.counts.changed).toBe(1);

    const run3 = await rerun();
    const newId = (f.db.prepare('SELECT id FROM record WHERE supersedes = ?').get(r.right[0]!) as { id: number }).id;
    const place = placeOf(run3, newId);
    expect(place.cls).toBe('record_changed');
    expect(placeOf(run3, l.left[0]!).exception).toBe(place.exception);
    const x = f.db.prepare('SELECT detail FROM run_exception WHERE run_id = ? AND exception_id = ?').get(run3, place.exception) as { detail: string };
    expect(x.detail).toContain(`the manual match of override #${fm.id} touched`);
    expect(x.detail).toMatch(new RegExp(`record ${r.right[0]} .*amount .* → .*\\(now record ${newId}, batch \\d+\\)`));
    expect(selectItem(f.db, f.recId, place.exception!)).toMatchObject({ class: 'record_changed', status: 'open' });
  });
});
