import { TieoutError } from '../../../shared/error.js';
import type { JobProgress } from '../../../shared/contract.js';

/** What long work receives: a way to report progress and a cancellation flag it polls. */
export interface JobContext {
  readonly cancelled: () => boolean;
  progress(p: Omit<JobProgress, 'jobId'>): void;
}

export const NO_JOB: JobContext = { cancelled: () => false, progress: () => {} };

export function throwIfCancelled(ctx: JobContext): void {
  if (ctx.cancelled()) throw new TieoutError('cancelled', 'Cancelled by the user; nothing was written');
}
