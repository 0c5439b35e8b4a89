import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ErrorShape, TieoutError } from '../../../shared/error.js';
import type { JobProgress } from '../../../shared/contract.js';
import type { JobInput, JobKind, JobOutput } from './registry.js';

export interface WorkerJobOptions {
  onProgress?: (p: Omit<JobProgress, 'jobId'>) => void;
  /** Flip to true (e.g. from a cancel call) to stop the job; its transaction rolls back. */
  signal?: AbortSignal;
}

export type WorkerMessage =
  | { type: 'progress'; progress: Omit<JobProgress, 'jobId'> }
  | { type: 'done'; result: unknown }
  | { type: 'error'; error: ErrorShape };

/**
 * Where the worker entry lives: next to the bundle in a built app (out/main/job-worker.js),
 * or as TypeScript source run through tsx everywhere else.
 */
function workerEntry(): { file: string; workerData: Record<string, unknown> } {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'job-worker.js');
  if (existsSync(bundled)) return { file: bundled, workerData: {} };
  return { file: join(here, 'worker-bootstrap.mjs'), workerData: { entry: join(here, 'worker.ts') } };
}

/** Runs a job on a worker thread so the caller's thread (UI, HTTP bridge) stays responsive. */
export function runInWorker<K extends JobKind>(
  kind: K,
  workspacePath: string,
  input: JobInput<K>,
  opts: WorkerJobOptions = {},
): Promise<JobOutput<K>> {
  const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  const entry = workerEntry();
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry.file, {
      workerData: { ...entry.workerData, kind, workspacePath, input, cancelFlag },
    });
    let settled = false;
    const onAbort = () => Atomics.store(cancelFlag, 0, 1);
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') opts.onProgress?.(m.progress);
      else if (m.type === 'done') settle(() => resolve(m.result as JobOutput<K>));
      else settle(() => reject(TieoutError.fromShape(m.error)));
    });
    worker.on('error', (err) => settle(() => reject(TieoutError.from(err))));
    worker.on('exit', (code) =>
      settle(() => reject(new TieoutError('internal', `The ${kind} worker stopped unexpectedly (exit code ${code})`))),
    );
  });
}
