import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alterThirdAuditEvent,
  buildFixture,
  dropProbabilisticPass,
  flipByte,
  packetEntries,
  RECONCILIATION,
  resignPacket,
  writePacket,
} from '../core/packet/test-fixture.js';
import { PRIVATE_KEY_FILE } from '../core/packet/index.js';
import { UsageError, type Io } from './command.js';
import { packetKeyDir } from '../core/packet/keys.js';
import { packetCommand } from './packet-commands.js';

const root = resolve(import.meta.dirname, '../../..');
const bin = join(root, 'bin/tieout.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tieout-packet-cli-'));
const home = join(dir, 'home');
const keyDir = join(home, 'keys');
const ws = join(dir, 'fixture.tieout');

function tieout(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, TIEOUT_HOME: home } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs the command object in-process with runCli's exit codes: 0, 1 on an error, 2 on a usage error. */
async function inProcess(...args: string[]) {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t + '\n'), err: (t) => void (err += t + '\n') };
  const before = process.env['TIEOUT_HOME'];
  process.env['TIEOUT_HOME'] = home;
  try {
    await packetCommand.run(args, io);
    return { code: 0, out, err };
  } catch (e) {
    return { code: e instanceof UsageError ? 2 : 1, out, err: err + (e as Error).message };
  } finally {
    if (before === undefined) delete process.env['TIEOUT_HOME'];
    else process.env['TIEOUT_HOME'] = before;
  }
}

beforeAll(async () => {
  const fx = await buildFixture(dir);
  fx.ws.close();
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('packet command (in-process)', () => {
  it('keeps the key in $TIEOUT_HOME/keys, else ~/.tieout/keys', () => {
    expect(packetKeyDir({ TIEOUT_HOME: '/x/y' })).toBe(resolve('/x/y', 'keys'));
    expect(packetKeyDir({})).toMatch(/[\\/]\.tieout[\\/]keys$/);
  });

  it('exports, verifies and replays; a tampered packet exits 1 naming the file', async () => {
    const out = join(dir, 'inproc.tieoutpkt');
    const exp = await inProcess('export', ws, '--out', out);
    expect(exp.code).toBe(0);
    expect(exp.out).toMatch(/fingerprint {2}([0-9a-f]{4} ){7}[0-9a-f]{4}/);
    expect((await inProcess('verify', out)).code).toBe(0);
    expect((await inProcess('replay', out)).out.split('\n')[0]).toBe('equal');
    const e = packetEntries(out);
    e.set('csv/matches.csv', flipByte(e.get('csv/matches.csv')!));
    const bad = await inProcess('verify', writePacket(e, join(dir, 'inproc-bad.tieoutpkt')));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('csv/matches.csv: SHA-256 differs from the manifest');
  });

  it('exports run, period and filter scopes', async () => {
    const run = await inProcess('export', ws, '--run', '1', '--out', join(dir, 'run.tieoutpkt'), '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ runs: [1], sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const period = await inProcess('export', ws, '--period', '2026-03', '--reconciliation', RECONCILIATION, '--out', join(dir, 'period.tieoutpkt'));
    expect(period.code).toBe(0);
    const filter = await inProcess('export', ws, '--filter', '{"class":"unmatched_right"}', '--run', '1', '--out', join(dir, 'filter.tieoutpkt'));
    expect(filter.code).toBe(0);
    const v = await inProcess('verify', join(dir, 'filter.tieoutpkt'), '--json');
    expect(JSON.parse(v.out)).toMatchObject({ ok: true, summary: { scope: { kind: 'filter', runId: 1, filter: { class: 'unmatched_right' } } } });
    const missing = await inProcess('export', ws, '--run', '99', '--out', join(dir, 'none.tieoutpkt'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No run 99');
  });

  it.each([
    [['export', 'ws.tieout'], /--out <file> is required/],
    [['export', 'ws.tieout', '--out', 'x', '--run', '1', '--period', '2026-03'], /cannot be combined/],
    [['export', 'ws.tieout', '--out', 'x', '--period', '2026-13'], /--period must look like 2026-03/],
    [['export', 'ws.tieout', '--out', 'x', '--filter', '{nope'], /--filter must be JSON/],
    [['export', 'ws.tieout', '--out', 'x', '--filter', '{"colour":"red"}'], /Invalid --filter/],
    [['export', 'ws.tieout', '--out', 'x', '--reconciliation', 'R'], /--reconciliation goes with --period/],
    [['export', 'ws.tieout', '--out', 'x', '--run', 'abc'], /--run must be a whole number/],
    [['verify'], /expected 1 argument/],
    [['frobnicate'], /unknown packet command "frobnicate"/],
  ])('exits 2 on the usage error %j', async (args, message) => {
    const r = await inProcess(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

// Spawned through bin/tieout.mjs once `packetCommand` is in COMMANDS (src/main/cli/index.ts).
const wired = tieout('--help').out.includes('tieout packet');

describe.skipIf(!wired)('tieout packet (spawned CLI)', () => {
  const pkt = join(dir, 'cli.tieoutpkt');

  beforeAll(() => {
    const r = tieout('packet', 'export', ws, '--include-sources', '--out', pkt);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);

  it('export writes the packet, prints its hash and fingerprint, and creates the key under $TIEOUT_HOME', () => {
    expect(existsSync(pkt)).toBe(true);
    const keyFile = join(keyDir, PRIVATE_KEY_FILE);
    expect(existsSync(keyFile)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('verify exits 0 with a summary and the fingerprint', () => {
    const r = tieout('packet', 'verify', pkt);
    expect(r.code).toBe(0);
    expect(r.out).toContain('packet verified');
    expect(r.out).toMatch(/fingerprint {2}([0-9a-f]{4} ){7}[0-9a-f]{4}/);
    expect(r.out).toContain(`"${RECONCILIATION}", rule set v1`);
  });

  it('verify exits 1 naming the file whose hash differs', () => {
    const e = packetEntries(pkt);
    e.set('rules.json', flipByte(e.get('rules.json')!));
    const r = tieout('packet', 'verify', writePacket(e, join(dir, 'hash.tieoutpkt')));
    expect(r.code).toBe(1);
    expect(r.err).toContain('rules.json: SHA-256 differs from the manifest');
  });

  it('verify exits 1 on a bad signature', () => {
    const e = packetEntries(pkt);
    const sig = JSON.parse(e.get('manifest.sig')!.toString()) as { signature: string };
    const raw = Buffer.from(sig.signature, 'base64');
    raw[0]! ^= 0x01;
    e.set('manifest.sig', Buffer.from(JSON.stringify({ ...sig, signature: raw.toString('base64') })));
    const r = tieout('packet', 'verify', writePacket(e, join(dir, 'sig.tieoutpkt')));
    expect(r.code).toBe(1);
    expect(r.err).toContain('manifest.sig: bad signature');
  });

  it('verify exits 1 naming the sequence where the audit chain breaks', () => {
    const e = packetEntries(pkt);
    const seq = alterThirdAuditEvent(e);
    resignPacket(e, keyDir);
    const r = tieout('packet', 'verify', writePacket(e, join(dir, 'chain.tieoutpkt')));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`audit chain broken at sequence ${seq}`);
  });

  it('replay prints equal and exits 0; on changed rules it prints the differences and exits 1', () => {
    const ok = tieout('packet', 'replay', pkt);
    expect(ok.code).toBe(0);
    expect(ok.out.split('\n')[0]).toBe('equal');
    const e = packetEntries(pkt);
    dropProbabilisticPass(e);
    resignPacket(e, keyDir);
    const changed = writePacket(e, join(dir, 'rules.tieoutpkt'));
    expect(tieout('packet', 'verify', changed).code).toBe(0);
    const r = tieout('packet', 'replay', changed);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('not equal');
    expect(r.out).toMatch(/lost_group: group [0-9a-f]{16} \(no-po, matched\)/);
    expect(r.err).toContain('replay differs from the packet');
  });

  it('exits 2 on a usage error, with the usage line', () => {
    const r = tieout('packet', 'export', ws);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: tieout packet export <workspace>');
  });
});
