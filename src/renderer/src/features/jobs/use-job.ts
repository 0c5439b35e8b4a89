import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobProgress } from '../../../../shared/contract.js';
import { useTransport } from '../../app/use-core.js';

export function newJobId(): string {
  return `job-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs one long call at a time, following its progress events and offering cancel. */
export function useJob() {
  const transport = useTransport();
  const [progress, setProgress] = useState<JobProgress | null>(null);
  const jobId = useRef<string | null>(null);

  useEffect(
    () =>
      transport.subscribe((e) => {
        if (e.type === 'job.progress' && e.progress.jobId === jobId.current) setProgress(e.progress);
      }),
    [transport],
  );

  const run = useCallback(async <T,>(start: (id: string) => Promise<T>): Promise<T> => {
    const id = newJobId();
    jobId.current = id;
    setProgress({ jobId: id, phase: 'starting', done: 0, total: null, unit: 'steps' });
    try {
      return await start(id);
    } finally {
      jobId.current = null;
      setProgress(null);
    }
  }, []);

  const cancel = useCallback(() => {
    if (jobId.current) void transport.call('job.cancel', { jobId: jobId.current });
  }, [transport]);

  return { progress, run, cancel };
}
