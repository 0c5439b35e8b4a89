import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '../import/index.js';
import type { JobContext } from '../jobs/job-context.js';
import type { Workspace } from '../workspace/index.js';
import { DEMO_SOURCES, generateDemo } from './index.js';

export interface DemoLoadRequest {
  buys: number;
  seed: number;
  actor: string;
}

export interface DemoLoadSummary {
  buys: number;
  invoiceLines: number;
}

/** Generates the demo files and imports them through the same pipeline as any user file. */
export async function loadDemo(ws: Workspace, req: DemoLoadRequest, ctx: JobContext): Promise<DemoLoadSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'tieout-demo-'));
  try {
    const files = await generateDemo({
      seed: req.seed,
      buys: req.buys,
      outDir: dir,
      onProgress: (done, total) => ctx.progress({ phase: 'generating demo data', done, total, unit: 'rows' }),
    });
    const phase = (name: string): JobContext => ({
      cancelled: ctx.cancelled,
      progress: (p) => ctx.progress({ ...p, phase: p.phase === 'done' ? p.phase : `${name}: ${p.phase}` }),
    });
    const buys = await runImport(
      ws,
      { source: DEMO_SOURCES.buys.name, path: files.buysPath, fileName: DEMO_SOURCES.buys.file, mapping: DEMO_SOURCES.buys.mapping, actor: req.actor },
      phase('buys'),
    );
    const invoices = await runImport(
      ws,
      { source: DEMO_SOURCES.invoices.name, path: files.invoicesPath, fileName: DEMO_SOURCES.invoices.file, mapping: DEMO_SOURCES.invoices.mapping, actor: req.actor },
      phase('invoices'),
    );
    return { buys: buys.counts.read, invoiceLines: invoices.counts.read };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
