import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TieoutError } from '../../../shared/error.js';
import type { ParseWorkerData, ParseWorkerMessage } from './parse-worker.js';
import type { PreparedBatch } from './prepared-rows.js';

/**
 * Where the parse worker's entry lives: bundled as import-parse-worker.js next to the main
 * bundle (or one folder up from a shared chunk) in a built app, else this folder's TypeScript
 * run through the jobs' tsx bootstrap.
 */
function workerEntry(): { file: string; workerData: Record<string, unknown> } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, join(here, '..')]) {
    const bundled = join(dir, 'import-parse-worker.js');
    if (existsSync(bundled)) return { file: bundled, workerData: {} };
  }
  return { file: join(here, '..', 'jobs', 'worker-bootstrap.mjs'), workerData: { entry: join(here, 'parse-worker.ts') } };
}

export interface WorkerRows {
  /** The next batch of prepared rows, or undefined at the end of the file. */
  next(): Promise<PreparedBatch | undefined>;
  bytesRead(): number;
  /** Stops the worker (after an error or a cancel, or when done). */
  close(): Promise<void>;
}

/** Starts reading and parsing the rest of a file on a worker thread. */
export function parseInWorker(data: Omit<ParseWorkerData, 'flow'>): WorkerRows {
  const flow = new Int32Array(new SharedArrayBuffer(8));
  const entry = workerEntry();
  const worker = new Worker(entry.file, { workerData: { ...entry.workerData, ...data, flow } });
  const queue: PreparedBatch[] = [];
  let failure: TieoutError | null = null;
  let done = false;
  let bytes = 0;
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on('message', (m: ParseWorkerMessage) => {
    if (m.type === 'rows') {
      queue.push(m.rows);
      bytes = m.bytesRead;
    } else if (m.type === 'done') {
      done = true;
      bytes = m.bytesRead;
    } else failure = TieoutError.fromShape(m.error);
    signal();
  });
  worker.on('error', (err) => {
    failure ??= TieoutError.from(err);
    signal();
  });
  worker.on('exit', (code) => {
    if (!done) failure ??= new TieoutError('internal', `The import's parse worker stopped unexpectedly (exit code ${code})`);
    signal();
  });
  let consumed = 0;
  return {
    async next() {
      for (;;) {
        const b = queue.shift();
        if (b !== undefined) {
          consumed++;
          Atomics.store(flow, 1, consumed);
          Atomics.notify(flow, 1);
          return b;
        }
        if (failure) throw failure;
        if (done) return undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    bytesRead: () => bytes,
    async close() {
      done = true;
      await worker.terminate();
    },
  };
}
