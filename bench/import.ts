/**
 * One import of the import bench, in a process of its own: the figures (time, CPU, peak RSS)
 * are the import's alone, not swayed by the demo generator or an earlier import in the same heap.
 * Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEMO_SOURCES } from '../src/main/core/demo/index.js';
import { runImport } from '../src/main/core/import/index.js';
import { checkpointWorkspace, openWorkspace } from '../src/main/core/workspace/index.js';
import { cpuSince, mb, peakRss, rate, secs } from './figures.js';

/** Imports `file` as the demo buys into a new workspace at `workspacePath`, in a child process; false when it failed. */
export function benchImportFile(file: string, workspacePath: string): boolean {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), file, workspacePath], { stdio: 'inherit' });
  if (r.status !== 0) console.log(`  import of ${file} failed (exit ${r.status})`);
  return r.status === 0;
}

async function importStep(file: string, workspacePath: string): Promise<void> {
  const ws = openWorkspace(workspacePath, { create: true });
  const rssBefore = peakRss();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const s = await runImport(ws, { source: DEMO_SOURCES.buys.name, path: file, mapping: DEMO_SOURCES.buys.mapping, actor: 'bench' });
  const ms = performance.now() - t;
  const kind = file.toLowerCase().endsWith('.xlsx') ? 'XLSX' : 'CSV';
  console.log(
    `  ${kind} (${mb(statSync(file).size)}): imported ${s.counts.accepted.toLocaleString('en-US')} rows (${s.counts.rejected} rejected) in ${secs(ms)} (${cpuSince(cpu)}): ` +
      `${rate(s.counts.read, ms)} rows, peak RSS ${mb(peakRss())} (${mb(rssBefore)} before the import)`,
  );
  // The app's job worker copies the WAL into the workspace file after it has replied; timed apart.
  const tc = performance.now();
  const c = checkpointWorkspace(ws.db);
  const pageSize = ws.db.pragma('page_size', { simple: true }) as number;
  console.log(`    WAL checkpoint afterwards (done by the job worker once it has replied): ${secs(performance.now() - tc)}, ${mb(c.copied * pageSize)}`);
  ws.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, workspacePath] = process.argv.slice(2) as [string, string];
  await importStep(file, workspacePath);
}
