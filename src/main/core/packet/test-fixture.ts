/** A small real workspace for the packet tests: the demo data, one hostile vendor name, one run. */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_SOURCES } from '../demo/index.js';
import { loadDemo } from '../demo/load-demo.js';
import { DEMO_RULE_SET } from '../engine/demo-rules.js';
import { runImport } from '../import/index.js';
import { NO_JOB } from '../jobs/job-context.js';
import { createReconciliation, runMatch } from '../reconcile/index.js';
import { findSourceByName, openWorkspace, type Workspace } from '../workspace/index.js';
import { ENTRY, type Manifest } from './format.js';
import { loadOrCreateSigningKey, signManifest } from './keys.js';
import { readZipFile, writeZip } from './zip.js';

export const HOSTILE_VENDOR = '=HYPERLINK("http://x","y")';
export const RECONCILIATION = 'Buys vs invoices';
export const ACTOR = 'ana';

export interface Fixture {
  ws: Workspace;
  path: string;
  runId: number;
}

export async function buildFixture(dir: string): Promise<Fixture> {
  const path = join(dir, 'fixture.tieout');
  const ws = openWorkspace(path, { create: true });
  await loadDemo(ws, { buys: 300, seed: 42, actor: ACTOR }, NO_JOB);
  // An invoice line whose vendor a spreadsheet would run as a formula.
  const csv = join(dir, 'hostile.csv');
  writeFileSync(
    csv,
    'Invoice No,Invoice Line,Invoice Date,Vendor Name,PO Reference,Description,Billed Impressions,Amount,Currency\n' +
      `INV-HOSTILE,1,2026-03-15,"${HOSTILE_VENDOR.replace(/"/g, '""')}",,Injected,1000,123.45,USD\n`,
  );
  await runImport(ws, { source: DEMO_SOURCES.invoices.name, path: csv, mapping: DEMO_SOURCES.invoices.mapping, actor: ACTOR });
  const left = findSourceByName(ws.db, DEMO_SOURCES.buys.name)!.id;
  const right = findSourceByName(ws.db, DEMO_SOURCES.invoices.name)!.id;
  createReconciliation(ws.db, { name: RECONCILIATION, left: [left], right: [right], rules: DEMO_RULE_SET }, ACTOR);
  const run = await runMatch(ws, { reconciliation: RECONCILIATION, actor: ACTOR });
  return { ws, path, runId: run.runId! };
}

// ---------------------------------------------------------------- tampering helpers

export function packetEntries(path: string): Map<string, Buffer> {
  const z = readZipFile(path);
  return new Map(z.entries.map((e) => [e.name, z.read(e.name)]));
}

export function writePacket(entries: Map<string, Buffer>, path: string): string {
  writeFileSync(path, writeZip([...entries].map(([name, data]) => ({ name, data }))));
  return path;
}

/** Updates the manifest's hashes to the entries as they are now and signs it again with the key in keyDir. */
export function resignPacket(entries: Map<string, Buffer>, keyDir: string): void {
  const manifest = JSON.parse(entries.get(ENTRY.manifest)!.toString()) as Manifest;
  for (const f of manifest.files) {
    const data = entries.get(f.path)!;
    f.sha256 = createHash('sha256').update(data).digest('hex');
    f.size = data.length;
  }
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  entries.set(ENTRY.manifest, bytes);
  entries.set(ENTRY.signature, Buffer.from(signManifest(bytes, loadOrCreateSigningKey(keyDir))));
}

export function flipByte(data: Buffer, at = Math.floor(data.length / 2)): Buffer {
  const out = Buffer.from(data);
  out[at]! ^= 0x01;
  return out;
}

/** Changes the actor of the third audit event (a chain break at its sequence). */
export function alterThirdAuditEvent(entries: Map<string, Buffer>): number {
  const lines = entries.get(ENTRY.audit)!.toString().trim().split('\n');
  const third = JSON.parse(lines[2]!) as { seq: number; actor: string };
  lines[2] = JSON.stringify({ ...third, actor: 'mallory' });
  entries.set(ENTRY.audit, Buffer.from(lines.join('\n') + '\n'));
  return third.seq;
}

/** Drops the probabilistic pass from the packet's rules: replay loses its groups. */
export function dropProbabilisticPass(entries: Map<string, Buffer>): void {
  const rules = JSON.parse(entries.get(ENTRY.rules)!.toString()) as { ruleSets: { rules: { passes: { id: string }[] } }[] };
  rules.ruleSets[0]!.rules.passes = rules.ruleSets[0]!.rules.passes.filter((p) => p.id !== 'no-po');
  entries.set(ENTRY.rules, Buffer.from(JSON.stringify(rules, null, 2) + '\n'));
}
