import { cpus, type CpuInfo } from 'node:os';

/** Cores' cumulative times, as `os.cpus()` reports them. */
export type CpuTimes = Pick<CpuInfo, 'times'>[];

/** How many cores sat idle between two readings of `os.cpus()` (0 when nothing can be told). */
export function idleCoresBetween(before: CpuTimes, after: CpuTimes): number {
  let idle = 0;
  for (let i = 0; i < Math.min(before.length, after.length); i++) {
    const a = before[i]!.times;
    const b = after[i]!.times;
    const total = b.user + b.nice + b.sys + b.irq + b.idle - (a.user + a.nice + a.sys + a.irq + a.idle);
    if (total > 0) idle += (b.idle - a.idle) / total;
  }
  return idle;
}

/**
 * Idle cores over a short look at the machine. A parse worker only pays when a core is free for
 * it beside the writing thread; the load average answers for the last minute, which right after
 * other work (generating a file, a previous import) said "busy" on an idle machine.
 */
export async function idleCoresNow(ms = 200): Promise<number> {
  const before = cpus();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return idleCoresBetween(before, cpus());
}
