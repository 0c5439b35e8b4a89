import type { Workspace } from '../workspace/index.js';
import { runImport, type ImportRequest, type ImportSummary } from '../import/index.js';
import { loadDemo, type DemoLoadRequest, type DemoLoadSummary } from '../demo/load-demo.js';
import { runMatch, type MatchRequest } from '../reconcile/run-match.js';
import type { MatchRunSummary } from '../../../shared/contract.js';
import { mapSecretStore, runPull, type PullRequest, type PullSummary } from '../pull/index.js';
import { exportPacket, type ExportPacketOptions, type ExportPacketResult } from '../packet/index.js';
import type { JobContext } from './job-context.js';

/** Secrets cannot cross into a worker as a store; the host looks the named ones up and passes the values. */
export type PullJobInput = Omit<PullRequest, 'secrets'> & { secretValues: Record<string, string> };

/** Every kind of long work that runs on a worker thread, by name. */
export const JOBS = {
  import: (ws: Workspace, input: ImportRequest, ctx: JobContext): Promise<ImportSummary> => runImport(ws, input, ctx),
  match: (ws: Workspace, input: MatchRequest, ctx: JobContext): Promise<MatchRunSummary> => runMatch(ws, input, ctx),
  pull: (ws: Workspace, { secretValues, ...input }: PullJobInput, ctx: JobContext): Promise<PullSummary> =>
    runPull(ws, { ...input, secrets: mapSecretStore(secretValues) }, ctx),
  demo: (ws: Workspace, input: DemoLoadRequest, ctx: JobContext): Promise<DemoLoadSummary> => loadDemo(ws, input, ctx),
  packet: (ws: Workspace, input: ExportPacketOptions, ctx: JobContext): Promise<ExportPacketResult> => exportPacket(ws.db, input, ctx),
};

export type JobKind = keyof typeof JOBS;
export type JobInput<K extends JobKind> = Parameters<(typeof JOBS)[K]>[1];
export type JobOutput<K extends JobKind> = Awaited<ReturnType<(typeof JOBS)[K]>>;
