import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import * as XLSX from 'xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWorkspaceAudit } from '../audit/index.js';
import { openWorkspace, runTable } from '../workspace/index.js';
import { ensureDefaultReasonCodes, makeOverride } from '../overrides/index.js';
import { runMatch } from '../reconcile/index.js';
import { parseCsv } from './tables.js';
import {
  ACTOR,
  alterThirdAuditEvent,
  buildFixture,
  dropProbabilisticPass,
  flipByte,
  HOSTILE_VENDOR,
  packetEntries,
  RECONCILIATION,
  resignPacket,
  writePacket,
  type Fixture,
} from './test-fixture.js';
import {
  exportPacket,
  openPacket,
  PACKET_ENTRY,
  PRIVATE_KEY_FILE,
  readZipFile,
  replayPacket,
  signManifest,
  verifyPacket,
  type ExportPacketOptions,
  type ExportPacketResult,
  type Manifest,
  type PacketScope,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tieout-packet-'));
const keyDir = join(dir, 'profile', 'keys');
let fx: Fixture;
let first: ExportPacketResult;
let second: ExportPacketResult;

function options(scope: PacketScope, out: string, includeSources = true): ExportPacketOptions {
  return { scope, includeSources, exporter: { userId: ACTOR, name: 'Ana Analyst' }, keyDir, now: new Date(), out: join(dir, out) };
}

function entriesOf(path: string): Map<string, Buffer> {
  return packetEntries(path);
}

function save(entries: Map<string, Buffer>, name: string): string {
  return writePacket(entries, join(dir, name));
}

function resign(entries: Map<string, Buffer>): void {
  resignPacket(entries, keyDir);
}

async function problemsOf(path: string) {
  const r = await verifyPacket(path);
  if (r.ok) throw new Error(`expected ${path} to fail verification`);
  return r.problems;
}

beforeAll(async () => {
  fx = await buildFixture(dir);
  first = await exportPacket(fx.ws.db, options({ kind: 'workspace' }, 'first.tieoutpkt'));
  second = await exportPacket(fx.ws.db, options({ kind: 'workspace' }, 'second.tieoutpkt'));
}, 120_000);

afterAll(() => {
  fx?.ws.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('exportPacket', () => {
  it('writes a packet that verifies, with the signer fingerprint and a summary', async () => {
    const r = await verifyPacket(first.path);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.fingerprint).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    expect(r.fingerprint).toBe(first.fingerprint);
    expect(r.files).toBe(first.entries.length);
    expect(r.summary.runs.map((x) => x.runId)).toEqual([fx.runId]);
    expect(r.summary.runs[0]!.reconciliation).toBe(RECONCILIATION);
    expect(r.summary.exporter).toEqual({ userId: ACTOR, name: 'Ana Analyst' });
    expect(first.notes).toEqual([]); // the stored results reproduce the run's fingerprint
    for (const e of ['summary.xlsx', 'csv/matches.csv', 'csv/exceptions.csv', 'csv/overrides.csv', 'csv/approvals.csv', 'csv/audit-log.csv', 'csv/rules.csv', 'csv/sources.csv', 'rules.json', 'results.json', 'inputs/records.ndjson', 'audit/events.ndjson', 'manifest.json', 'manifest.sig', 'signer.json']) {
      expect(first.entries).toContain(e);
    }
  });

  it('gives identical bytes for every entry but manifest.json and manifest.sig when the same scope is exported twice', async () => {
    const a = entriesOf(first.path);
    const b = entriesOf(second.path);
    expect([...a.keys()]).toEqual([...b.keys()]);
    const differing = [...a.keys()].filter((k) => !a.get(k)!.equals(b.get(k)!));
    expect(differing.sort()).toEqual(['manifest.json', 'manifest.sig']);
    // The first export's own audit event is not in the second packet's slice.
    expect(second.audit).toEqual(first.audit);
    expect(second.auditEventSeq).toBe(first.auditEventSeq + 1);
  });

  it('records an export.packet audit event targeting the packet file hash, keeping the chain intact', async () => {
    const events = fx.ws.db.prepare("SELECT seq, actor, target, after_json FROM audit_event WHERE action = 'export.packet' ORDER BY seq").all() as {
      seq: number;
      actor: string;
      target: string;
      after_json: string;
    }[];
    expect(events.map((e) => e.target)).toEqual([`packet:${first.sha256}`, `packet:${second.sha256}`]);
    expect(createHash('sha256').update(readFileSync(first.path)).digest('hex')).toBe(first.sha256);
    expect(events[0]!.actor).toBe(ACTOR);
    expect(JSON.parse(events[0]!.after_json)).toMatchObject({ file: 'first.tieoutpkt', scope: { kind: 'workspace' }, signer: first.fingerprint });
    expect(verifyWorkspaceAudit(fx.ws.db).ok).toBe(true);
  });

  it('creates the signing key once, in the profile folder, readable by its owner only', async () => {
    const keyFile = join(keyDir, PRIVATE_KEY_FILE);
    expect(existsSync(keyFile)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(existsSync(join(dir, PRIVATE_KEY_FILE))).toBe(false);
  });

  it('holds the run inputs with provenance, and the exact rule set', async () => {
    const e = entriesOf(first.path);
    const text = e.get('inputs/records.ndjson')!.toString().trim().split('\n');
    const lines = text.map((l) => JSON.parse(l) as Record<string, unknown>);
    // The stored fields are spliced in as text: each line is still exactly what JSON.stringify gives.
    text.forEach((l, i) => expect(l).toBe(JSON.stringify(lines[i])));
    expect(Object.keys(lines[0]!)).toEqual(['run', 'id', 'side', 'source', 'fields', 'currency', 'provenance']);
    const manifest = JSON.parse(e.get('manifest.json')!.toString()) as Manifest;
    expect(lines).toHaveLength(manifest.runs[0]!.records);
    expect(lines[0]).toMatchObject({ run: fx.runId, side: 'left', source: 'Buys (IO export)', provenance: { batch: 1, row: 2 } });
    expect((lines[0]!['provenance'] as { fileSha256: string }).fileSha256).toMatch(/^[0-9a-f]{64}$/);
    const rules = JSON.parse(e.get('rules.json')!.toString()) as { ruleSets: { version: number; runs: number[]; rules: { passes: unknown[] } }[] };
    expect(rules.ruleSets).toHaveLength(1);
    expect(rules.ruleSets[0]!.runs).toEqual([fx.runId]);
    expect(rules.ruleSets[0]!.rules.passes).toHaveLength(4);
    const results = JSON.parse(e.get('results.json')!.toString()) as { runs: { resultSha256: string; groups: unknown[]; exceptions: unknown[] }[] };
    expect(results.runs[0]!.resultSha256).toBe(manifest.runs[0]!.resultSha256);
    expect(results.runs[0]!.groups.length).toBe(manifest.runs[0]!.groups);
  });

  it('includes rebuilt source rows only when asked, and says they are rebuilt', async () => {
    expect(first.entries.filter((n) => n.startsWith('sources/'))).toEqual(['sources/batch-1.csv', 'sources/batch-2.csv', 'sources/batch-3.csv']);
    const without = await exportPacket(fx.ws.db, options({ kind: 'run', runId: fx.runId }, 'nosources.tieoutpkt', false));
    expect(without.entries.some((n) => n.startsWith('sources/'))).toBe(false);
    const m = (await openPacket(without.path)).manifest!;
    expect(m.sources.included).toBe(false);
    expect((await openPacket(first.path)).manifest!.sources.note).toMatch(/not kept in a workspace/);
  });

  it('neutralizes a formula-like vendor name in the CSV and in the XLSX', async () => {
    const e = entriesOf(first.path);
    const exceptions = parseCsv(e.get('csv/exceptions.csv')!.toString());
    const party = exceptions[0]!.indexOf('Right party');
    const hostile = exceptions.find((r) => r[party]?.includes('HYPERLINK'));
    expect(hostile?.[party]).toBe(`'${HOSTILE_VENDOR}`);
    expect(e.get('sources/batch-3.csv')!.toString()).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);

    const wb = XLSX.read(e.get('summary.xlsx')!, { type: 'buffer', cellFormula: true });
    expect(wb.SheetNames).toEqual(['Summary', 'Matches', 'Exceptions', 'Overrides', 'Approvals', 'Sign-offs', 'Audit log', 'Rules', 'Sources', 'Rejected rows']);
    const rows = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets['Exceptions']!, { header: 1, raw: true });
    const cell = rows.flat().find((v) => typeof v === 'string' && v.includes('HYPERLINK'));
    expect(cell).toBe(`'${HOSTILE_VENDOR}`);
    for (const name of wb.SheetNames) {
      const ws = wb.Sheets[name]!;
      for (const [addr, c] of Object.entries(ws)) {
        if (addr.startsWith('!')) continue;
        const cellObj = c as XLSX.CellObject;
        expect(cellObj.f).toBeUndefined();
        if (cellObj.t === 's') expect(String(cellObj.v)).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
  });

  it('writes amounts as numbers in the XLSX and as plain decimals in the CSV', async () => {
    const e = entriesOf(first.path);
    const matches = parseCsv(e.get('csv/matches.csv')!.toString());
    const amount = matches[0]!.indexOf('Left amount');
    expect(matches[1]![amount]).toMatch(/^-?\d+\.\d{2}$/);
    const wb = XLSX.read(e.get('summary.xlsx')!, { type: 'buffer' });
    const ws = wb.Sheets['Matches']!;
    expect(ws[XLSX.utils.encode_cell({ r: 1, c: amount })]?.t).toBe('n');
  });

  it('exports run, period and filter scopes, with the tables limited to the scope', async () => {
    const run = await exportPacket(fx.ws.db, options({ kind: 'run', runId: fx.runId }, 'run.tieoutpkt'));
    expect((await verifyPacket(run.path)).ok).toBe(true);

    const period = await exportPacket(fx.ws.db, options({ kind: 'period', period: '2026-03', reconciliation: RECONCILIATION }, 'period.tieoutpkt'));
    const p = await openPacket(period.path);
    expect(p.verification.ok).toBe(true);
    const m = (await p.table('matches'));
    const ld = m.columns.indexOf('Left date');
    const rd = m.columns.indexOf('Right date');
    expect(m.rows.length).toBeGreaterThan(0);
    for (const r of m.rows) expect(r[ld]!.startsWith('2026-03') || r[rd]!.startsWith('2026-03')).toBe(true);

    const filtered = await exportPacket(fx.ws.db, options({ kind: 'filter', filter: { class: 'unmatched_right', vendor: 'HYPERLINK' } }, 'filter.tieoutpkt'));
    const f = await openPacket(filtered.path);
    expect((await f.table('matches')).rows).toHaveLength(0);
    expect((await f.table('exceptions')).rows).toHaveLength(1);
    expect(f.manifest!.scopeText).toContain('class = unmatched_right');
    // The whole run is still there to replay.
    expect((await replayPacket(filtered.path)).equal).toBe(true);
  });

  it('exports and verifies a workspace with no runs and no audit events yet', async () => {
    const empty = openWorkspace(join(dir, 'empty.tieout'), { create: true });
    try {
      const r = await exportPacket(empty.db, options({ kind: 'workspace' }, 'empty.tieoutpkt'));
      expect(r.runs).toEqual([]);
      expect(r.audit).toEqual({ count: 0, lastSeq: null, headHash: '0'.repeat(64) });
      expect((await verifyPacket(r.path)).ok).toBe(true);
      expect((await replayPacket(r.path)).equal).toBe(true);
      await expect(exportPacket(empty.db, options({ kind: 'period', period: '2026-03' }, 'x.tieoutpkt'))).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      empty.close();
    }
  });

  it('says so when the packet cannot be written, and records nothing', async () => {
    const before = (fx.ws.db.prepare('SELECT MAX(seq) AS n FROM audit_event').get() as { n: number }).n;
    await expect(exportPacket(fx.ws.db, options({ kind: 'workspace' }, join('no', 'such', 'dir.tieoutpkt')))).rejects.toMatchObject({ code: 'file_unreadable' });
    expect((fx.ws.db.prepare('SELECT MAX(seq) AS n FROM audit_event').get() as { n: number }).n).toBe(before);
  });

  it.each(['writing the run inputs', 'compressing csv/matches.csv'])('stops when cancelled while %s, writing no packet and no audit event', async (phase) => {
    const before = (fx.ws.db.prepare('SELECT MAX(seq) AS n FROM audit_event').get() as { n: number }).n;
    let cancel = false;
    const ctx = {
      cancelled: () => cancel,
      progress: (p: { phase: string }) => {
        if (p.phase === phase) cancel = true;
      },
    };
    await expect(exportPacket(fx.ws.db, options({ kind: 'workspace' }, 'cancelled.tieoutpkt'), ctx)).rejects.toMatchObject({ code: 'cancelled' });
    expect(cancel).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('cancelled.tieoutpkt'))).toEqual([]);
    expect((fx.ws.db.prepare('SELECT MAX(seq) AS n FROM audit_event').get() as { n: number }).n).toBe(before);
  });

  it('refuses an unknown run, reconciliation or filter key', async () => {
    await expect(exportPacket(fx.ws.db, options({ kind: 'run', runId: 999 }, 'x.tieoutpkt'))).rejects.toMatchObject({ code: 'not_found' });
    await expect(exportPacket(fx.ws.db, options({ kind: 'period', period: '2026-03', reconciliation: 'Nope' }, 'x.tieoutpkt'))).rejects.toMatchObject({ code: 'not_found' });
    const bad = { kind: 'filter', filter: { clas: 'x' } } as unknown as PacketScope;
    await expect(exportPacket(fx.ws.db, options(bad, 'x.tieoutpkt'))).rejects.toMatchObject({ code: 'bad_input' });
    expect(existsSync(join(dir, 'x.tieoutpkt'))).toBe(false);
  });
});

describe('verifyPacket', () => {
  it.each(['summary.xlsx', 'csv/matches.csv', 'csv/exceptions.csv', 'rules.json', 'results.json', 'inputs/records.ndjson', 'audit/events.ndjson', 'signer.json', 'sources/batch-1.csv', 'manifest.json', 'manifest.sig'])(
    'fails naming %s when one byte of it is flipped',
    async (name) => {
      const e = entriesOf(first.path);
      e.set(name, flipByte(e.get(name)!));
      const problems = await problemsOf(save(e, `flip-${name.replace(/\W/g, '_')}.tieoutpkt`));
      expect(problems.map((p) => p.entry)).toContain(name);
    },
  );

  it('says the hash differs for a changed file, and a bad signature for a changed signature', async () => {
    const e = entriesOf(first.path);
    e.set('rules.json', flipByte(e.get('rules.json')!));
    expect(await problemsOf(save(e, 'hash.tieoutpkt'))).toEqual([{ entry: 'rules.json', problem: expect.stringMatching(/^SHA-256 differs from the manifest/) }]);

    const s = entriesOf(first.path);
    const sig = JSON.parse(s.get('manifest.sig')!.toString()) as { signature: string };
    const raw = Buffer.from(sig.signature, 'base64');
    raw[10]! ^= 0x01;
    s.set('manifest.sig', Buffer.from(JSON.stringify({ ...sig, signature: raw.toString('base64') })));
    expect(await problemsOf(save(s, 'sig.tieoutpkt'))).toEqual([{ entry: 'manifest.sig', problem: expect.stringMatching(/^bad signature/) }]);
  });

  it('blames manifest.sig, not the manifest, for a byte flipped in any field of the signature file', async () => {
    const e = entriesOf(first.path);
    const text = e.get('manifest.sig')!.toString();
    for (const field of ['"manifestSha256": "', '"signature": "', '"fingerprint": "']) {
      const copy = new Map(e);
      copy.set('manifest.sig', flipByte(e.get('manifest.sig')!, text.indexOf(field) + field.length + 3));
      expect((await problemsOf(save(copy, 'sigfield.tieoutpkt'))).map((p) => p.entry)).toEqual(['manifest.sig']);
    }
  });

  it('names the entry whose stored (compressed) bytes are corrupt', async () => {
    const bytes = readFileSync(first.path);
    const zip = readZipFile(first.path);
    const entry = zip.entries.find((x) => x.name === 'csv/matches.csv')!;
    const bad = Buffer.from(bytes);
    bad[entry.dataStart + Math.floor(entry.compressedSize / 2)]! ^= 0xff;
    const path = join(dir, 'corrupt.tieoutpkt');
    writeFileSync(path, bad);
    expect((await problemsOf(path)).map((p) => p.entry)).toContain('csv/matches.csv');
  });

  it('reports an audit chain break at the altered sequence, even when the manifest was signed again', async () => {
    const e = entriesOf(first.path);
    const seq = alterThirdAuditEvent(e);
    resign(e);
    expect(await problemsOf(save(e, 'chain.tieoutpkt'))).toEqual([
      { entry: 'audit/events.ndjson', problem: `audit chain broken at sequence ${seq}: hash does not match the event content` },
    ]);
  });

  it('reports a file present but not listed, and a listed file that is missing', async () => {
    const e = entriesOf(first.path);
    e.set('extra/notes.txt', Buffer.from('hello'));
    e.delete('csv/overrides.csv');
    const problems = await problemsOf(save(e, 'extra.tieoutpkt'));
    expect(problems).toContainEqual({ entry: 'extra/notes.txt', problem: 'present in the packet but not listed in the manifest' });
    expect(problems).toContainEqual({ entry: 'csv/overrides.csv', problem: 'missing from the packet' });
  });

  it('fails when the manifest is signed by a key other than the one in signer.json', async () => {
    const e = entriesOf(first.path);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = { privateKey, publicKey, publicKeyPem: '', fingerprint: first.fingerprint };
    e.set('manifest.sig', Buffer.from(signManifest(e.get('manifest.json')!, other)));
    expect(await problemsOf(save(e, 'otherkey.tieoutpkt'))).toContainEqual({ entry: 'manifest.sig', problem: expect.stringMatching(/^bad signature/) });
  });

  it('refuses a packet holding a zip-slip entry, naming it', async () => {
    const e = entriesOf(first.path);
    e.set('xx/evil', Buffer.from('pwned'));
    const bytes = readFileSync(save(e, 'slip.tieoutpkt'));
    for (let i = bytes.indexOf('xx/evil'); i >= 0; i = bytes.indexOf('xx/evil', i + 1)) bytes.write('../evil', i);
    const path = join(dir, 'slip.tieoutpkt');
    writeFileSync(path, bytes);
    expect(await problemsOf(path)).toEqual([{ entry: '../evil', problem: 'Refused entry "../evil": ".." segment (path traversal)' }]);
    await expect(openPacket(path)).rejects.toThrow(/path traversal/);
    await expect(replayPacket(path)).rejects.toThrow(/path traversal/);
  });

  it('reports a file that is not a zip as one problem naming it', async () => {
    const path = join(dir, 'notazip.tieoutpkt');
    writeFileSync(path, 'just text');
    expect(await problemsOf(path)).toEqual([{ entry: 'notazip.tieoutpkt', problem: expect.stringMatching(/not a readable packet/) }]);
    const truncated = join(dir, 'truncated.tieoutpkt');
    writeFileSync(truncated, readFileSync(first.path).subarray(0, 5000));
    expect((await problemsOf(truncated))[0]!.problem).toMatch(/truncated/);
  });
});

describe('replayPacket', () => {
  it('is equal on an untouched packet and names the engine versions', async () => {
    const r = await replayPacket(first.path);
    expect(r.equal).toBe(true);
    expect(r.verified).toBe(true);
    expect(r.engineVersion.same).toBe(true);
    expect(r.runs[0]!.replayedSha256).toBe(r.runs[0]!.packetSha256);
  });

  it('reports differences when rules.json was changed and signed again, which verify cannot see', async () => {
    const e = entriesOf(first.path);
    dropProbabilisticPass(e);
    resign(e);
    const path = save(e, 'rules-changed.tieoutpkt');
    expect((await verifyPacket(path)).ok).toBe(true);
    const r = await replayPacket(path);
    expect(r.equal).toBe(false);
    if (r.equal) return;
    const kinds = new Set(r.differences.map((d) => d.kind));
    expect(kinds.has('rules')).toBe(true);
    expect(kinds.has('lost_group')).toBe(true);
    expect(r.differences.length).toBeLessThanOrEqual(20);
    expect(r.totalDifferences).toBeGreaterThan(r.differences.length);
    expect(r.runs[0]!.counts.lostGroups).toBeGreaterThan(0);
    expect(r.differences.find((d) => d.kind === 'lost_group')!.detail).toMatch(/^group [0-9a-f]{16} \(no-po, matched\) is not formed on replay/);
  });
});

describe('openPacket', () => {
  it('gives the manifest, the verification and the tables, and extracts only into a temp folder', async () => {
    const before = readFileSync(first.path);
    const p = await openPacket(first.path);
    expect(p.verification.ok).toBe(true);
    expect(p.manifest!.runs[0]!.runId).toBe(fx.runId);
    expect((await p.table('summary')).rows.find((r) => r[0] === 'Verification fingerprint')?.[1]).toBe(first.fingerprint);
    expect((await p.table('matches')).columns.slice(0, 3)).toEqual(['Run', 'Group', 'Status']);
    expect((await p.table('exceptions')).rows.length).toBe(p.results().runs[0]!.exceptions.length);
    expect((await p.table('overrides')).columns).toContain('Reason code');
    const audit = await p.audit();
    expect(audit.length).toBe(p.manifest!.audit.count);
    expect(audit.map((e) => e.seq)).toEqual(Array.from({ length: audit.length }, (_, i) => i + 1));
    expect(audit.some((e) => e.action === 'export.packet')).toBe(false);
    expect(p.rules().ruleSets[0]!.version).toBe(1);
    expect((await p.table('rules')).rows.some((r) => r[2] === 'Pass 1: line-1to1')).toBe(true);
    const out = await p.extract();
    expect(out.startsWith(tmpdir() + sep)).toBe(true);
    expect(readFileSync(join(out, 'rules.json')).equals(p.entry('rules.json'))).toBe(true);
    rmSync(out, { recursive: true, force: true });
    expect(readFileSync(first.path).equals(before)).toBe(true);
  });

  it('keeps a large table\'s first rows for the viewer and counts all of them', async () => {
    const whole = await (await openPacket(first.path)).table('matches');
    expect(whole.rows.length).toBe(whole.totalRows);
    expect(whole.totalRows).toBeGreaterThan(5);
    const cut = await (await openPacket(first.path, { tableRows: 5 })).table('matches');
    expect(cut).toEqual({ file: 'csv/matches.csv', columns: whole.columns, rows: whole.rows.slice(0, 5), totalRows: whole.totalRows });
  });

  it('opens a tampered packet read-only and reports why it fails', async () => {
    const e = entriesOf(first.path);
    e.set('csv/matches.csv', flipByte(e.get('csv/matches.csv')!));
    const p = await openPacket(save(e, 'open-bad.tieoutpkt'));
    expect(p.verification.ok).toBe(false);
    expect(p.manifest).not.toBeNull();
  });
});

describe('a run holding a confirmed manual group', () => {
  it('replays equal with the locked group, and lists the override with its reason code', async () => {
    const db = fx.ws.db;
    db.prepare("INSERT OR IGNORE INTO app_user (id, name, email, role, created_at) VALUES (?, 'Ana Analyst', NULL, 'analyst', '2026-01-01T00:00:00.000Z')").run(ACTOR);
    ensureDefaultReasonCodes(db);
    const recId = (db.prepare('SELECT id FROM reconciliation WHERE name = ?').get(RECONCILIATION) as { id: number }).id;
    const memberOf = (cls: string) =>
      (db.prepare(`SELECT m.record_id AS id FROM ${runTable(db, fx.runId, 'member').name} m JOIN run_exception e ON e.run_id = m.run_id AND e.exception_id = m.exception_id WHERE m.run_id = ? AND e.class = ? ORDER BY m.record_id LIMIT 1`).get(fx.runId, cls) as { id: number }).id;
    const o = makeOverride(db, { type: 'force_match', reconciliationId: recId, left: [memberOf('unmatched_left')], right: [memberOf('unmatched_right')], reasonCode: 'timing_difference', note: 'invoice came late' }, ACTOR);
    const run = await runMatch(fx.ws, { reconciliation: RECONCILIATION, actor: ACTOR });
    const r = await exportPacket(db, options({ kind: 'run', runId: run.runId! }, 'locked.tieoutpkt'));
    const p = await openPacket(r.path);
    expect(p.verification.ok).toBe(true);
    const engine = JSON.parse(p.entry('inputs/engine.json').toString()) as { runs: { locked: { left: string[]; right: string[] }[] }[] };
    expect(engine.runs[0]!.locked).toHaveLength(1);
    expect((await replayPacket(r.path)).equal).toBe(true);
    const overrides = (await p.table('overrides'));
    const row = overrides.rows.find((x) => x[0] === String(o.id))!;
    expect(row[overrides.columns.indexOf('Type')]).toBe('force_match');
    expect(row[overrides.columns.indexOf('Reason code')]).toBe('timing_difference');
    expect(row[overrides.columns.indexOf('Maker')]).toBe('Ana Analyst');
  });
});
