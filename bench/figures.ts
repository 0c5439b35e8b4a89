/** How the benches print what they measure. */

export const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
/** Peak resident set size of this process so far (maxRSS is in KiB). */
export const peakRss = () => process.resourceUsage().maxRSS * 1024;
/** CPU seconds (all threads) since `from`: less swayed than wall time when other work shares the cores. */
export const cpuSince = (from?: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(from);
  return `${((c.user + c.system) / 1e6).toFixed(2)} s CPU`;
};
export const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')}/s`;
