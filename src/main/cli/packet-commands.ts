import { packetKeyDir } from '../core/packet/keys.js';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { TieoutError } from '../../shared/error.js';
import { exportPacket, PacketFilter, replayPacket, verifyPacket, type PacketScope, type ReplayResult, type VerifyResult } from '../core/packet/index.js';
import { openWorkspace } from '../core/workspace/index.js';
import { packetCurrentUser } from '../core/workspace/packet-queries.js';
import { intOption, json, parse, terminalProgress, UsageError, type Command, type Io } from './command.js';

/** The signing key lives in the user's profile: $TIEOUT_HOME/keys, else ~/.tieout/keys. */

function osUser(): string {
  try {
    return userInfo().username || 'analyst';
  } catch {
    return 'analyst';
  }
}

function scopeFrom(values: { run?: string | undefined; period?: string | undefined; filter?: string | undefined; reconciliation?: string | undefined }): PacketScope {
  if (values.period !== undefined && (values.run !== undefined || values.filter !== undefined)) throw new UsageError('--period cannot be combined with --run or --filter');
  if (values.reconciliation !== undefined && values.period === undefined) throw new UsageError('--reconciliation goes with --period');
  const runId = values.run === undefined ? undefined : intOption(values.run, 'run', 0);
  if (runId !== undefined && runId <= 0) throw new UsageError('--run must be a run id (a positive whole number)');
  if (values.filter !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(values.filter);
    } catch (err) {
      throw new UsageError(`--filter must be JSON such as '{"class":"unmatched_left"}': ${(err as Error).message}`);
    }
    const f = PacketFilter.safeParse(raw);
    if (!f.success) throw new UsageError(TieoutError.fromZod(f.error, 'bad_input', '--filter').message);
    return { kind: 'filter', filter: f.data, ...(runId !== undefined && { runId }) };
  }
  if (values.period !== undefined) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(values.period)) throw new UsageError(`--period must look like 2026-03, got "${values.period}"`);
    return { kind: 'period', period: values.period, ...(values.reconciliation !== undefined && { reconciliation: values.reconciliation }) };
  }
  if (runId !== undefined) return { kind: 'run', runId };
  return { kind: 'workspace' };
}

function printVerified(file: string, r: Extract<VerifyResult, { ok: true }>, io: Io): void {
  const s = r.summary;
  io.out(`packet verified: ${file}`);
  io.out(`  fingerprint  ${r.fingerprint}`);
  io.out(`  scope        ${s.scopeText}`);
  io.out(`  exported     ${s.exportedAt} by ${s.exporter.name} (${s.exporter.userId}); data as of ${s.asOf ?? '-'}`);
  for (const run of s.runs) {
    io.out(`  run ${run.runId}        "${run.reconciliation}", rule set v${run.ruleSetVersion}, engine ${run.engineVersion}: ${run.records} records, ${run.groups} groups, ${run.exceptions} exceptions`);
  }
  io.out(`  audit        ${s.audit.count} events${s.audit.lastSeq !== null ? ` (sequence ${s.audit.firstSeq} to ${s.audit.lastSeq})` : ''}, chain intact, head ${s.audit.headHash}`);
  io.out(`  files        ${r.files}, every hash and size as listed, signature good`);
  for (const n of s.notes) io.out(`  note         ${n}`);
}

function printReplay(r: ReplayResult, io: Io): void {
  const engine = r.engineVersion.same
    ? `engine ${r.engineVersion.running} (same as the packet's)`
    : `engine ${r.engineVersion.running} here; the packet's runs were made with ${r.engineVersion.packet.join(', ')}`;
  if (r.equal) {
    io.out('equal');
    io.out(`  ${r.runs.map((x) => `run ${x.runId}: result ${x.replayedSha256}`).join('\n  ')}`);
    io.out(`  ${engine}`);
  } else {
    io.out('not equal');
    for (const d of r.differences) io.out(`  run ${d.runId} ${d.kind}: ${d.detail}`);
    if (r.totalDifferences > r.differences.length) io.out(`  … and ${r.totalDifferences - r.differences.length} more`);
    io.out(`  ${engine}`);
  }
  if (!r.verified) io.out('  warning: this packet does not pass `tieout packet verify`');
}

export const packetCommand: Command = {
  name: 'packet',
  summary: 'export a signed audit packet, verify one, or replay its match offline',
  usage:
    'tieout packet export <workspace> [--run <id> | --period <YYYY-MM> [--reconciliation <name>] | --filter <json>] [--include-sources] --out <file> | ' +
    'tieout packet verify <file> [--json] | tieout packet replay <file> [--json]',
  async run(args, io) {
    const [verb, ...rest] = args;
    if (verb === 'export') {
      const { positionals, values } = parse(
        rest,
        {
          run: { type: 'string' },
          period: { type: 'string' },
          reconciliation: { type: 'string' },
          filter: { type: 'string' },
          'include-sources': { type: 'boolean' },
          out: { type: 'string' },
          json: { type: 'boolean' },
        },
        1,
      );
      if (!values.out) throw new UsageError('--out <file> is required');
      const scope = scopeFrom(values);
      const ws = openWorkspace(resolve(positionals[0]!));
      try {
        const user = packetCurrentUser(ws.db);
        const exporter = user ? { userId: user.id, name: user.name } : { userId: osUser(), name: osUser() };
        const progress = terminalProgress();
        const result = await exportPacket(
          ws.db,
          { scope, includeSources: values['include-sources'] ?? false, exporter, keyDir: packetKeyDir(), now: new Date(), out: resolve(values.out) },
          { cancelled: () => false, progress: (p) => progress.show(p) },
        ).finally(() => progress.clear());
        if (values.json) {
          io.out(json(result));
          return;
        }
        io.out(`Wrote ${result.path} (${result.bytes.toLocaleString('en-US')} bytes, ${result.entries.length} files)`);
        io.out(`  SHA-256      ${result.sha256}`);
        io.out(`  fingerprint  ${result.fingerprint}  (give this to the auditor separately)`);
        io.out(`  runs         ${result.runs.join(', ') || '(none)'}; audit events ${result.audit.count}, head ${result.audit.headHash}`);
        io.out(`  recorded as audit event ${result.auditEventSeq} (export.packet)`);
        for (const n of result.notes) io.out(`  note         ${n}`);
      } finally {
        ws.close();
      }
      return;
    }
    if (verb === 'verify') {
      const { positionals, values } = parse(rest, { json: { type: 'boolean' } }, 1);
      const file = resolve(positionals[0]!);
      const r = await verifyPacket(file);
      if (values.json) io.out(json(r));
      if (r.ok) {
        if (!values.json) printVerified(file, r, io);
        return;
      }
      if (!values.json) {
        io.err(`packet NOT verified: ${file}`);
        for (const p of r.problems) io.err(`  ${p.entry}: ${p.problem}`);
      }
      throw new TieoutError('conflict', `packet failed verification (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}${values.json ? '' : ', listed above'})`);
    }
    if (verb === 'replay') {
      const { positionals, values } = parse(rest, { json: { type: 'boolean' } }, 1);
      const r = await replayPacket(resolve(positionals[0]!));
      if (values.json) io.out(json(r));
      else printReplay(r, io);
      if (!r.equal) throw new TieoutError('conflict', `replay differs from the packet (${r.totalDifferences} difference${r.totalDifferences === 1 ? '' : 's'})`);
      return;
    }
    throw new UsageError(`unknown packet command "${verb ?? ''}"`);
  },
};
