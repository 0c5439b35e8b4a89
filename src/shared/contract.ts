import { z } from 'zod';
import { OverrideRequestBody, ReasonCodeInput } from './decisions.js';
import { PacketScope } from './packet-scope.js';
import { Connector } from './connector.js';
import { ErrorShape } from './error.js';
import { FieldRole, FieldType, MappingTemplate } from './mapping.js';

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

export const Encoding = z.enum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252']);

export const ImportPreview = z.object({
  fileName: z.string(),
  format: z.string(),
  sheets: z.array(z.string()),
  sheet: z.string().nullable(),
  encoding: z.string().nullable(),
  delimiter: z.string().nullable(),
  headers: z.array(z.string()),
  headerRow: z.number().int(),
  rows: z.array(z.object({ row: z.number().int(), cells: z.array(z.string()) })),
  mapping: MappingTemplate,
  mappingOrigin: z.enum(['given', 'template', 'suggested']),
  templateVersion: z.number().int().nullable(),
  parsed: z.array(
    z.object({
      row: z.number().int(),
      fields: z.record(z.string(), FieldValue),
      currency: z.string().nullable().optional(),
      error: z.object({ column: z.string(), value: z.string(), reason: z.string() }).optional(),
    }),
  ),
  drift: z.object({
    missing: z.array(z.string()),
    added: z.array(z.string()),
    remaps: z.array(z.object({ missing: z.string(), suggestion: z.string().nullable() })),
  }),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const BatchCounts = z.object({
  read: z.number().int(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  duplicate: z.number().int(),
  new: z.number().int(),
  changed: z.number().int(),
  unchanged: z.number().int(),
});

export const ImportSummary = z.object({
  status: z.enum(['imported', 'already_imported']),
  batchId: z.number().int(),
  sourceId: z.number().int(),
  source: z.string(),
  fileName: z.string(),
  sha256: z.string(),
  templateVersion: z.number().int(),
  mappingSuggested: z.boolean(),
  mapping: MappingTemplate,
  counts: BatchCounts,
  warnings: z.array(z.string()),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const BatchInfo = z.object({
  id: z.number().int(),
  sourceId: z.number().int(),
  origin: z.enum(['file', 'pull']),
  pull: z
    .object({ connector: z.string(), pages: z.number().int(), records: z.number().int(), watermarkBefore: z.string().nullable(), watermarkAfter: z.string().nullable() })
    .nullable(),
  fileName: z.string(),
  fileSize: z.number().int(),
  sha256: z.string(),
  sheet: z.string().nullable(),
  templateVersion: z.number().int().nullable(),
  importedAt: z.string(),
  importedBy: z.string().nullable(),
  counts: BatchCounts,
  warnings: z.array(z.string()),
});
export type BatchInfo = z.infer<typeof BatchInfo>;

export const RejectedRow = z.object({
  row: z.number().int(),
  column: z.string().nullable(),
  value: z.string().nullable(),
  reason: z.string(),
  raw: z.string(),
});
export type RejectedRow = z.infer<typeof RejectedRow>;

const FilePath = z.string().min(1).max(4096);
const SourceName = z.string().trim().min(1).max(120);
const ImportFileOptions = {
  sheet: z.string().max(200).optional(),
  encoding: Encoding.optional(),
  delimiter: z.enum([',', ';', '\t', '|']).optional(),
};

export const ReconciliationInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  left: z.array(z.object({ id: z.number().int(), name: z.string() })),
  right: z.array(z.object({ id: z.number().int(), name: z.string() })),
  ruleSetVersion: z.number().int().nullable(),
  runs: z.number().int(),
});
export type ReconciliationInfo = z.infer<typeof ReconciliationInfo>;

export const RunTotals = z.object({
  byStatus: z.array(z.object({ status: z.string(), groups: z.number().int(), records: z.number().int() })),
  byClass: z.array(z.object({ class: z.string(), currency: z.string(), exceptions: z.number().int(), amount_minor: z.number().int() })),
});
export type RunTotals = z.infer<typeof RunTotals>;

/** Rules travel as JSON; the core validates them against the engine's rule-set schema and names the path of any error. */
export const RulesJson = z.unknown();

export const MatchRunSummary = z.object({
  runId: z.number().int().nullable(),
  dryRun: z.boolean(),
  reconciliation: z.string(),
  ruleSetVersion: z.number().int(),
  stats: z.unknown(),
  totals: RunTotals.nullable(),
  diff: z.unknown().nullable(),
  resultSha256: z.string(),
});
export type MatchRunSummary = z.infer<typeof MatchRunSummary>;

export const RunInfo = z.object({
  id: z.number().int(),
  reconciliation: z.string(),
  ruleSetVersion: z.number().int(),
  engineVersion: z.string(),
  actor: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  resultSha256: z.string(),
  totals: RunTotals,
});
export type RunInfo = z.infer<typeof RunInfo>;

const ReconciliationName = z.string().trim().min(1).max(120);

export const AuditEvent = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  reasonCode: z.string().nullable(),
  note: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditCheck = z.union([
  z.object({ ok: z.literal(true), count: z.number().int(), headHash: z.string() }),
  z.object({ ok: z.literal(false), count: z.number().int(), brokenAt: z.number().int(), reason: z.string() }),
]);

export const ReviewRow = z.object({
  rowId: z.string(),
  kind: z.enum(['group', 'exception']),
  status: z.enum(['matched', 'suggested', 'exception']),
  class: z.string().nullable(),
  pass: z.string().nullable(),
  score: z.number().nullable(),
  leftCount: z.number().int(),
  rightCount: z.number().int(),
  keyText: z.string().nullable(),
  leftRef: z.string().nullable(),
  leftAmount: z.number().int().nullable(),
  leftDate: z.string().nullable(),
  leftParty: z.string().nullable(),
  leftDesc: z.string().nullable(),
  rightRef: z.string().nullable(),
  rightAmount: z.number().int().nullable(),
  rightDate: z.string().nullable(),
  rightParty: z.string().nullable(),
  rightDesc: z.string().nullable(),
  currency: z.string().nullable(),
  deltaAmount: z.number().int().nullable(),
  deltaDays: z.number().int().nullable(),
  amountAtRisk: z.number().int().nullable(),
});
export type ReviewRow = z.infer<typeof ReviewRow>;

export const ReviewMember = z.object({
  side: z.enum(['left', 'right']),
  recordId: z.number().int(),
  source: z.string(),
  fields: z.record(z.string(), FieldValue),
  amount: z.number().int().nullable(),
  currency: z.string().nullable(),
  date: z.string().nullable(),
  batchId: z.number().int(),
  rowNumber: z.number().int(),
});
export type ReviewMember = z.infer<typeof ReviewMember>;

// ---- review grid: filters, counts, saved views; triage settings (ownership rules, SLA)

export const SlaState = z.enum(['ok', 'due_soon', 'breached']);

export const ReviewFilter = z
  .object({
    status: z.array(z.enum(['matched', 'suggested', 'exception'])).optional(),
    class: z.array(z.string().max(40)).max(20).optional(),
    pass: z.array(z.string().max(64)).max(50).optional(),
    text: z.string().max(200).optional(),
    minAmount: z.number().int().optional(),
    maxAmount: z.number().int().optional(),
    /** Owner of the row's review item; null = nobody. */
    owner: z.array(z.string().min(1).max(64).nullable()).max(50).optional(),
    sla: z.array(SlaState).max(3).optional(),
    /** Source names: rows with a record from one of them. */
    source: z.array(z.string().min(1).max(120)).max(20).optional(),
  })
  .strict();
export type ReviewFilter = z.infer<typeof ReviewFilter>;

/** A grid row with its review item's triage state; matches (not work) have nulls there. */
export const ReviewGridRow = ReviewRow.extend({
  owner: z.string().nullable(),
  itemStatus: z.string().nullable(),
  dueAt: z.string().nullable(),
  sla: SlaState.nullable(),
});
export type ReviewGridRow = z.infer<typeof ReviewGridRow>;

export const SavedViewState = z.object({
  columns: z.array(z.object({ colId: z.string().min(1).max(64), hide: z.boolean().default(false), width: z.number().int().min(10).max(2000).optional() })).max(100),
  sort: z.array(z.object({ field: z.string().min(1).max(64), dir: z.enum(['asc', 'desc']) })).max(3).default([]),
  filter: z.record(z.string().max(40), z.unknown()).default({}),
});
export type SavedViewState = z.infer<typeof SavedViewState>;

export const SavedView = z.object({ id: z.number().int(), name: z.string(), state: SavedViewState, createdBy: z.string(), createdAt: z.string(), updatedBy: z.string(), updatedAt: z.string() });
export type SavedView = z.infer<typeof SavedView>;

export const OwnershipRuleInfo = z.object({ match: z.record(z.string(), z.unknown()), owner: z.string() });
export type OwnershipRuleInfo = z.infer<typeof OwnershipRuleInfo>;

const ReviewCalls = {
  'review.count': { input: z.object({ runId: z.number().int().positive(), filter: ReviewFilter.default({}) }), output: z.object({ total: z.number().int() }) },
  /** The grid's run picker: runs without their totals (runs.list walks every run for those). */
  'review.runs': { input: z.object({ reconciliation: z.string().trim().min(1).max(120) }), output: z.array(z.object({ id: z.number().int(), ruleSetVersion: z.number().int(), finishedAt: z.string() })) },
  'review.facets': {
    input: z.object({ runId: z.number().int().positive() }),
    output: z.object({ passes: z.array(z.string()), sources: z.array(z.object({ name: z.string(), side: z.enum(['left', 'right']) })), sla: z.array(SlaState) }),
  },
  'views.list': { input: z.object({ reconciliation: z.string().trim().min(1).max(120) }), output: z.array(SavedView) },
  'views.save': { input: z.object({ reconciliation: z.string().trim().min(1).max(120), name: z.string().trim().min(1).max(80), state: SavedViewState }), output: SavedView },
  'views.delete': { input: z.object({ reconciliation: z.string().trim().min(1).max(120), name: z.string().min(1).max(80) }), output: z.object({ deleted: z.string() }) },
  /** A reconciliation's ordered rules (tried first), the global ones (tried after), and the fallback owner. */
  'ownership.get': {
    input: z.object({ reconciliation: z.string().trim().min(1).max(120) }),
    output: z.object({ rules: z.array(OwnershipRuleInfo), globalRules: z.array(OwnershipRuleInfo), fallbackOwner: z.string().nullable(), effectiveFallback: z.string().nullable() }),
  },
  /** Replaces the reconciliation's ordered rules (core-validated, errors name the rule); sets the fallback owner when given. */
  'ownership.save': {
    input: z.object({ reconciliation: z.string().trim().min(1).max(120), rules: z.array(z.object({ match: z.unknown(), owner: z.string().min(1).max(64) })).max(500), fallbackOwner: z.string().min(1).max(64).nullable().optional() }),
    output: z.object({ rules: z.array(OwnershipRuleInfo), fallbackOwner: z.string().nullable() }),
  },
  'sla.get': { input: z.object({}), output: z.array(z.object({ class: z.string(), hours: z.number().int(), defaultHours: z.number().int(), custom: z.boolean() })) },
  /** hours null resets the class to its default; open items of the class are re-dated. */
  'sla.save': { input: z.object({ class: z.string().regex(/^[a-z_]{1,40}$/), hours: z.number().int().min(1).max(8784).nullable() }), output: z.object({ class: z.string(), hours: z.number().int(), redated: z.number().int() }) },
} as const;

/** Connectors travel as JSON; the core validates them (and refuses pasted secrets) at the boundary. */
export const ConnectorJson = Connector;

export const PullSummary = z.object({
  status: z.enum(['imported', 'already_imported', 'no_records']),
  source: z.string(),
  connector: z.object({ name: z.string(), version: z.number().int() }),
  pages: z.number().int(),
  records: z.number().int(),
  retries: z.number().int(),
  requests: z.array(z.object({ page: z.number().int(), url: z.string(), status: z.number().int(), sha256: z.string(), bytes: z.number().int(), records: z.number().int() })),
  watermark: z.unknown(),
  resumedFromPage: z.number().int().nullable(),
  import: ImportSummary.nullable(),
  warnings: z.array(z.string()),
});
export type PullSummary = z.infer<typeof PullSummary>;

export const UserInfo = z.object({ id: z.string(), name: z.string(), email: z.string().nullable().optional(), role: z.enum(['analyst', 'approver', 'auditor']) });
export type UserInfo = z.infer<typeof UserInfo>;

/** Item, queue, bulk and override payloads are validated in the core by its own schemas (errors name the path). */
/** One FX rate: 1 unit of `from` = `rate` units of `to`, from `date` on (undated: a fallback). */
export const FxRate = z.object({
  from: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
  to: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'),
  rate: z.string().regex(/^\d{1,12}(\.\d{1,12})?$/, 'a positive decimal such as 1.0850'),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').optional(),
});
export type FxRate = z.infer<typeof FxRate>;
export const FxAddResult = z.object({
  added: z.number().int(),
  /** Already in the table with the same rate: nothing to do. */
  unchanged: z.number().int(),
  rates: z.array(FxRate),
});
export type FxAddResult = z.infer<typeof FxAddResult>;

const CoreValidated = z.unknown();
const ItemRefInput = { reconciliation: z.string().trim().min(1).max(120), itemId: z.string().min(1).max(128) };

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
  'import.preview': {
    input: z.object({
      path: FilePath,
      source: SourceName.optional(),
      mapping: MappingTemplate.optional(),
      rows: z.number().int().min(1).max(200).default(50),
      ...ImportFileOptions,
    }),
    output: ImportPreview,
  },
  'import.run': {
    input: z.object({
      jobId: JobId,
      path: FilePath,
      source: SourceName,
      mapping: MappingTemplate.optional(),
      strict: z.boolean().default(false),
      ...ImportFileOptions,
    }),
    output: ImportSummary,
  },
  'sources.batches': { input: z.object({ sourceId: z.number().int().positive() }), output: z.array(BatchInfo) },
  'batches.rejected': {
    input: z.object({ batchId: z.number().int().positive(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) }),
    output: z.object({ total: z.number().int(), rows: z.array(RejectedRow) }),
  },
  'reconciliations.list': { input: z.object({}), output: z.array(ReconciliationInfo) },
  'reconciliations.create': {
    input: z.object({
      name: ReconciliationName,
      left: z.array(z.number().int().positive()).min(1),
      right: z.array(z.number().int().positive()).min(1),
      rules: RulesJson.optional(),
    }),
    output: z.object({ reconciliation: ReconciliationInfo, rules: RulesJson, suggested: z.boolean() }),
  },
  'rules.get': {
    input: z.object({ reconciliation: ReconciliationName }),
    output: z.object({ version: z.number().int(), rules: RulesJson, versions: z.array(z.object({ version: z.number().int(), createdAt: z.string(), createdBy: z.string() })) }),
  },
  'rules.save': {
    input: z.object({ reconciliation: ReconciliationName, rules: RulesJson }),
    output: z.object({ version: z.number().int(), created: z.boolean() }),
  },
  'rules.suggest': {
    input: z.object({ left: z.array(z.number().int().positive()).min(1), right: z.array(z.number().int().positive()).min(1) }),
    output: z.object({ rules: RulesJson, preview: z.unknown(), reasons: z.array(z.string()) }),
  },
  'match.run': {
    input: z.object({ jobId: JobId, reconciliation: ReconciliationName, draftRules: RulesJson.optional() }),
    output: MatchRunSummary,
  },
  'runs.list': { input: z.object({ reconciliation: ReconciliationName.optional() }), output: z.array(RunInfo) },
  'review.page': {
    input: z.object({
      runId: z.number().int().positive(),
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(1000),
      sort: SortModel.default([]),
      filter: ReviewFilter.default({}),
    }),
    /** total is null until it is known: the grid asks review.count for it after the first page. */
    output: z.object({ total: z.number().int().nullable(), rows: z.array(ReviewGridRow) }),
  },
  'review.detail': {
    input: z.object({ runId: z.number().int().positive(), rowId: z.string().min(1).max(64) }),
    output: z.object({ row: ReviewRow, members: z.array(ReviewMember), explanation: z.unknown(), detail: z.string().nullable(), ruleSetVersion: z.number().int() }),
  },
  'pull.test': {
    input: z.object({ connector: ConnectorJson }),
    output: z.object({ url: z.string(), status: z.number().int(), records: z.array(z.record(z.string(), z.string())), headers: z.array(z.string()), pageRecords: z.number().int(), hasMore: z.boolean() }),
  },
  'pull.run': {
    input: z.object({ jobId: JobId, source: SourceName, connector: ConnectorJson, mapping: MappingTemplate.optional(), resume: z.boolean().default(false) }),
    output: PullSummary,
  },
  'users.list': { input: z.object({}), output: z.object({ users: z.array(UserInfo), current: z.string().nullable() }) },
  'users.create': { input: z.object({ id: z.string().regex(/^[a-z0-9._-]{1,64}$/).optional(), name: z.string().trim().min(1).max(120), email: z.string().max(200).optional(), role: z.enum(['analyst', 'approver', 'auditor']) }), output: UserInfo },
  'users.switch': { input: z.object({ userId: z.string().min(1).max(64) }), output: UserInfo },
  'items.page': {
    input: z.object({ reconciliation: z.string().trim().min(1).max(120), filter: CoreValidated.optional(), sort: CoreValidated.optional(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) }),
    output: z.object({ total: z.number().int(), items: z.array(z.record(z.string(), z.unknown())) }),
  },
  'items.get': { input: z.object(ItemRefInput), output: z.object({ item: z.record(z.string(), z.unknown()).nullable(), timeline: z.array(z.record(z.string(), z.unknown())), pending: z.record(z.string(), z.unknown()).nullable() }) },
  'items.claim': { input: z.object({ ...ItemRefInput, reassign: z.boolean().default(false), note: z.string().max(2000).optional() }), output: z.record(z.string(), z.unknown()) },
  'items.release': { input: z.object(ItemRefInput), output: z.record(z.string(), z.unknown()) },
  'items.status': { input: z.object({ ...ItemRefInput, to: z.enum(['open', 'investigating', 'pending_approval', 'resolved', 'written_off']), note: z.string().max(2000).optional() }), output: z.record(z.string(), z.unknown()) },
  'items.comment': { input: z.object({ ...ItemRefInput, text: z.string().trim().min(1).max(10_000) }), output: z.record(z.string(), z.unknown()) },
  'items.bulkPreview': { input: z.object({ reconciliation: z.string().trim().min(1).max(120), selection: CoreValidated, action: CoreValidated }), output: z.record(z.string(), z.unknown()) },
  'items.bulkApply': {
    input: z.object({ reconciliation: z.string().trim().min(1).max(120), selection: CoreValidated, action: CoreValidated, justification: z.string().trim().min(1).max(2000), expectCount: z.number().int().optional() }),
    output: z.record(z.string(), z.unknown()),
  },
  /** Confirm a suggested match group (it becomes a confirmed manual decision) or reject it (its records are never paired that way again). */
  'suggestions.decide': {
    input: z.object({
      reconciliation: z.string().trim().min(1).max(120),
      groupIds: z.array(z.string().min(1).max(64)).min(1).max(10_000),
      decision: z.enum(['confirm', 'reject']),
      note: z.string().trim().max(2000).optional(),
      /** Defaults to suggestion_confirmed / suggestion_rejected. */
      reasonCode: z.string().min(1).max(64).optional(),
    }),
    output: z.object({
      decided: z.number().int(),
      overrideIds: z.array(z.number().int()),
      /** Set when several were decided at once: reversible as one bulk action. */
      bulkId: z.string().nullable(),
      skipped: z.array(z.object({ groupId: z.string(), reason: z.string() })),
    }),
  },
  'candidates.list': { input: z.object({ reconciliation: z.string().trim().min(1).max(120), recordId: z.number().int().positive(), limit: z.number().int().min(1).max(20).default(5) }), output: z.record(z.string(), z.unknown()) },
  'reasonCodes.list': { input: z.object({ for: z.string().max(40).optional(), includeRetired: z.boolean().default(false) }), output: z.array(z.record(z.string(), z.unknown())) },
  'reasonCodes.save': { input: z.object({ code: ReasonCodeInput }), output: z.record(z.string(), z.unknown()) },
  'reasonCodes.retire': { input: z.object({ code: z.string().min(1).max(64) }), output: z.record(z.string(), z.unknown()) },
  'overrides.make': { input: z.object({ reconciliation: z.string().trim().min(1).max(120), request: OverrideRequestBody }), output: z.record(z.string(), z.unknown()) },
  'overrides.pending': { input: z.object({ reconciliation: z.string().trim().min(1).max(120) }), output: z.array(z.record(z.string(), z.unknown())) },
  'overrides.decide': { input: z.object({ overrideId: z.number().int().positive(), decision: z.enum(['approve', 'reject']), note: z.string().trim().min(1).max(2000) }), output: z.record(z.string(), z.unknown()) },
  'overrides.reverse': { input: z.object({ overrideId: z.number().int().positive(), reasonCode: z.string().min(1).max(64), note: z.string().max(2000).optional() }), output: z.record(z.string(), z.unknown()) },
  // ---- Override history, bulk reversal and period sign-off (issue #6).
  /** Overrides of a reconciliation, oldest first; with itemId, those of that item or group and their reversals; with bulkId, one bulk action; with latest, only the last N. */
  'overrides.list': {
    input: z.object({ reconciliation: z.string().trim().min(1).max(120), itemId: z.string().min(1).max(128).optional(), bulkId: z.string().min(1).max(64).optional(), latest: z.number().int().min(1).max(10_000).optional() }),
    output: z.array(z.record(z.string(), z.unknown())),
  },
  /** Reverses every applied override of a bulk action, as one action. */
  'overrides.reverseBulk': {
    input: z.object({ bulkId: z.string().min(1).max(64), reasonCode: z.string().min(1).max(64), note: z.string().max(2000).optional() }),
    output: z.object({ bulkId: z.string(), reversals: z.array(z.record(z.string(), z.unknown())) }),
  },
  /** The months the reconciliation's records fall in, each open, signed off or unlocked, with its sign-off events and any unlock asked for. */
  'periods.list': { input: z.object({ reconciliation: z.string().trim().min(1).max(120) }), output: z.array(z.record(z.string(), z.unknown())) },
  'periods.signOff': {
    input: z.object({ reconciliation: z.string().trim().min(1).max(120), period: z.string().max(7), note: z.string().trim().max(2000).optional() }),
    output: z.record(z.string(), z.unknown()),
  },
  /** Asks for a signed-off period to be unlocked; a different approver decides with periods.decideUnlock. */
  'periods.requestUnlock': {
    input: z.object({ reconciliation: z.string().trim().min(1).max(120), period: z.string().max(7), reason: z.string().trim().min(1).max(2000) }),
    output: z.record(z.string(), z.unknown()),
  },
  'periods.decideUnlock': {
    input: z.object({ reconciliation: z.string().trim().min(1).max(120), period: z.string().max(7), decision: z.enum(['approve', 'reject']), note: z.string().trim().max(2000).optional() }),
    output: z.object({ unlocked: z.boolean(), event: z.record(z.string(), z.unknown()).nullable() }),
  },
  'packet.export': {
    input: z.object({ jobId: JobId, scope: PacketScope, includeSources: z.boolean().default(false), out: z.string().min(1).max(4096) }),
    output: z.object({ path: z.string(), bytes: z.number().int(), sha256: z.string(), fingerprint: z.string() }),
  },
  'packet.open': {
    input: z.object({ path: z.string().min(1).max(4096) }),
    output: z.object({
      path: z.string(),
      manifest: z.unknown(),
      verification: z.unknown(),
      /** Each table's first rows (at most 10,000) and its full row count; the whole table is in the packet. */
      tables: z.record(z.string(), z.object({ file: z.string(), columns: z.array(z.string()), rows: z.array(z.array(z.string())), totalRows: z.number().int().nonnegative() })),
      rules: z.unknown(),
      notes: z.string(),
    }),
  },
  'packet.saveNotes': { input: z.object({ path: z.string().min(1).max(4096), notes: z.string().max(100_000) }), output: z.object({ file: z.string() }) },
  'packet.replay': { input: z.object({ path: z.string().min(1).max(4096) }), output: z.record(z.string(), z.unknown()) },
  'secrets.list': { input: z.object({}), output: z.object({ names: z.array(z.string()), store: z.enum(['keychain', 'environment']), warning: z.string().nullable() }) },
  'secrets.set': { input: z.object({ name: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'names look like INVOICES_API_TOKEN'), value: z.string().min(1).max(10_000) }), output: z.object({ saved: z.boolean() }) },
  'audit.verify': { input: z.object({}), output: AuditCheck },
  'audit.list': {
    input: z.object({
      actor: z.string().max(200).optional(),
      action: z.string().max(200).optional(),
      target: z.string().max(200).optional(),
      from: z.string().max(40).optional(),
      to: z.string().max(40).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
    output: z.object({ total: z.number().int(), events: z.array(AuditEvent) }),
  },
  'fx.list': { input: z.object({}), output: z.object({ rates: z.array(FxRate) }) },
  'fx.add': { input: z.object({ rates: z.array(FxRate).min(1).max(100_000) }), output: FxAddResult },
  'fx.import': { input: z.object({ path: FilePath, sheet: z.string().max(200).optional() }), output: FxAddResult },
  'job.cancel': { input: z.object({ jobId: JobId }), output: z.object({ cancelled: z.boolean() }) },
  ...ReviewCalls,
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
  /** The shell asks the page to show a packet (File > Open Packet, or a .tieoutpkt given at launch). */
  z.object({ type: z.literal('packet.open'), path: z.string() }),
]);
export type CoreEvent = z.infer<typeof CoreEvent>;

/** What a transport returns for a call: the output, or the one error shape. */
export const CallResult = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorShape }),
]);
export type CallResult = z.infer<typeof CallResult>;

/** Browser mode's answer to POST /api/upload (a dropped file streamed to a private temp folder). */
export const UploadResult = z.object({ path: z.string() });

/** Names of the Electron IPC channels, one per call, never a generic invoke. */
export const ipcChannel = (name: CallName): string => `tieout:${name}`;
export const IPC_EVENT_CHANNEL = 'tieout:event';
