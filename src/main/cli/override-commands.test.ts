import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncReviewItems } from '../core/triage/sync.js';
import { openWorkspace, runTable } from '../core/workspace/index.js';
import { decimalToMinor } from './override-commands.js';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'bin/tieout.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tieout-cli-overrides-'));
const ws = join(dir, 'demo.tieout');

/**
 * Until src/main/cli/index.ts lists these commands, run them through a runner with the same
 * exit-code and error contract as runCli (0 ok, 1 one-line error, 2 usage).
 */
const RUNNER = `
import { register } from 'tsx/esm/api';
register();
const root = process.env.TIEOUT_ROOT;
const { OVERRIDE_COMMANDS } = await import(root + '/src/main/cli/override-commands.ts');
const { UsageError } = await import(root + '/src/main/cli/command.ts');
const { TieoutError } = await import(root + '/src/shared/error.ts');
const [name, ...rest] = process.argv.slice(1);
const command = OVERRIDE_COMMANDS.find((c) => c.name === name);
if (!command) { process.stderr.write('not an override command: ' + name + '\\n'); process.exit(2); }
try {
  await command.run(rest, { out: (t) => process.stdout.write(t + '\\n'), err: (t) => process.stderr.write(t + '\\n') });
} catch (err) {
  if (err instanceof UsageError) { process.stderr.write('tieout ' + name + ': ' + err.message + '\\nUsage: ' + command.usage + '\\n'); process.exit(2); }
  process.stderr.write('tieout ' + name + ': ' + TieoutError.from(err).message + '\\n');
  process.exit(1);
}
`;

let wired = false;

function tieout(...args: string[]) {
  const [name] = args;
  const own = ['override', 'approve', 'reverse', 'users', 'signoff'].includes(name ?? '');
  const r =
    own && !wired
      ? spawnSync(process.execPath, ['--input-type=module', '-e', RUNNER, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, TIEOUT_ROOT: `file://${root}` } })
      : spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Item {
  item_id: string;
  class: string;
  amount_minor: number;
  currency: string;
  status: string;
}

function items(): Item[] {
  const w = openWorkspace(ws, { readonly: true });
  try {
    return w.db.prepare('SELECT item_id, class, amount_minor, currency, status FROM review_item ORDER BY item_id').all() as Item[];
  } finally {
    w.close();
  }
}

function members(itemId: string): number[] {
  const w = openWorkspace(ws, { readonly: true });
  try {
    const run = (w.db.prepare('SELECT MAX(id) AS id FROM run').get() as { id: number }).id;
    return (w.db.prepare(`SELECT record_id FROM ${runTable(w.db, run, 'member').name} WHERE exception_id = ? AND run_id = ? ORDER BY record_id`).all(itemId, run) as { record_id: number }[]).map((r) => r.record_id);
  } finally {
    w.close();
  }
}

function period(recordId: number): string {
  const w = openWorkspace(ws, { readonly: true });
  try {
    return (w.db.prepare('SELECT substr(record_date, 1, 7) AS p FROM record WHERE id = ?').get(recordId) as { p: string }).p;
  } finally {
    w.close();
  }
}

beforeAll(() => {
  wired = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout.includes('tieout override');
  expect(tieout('demo', ws, '--buys', '300').code).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tieout users, override, approve, reverse, signoff', { timeout: 120_000 }, () => {
  it('refuses to act before anyone is known, then adds people with users add', () => {
    // Opening a workspace makes the OS user its first analyst, so every action has an actor.
    expect(tieout('users', ws).out).toMatch(/^\* \S+ +analyst/m);
    const none = tieout('override', ws, '--type', 'write_off', '--item', 'x', '--reason', 'immaterial_write_off');
    expect(none.code).toBe(1);
    expect(none.err.trim().split('\n')).toHaveLength(1);
    expect(tieout('users', ws, 'add', 'ana', '--name', 'Ana Analyst', '--role', 'analyst').code).toBe(0);
    expect(tieout('users', ws, 'add', 'fin', '--name', 'Fin Approver', '--role', 'approver').code).toBe(0);
    expect(tieout('users', ws, 'add', 'bob', '--name', 'Bob Analyst', '--role', 'analyst', '--as', 'ana').code).toBe(0);
    expect(tieout('users', ws, 'add', 'ana', '--name', 'Again', '--role', 'analyst').code).toBe(1);
    expect(tieout('users', ws, 'add', 'eve', '--name', 'Eve').code).toBe(2);
    expect(tieout('users', ws, 'add', 'eve', '--name', 'Eve', '--role', 'boss').code).toBe(1);
    expect(tieout('users', ws, 'switch', 'ana').out).toContain('Now acting as ana');
    const list = tieout('users', ws);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^\* ana +analyst +Ana Analyst$/m);
    expect(list.out).toMatch(/^ {2}fin +approver/m);
    const asJson = JSON.parse(tieout('users', ws, '--json').out) as { id: string; current: boolean }[];
    expect(asJson.filter((u) => ['ana', 'fin', 'bob'].includes(u.id)).map((u) => [u.id, u.current])).toEqual([
      ['ana', true],
      ['fin', false],
      ['bob', false],
    ]);

    expect(tieout('match', ws, '--left', 'Buys (IO export)', '--right', 'Vendor invoices').code).toBe(0);
    const w = openWorkspace(ws);
    try {
      // runMatch may sync review items itself; when it does not yet, sync them here.
      const n = (w.db.prepare('SELECT COUNT(*) AS n FROM review_item').get() as { n: number }).n;
      if (n === 0) syncReviewItems(w.db, (w.db.prepare('SELECT MAX(id) AS id FROM run').get() as { id: number }).id, new Date(), 'ana');
    } finally {
      w.close();
    }
    expect(items().length).toBeGreaterThan(0);
  });

  it('applies an override at once when its code allows, printing the item change', () => {
    const v = items().find((i) => i.class === 'amount_variance' && i.status === 'open')!;
    const r = tieout('override', ws, '--type', 'accept_variance', '--item', v.item_id, '--reason', 'timing_difference', '--note', 'invoice caught up');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Override #\d+ accept_variance .* applied/);
    expect(r.out).toContain(`item ${v.item_id}: open amount_variance -> resolved amount_variance`);
  });

  it('keeps a large write-off waiting until a different approver approves it', () => {
    const big = items().find((i) => i.status === 'open' && i.amount_minor > 100_000 && i.class !== 'duplicate')!;
    const made = tieout('override', ws, '--type', 'write_off', '--item', big.item_id, '--reason', 'immaterial_write_off', '--json');
    expect(made.code).toBe(0);
    const o = JSON.parse(made.out) as { id: number; status: string; maker: string };
    expect(o).toMatchObject({ status: 'pending_approval', maker: 'ana' });
    const list = tieout('approve', ws, '--list');
    expect(list.out).toContain(`#${o.id}`);
    const self = tieout('approve', ws, String(o.id), '--note', 'fine');
    expect(self.code).toBe(1);
    expect(self.err).toContain('only an approver');
    expect(tieout('approve', ws, String(o.id), '--as', 'bob', '--note', 'fine').code).toBe(1);
    expect(tieout('approve', ws, String(o.id), '--as', 'fin').code).toBe(2);
    const ok = tieout('approve', ws, String(o.id), '--as', 'fin', '--note', 'agreed with controller');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/applied by fin/);
    expect(ok.out).toContain('-> written_off');
  });

  it('rejects with --reject, returning the item to investigating', () => {
    const v = items().find((i) => i.status === 'open' && i.class === 'amount_variance')!;
    const made = JSON.parse(tieout('override', ws, '--type', 'accept_variance', '--item', v.item_id, '--reason', 'make_good', '--note', 'bonus weight', '--as', 'fin', '--json').out) as { id: number };
    const self = tieout('approve', ws, String(made.id), '--reject', '--as', 'fin', '--note', 'no');
    expect(self.code).toBe(1);
    expect(self.err).toContain('cannot reject it');
    tieout('users', ws, 'add', 'max', '--name', 'Max Approver', '--role', 'approver');
    const r = tieout('approve', ws, String(made.id), '--reject', '--as', 'max', '--note', 'not a make-good');
    expect(r.code).toBe(0);
    expect(r.out).toContain('rejected by max');
    expect(items().find((i) => i.item_id === v.item_id)!.status).toBe('investigating');
  });

  it('force matches records, reverses it, and reports usage errors with exit 2', () => {
    const l = items().find((i) => i.status === 'open' && i.class === 'unmatched_left')!;
    const rr = items().find((i) => i.status === 'open' && i.class === 'unmatched_right')!;
    const left = members(l.item_id);
    const right = members(rr.item_id);
    expect(tieout('override', ws, '--type', 'force_match', '--left', 'a,b', '--right', '1', '--reason', 'timing_difference').code).toBe(2);
    expect(tieout('override', ws, '--type', 'force_match', '--left', left.join(','), '--reason', 'timing_difference').code).toBe(2);
    expect(tieout('override', ws, '--type', 'teleport', '--item', 'x', '--reason', 'x').code).toBe(2);
    expect(tieout('override', ws, '--item', 'x', '--reason', 'x').code).toBe(2);
    expect(tieout('override', ws, '--type', 'accept_variance', '--item', l.item_id, '--amount', '5', '--reason', 'x').code).toBe(2);
    const fm = tieout('override', ws, '--type', 'force_match', '--left', left.join(','), '--right', right.join(','), '--reason', 'timing_difference', '--note', 'late invoice', '--json');
    expect(fm.code).toBe(0);
    const o = JSON.parse(fm.out) as { id: number; status: string; payload: { groupId: string } };
    expect(o.status).toBe('applied');
    const again = tieout('override', ws, '--type', 'force_match', '--left', left.join(','), '--right', right.join(','), '--reason', 'timing_difference');
    expect(again.code).toBe(1);
    expect(again.err).toContain('already in the manual match');
    const rev = tieout('reverse', ws, String(o.id), '--reason', 'override_in_error', '--note', 'wrong invoice');
    expect(rev.code).toBe(0);
    expect(rev.out).toMatch(/Override #\d+ reversal on override:\d+/);
    expect(items().find((i) => i.item_id === l.item_id)!.status).toBe('open');
  });

  it('writes off part of an amount given as a decimal, refusing more decimals than the currency has', () => {
    const v = items().find((i) => i.status === 'open' && i.class === 'amount_variance' && i.amount_minor > 200 && i.amount_minor <= 100_000)!;
    const bad = tieout('override', ws, '--type', 'write_off', '--item', v.item_id, '--amount', '1.005', '--reason', 'immaterial_write_off');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('more decimals');
    const r = tieout('override', ws, '--type', 'write_off', '--item', v.item_id, '--amount', '1.00', '--reason', 'immaterial_write_off', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ amountMinor: 100, status: 'applied' });
  });

  it('signs off a month, refuses overrides in it naming the month, and unlocks with another approver', () => {
    const v = items().find((i) => i.status === 'open' && i.class === 'unmatched_left')!;
    const p = period(members(v.item_id)[0]!);
    expect(tieout('signoff', ws, '--period', p).code).toBe(1);
    const s = tieout('signoff', ws, '--period', p, '--as', 'fin');
    expect(s.code).toBe(0);
    expect(s.out).toContain(`Signed off ${p}`);
    const refused = tieout('override', ws, '--type', 'reclassify', '--item', v.item_id, '--class', 'duplicate', '--reason', 'data_entry_error', '--note', 'x');
    expect(refused.code).toBe(1);
    expect(refused.err.trim().split('\n')).toHaveLength(1);
    expect(refused.err).toContain(`Period ${p}`);
    expect(tieout('signoff', ws, '--period', p, '--unlock', '--as', 'ana').code).toBe(2);
    expect(tieout('signoff', ws, '--period', p, '--unlock', '--reason', 'late credit', '--approver', 'fin', '--as', 'fin').code).toBe(1);
    const u = tieout('signoff', ws, '--period', p, '--unlock', '--reason', 'late credit', '--approver', 'fin', '--as', 'ana');
    expect(u.code).toBe(0);
    expect(u.out).toContain('approved by fin');
    expect(tieout('override', ws, '--type', 'reclassify', '--item', v.item_id, '--class', 'duplicate', '--reason', 'data_entry_error', '--note', 'x').code).toBe(0);
  });

  it('leaves an audit chain that verifies', () => {
    const r = tieout('audit', 'verify', ws);
    expect(r.code).toBe(0);
    const log = JSON.parse(tieout('audit', 'log', ws, '--action', 'override', '--json').out) as { action: string }[];
    expect(log.map((e) => e.action)).toContain('override.approve');
  });
});

describe('decimalToMinor', () => {
  it('reads decimals exactly in the currency minor units', () => {
    expect(decimalToMinor('1,234.56', 'USD')).toBe(123456);
    expect(decimalToMinor('0.1', 'USD')).toBe(10);
    expect(decimalToMinor('1200', 'JPY')).toBe(1200);
    expect(decimalToMinor('1.234', 'KWD')).toBe(1234);
    expect(() => decimalToMinor('1.5', 'JPY')).toThrow(/more decimals/);
    expect(() => decimalToMinor('-1', 'USD')).toThrow(/positive decimal/);
    expect(() => decimalToMinor('1e3', 'USD')).toThrow(/positive decimal/);
  });
});
