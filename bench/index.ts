/**
 * `npm run bench -- <import|match|quality|grid|packet|bulk|all> [--buys N]`: speed and quality figures,
 * printed, never asserted. Data comes from the seeded demo generator in a temp folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as XLSX from 'xlsx';
import { DEMO_SOURCES, generateDemo, readTruth } from '../src/main/core/demo/index.js';

const BUYS = DEMO_SOURCES.buys;
const INVOICES = DEMO_SOURCES.invoices;
import { DEMO_RULE_SET } from '../src/main/core/engine/demo-rules.js';
import { runEngine } from '../src/main/core/engine/index.js';
import { measureQuality } from '../src/main/core/engine/quality.js';
import { runImport } from '../src/main/core/import/index.js';
import { openTable } from '../src/main/core/import/read/index.js';
import type { JobContext } from '../src/main/core/jobs/index.js';
import { createReconciliation, runMatch } from '../src/main/core/reconcile/index.js';
import { loadInputs } from '../src/main/core/reconcile/load-inputs.js';
import { checkpointWorkspace, findReconciliation, openWorkspace, type Workspace } from '../src/main/core/workspace/index.js';
import { benchBulk } from './bulk.js';
import { cpuSince, mb, peakRss, rate, secs } from './figures.js';
import { benchGrid } from './grid.js';
import { benchImportFile } from './import.js';
import { benchPacket } from './packet.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { buys: { type: 'string' } } });
const which = positionals[0] ?? 'all';
const work = mkdtempSync(join(tmpdir(), 'tieout-bench-'));


/** CPU time of this process so far (user + system), in ms: on a shared machine it shows the work, not the wait. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Collects the time (wall and CPU) spent in each phase a job reports, and the peak RSS by its end. */
function phaseTimer(): { ctx: JobContext; report(): string[] } {
  const phases: [string, number, number, number][] = [];
  return {
    ctx: {
      cancelled: () => false,
      progress: (p) => {
        const name = p.phase.replace(/:.*/, '');
        if (phases.at(-1)?.[0] !== name) phases.push([name, performance.now(), cpuMs(), peakRss()]);
      },
    },
    report() {
      const end = performance.now();
      const cpuEnd = cpuMs();
      const rssEnd = peakRss();
      // Peak RSS so far at each phase's end (the next phase's start): where memory grows.
      return phases.map(
        ([n, t, c], i) =>
          `    ${n.padEnd(28)} ${secs((phases[i + 1]?.[1] ?? end) - t).padStart(9)}  (CPU ${secs((phases[i + 1]?.[2] ?? cpuEnd) - c)}; peak RSS ${mb(phases[i + 1]?.[3] ?? rssEnd)})`,
      );
    },
  };
}

/**
 * Imports and runs commit without copying their WAL into the workspace file; the app's job
 * worker does that after replying (jobs/worker.ts). Timed here on its own, after the figure.
 */
function checkpointLine(ws: Workspace, after: string): string {
  const t = performance.now();
  const r = checkpointWorkspace(ws.db);
  const pageSize = ws.db.pragma('page_size', { simple: true }) as number;
  return `  WAL checkpoint after the ${after} (done by the job worker once it has replied): ${secs(performance.now() - t)}, ${mb(r.copied * pageSize)}`;
}

async function generate(buys: number) {
  const dir = mkdtempSync(join(work, `demo-${buys}-`));
  const t = performance.now();
  const files = await generateDemo({ seed: 42, buys, outDir: dir });
  console.log(`  generated ${buys.toLocaleString('en-US')} buys + ${files.counts.invoiceLines.toLocaleString('en-US')} invoice lines in ${secs(performance.now() - t)} (${mb(statSync(files.buysPath).size)} + ${mb(statSync(files.invoicesPath).size)})`);
  return files;
}

async function benchImport(buys: number): Promise<void> {
  console.log(`\nimport: ${buys.toLocaleString('en-US')}-row buys CSV, then a 100,000-row XLSX, each imported in a process of its own`);
  const files = await generate(buys);
  if (!benchImportFile(files.buysPath, join(work, `import-${buys}.tieout`))) return;

  const sqlite = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
  if (sqlite.status === 0) {
    const floor = join(work, `floor-${buys}.db`);
    const t2 = performance.now();
    const r = spawnSync('sqlite3', [floor, '-cmd', '.mode csv', '.import ' + files.buysPath + ' buys'], { encoding: 'utf8' });
    const floorMs = performance.now() - t2;
    if (r.status === 0) console.log(`  sqlite3 .import of the same file: ${secs(floorMs)} (a floor: no parsing, no provenance, every cell stored once as text)`);
  } else console.log('  (sqlite3 command-line tool not found: no floor reference)');

  // 100k-row XLSX: SheetJS has no streaming reader, so this measures the dense in-memory path.
  const xlsxRows = Math.min(100_000, buys);
  const rows: unknown[][] = [BUYS.mapping.fields.map((f) => f.column)];
  // Real CSV parsing (campaign names contain commas), numbers as numbers, dates as real dates.
  const table = await openTable(files.buysPath);
  for await (const r of table.rows) {
    if (rows.length > xlsxRows) break;
    rows.push(r.cells.map((c, i) => (i === 8 || i === 9 || i === 10 ? Number(c) : i === 6 || i === 7 ? new Date(`${c}T00:00:00Z`) : c)));
  }
  await table.close();
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows, { dense: true, cellDates: true }), 'Buys');
  const xlsxPath = join(work, 'buys.xlsx');
  writeFileSync(xlsxPath, XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
  benchImportFile(xlsxPath, join(work, `xlsx-${buys}.tieout`));
}

async function benchMatch(buys: number): Promise<string> {
  console.log(`\nmatch: ${buys.toLocaleString('en-US')} buys, full waterfall with the demo rules`);
  const files = await generate(buys);
  const ws = openWorkspace(join(work, `match-${buys}.tieout`), { create: true });
  const t0 = performance.now();
  const b = await runImport(ws, { source: BUYS.name, path: files.buysPath, mapping: BUYS.mapping, actor: 'bench' });
  const i = await runImport(ws, { source: INVOICES.name, path: files.invoicesPath, mapping: INVOICES.mapping, actor: 'bench' });
  console.log(`  imported both sides (${(b.counts.read + i.counts.read).toLocaleString('en-US')} rows) in ${secs(performance.now() - t0)}`);
  console.log(checkpointLine(ws, 'imports'));
  createReconciliation(ws.db, { name: 'Bench', left: [b.sourceId], right: [i.sourceId], rules: DEMO_RULE_SET }, 'bench');
  const timer = phaseTimer();
  const rssBefore = peakRss();
  const t = performance.now();
  const c = cpuMs();
  const summary = await runMatch(ws, { reconciliation: 'Bench', actor: 'bench' }, timer.ctx);
  const ms = performance.now() - t;
  const records = b.counts.accepted + i.counts.accepted;
  console.log(
    `  run ${summary.runId}: ${records.toLocaleString('en-US')} records from imported data to persisted results in ${secs(ms)} (CPU ${secs(cpuMs() - c)}; ${rate(records, ms)} records), peak RSS ${mb(peakRss())} (${mb(rssBefore)} before the run)`,
  );
  for (const line of timer.report()) console.log(line);
  for (const s of summary.totals?.byStatus ?? []) console.log(`    ${s.status}: ${s.groups.toLocaleString('en-US')} groups, ${s.records.toLocaleString('en-US')} records`);
  console.log(checkpointLine(ws, 'run'));
  ws.close();
  return ws.path;
}

async function benchQuality(buys: number): Promise<void> {
  console.log(`\nquality: ${buys.toLocaleString('en-US')} demo buys against the generator's ground truth (demo rules)`);
  const files = await generate(buys);
  const ws = openWorkspace(join(work, `quality-${buys}.tieout`), { create: true });
  const b = await runImport(ws, { source: BUYS.name, path: files.buysPath, mapping: BUYS.mapping, actor: 'bench' });
  const i = await runImport(ws, { source: INVOICES.name, path: files.invoicesPath, mapping: INVOICES.mapping, actor: 'bench' });
  createReconciliation(ws.db, { name: 'Quality', left: [b.sourceId], right: [i.sourceId], rules: DEMO_RULE_SET }, 'bench');
  const inputs = loadInputs(ws.db, findReconciliation(ws.db, 'Quality')!);
  const byKey = new Map<string, string[]>();
  const keys = ws.db.prepare('SELECT id, natural_key FROM record WHERE is_current = 1').raw().iterate() as Iterable<[number, string]>;
  for (const [id, key] of keys) {
    const k = key.replace('\u001f', '#');
    byKey.set(k, [...(byKey.get(k) ?? []), String(id)]);
  }
  const result = runEngine({ ruleSet: DEMO_RULE_SET, ruleSetVersion: 1, records: inputs.records });
  const q = measureQuality(result, await readTruth(files.truthPath), (_side, key) => byKey.get(key) ?? []);
  const pr = (p: { precision: number; recall: number; expected: number; predicted: number }) =>
    `precision ${p.precision.toFixed(4)}  recall ${p.recall.toFixed(4)}  (expected ${p.expected}, predicted ${p.predicted})`;
  console.log(`  pairs overall:       ${pr(q.pairs)}`);
  console.log(`  auto-matched pairs:  ${pr(q.autoPairs)}`);
  for (const [k, v] of Object.entries(q.pairsByCase)) console.log(`    case ${k.padEnd(18)} ${pr(v)}`);
  for (const [k, v] of Object.entries(q.exceptions)) console.log(`  exceptions ${k.padEnd(18)} ${pr(v)}`);
  ws.close();
}

const size = values.buys ? Number(values.buys) : undefined;
try {
  if (which === 'import' || which === 'all') await benchImport(size ?? 1_000_000);
  if (which === 'match' || which === 'all') {
    for (const n of size ? [size] : [100_000, 1_000_000]) await benchMatch(n);
  }
  if (which === 'quality' || which === 'all') await benchQuality(size ?? 100_000);
  if (which === 'grid' || which === 'all') {
    const n = size ?? 1_000_000;
    const path = await benchMatch(n);
    console.log(`\ngrid: the review grid in Chromium on that run`);
    await benchGrid(path, join(process.cwd(), 'out', 'renderer'));
  }
  if (which === 'packet' || which === 'all') {
    const n = size ?? 1_000_000;
    const path = await benchMatch(n);
    console.log(`\npacket: the audit packet of that run, each step in a process of its own`);
    benchPacket(path, 1, work);
  }
  if (which === 'bulk' || which === 'all') {
    const path = await benchMatch(size ?? 100_000);
    console.log(`\nbulk: write off every open exception of that run as one bulk override, then reverse it`);
    benchBulk(path, 'Bench');
  }
  if (!['import', 'match', 'quality', 'grid', 'packet', 'bulk', 'all'].includes(which)) {
    console.error('usage: npm run bench -- <import|match|quality|grid|packet|bulk|all> [--buys N]');
    process.exitCode = 2;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
