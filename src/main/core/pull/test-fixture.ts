/** Shared by the pull tests: a fresh workspace, records and a mapping for them. */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MappingTemplateInput } from '../../../shared/mapping.js';
import type { JobContext } from '../jobs/job-context.js';
import { openWorkspace, type Workspace } from '../workspace/index.js';
import pullMigration from '../workspace/migrations/004-pull.js';
import { hasPullStateTable } from '../workspace/pull-state.js';

export const tempDir = (prefix = 'tieout-pull-test-') => mkdtempSync(join(tmpdir(), prefix));

export function workspace(): Workspace {
  const ws = openWorkspace(join(tempDir(), 'w.tieout'), { create: true });
  // Until migration 004 is registered in migrations/index.ts; a no-op once it is.
  if (!hasPullStateTable(ws.db)) ws.db.exec(pullMigration);
  return ws;
}

/** Every byte of the workspace (main file and WAL), for "the secret is nowhere" checks. */
export function workspaceBytes(ws: Workspace): string {
  ws.db.pragma('wal_checkpoint(TRUNCATE)');
  const dir = join(ws.path, '..');
  return readdirSync(dir)
    .filter((f) => f.startsWith('w.tieout'))
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('\n');
}

export function invoice(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `INV-${n}`,
    updated_at: `2026-03-${String(n).padStart(2, '0')}T10:00:00Z`,
    amount: `${n * 100}.00`,
    currency: 'USD',
    vendor: { name: `Vendor ${n}` },
    ...extra,
  };
}

export const invoices = (n: number, from = 1) => Array.from({ length: n }, (_, i) => invoice(from + i));

export const MAPPING: MappingTemplateInput = {
  fields: [
    { name: 'invoice_id', column: 'id', type: 'text', role: 'record_id', required: true },
    { name: 'amount', column: 'amount', type: 'money', role: 'amount', required: true },
    { name: 'currency', column: 'currency', type: 'currency', role: 'currency' },
    { name: 'vendor', column: 'vendor.name', type: 'text', role: 'counterparty' },
  ],
  naturalKey: ['invoice_id'],
  amount: 'amount',
  currency: { field: 'currency' },
};

export interface RecordingContext extends JobContext {
  messages: string[];
  cancel(): void;
}

export function recordingContext(cancelWhen?: (message: string) => boolean): RecordingContext {
  let cancelled = false;
  const messages: string[] = [];
  return {
    messages,
    cancelled: () => cancelled,
    cancel: () => {
      cancelled = true;
    },
    progress: (p) => {
      const m = `${p.phase}: ${p.message ?? ''}`;
      messages.push(m);
      if (cancelWhen?.(m)) cancelled = true;
    },
  };
}

export const counts = (ws: Workspace) =>
  ws.db
    .prepare('SELECT (SELECT COUNT(*) FROM batch) AS batches, (SELECT COUNT(*) FROM record) AS records, (SELECT COUNT(*) FROM record WHERE is_current = 1) AS current')
    .get() as { batches: number; records: number; current: number };
