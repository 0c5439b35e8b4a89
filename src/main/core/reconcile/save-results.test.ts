import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SOURCES } from '../demo/index.js';
import { loadDemo } from '../demo/load-demo.js';
import { DEMO_RULE_SET } from '../engine/demo-rules.js';
import { parseRuleSet, runEngine, unpackExplanation, type EngineResult } from '../engine/index.js';
import { runImport } from '../import/index.js';
import { NO_JOB } from '../jobs/job-context.js';
import { explanationTemplates, findReconciliation, findSourceByName, latestRuleSet, listFxRates, listRuns, openWorkspace, runTable, runTotals, writeRun, type Workspace } from '../workspace/index.js';
import { createReconciliation, resultFingerprint, runInfos, runMatch } from './index.js';
import { totalsOf } from './run-match.js';
import { fieldsNamedIn, loadInputs, type LoadedInputs } from './load-inputs.js';
import { reviewFields, reviewRows } from './review-rows.js';

let dir: string;
let ws: Workspace;
let runId: number;
let result: EngineResult;
let inputs: LoadedInputs;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tieout-save-'));
  ws = openWorkspace(join(dir, 'w.tieout'), { create: true });
  await loadDemo(ws, { buys: 400, seed: 5, actor: 'setup' }, NO_JOB);
  const left = findSourceByName(ws.db, DEMO_SOURCES.buys.name)!.id;
  const right = findSourceByName(ws.db, DEMO_SOURCES.invoices.name)!.id;
  createReconciliation(ws.db, { name: 'Ad-ops', left: [left], right: [right], rules: DEMO_RULE_SET }, 'setup');
  runId = (await runMatch(ws, { reconciliation: 'Ad-ops', actor: 'setup' })).runId!;
  // The engine is deterministic: running it again on the same inputs gives the result the run saved.
  const rec = findReconciliation(ws.db, 'Ad-ops')!;
  const rules = latestRuleSet(ws.db, rec.id)!;
  inputs = loadInputs(ws.db, rec, reviewFields(parseRuleSet(rules.rules as never)));
  result = runEngine({ ruleSet: rules.rules as never, ruleSetVersion: rules.version, records: inputs.records, fx: listFxRates(ws.db) });
});

afterAll(() => {
  ws.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('saving a run', () => {
  it('keeps its totals with the run, equal to summing its stored groups and exceptions, and run lists use them', () => {
    const stored = (listRuns(ws.db).find((r) => r.id === runId)!.stats as { totals: unknown }).totals;
    expect(stored).toEqual(runTotals(ws.db, runId));
    expect(stored).toEqual(totalsOf(result));
    expect(runInfos(ws.db, 'Ad-ops').find((r) => r.id === runId)!.totals).toEqual(stored);
  });

  it('stores one member row per input record, on its side, held by the group or exception the engine put it in', () => {
    const expected: [number, string, string | null, string | null][] = [];
    for (const g of result.groups) for (const [side, ids] of [['left', g.left], ['right', g.right]] as const) for (const id of ids) expected.push([Number(id), side, g.id, null]);
    for (const e of result.exceptions) for (const [side, ids] of [['left', e.left], ['right', e.right]] as const) for (const id of ids) expected.push([Number(id), side, null, e.id]);
    expected.sort((a, b) => a[0] - b[0]);
    const stored = ws.db.prepare(`SELECT record_id, side, group_id, exception_id FROM ${runTable(ws.db, runId, 'member').name} WHERE run_id = ? ORDER BY record_id`).raw().all(runId);
    expect(stored).toEqual(expected);
    expect(stored).toHaveLength(inputs.records.length);
  });

  it('stores every group and exception with its amounts, currency and explanation', () => {
    const amount = (ids: string[]) => ids.reduce<number | null>((s, id) => (s === null || inputs.byId.get(id)!.amount === null ? null : s + inputs.byId.get(id)!.amount!), 0);
    const groups = ws.db.prepare('SELECT * FROM match_group WHERE run_id = ? ORDER BY group_id').all(runId) as Record<string, unknown>[];
    expect(groups.map((g) => g['group_id'])).toEqual(result.groups.map((g) => g.id).sort());
    const byId = new Map(result.groups.map((g) => [g.id, g]));
    for (const row of groups) {
      const g = byId.get(row['group_id'] as string)!;
      expect(row).toMatchObject({ pass: g.pass, pass_kind: g.passKind, status: g.status, left_count: g.left.length, right_count: g.right.length });
      expect([row['left_amount_minor'], row['right_amount_minor'], row['currency']]).toEqual([amount(g.left), amount(g.right), inputs.byId.get(g.left[0]!)?.currency ?? null]);
      expect(row['explanation_json']).toBe(g.explanation);
      expect(unpackExplanation(g.explanation, result.explanationTemplates)).toMatchObject({ pass: g.pass, passKind: g.passKind });
    }
    expect(explanationTemplates(ws.db, runId)).toEqual(result.explanationTemplates);
    const exceptions = ws.db.prepare('SELECT exception_id, class, amount_minor, explanation_json FROM run_exception WHERE run_id = ? ORDER BY exception_id').raw().all(runId);
    expect(exceptions).toEqual(
      [...result.exceptions].sort((a, b) => (a.id < b.id ? -1 : 1)).map((e) => [e.id, e.class, e.amountAtRisk.minor, e.explanation ?? null]),
    );
  });

  it('stores the review rows the builder makes, one per group and exception', () => {
    const rules = parseRuleSet(latestRuleSet(ws.db, findReconciliation(ws.db, 'Ad-ops')!.id)!.rules as never);
    const expected = [...reviewRows(result, inputs, rules)].sort((a, b) => (a.rowId < b.rowId ? -1 : 1));
    const stored = ws.db
      .prepare(
        `SELECT row_id AS rowId, kind, status, class, pass, score, left_count AS leftCount, right_count AS rightCount, key_text AS keyText,
                left_ref AS leftRef, left_amount AS leftAmount, left_date AS leftDate, left_party AS leftParty, left_desc AS leftDesc,
                right_ref AS rightRef, right_amount AS rightAmount, right_date AS rightDate, right_party AS rightParty, right_desc AS rightDesc,
                currency, delta_amount AS deltaAmount, delta_days AS deltaDays, amount_at_risk AS amountAtRisk
           FROM ${runTable(ws.db, runId, 'review').name} WHERE run_id = ? ORDER BY row_id`,
      )
      .all(runId);
    expect(stored).toEqual(expected);
    expect(expected.some((r) => r.leftRef?.includes('(+'))).toBe(true);
    expect(expected.some((r) => r.leftParty !== null && r.rightDesc !== null && r.deltaDays !== null)).toBe(true);
  });

  it('turns foreign-key enforcement back on after writing, also when the write fails', () => {
    expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(writeRun(ws.db, () => ws.db.pragma('foreign_keys', { simple: true }))).toBe(0);
    expect(() =>
      writeRun(ws.db, () => {
        ws.db.prepare("INSERT INTO meta (key, value) VALUES ('save-test', 'x')").run();
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(ws.db.inTransaction).toBe(false);
    expect(ws.db.prepare("SELECT value FROM meta WHERE key = 'save-test'").get()).toBeUndefined();
    expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('gives the engine the same result from records reduced to the fields the rules name', () => {
    const rec = findReconciliation(ws.db, 'Ad-ops')!;
    const rules = latestRuleSet(ws.db, rec.id)!;
    const only = fieldsNamedIn(rules.rules);
    const reduced = loadInputs(ws.db, rec, [], only);
    expect(Object.keys(reduced.records[0]!.fields).length).toBeLessThan(Object.keys(inputs.records[0]!.fields).length);
    for (const r of reduced.records) for (const k of Object.keys(r.fields)) expect(only.has(k)).toBe(true);
    const again = runEngine({ ruleSet: rules.rules as never, ruleSetVersion: rules.version, records: reduced.records, fx: listFxRates(ws.db) });
    expect(resultFingerprint(again)).toBe(resultFingerprint(result));
  });

  it('keeps what the review rows read of every input: its reference and the party and description fields, as stored', () => {
    const rules = parseRuleSet(latestRuleSet(ws.db, findReconciliation(ws.db, 'Ad-ops')!.id)!.rules as never);
    const kept = reviewFields(rules);
    expect(kept.length).toBeGreaterThan(1);
    const stored = ws.db.prepare('SELECT id, record_ref AS ref, fields_json AS json FROM record WHERE id = ?');
    let values = 0;
    for (let i = 0; i < inputs.records.length; i++) {
      const r = stored.get(Number(inputs.records[i]!.id)) as { ref: string | null; json: string };
      expect(inputs.byId.get(inputs.records[i]!.id)!.ref).toBe(r.ref);
      const fields = JSON.parse(r.json) as Record<string, unknown>;
      for (const f of kept) {
        expect(inputs.byId.fieldOf(i, f)).toBe(fields[f] ?? null);
        if (fields[f] !== undefined && fields[f] !== null) values++;
      }
    }
    expect(values).toBeGreaterThan(inputs.records.length);
  });

  it('records each input batch with the number of its current records the run read', async () => {
    const w = openWorkspace(join(dir, 'batches.tieout'), { create: true });
    const csv = (name: string, lines: string[]) => {
      const path = join(dir, name);
      writeFileSync(path, ['IO Number,Line ID,Advertiser,Campaign,Vendor,Placement,Flight Start,Flight End,CPM,Impressions,Net Cost,Currency', ...lines].join('\n'));
      return path;
    };
    const buy = (line: string, cost: string) => `IO-1,${line},Acme,Spring,Meta,Feed,2026-03-01,2026-03-31,10.00,1000,${cost},USD`;
    const buys = DEMO_SOURCES.buys;
    const first = await runImport(w, { source: buys.name, path: csv('b1.csv', [buy('L1', '100.00'), buy('L2', '200.00'), buy('L3', '300.00')]), mapping: buys.mapping, actor: 'ana' });
    // L2 changes (its old version stops being current), L3 is unchanged, L4 is new.
    const second = await runImport(w, { source: buys.name, path: csv('b2.csv', [buy('L2', '250.00'), buy('L3', '300.00'), buy('L4', '400.00')]), actor: 'ana' });
    const invoicesPath = join(dir, 'i1.csv');
    writeFileSync(invoicesPath, 'Invoice No,Invoice Line,Invoice Date,Vendor Name,PO Reference,Description,Billed Impressions,Amount,Currency\nINV-1,1,2026-04-02,Meta,L1,Spring,1000,100.00,USD\n');
    const invoices = await runImport(w, { source: DEMO_SOURCES.invoices.name, path: invoicesPath, mapping: DEMO_SOURCES.invoices.mapping, actor: 'ana' });
    createReconciliation(w.db, { name: 'Batches', left: [first.sourceId], right: [invoices.sourceId], rules: DEMO_RULE_SET }, 'ana');
    const run = await runMatch(w, { reconciliation: 'Batches', actor: 'ana' });
    const inputs = listRuns(w.db).find((r) => r.id === run.runId)!.inputs as { batches: { batchId: number; records: number }[]; records: number };
    expect(inputs.batches.map((b) => [b.batchId, b.records])).toEqual([
      [first.batchId, 2],
      [second.batchId, 2],
      [invoices.batchId, 1],
    ]);
    expect(inputs.records).toBe(5);
    w.close();
  });

  it('finds inputs by engine id, and nothing for ids that are not inputs', () => {
    const first = inputs.records[0]!;
    expect(inputs.byId.get(first.id)).toMatchObject({ recordId: Number(first.id), side: first.side });
    expect(inputs.byId.has(`0${first.id}`)).toBe(false);
    expect(inputs.byId.has('999999999')).toBe(false);
    expect(inputs.byId.has('1.5')).toBe(false);
    expect(inputs.byId.has('')).toBe(false);
  });

  it('runs with a 16 MB page cache and gives the connection its own cache back, also when the run fails', async () => {
    ws.db.pragma('cache_size = -12345');
    const during: number[] = [];
    const ctx = { cancelled: () => false, progress: () => void during.push(ws.db.pragma('cache_size', { simple: true }) as number) };
    await runMatch(ws, { reconciliation: 'Ad-ops', actor: 'setup' }, ctx);
    expect(new Set(during)).toEqual(new Set([-16384]));
    expect(ws.db.pragma('cache_size', { simple: true })).toBe(-12345);
    await expect(runMatch(ws, { reconciliation: 'Ad-ops', actor: 'setup' }, { cancelled: () => true, progress: () => {} })).rejects.toMatchObject({ code: 'cancelled' });
    expect(ws.db.pragma('cache_size', { simple: true })).toBe(-12345);
  });
});
