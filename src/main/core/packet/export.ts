/**
 * Writes an audit packet: one signed zip an outside auditor can verify and replay with nothing
 * but Tieout (no workspace, no network).
 *
 * Repeat exports of an unchanged scope give identical bytes in every entry but manifest.json
 * (export time) and manifest.sig. That is why nothing in the tables depends on the clock: times
 * are "as of" the last audit event in the packet, and the audit slice stops before any trailing
 * `export.packet` events (the export itself appends one, after the packet is written).
 */
import { createHash } from 'node:crypto';
import { createReadStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TieoutError } from '../../../shared/error.js';
import { GENESIS_HASH, type ChainedEvent } from '../audit/chain.js';
import { parseRuleSet } from '../engine/index.js';
import { csvLine } from '../export/csv-write.js';
import { ENGINE_VERSION } from '../engine/version.js';
import { throwIfCancelled, NO_JOB, type JobContext } from '../jobs/job-context.js';
import { appendAuditEvent, iterateAuditEvents, type Db } from '../workspace/index.js';
import {
  allPacketBatches,
  auditSliceEnd,
  iterateBatchRawRows,
  iteratePacketInputs,
  latestPacketRuns,
  packetBatchesById,
  packetExceptions,
  packetFxRates,
  packetGroups,
  iteratePacketMembers,
  packetOverrides,
  packetPeriodLocks,
  runDecisions,
  packetRejectedRows,
  iteratePacketReviewRows,
  packetReviewTotals,
  packetRunById,
  reconciliationExists,
  runBatchCounts,
  type PacketBatchRow,
  type PacketReviewRow,
  type PacketReviewTotal,
  type PacketRowFilter,
  type PacketRunRow,
} from '../workspace/packet-queries.js';
import {
  describeScope,
  ENTRY,
  EXPORT_ACTION,
  PACKET_FORMAT,
  PACKET_FORMAT_VERSION,
  PacketScope,
  type EngineInputsFile,
  type Manifest,
  type ResultsFile,
  type RulesFile,
} from './format.js';
import { loadOrCreateSigningKey, signManifest, signerJson, type SigningKey } from './keys.js';
import { engineOrder, packetResultFingerprint } from './results.js';
import { ruleLines } from './rules-text.js';
import { StagedEntries, type EntryWriter } from './staged-entries.js';
import { money, workbookBytes, writeTableCsv, type Cell, type Table } from './tables.js';
import { writeZipFile } from './zip.js';

export interface ExportPacketOptions {
  scope: PacketScope;
  /** Add each batch's stored raw rows as sources/batch-<id>.csv. */
  includeSources: boolean;
  exporter: { userId: string; name: string };
  /** The user's profile folder for the signing key; never inside a workspace. */
  keyDir: string;
  now: Date;
  /** Where to write the packet. */
  out: string;
}

export interface ExportPacketResult {
  path: string;
  bytes: number;
  /** SHA-256 of the whole packet file (the target of the export.packet audit event). */
  sha256: string;
  manifestSha256: string;
  /** The signer key's fingerprint, as verify prints it. */
  fingerprint: string;
  entries: string[];
  runs: number[];
  audit: { count: number; lastSeq: number | null; headHash: string };
  /** Sequence number of the export.packet event written to the workspace. */
  auditEventSeq: number;
  notes: string[];
}

/** Everything a packet holds, staged as files (see StagedEntries); the caller zips it and removes it. */
export interface StagedPacket {
  staged: StagedEntries;
  manifest: Manifest;
  manifestBytes: Buffer;
  key: SigningKey;
}

const DAY_MS = 86_400_000;
/** Rows between progress reports (and cancel checks) inside a long loop. */
const TICK = 10_000;

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function asList(v: string | string[] | undefined): string[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

function resolveRuns(db: Db, scope: PacketScope): PacketRunRow[] {
  switch (scope.kind) {
    case 'workspace':
      return latestPacketRuns(db);
    case 'run': {
      const run = packetRunById(db, scope.runId);
      if (!run) throw new TieoutError('not_found', `No run ${scope.runId}`);
      return [run];
    }
    case 'period': {
      if (scope.reconciliation !== undefined && !reconciliationExists(db, scope.reconciliation)) {
        throw new TieoutError('not_found', `No reconciliation named "${scope.reconciliation}"`);
      }
      const runs = latestPacketRuns(db, scope.reconciliation);
      if (runs.length === 0) throw new TieoutError('not_found', 'There is no run to export yet; run a match first');
      return runs;
    }
    case 'filter': {
      if (scope.runId !== undefined) {
        const run = packetRunById(db, scope.runId);
        if (!run) throw new TieoutError('not_found', `No run ${scope.runId}`);
        return [run];
      }
      const runs = latestPacketRuns(db);
      if (runs.length === 0) throw new TieoutError('not_found', 'There is no run to export yet; run a match first');
      return runs;
    }
  }
}

function rowFilter(scope: PacketScope): PacketRowFilter {
  if (scope.kind === 'period') return { period: scope.period };
  if (scope.kind === 'filter') return { status: asList(scope.filter.status), class: asList(scope.filter.class), vendor: scope.filter.vendor, text: scope.filter.text };
  return {};
}

function days(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const d = Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS);
  return Number.isFinite(d) ? Math.max(0, d) : null;
}

/** Stages every entry of the packet. Reads only; the caller writes the zip and the audit event. */
export function stagePacket(db: Db, opts: Omit<ExportPacketOptions, 'out'>, ctx: JobContext = NO_JOB): StagedPacket {
  const staged = new StagedEntries();
  try {
    return stageInto(staged, db, opts, ctx);
  } catch (err) {
    staged.remove();
    throw err;
  }
}

function stageInto(staged: StagedEntries, db: Db, opts: Omit<ExportPacketOptions, 'out'>, ctx: JobContext): StagedPacket {
  const parsedScope = PacketScope.safeParse(opts.scope);
  if (!parsedScope.success) throw TieoutError.fromZod(parsedScope.error, 'bad_input', 'packet scope');
  const scope = parsedScope.data;
  const key = loadOrCreateSigningKey(opts.keyDir);
  const notes: string[] = [];
  const progress = (phase: string) => {
    throwIfCancelled(ctx);
    ctx.progress({ phase, done: 0, total: null, unit: 'steps' });
  };
  /** Inside a long loop: every TICK rows, progress and a chance to cancel. */
  const tick = (phase: string, done: number, unit: 'records' | 'rows') => {
    if (done % TICK !== 0) return;
    throwIfCancelled(ctx);
    ctx.progress({ phase, done, total: null, unit, message: `${done.toLocaleString('en-US')} ${unit}` });
  };

  progress('collecting the runs');
  const runs = resolveRuns(db, scope);
  const filter = rowFilter(scope);
  const head = auditSliceEnd(db, EXPORT_ACTION);
  const asOf = head?.at ?? null;
  const reconciliationIds = [...new Set(runs.map((r) => r.reconciliationId))];
  const put = (name: string, data: string | Buffer) => staged.put(name, data);

  // ------------------------------------------------ inputs and results of each run
  progress('writing the run inputs');
  const recordsOut = staged.entry(ENTRY.records);
  // Each run's results are written as soon as they are put in order, and not kept.
  const resultsOut = staged.entry(ENTRY.results);
  resultsOut.write('{"runs":[');
  const engineInputs: EngineInputsFile = {
    note: 'FX rates are the workspace table at export time (runs do not store their own copy); locked groups are the confirmed manual groups the run held.',
    runs: [],
  };
  const fx = packetFxRates(db).map((r) => ({ from: r.from, to: r.to, rate: r.rate, ...(r.date !== null && { date: r.date }) }));
  const manifestRuns: Manifest['runs'] = [];
  for (const run of runs) {
    let records = 0;
    for (const r of iteratePacketInputs(db, run.runId)) {
      records++;
      tick('writing the run inputs', records, 'records');
      // The stored fields are JSON.stringify output already: spliced in as they are, not parsed and written again.
      const head = JSON.stringify({ run: run.runId, id: String(r.recordId), side: r.side, source: r.source });
      const tail = JSON.stringify({
        currency: r.currency,
        provenance: { batch: r.batchId, fileSha256: r.fileSha256, row: r.rowNumber, ...(r.adjustedFrom !== null && { adjusted: { from: r.adjustedFrom, override: r.adjustedBy! } }) },
      });
      recordsOut.write(`${head.slice(0, -1)},"fields":${r.fieldsJson},${tail.slice(1)}\n`);
    }
    throwIfCancelled(ctx);
    const byGroup = new Map<string, { left: string[]; right: string[] }>();
    const byException = new Map<string, { left: string[]; right: string[] }>();
    for (const m of iteratePacketMembers(db, run.runId)) {
      const map = m.groupId !== null ? byGroup : byException;
      const id = (m.groupId ?? m.exceptionId)!;
      let sides = map.get(id);
      if (!sides) map.set(id, (sides = { left: [], right: [] }));
      sides[m.side].push(String(m.recordId));
    }
    const groups = packetGroups(db, run.runId).map((g) => ({
      id: g.groupId,
      pass: g.pass,
      passKind: g.passKind,
      status: g.status,
      score: g.score,
      left: byGroup.get(g.groupId)?.left ?? [],
      right: byGroup.get(g.groupId)?.right ?? [],
      leftAmountMinor: g.leftAmountMinor,
      rightAmountMinor: g.rightAmountMinor,
      currency: g.currency,
    }));
    const exceptions = packetExceptions(db, run.runId).map((e) => ({
      id: e.exceptionId,
      class: e.class,
      pass: e.pass,
      groupId: e.groupId,
      left: byException.get(e.exceptionId)?.left ?? [],
      right: byException.get(e.exceptionId)?.right ?? [],
      amountMinor: e.amountMinor,
      currency: e.currency,
      detail: e.detail,
    }));
    let passIds: string[] = [];
    try {
      passIds = parseRuleSet(JSON.parse(run.rulesJson)).passes.map((p) => p.id);
    } catch {
      notes.push(`Run ${run.runId}: its rule set is not readable by this Tieout (engine ${ENGINE_VERSION}); results are in id order.`);
    }
    const ordered = engineOrder(
      { runId: run.runId, reconciliation: run.reconciliation, ruleSetVersion: run.ruleSetVersion, engineVersion: run.engineVersion, resultSha256: run.resultSha256, groups, exceptions },
      passIds,
    );
    if (packetResultFingerprint(ordered) !== run.resultSha256) {
      notes.push(`Run ${run.runId}: the stored groups and exceptions do not reproduce the run's result fingerprint; the workspace may have been altered.`);
    }
    writeRunResults(ordered, resultsOut, manifestRuns.length === 0);
    const decisions = runDecisions(db, run.runId);
    engineInputs.runs.push({
      runId: run.runId,
      fx,
      // Runs record the decisions they were given; older runs only show the groups they locked.
      locked: decisions?.locked ?? ordered.groups.filter((g) => g.passKind === 'locked').map((g) => ({ groupId: g.id, left: g.left, right: g.right })),
      apart: decisions?.apart ?? [],
    });
    manifestRuns.push({
      runId: run.runId,
      reconciliation: run.reconciliation,
      ruleSetVersion: run.ruleSetVersion,
      ruleSetSha256: run.rulesSha256,
      engineVersion: run.engineVersion,
      resultSha256: run.resultSha256,
      records,
      groups: groups.length,
      exceptions: exceptions.length,
    });
  }
  recordsOut.end();
  resultsOut.write('\n]}\n');
  resultsOut.end();
  put(ENTRY.engineInputs, JSON.stringify(engineInputs, null, 1) + '\n');

  // ------------------------------------------------ rules
  const ruleSets = new Map<number, RulesFile['ruleSets'][number]>();
  for (const run of runs) {
    const existing = ruleSets.get(run.ruleSetVersionId);
    if (existing) existing.runs.push(run.runId);
    else {
      ruleSets.set(run.ruleSetVersionId, {
        reconciliation: run.reconciliation,
        version: run.ruleSetVersion,
        sha256: run.rulesSha256,
        createdAt: run.rulesCreatedAt,
        createdBy: run.rulesCreatedBy,
        runs: [run.runId],
        rules: JSON.parse(run.rulesJson) as unknown,
      });
    }
  }
  const rulesFile: RulesFile = { ruleSets: [...ruleSets.values()] };
  put(ENTRY.rules, JSON.stringify(rulesFile, null, 2) + '\n');

  // ------------------------------------------------ review rows in scope
  progress('collecting matches and exceptions');
  const totals: PacketReviewTotal[] = [];
  const runById = new Map(runs.map((r) => [r.runId, r]));
  for (const run of runs) totals.push(...packetReviewTotals(db, run.runId, filter));
  /** Rows of one kind of every run, read as the table is written: a million-group run's rows are not held at once. */
  const reviewRows = (kind: 'group' | 'exception', row: (r: PacketReviewRow) => Cell[]): Iterable<Cell[]> => ({
    *[Symbol.iterator]() {
      let n = 0;
      for (const run of runs) {
        for (const r of iteratePacketReviewRows(db, run.runId, run.reconciliationId, filter, kind)) {
          tick(kind === 'group' ? 'writing the matches' : 'writing the exceptions', ++n, 'rows');
          yield row(r);
        }
      }
    },
  });

  // ------------------------------------------------ audit slice
  progress('copying the audit log');
  const events: ChainedEvent[] = [];
  if (head) {
    for (const e of iterateAuditEvents(db, 1)) {
      if (e.seq > head.seq) break;
      events.push(e);
    }
  }
  const auditOut = staged.entry(ENTRY.audit);
  for (const e of events) {
    auditOut.write(JSON.stringify({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, target: e.target, before: e.before, after: e.after, reasonCode: e.reasonCode, note: e.note, prevHash: e.prevHash, hash: e.hash }) + '\n');
  }
  auditOut.end();
  const audit: Manifest['audit'] = {
    file: ENTRY.audit,
    count: events.length,
    firstSeq: events[0]?.seq ?? null,
    lastSeq: events.at(-1)?.seq ?? null,
    anchorHash: events[0]?.prevHash ?? GENESIS_HASH,
    headHash: events.at(-1)?.hash ?? GENESIS_HASH,
    note: `Events 1 to the last event before any trailing ${EXPORT_ACTION} events, so exporting an unchanged workspace again gives the same packet; the export that wrote this packet is recorded after it.`,
  };

  // ------------------------------------------------ sources
  progress('describing the sources');
  const inRuns = new Map<number, number>();
  for (const run of runs) for (const b of runBatchCounts(db, run.runId)) inRuns.set(b.batchId, (inRuns.get(b.batchId) ?? 0) + b.records);
  const batches: PacketBatchRow[] = scope.kind === 'workspace' ? allPacketBatches(db) : packetBatchesById(db, [...inRuns.keys()].sort((a, b) => a - b));
  const rejected = packetRejectedRows(db, batches.map((b) => b.batchId));
  const sourcesNote = opts.includeSources
    ? 'sources/batch-<id>.csv rebuild each batch from the rows the workspace stored (accepted records and rejected rows, with the batch headers). The original files are not kept in a workspace: rows an import skipped as unchanged are not stored with that batch, and text is re-quoted, so these files will not hash to the batch SHA-256.'
    : 'Source rows are not included; inputs/records.ndjson holds every record the runs used, with its batch, file SHA-256 and row number.';
  if (opts.includeSources) {
    for (const b of batches) {
      throwIfCancelled(ctx);
      const out = staged.entry(`sources/batch-${b.batchId}.csv`);
      writeBatchCsv(db, b, out);
      out.end();
    }
  }

  // ------------------------------------------------ tables
  progress('writing the tables');
  const overrides = packetOverrides(db, reconciliationIds);
  const locks = packetPeriodLocks(db, reconciliationIds, scope.kind === 'period' ? scope.period : undefined);
  const tables: Table[] = [
    summaryTable(scope, runs, totals, opts, key, audit, asOf),
    {
      sheet: 'Matches',
      file: 'csv/matches.csv',
      columns: ['Run', 'Group', 'Status', 'Pass', 'Score', 'Left records', 'Right records', 'Key', 'Left ref', 'Left date', 'Left party', 'Left description', 'Left amount', 'Right ref', 'Right date', 'Right party', 'Right description', 'Right amount', 'Currency', 'Variance', 'Days apart'],
      rows: reviewRows(
        'group',
        (r) => [r.runId, r.rowId, r.status, r.pass, r.score, r.leftCount, r.rightCount, r.keyText, r.leftRef, r.leftDate, r.leftParty, r.leftDesc, money(r.leftAmount, r.currency), r.rightRef, r.rightDate, r.rightParty, r.rightDesc, money(r.rightAmount, r.currency), r.currency, money(r.deltaAmount, r.currency), r.deltaDays],
      ),
    },
    {
      sheet: 'Exceptions',
      file: 'csv/exceptions.csv',
      columns: ['Run', 'Exception', 'Class', 'Detail', 'Review status', 'Owner', 'Claimed by', 'Age (days)', 'Due', 'Resolution', 'Amount at risk', 'Currency', 'Left records', 'Right records', 'Left ref', 'Left date', 'Left party', 'Left amount', 'Right ref', 'Right date', 'Right party', 'Right amount', 'Variance', 'Days apart'],
      rows: reviewRows(
        'exception',
        (r) => [
          r.runId, r.rowId, r.class, r.detail, r.itemStatus ?? 'open', r.ownerName ?? r.ownerId, r.claimedBy,
          days(r.itemCreatedAt ?? runById.get(r.runId)?.finishedAt ?? null, asOf), r.dueAt, r.resolution,
          money(r.amountAtRisk, r.currency), r.currency, r.leftCount, r.rightCount, r.leftRef, r.leftDate, r.leftParty, money(r.leftAmount, r.currency),
          r.rightRef, r.rightDate, r.rightParty, money(r.rightAmount, r.currency), money(r.deltaAmount, r.currency), r.deltaDays,
        ],
      ),
    },
    {
      sheet: 'Overrides',
      file: 'csv/overrides.csv',
      columns: ['Override', 'Reconciliation', 'Type', 'Target', 'Amount', 'Currency', 'Status', 'Reason code', 'Reason', 'Note', 'Maker', 'Made at', 'Reverses', 'Bulk'],
      rows: overrides.map((o) => [o.id, o.reconciliation, o.type, o.target, money(o.amountMinor, o.currency), o.currency, o.status, o.reasonCode, o.reasonLabel, o.note, o.makerName ?? o.maker, o.madeAt, o.reverses, o.bulkId]),
    },
    {
      sheet: 'Approvals',
      file: 'csv/approvals.csv',
      columns: ['Override', 'Reconciliation', 'Type', 'Target', 'Amount', 'Currency', 'Reason code', 'Reason', 'Note', 'Maker', 'Made at', 'Checker', 'Checked at', 'Decision', 'Check note'],
      rows: overrides
        .filter((o) => o.checker !== null || o.status === 'pending_approval' || o.status === 'rejected')
        .map((o) => [o.id, o.reconciliation, o.type, o.target, money(o.amountMinor, o.currency), o.currency, o.reasonCode, o.reasonLabel, o.note, o.makerName ?? o.maker, o.madeAt, o.checkerName ?? o.checker, o.checkedAt, o.status, o.checkNote]),
    },
    {
      sheet: 'Sign-offs',
      file: 'csv/sign-offs.csv',
      columns: ['Reconciliation', 'Period', 'Action', 'By', 'Approver', 'Reason', 'At'],
      rows: locks.map((l) => [l.reconciliation, l.period, l.action, l.actorName ?? l.actor, l.approverName ?? l.approver, l.reason, l.at]),
    },
    {
      sheet: 'Audit log',
      file: 'csv/audit-log.csv',
      columns: ['Seq', 'At', 'Actor', 'Action', 'Target', 'Reason code', 'Note', 'Before', 'After', 'Hash'],
      rows: events.map((e) => [e.seq, e.at, e.actor, e.action, e.target, e.reasonCode, e.note, e.before === null ? null : JSON.stringify(e.before), e.after === null ? null : JSON.stringify(e.after), e.hash]),
    },
    {
      sheet: 'Rules',
      file: 'csv/rules.csv',
      columns: ['Reconciliation', 'Version', 'Section', 'Item', 'Detail'],
      rows: rulesFile.ruleSets.flatMap((rs) => ruleLines(rs.rules).map(([section, item, detail]): Cell[] => [rs.reconciliation, rs.version, section, item, detail])),
    },
    {
      sheet: 'Sources',
      file: 'csv/sources.csv',
      columns: ['Batch', 'Source', 'Origin', 'File', 'SHA-256', 'Size (bytes)', 'Sheet', 'Imported at', 'Imported by', 'Rows read', 'Accepted', 'Rejected', 'Duplicates', 'New', 'Changed', 'Unchanged', 'Records used by the runs', 'Rebuilt rows'],
      rows: batches.map((b) => [
        b.batchId, b.source, b.origin, b.fileName, b.sha256, b.fileSize, b.sheet, b.importedAt, b.importedBy, b.rowsRead, b.rowsAccepted, b.rowsRejected,
        b.rowsDuplicate, b.rowsNew, b.rowsChanged, b.rowsUnchanged, inRuns.get(b.batchId) ?? 0, opts.includeSources ? `sources/batch-${b.batchId}.csv` : null,
      ]),
    },
    {
      sheet: 'Rejected rows',
      file: 'csv/rejected-rows.csv',
      columns: ['Batch', 'Row', 'Column', 'Value', 'Reason'],
      rows: rejected.map((r) => [r.batchId, r.row, r.column, r.value, r.reason]),
    },
  ];
  const rowCounts = new Map<string, number>();
  for (const t of tables) {
    const out = staged.entry(t.file);
    rowCounts.set(t.file, writeTableCsv(t, out));
    out.end();
  }
  put(ENTRY.summary, workbookBytes(tables, rowCounts));
  put(ENTRY.signer, signerJson(key));

  // ------------------------------------------------ manifest and signature
  progress('signing');
  if (scope.kind !== 'workspace' && scope.kind !== 'run') notes.push('The tables cover the scope; inputs/ and results.json cover the whole run(s), so the match can be replayed.');
  const manifest: Manifest = {
    format: PACKET_FORMAT,
    formatVersion: PACKET_FORMAT_VERSION,
    exportedAt: opts.now.toISOString(),
    exporter: { userId: opts.exporter.userId, name: opts.exporter.name },
    scope,
    scopeText: describeScope(scope),
    asOf,
    engineVersion: ENGINE_VERSION,
    runs: manifestRuns,
    audit,
    signer: { algorithm: 'Ed25519', fingerprint: key.fingerprint, file: ENTRY.signer },
    sources: { included: opts.includeSources, note: sourcesNote },
    notes,
    files: staged.list(),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  put(ENTRY.manifest, manifestBytes);
  put(ENTRY.signature, signManifest(manifestBytes, key));
  return { staged, manifest, manifestBytes, key };
}

/**
 * One run of results.json (`{"runs":[` before the first, `]}` after the last), one group or
 * exception per line: the same JSON document one JSON.stringify would give, written a line at a
 * time, so no string holds a whole run.
 */
function writeRunResults(run: ResultsFile['runs'][number], out: EntryWriter, first: boolean): void {
  const { groups, exceptions, ...head } = run;
  out.write(`${first ? '' : ','}\n${JSON.stringify(head).slice(0, -1)},"groups":[`);
  groups.forEach((g, k) => out.write(`${k > 0 ? ',' : ''}\n${JSON.stringify(g)}`));
  out.write('\n],"exceptions":[');
  exceptions.forEach((e, k) => out.write(`${k > 0 ? ',' : ''}\n${JSON.stringify(e)}`));
  out.write('\n]}');
}

function summaryTable(
  scope: PacketScope,
  runs: PacketRunRow[],
  reviewTotals: readonly PacketReviewTotal[],
  opts: Omit<ExportPacketOptions, 'out'>,
  key: SigningKey,
  audit: Manifest['audit'],
  asOf: string | null,
): Table {
  const out: Cell[][] = [
    ['Packet', `Tieout audit packet, format ${PACKET_FORMAT_VERSION}`],
    ['Scope', describeScope(scope)],
    ['Period', scope.kind === 'period' ? scope.period : 'all'],
    ['Reconciliation', [...new Set(runs.map((r) => r.reconciliation))].join('; ') || '(none)'],
  ];
  for (const r of runs) {
    out.push([`Run ${r.runId}`, `"${r.reconciliation}", rule-set version ${r.ruleSetVersion}, engine ${r.engineVersion}, finished ${r.finishedAt}, result SHA-256 ${r.resultSha256}`]);
    out.push([`Rule set of run ${r.runId}`, `version ${r.ruleSetVersion}, SHA-256 ${r.rulesSha256}`]);
  }
  out.push(
    ['Exported by', `${opts.exporter.name} (${opts.exporter.userId})`],
    ['Data as of', asOf ?? '(no audit events)'],
    ['Export time', 'in manifest.json (exportedAt); this workbook shows only the as-of time, so exporting the same data again gives the same file'],
    ['Verification fingerprint', key.fingerprint],
    ['Audit events', `${audit.count}${audit.lastSeq !== null ? ` (sequence ${audit.firstSeq} to ${audit.lastSeq})` : ''}, head ${audit.headHash}`],
    ['Sources included', opts.includeSources ? 'yes (rebuilt from stored rows)' : 'no'],
    [],
    ['Status', 'Class', 'Currency', 'Rows', 'Left records', 'Right records', 'Left amount', 'Right amount', 'Amount at risk'],
  );
  const totals = new Map<string, { status: string; cls: string; ccy: string; n: number; l: number; r: number; la: number; ra: number; risk: number }>();
  for (const row of reviewTotals) {
    const k = `${row.status}\u0000${row.class ?? ''}\u0000${row.currency ?? ''}`;
    let t = totals.get(k);
    if (!t) totals.set(k, (t = { status: row.status, cls: row.class ?? '', ccy: row.currency ?? '', n: 0, l: 0, r: 0, la: 0, ra: 0, risk: 0 }));
    t.n += row.rows;
    t.l += row.leftCount;
    t.r += row.rightCount;
    t.la += row.leftAmount;
    t.ra += row.rightAmount;
    t.risk += row.amountAtRisk;
  }
  const order = ['matched', 'suggested', 'exception'];
  const sorted = [...totals.values()].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status) || (a.cls < b.cls ? -1 : a.cls > b.cls ? 1 : 0) || (a.ccy < b.ccy ? -1 : a.ccy > b.ccy ? 1 : 0));
  for (const t of sorted) {
    // A side with no records has no amount (not zero).
    out.push([t.status, t.cls || null, t.ccy || null, t.n, t.l, t.r, t.l ? money(t.la, t.ccy || null) : null, t.r ? money(t.ra, t.ccy || null) : null, money(t.risk, t.ccy || null)]);
  }
  return { sheet: 'Summary', file: 'csv/summary.csv', columns: ['Item', 'Value'], rows: out };
}

/** A batch rebuilt from its stored raw rows and headers. Plain numbers are left as they were. */
function writeBatchCsv(db: Db, b: PacketBatchRow, out: EntryWriter): void {
  const prov = JSON.parse(b.provenanceJson) as { headers?: unknown };
  const headers = Array.isArray(prov.headers) ? prov.headers.map(String) : [];
  out.write(csvLine(['row_number', ...headers]));
  const numeric = /^-?\d[\d,]*(\.\d+)?$/;
  for (const r of iterateBatchRawRows(db, b.batchId)) {
    const raw = JSON.parse(r.rawJson) as unknown;
    const cells: unknown[] = Array.isArray(raw) ? raw : headers.map((h) => (raw as Record<string, unknown> | null)?.[h] ?? '');
    const text = cells.map((c) => (c === null || c === undefined ? '' : typeof c === 'object' ? JSON.stringify(c) : String(c)));
    const trusted = new Set<number>([0]);
    text.forEach((t, i) => numeric.test(t) && trusted.add(i + 1));
    out.write(csvLine([r.row, ...text], trusted));
  }
}

async function fileDigest(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Builds the packet, writes it to `opts.out` and records an `export.packet` audit event whose
 * target is the packet file's SHA-256.
 */
export async function exportPacket(db: Db, opts: ExportPacketOptions, ctx: JobContext = NO_JOB): Promise<ExportPacketResult> {
  const built = stagePacket(db, opts, ctx);
  const tmp = join(dirname(opts.out), `.${basename(opts.out)}.${process.pid}.tmp`);
  let fileSha: string;
  let bytes: number;
  try {
    throwIfCancelled(ctx);
    try {
      await writeZipFile(tmp, built.staged.zipInputs(), ctx);
    } catch (err) {
      if (err instanceof TieoutError) throw err;
      throw new TieoutError('file_unreadable', `Cannot write ${opts.out}: ${(err as Error).message}`, { file: opts.out });
    }
    ({ sha256: fileSha, bytes } = await fileDigest(tmp));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    built.staged.remove();
  }
  let seq: number;
  try {
    // The rename happens inside the event's transaction: no packet without its event, and no event without the file.
    seq = db.transaction(() => {
      const event = appendAuditEvent(db, {
        actor: opts.exporter.userId,
        action: EXPORT_ACTION,
        target: `packet:${fileSha}`,
        after: {
          file: basename(opts.out),
          sha256: fileSha,
          bytes,
          manifestSha256: sha256(built.manifestBytes),
          scope: built.manifest.scope,
          runs: built.manifest.runs.map((r) => r.runId),
          auditHead: { seq: built.manifest.audit.lastSeq, hash: built.manifest.audit.headHash },
          includeSources: opts.includeSources,
          signer: built.key.fingerprint,
        },
      });
      try {
        renameSync(tmp, opts.out);
      } catch (err) {
        throw new TieoutError('file_unreadable', `Cannot write ${opts.out}: ${(err as Error).message}`, { file: opts.out });
      }
      return event.seq;
    })();
  } finally {
    rmSync(tmp, { force: true });
  }
  ctx.progress({ phase: 'done', done: 1, total: 1, unit: 'steps' });
  return {
    path: opts.out,
    bytes,
    sha256: fileSha,
    manifestSha256: sha256(built.manifestBytes),
    fingerprint: built.key.fingerprint,
    entries: built.staged.names(),
    runs: built.manifest.runs.map((r) => r.runId),
    audit: { count: built.manifest.audit.count, lastSeq: built.manifest.audit.lastSeq, headHash: built.manifest.audit.headHash },
    auditEventSeq: seq,
    notes: built.manifest.notes,
  };
}
