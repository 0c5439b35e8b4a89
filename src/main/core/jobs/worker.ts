import { parentPort, workerData } from 'node:worker_threads';
import { TieoutError } from '../../../shared/error.js';
import { checkpointWorkspace, openWorkspace } from '../workspace/index.js';
import type { JobContext } from './job-context.js';
import { JOBS, type JobKind } from './registry.js';
import type { WorkerMessage } from './run-in-worker.js';

const { kind, workspacePath, input, cancelFlag } = workerData as {
  kind: JobKind;
  workspacePath: string;
  input: unknown;
  cancelFlag: Int32Array;
};

const post = (m: WorkerMessage) => parentPort!.postMessage(m);
let lastProgress = 0;
const ctx: JobContext = {
  cancelled: () => Atomics.load(cancelFlag, 0) === 1,
  progress: (p) => {
    // At most ~20 progress messages a second; the last one ('done') always goes out.
    const now = performance.now();
    if (p.phase !== 'done' && now - lastProgress < 50) return;
    lastProgress = now;
    post({ type: 'progress', progress: p });
  },
};

async function main(): Promise<void> {
  const ws = openWorkspace(workspacePath);
  try {
    const job = JOBS[kind] as (w: typeof ws, i: unknown, c: JobContext) => Promise<unknown>;
    post({ type: 'done', result: await job(ws, input, ctx) });
    // Imports and runs commit without SQLite's checkpoint (bulkWriteMode), so the caller has its
    // result without waiting for the WAL to be copied; this thread copies it now.
    checkpointWorkspace(ws.db);
  } finally {
    ws.close();
  }
}

main().catch((err: unknown) => post({ type: 'error', error: TieoutError.from(err).toShape() }));
