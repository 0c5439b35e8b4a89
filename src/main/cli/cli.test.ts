import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'bin/tieout.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tieout-cli-'));

function tieout(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('tieout CLI', () => {
  const demo = join(dir, 'demo.tieout');
  beforeAll(() => {
    expect(tieout('demo', demo, '--buys', '300').code).toBe(0);
  }, 120_000);

  it('prints help with exit 0, and exits 2 on a usage error', () => {
    const help = tieout('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('tieout import <workspace>');
    expect(tieout().code).toBe(2);
    const unknown = tieout('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frobnicate"');
    const missing = tieout('info');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('Usage: tieout info');
  });

  it('info describes a workspace, as text or JSON', () => {
    const text = tieout('info', demo);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Buys (IO export): 300 records');
    const json = JSON.parse(tieout('info', demo, '--json').out) as { sources: { name: string; records: number }[] };
    expect(json.sources.map((s) => s.name)).toEqual(['Buys (IO export)', 'Vendor invoices']);
  });

  it('info refuses a file that is not a workspace with one line on stderr and exit 1, and leaves it untouched', () => {
    const notes = join(dir, 'notes.csv');
    writeFileSync(notes, 'a,b\n1,2\n');
    const r = tieout('info', notes);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('is not a Tieout workspace');
    expect(readFileSync(notes, 'utf8')).toBe('a,b\n1,2\n');
  });

  it('info refuses a workspace from a newer Tieout and leaves it untouched', () => {
    const future = join(dir, 'future.tieout');
    expect(tieout('init', future).code).toBe(0);
    const db = new Database(future);
    db.pragma('journal_mode = DELETE');
    db.pragma('user_version = 99');
    db.close();
    const before = readFileSync(future);
    const r = tieout('info', future);
    expect(r.code).toBe(1);
    expect(r.err).toContain('newer Tieout');
    expect(readFileSync(future).equals(before)).toBe(true);
  });

  it('imports without a mapping by suggesting one, then writes records and rejected rows', () => {
    const ws = join(dir, 'imp.tieout');
    expect(tieout('init', ws).code).toBe(0);
    const csv = join(dir, 'pay.csv');
    writeFileSync(csv, 'Payment ID,Paid On,Payee,Amount,Currency\nP-1,2026-03-01,Meta,"$1,000.00",USD\nP-2,2026-03-02,Hulu,oops,USD\nP-3,2026-03-03,=HYPERLINK("x"),(5.00),USD\n');
    const r = tieout('import', ws, '--source', 'Payments', csv);
    expect(r.code).toBe(0);
    expect(r.out).toContain('applied and saved this suggested mapping');
    expect(r.out).toContain('read 3, accepted 2, rejected 1');
    const again = tieout('import', ws, '--source', 'Payments', csv, '--json');
    expect(JSON.parse(again.out).status).toBe('already_imported');
    const records = tieout('records', ws, '--source', 'Payments', '--format', 'csv');
    expect(records.code).toBe(0);
    const lines = records.out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('1000.00');
    // A formula-looking value is neutralized so a spreadsheet will not run it.
    expect(lines[2]).toContain(`"'=HYPERLINK(""x"")"`);
    const rejected = JSON.parse(tieout('records', ws, '--source', 'Payments', '--rejected', '--format', 'json').out) as { row: number; column: string; value: string }[];
    expect(rejected).toEqual([expect.objectContaining({ row: 3, column: 'Amount', value: 'oops' })]);
  });

  it('exits 1 when a mapped column is missing and 2 when --source is absent', () => {
    const ws = join(dir, 'drift.tieout');
    tieout('init', ws);
    const mapping = join(dir, 'm.json');
    writeFileSync(mapping, JSON.stringify({ fields: [{ name: 'amount', column: 'Total', type: 'money' }], amount: 'amount' }));
    const csv = join(dir, 'x.csv');
    writeFileSync(csv, 'Amount\n1.00\n');
    const drift = tieout('import', ws, '--source', 'X', csv, '--mapping', mapping);
    expect(drift.code).toBe(1);
    expect(drift.err).toContain('lacks mapped column "Total"');
    expect(tieout('import', ws, csv).code).toBe(2);
  });

  it('matches with the suggested rules, is deterministic, and writes one result row per record', () => {
    const first = tieout('match', demo, '--left', 'Buys (IO export)', '--right', 'Vendor invoices', '--json');
    expect(first.code).toBe(0);
    const a = JSON.parse(first.out) as { runId: number; resultSha256: string };
    const second = JSON.parse(tieout('match', demo, '--left', 'Buys (IO export)', '--right', 'Vendor invoices', '--json').out) as { runId: number; resultSha256: string };
    expect(second.runId).toBe(a.runId + 1);
    expect(second.resultSha256).toBe(a.resultSha256);

    const results = tieout('results', demo, '--run', String(a.runId));
    expect(results.code).toBe(0);
    const rows = results.out.trim().split('\n');
    const info = JSON.parse(tieout('info', demo, '--json').out) as { sources: { records: number }[] };
    expect(rows.length - 1).toBe(info.sources.reduce((n, s) => n + s.records, 0));
    expect(rows[0]).toBe('run_id,group_id,side,source,record_id,own_id,status,class,pass,score,amount_variance,currency');
    expect(rows.some((l) => l.includes(',exception,unmatched_left,'))).toBe(true);

    const suggest = tieout('rules', 'suggest', demo, '--left', 'Buys (IO export)', '--right', 'Vendor invoices');
    expect(suggest.code).toBe(0);
    expect(JSON.parse(suggest.out).passes.length).toBeGreaterThan(0);
  });

  it('audit verify exits 0 with the head on a good file, and 1 naming the first altered event', () => {
    const ws = join(dir, 'audit.tieout');
    expect(tieout('demo', ws, '--buys', '60').code).toBe(0);
    const good = tieout('audit', 'verify', ws);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/audit chain verified: \d+ events, head [0-9a-f]{64}/);
    const log = tieout('audit', 'log', ws, '--action', 'import', '--json');
    expect((JSON.parse(log.out) as { action: string }[]).map((e) => e.action)).toEqual(['import.batch', 'import.batch']);

    const db = new Database(ws);
    db.exec('DROP TRIGGER audit_event_no_update');
    const seq = (db.prepare("SELECT MIN(seq) AS s FROM audit_event WHERE action = 'import.batch'").get() as { s: number }).s;
    db.prepare(`UPDATE audit_event SET after_json = json_set(after_json, '$.fileName', 'other.csv') WHERE seq = ?`).run(seq);
    db.close();
    const bad = tieout('audit', 'verify', ws);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`audit chain broken at sequence ${seq}`);
  });
});
