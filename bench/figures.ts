/** How the benches print what they measure. */
import { readFileSync } from 'node:fs';

export const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
/**
 * Peak resident set size of this process so far. On Linux it is read from VmHWM, which starts
 * afresh at exec: maxRSS does not, so a bench step spawned from a big parent would report the
 * parent's size at the fork as its own peak.
 */
export function peakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: fall back to maxRSS (in KiB).
  }
  return process.resourceUsage().maxRSS * 1024;
}
/** CPU seconds (all threads) since `from`: less swayed than wall time when other work shares the cores. */
export const cpuSince = (from?: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(from);
  return `${((c.user + c.system) / 1e6).toFixed(2)} s CPU`;
};
export const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')}/s`;
