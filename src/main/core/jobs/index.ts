export { runInWorker, type WorkerJobOptions } from './run-in-worker.js';
export { NO_JOB, throwIfCancelled, type JobContext } from './job-context.js';
export type { JobKind, JobInput, JobOutput } from './registry.js';
