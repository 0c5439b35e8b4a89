import { z } from 'zod';
import { ErrorShape } from './error.js';
import { FieldRole, FieldType } from './mapping.js';

/**
 * The one contract between the renderer and the core: call name -> zod input -> zod output,
 * plus the events the core pushes. Electron IPC and the loopback HTTP bridge both implement it,
 * and both validate input against these schemas at the boundary.
 */

export const JobId = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'a job id is 6-64 letters, digits, _ or -');

const FieldValue = z.union([z.string(), z.number(), z.null()]);

export const SourceField = z.object({ name: z.string(), column: z.string(), type: FieldType, role: FieldRole });

export const SourceInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  records: z.number().int(),
  batches: z.number().int(),
  fields: z.array(SourceField),
  amountField: z.string().nullable(),
  currencyField: z.string().nullable(),
});
export type SourceInfo = z.infer<typeof SourceInfo>;

export const WorkspaceInfo = z.object({
  path: z.string(),
  name: z.string(),
  schemaVersion: z.number().int(),
  sources: z.array(SourceInfo),
  audit: z.object({ events: z.number().int(), headHash: z.string() }),
});
export type WorkspaceInfo = z.infer<typeof WorkspaceInfo>;

export const SortModel = z.array(z.object({ field: z.string().min(1).max(64), dir: z.enum(['asc', 'desc']) })).max(3);

export const RecordsPageInput = z.object({
  sourceId: z.number().int().positive(),
  offset: z.number().int().min(0),
  limit: z.number().int().min(1).max(1000),
  sort: SortModel.default([]),
  filter: z
    .object({
      text: z.string().max(200).optional(),
      fields: z.record(z.string().max(64), z.string().max(200)).optional(),
    })
    .default({}),
});

export const RecordRow = z.object({
  id: z.number().int(),
  rowNumber: z.number().int(),
  batchId: z.number().int(),
  version: z.number().int(),
  naturalKey: z.string().nullable(),
  duplicateOf: z.number().int().nullable(),
  currency: z.string().nullable(),
  fields: z.record(z.string(), FieldValue),
});
export type RecordRow = z.infer<typeof RecordRow>;

export const RecordsPage = z.object({ total: z.number().int(), rows: z.array(RecordRow) });
export type RecordsPage = z.infer<typeof RecordsPage>;

export const DemoLoadResult = z.object({
  buys: z.number().int(),
  invoiceLines: z.number().int(),
  info: WorkspaceInfo,
});

const WorkspacePath = z.string().min(1).max(4096);

export const calls = {
  'workspace.create': { input: z.object({ path: WorkspacePath }), output: WorkspaceInfo },
  'workspace.open': { input: z.object({ path: WorkspacePath }), output: WorkspaceInfo },
  'workspace.info': { input: z.object({}), output: WorkspaceInfo.nullable() },
  'records.page': { input: RecordsPageInput, output: RecordsPage },
  'demo.load': {
    input: z.object({ jobId: JobId, buys: z.number().int().min(10).max(2_000_000).default(2000), seed: z.number().int().default(42) }),
    output: DemoLoadResult,
  },
  'job.cancel': { input: z.object({ jobId: JobId }), output: z.object({ cancelled: z.boolean() }) },
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export const CALL_NAMES = Object.keys(calls) as CallName[];
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Calls[N]['output']>;
/** What a handler receives: the input after zod applied its defaults. */
export type ParsedInput<N extends CallName> = z.output<Calls[N]['input']>;

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(calls, name);
}

export const JobProgress = z.object({
  jobId: JobId,
  phase: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  unit: z.enum(['rows', 'bytes', 'records', 'steps']),
  message: z.string().optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

/** Events pushed from the core to every open view. */
export const CoreEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job.progress'), progress: JobProgress }),
  z.object({ type: z.literal('workspace.changed'), tables: z.array(z.string()) }),
]);
export type CoreEvent = z.infer<typeof CoreEvent>;

/** What a transport returns for a call: the output, or the one error shape. */
export const CallResult = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorShape }),
]);
export type CallResult = z.infer<typeof CallResult>;

/** Names of the Electron IPC channels, one per call, never a generic invoke. */
export const ipcChannel = (name: CallName): string => `tieout:${name}`;
export const IPC_EVENT_CHANNEL = 'tieout:event';
