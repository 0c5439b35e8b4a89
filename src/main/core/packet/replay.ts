/**
 * Re-runs a packet's rules on its input records with this Tieout's engine and compares the
 * outcome with the packet's results, using the fingerprint runs are stored with. Catches what a
 * signature cannot: rules or results that were changed and signed again.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { TieoutError } from '../../../shared/error.js';
import { canonicalJson } from '../audit/chain.js';
import { diffResults, runEngine, type EngineRecord, type EngineResult } from '../engine/index.js';
import { ENGINE_VERSION } from '../engine/version.js';
import { CURRENCY_FIELD, fieldsNamedIn } from '../reconcile/load-inputs.js';
import { resultFingerprint } from '../reconcile/run-match.js';
import { EngineInputsFile, ENTRY, InputRecordLine, ResultsFile, RulesFile } from './format.js';
import { asEngineResult, packetResultFingerprint } from './results.js';
import { verifyZip } from './verify.js';
import { readZipFile, type ZipReader } from './zip.js';

export type ReplayDifferenceKind = 'new_group' | 'lost_group' | 'changed_status' | 'changed_class' | 'fingerprint' | 'rules' | 'results';

export interface ReplayDifference {
  runId: number;
  kind: ReplayDifferenceKind;
  detail: string;
}

export interface ReplayRunOutcome {
  runId: number;
  reconciliation: string;
  equal: boolean;
  /** The run's fingerprint as the packet records it, and as the replay computed it. */
  packetSha256: string;
  replayedSha256: string | null;
  counts: { newGroups: number; lostGroups: number; changedStatus: number; changedClasses: number };
}

interface ReplayCommon {
  runs: ReplayRunOutcome[];
  /** Engine versions that produced the runs, and this Tieout's. */
  engineVersion: { packet: string[]; running: string; same: boolean };
  /** Whether the packet also passes verifyPacket (replay runs either way). */
  verified: boolean;
}

export type ReplayResult = ({ equal: true } & ReplayCommon) | ({ equal: false; differences: ReplayDifference[]; totalDifferences: number } & ReplayCommon);

function readJson<T>(zip: ZipReader, name: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(zip.read(name).toString('utf8'));
  } catch (err) {
    if (err instanceof TieoutError) throw err;
    throw new TieoutError('file_unreadable', `${name} is not valid JSON: ${(err as Error).message}`, { path: name });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'file_unreadable', name);
  return parsed.data;
}

/**
 * The input records by run, read a line at a time: a million-line run's file is larger than a
 * string may be. With `only`, each record keeps just those fields, as a run's own inputs do
 * (see loadInputs): the engine reads no others.
 */
async function readRecords(zip: ZipReader, only?: ReadonlySet<string>): Promise<Map<number, EngineRecord[]>> {
  // A field named __proto__ cannot be copied by assignment: keep such records whole.
  const reduce = only !== undefined && !only.has('__proto__');
  const byRun = new Map<number, EngineRecord[]>();
  let i = 0;
  for await (const line of zip.lines(ENTRY.records)) {
    i++;
    if (line === '') continue;
    let rec: InputRecordLine;
    try {
      rec = InputRecordLine.parse(JSON.parse(line));
    } catch (err) {
      throw new TieoutError('file_unreadable', `${ENTRY.records}, line ${i}: not an input record (${TieoutError.from(err).message})`, { path: ENTRY.records, row: i });
    }
    let list = byRun.get(rec.run);
    if (!list) byRun.set(rec.run, (list = []));
    // As loadInputs offers it: the record's currency under `_currency`.
    let fields = rec.fields;
    if (reduce) {
      fields = {};
      for (const k in rec.fields) if (only.has(k)) fields[k] = rec.fields[k]!;
    }
    list.push({ id: rec.id, side: rec.side, source: rec.source, fields: { ...fields, [CURRENCY_FIELD]: rec.currency } });
  }
  return byRun;
}

function members(g: { left: string[]; right: string[] }): string {
  const show = (ids: string[]) => (ids.length > 6 ? `${ids.slice(0, 6).join(', ')}, … (${ids.length})` : ids.join(', '));
  return `left [${show(g.left)}], right [${show(g.right)}]`;
}

/** Replays every run in the packet. Throws `file_unreadable` when the packet lacks what replay needs. */
export async function replayPacket(path: string, opts: { maxDifferences?: number } = {}): Promise<ReplayResult> {
  const max = opts.maxDifferences ?? 20;
  const zip = readZipFile(path);
  const verified = (await verifyZip(zip)).result.ok;
  const rules = readJson(zip, ENTRY.rules, RulesFile);
  const results = readJson(zip, ENTRY.results, ResultsFile);
  const engineInputs = zip.has(ENTRY.engineInputs) ? readJson(zip, ENTRY.engineInputs, EngineInputsFile) : { note: '', runs: [] };
  const records = await readRecords(zip, fieldsNamedIn(...rules.ruleSets.map((r) => r.rules)));

  const differences: ReplayDifference[] = [];
  const runs: ReplayRunOutcome[] = [];
  for (const run of results.runs) {
    const diffs: ReplayDifference[] = [];
    const add = (kind: ReplayDifferenceKind, detail: string) => diffs.push({ runId: run.runId, kind, detail });
    const counts = { newGroups: 0, lostGroups: 0, changedStatus: 0, changedClasses: 0 };
    if (packetResultFingerprint(run) !== run.resultSha256) add('results', `results.json for run ${run.runId} does not hash to its recorded result fingerprint ${run.resultSha256.slice(0, 16)}…`);
    const ruleSet = rules.ruleSets.find((r) => r.runs.includes(run.runId));
    let replayed: EngineResult | null = null;
    if (!ruleSet) add('rules', `rules.json has no rule set for run ${run.runId}`);
    else {
      const sha = createHash('sha256').update(canonicalJson(ruleSet.rules)).digest('hex');
      if (sha !== ruleSet.sha256) add('rules', `the rule set of run ${run.runId} hashes to ${sha.slice(0, 16)}…, not the recorded ${ruleSet.sha256.slice(0, 16)}… (version ${ruleSet.version}); it was changed`);
      const extra = engineInputs.runs.find((r) => r.runId === run.runId);
      try {
        replayed = runEngine({
          ruleSet: ruleSet.rules as never,
          ruleSetVersion: ruleSet.version,
          records: records.get(run.runId) ?? [],
          fx: extra?.fx ?? [],
          locked: extra?.locked ?? [],
          apart: extra?.apart ?? [],
        });
      } catch (err) {
        add('rules', `the rules of run ${run.runId} do not run on this engine: ${TieoutError.from(err).message}`);
      }
    }
    const replayedSha256 = replayed ? resultFingerprint(replayed) : null;
    if (replayed) {
      const d = diffResults(asEngineResult(run), replayed);
      counts.newGroups = d.newMatches.length;
      counts.lostGroups = d.lostMatches.length;
      counts.changedStatus = d.changedStatus.length;
      counts.changedClasses = d.changedClasses.length;
      for (const g of d.lostMatches) add('lost_group', `group ${g.id} (${g.pass}, ${g.status}) is not formed on replay: ${members(g)}`);
      for (const g of d.newMatches) add('new_group', `replay forms group ${g.id} (${g.pass}, ${g.status}) the packet does not have: ${members(g)}`);
      for (const c of d.changedStatus) add('changed_status', `group ${c.current.id}: ${c.current.status} in the packet, ${c.draft.status} on replay`);
      for (const c of d.changedClasses) add('changed_class', `${c.side} record ${c.recordId}: ${c.from} in the packet, ${c.to} on replay`);
      if (replayedSha256 !== run.resultSha256 && diffs.length === 0) {
        add('fingerprint', `run ${run.runId}: replay gives result ${replayedSha256!.slice(0, 16)}…, the packet records ${run.resultSha256.slice(0, 16)}… (ids or amounts at risk differ)`);
      }
    }
    const equal = diffs.length === 0 && replayedSha256 === run.resultSha256;
    runs.push({ runId: run.runId, reconciliation: run.reconciliation, equal, packetSha256: run.resultSha256, replayedSha256, counts });
    differences.push(...diffs);
  }

  const packetVersions = [...new Set(results.runs.map((r) => r.engineVersion))].sort();
  const common: ReplayCommon = {
    runs,
    engineVersion: { packet: packetVersions, running: ENGINE_VERSION, same: packetVersions.every((v) => v === ENGINE_VERSION) },
    verified,
  };
  if (runs.every((r) => r.equal)) return { equal: true, ...common };
  return { equal: false, differences: differences.slice(0, max), totalDifferences: differences.length, ...common };
}
