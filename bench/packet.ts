/**
 * The audit packet of a big run: export, verify and replay, each in a process of its own so each
 * prints its own peak RSS (an auditor verifies on another machine, without the workspace).
 * Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JobContext } from '../src/main/core/jobs/index.js';
import { exportPacket, replayPacket, verifyPacket } from '../src/main/core/packet/index.js';
import { openWorkspace } from '../src/main/core/workspace/index.js';
import { cpuSince, mb, peakRss, secs } from './figures.js';


type Step = 'export' | 'verify' | 'replay';

export function benchPacket(workspacePath: string, runId: number, dir: string): void {
  const packet = join(dir, `run-${runId}.tieoutpkt`);
  for (const step of ['export', 'verify', 'replay'] as Step[]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), step, workspacePath, String(runId), packet, dir], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.log(`  ${step} failed (exit ${r.status})`);
      return;
    }
  }
}

async function runStep(step: Step, workspacePath: string, runId: number, packet: string, dir: string): Promise<void> {
  const t = performance.now();
  if (step === 'export') {
    const ws = openWorkspace(workspacePath);
    const phases: [string, number][] = [];
    const ctx: JobContext = {
      cancelled: () => false,
      progress: (p) => {
        // One line for the zip, not one per entry.
        const name = p.phase.startsWith('compressing') ? 'compressing' : p.phase;
        if (phases.at(-1)?.[0] !== name) phases.push([name, performance.now()]);
      },
    };
    const r = await exportPacket(ws.db, { scope: { kind: 'run', runId }, includeSources: false, exporter: { userId: 'bench', name: 'Bench' }, keyDir: join(dir, 'keys'), now: new Date(), out: packet }, ctx);
    const end = performance.now();
    ws.close();
    console.log(`  export: ${secs(end - t)} (${cpuSince()}), ${mb(r.bytes)} packet, peak RSS ${mb(peakRss())}`);
    phases.forEach(([name, at], i) => console.log(`    ${name.padEnd(34)} ${secs((phases[i + 1]?.[1] ?? end) - at)}`));
    return;
  }
  if (step === 'verify') {
    const r = await verifyPacket(packet);
    console.log(`  verify: ${r.ok ? 'verified' : 'NOT verified'} in ${secs(performance.now() - t)} (${cpuSince()}), peak RSS ${mb(peakRss())}`);
    return;
  }
  const r = await replayPacket(packet);
  console.log(`  replay: ${r.equal ? 'equal' : 'DIFFERENT'} in ${secs(performance.now() - t)} (${cpuSince()}), peak RSS ${mb(peakRss())}; packet ${mb(statSync(packet).size)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [step, workspacePath, runId, packet, dir] = process.argv.slice(2) as [Step, string, string, string, string];
  await runStep(step, workspacePath, Number(runId), packet, dir);
}
