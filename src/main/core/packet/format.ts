/** The packet's layout and the schemas of its JSON files, shared by export, verify, replay and read. */
import { z } from 'zod';

export const PACKET_FORMAT = 'tieout-packet';
export const PACKET_FORMAT_VERSION = 1;
export const PACKET_EXTENSION = '.tieoutpkt';
/** The audit action recorded when a packet is written. */
export const EXPORT_ACTION = 'export.packet';

export const ENTRY = {
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  signer: 'signer.json',
  summary: 'summary.xlsx',
  rules: 'rules.json',
  results: 'results.json',
  records: 'inputs/records.ndjson',
  engineInputs: 'inputs/engine.json',
  audit: 'audit/events.ndjson',
} as const;

/** Entries the manifest cannot list: itself, and the signature over it. */
export const UNLISTED = new Set<string>([ENTRY.manifest, ENTRY.signature]);

import { PacketScope } from '../../../shared/packet-scope.js';
export { PacketFilter, PacketScope } from '../../../shared/packet-scope.js';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const ManifestFile = z.object({ path: z.string(), sha256: Sha256, size: z.number().int().nonnegative() });

export const ManifestRun = z.object({
  runId: z.number().int(),
  reconciliation: z.string(),
  ruleSetVersion: z.number().int(),
  ruleSetSha256: z.string(),
  engineVersion: z.string(),
  resultSha256: z.string(),
  records: z.number().int(),
  groups: z.number().int(),
  exceptions: z.number().int(),
});
export type ManifestRun = z.infer<typeof ManifestRun>;

export const Manifest = z.object({
  format: z.literal(PACKET_FORMAT),
  formatVersion: z.number().int(),
  exportedAt: z.string(),
  exporter: z.object({ userId: z.string(), name: z.string() }),
  scope: PacketScope,
  scopeText: z.string(),
  /** Time of the last audit event in the packet: what the tables are "as of". */
  asOf: z.string().nullable(),
  /** Engine of the Tieout that wrote the packet; each run names the engine that produced it. */
  engineVersion: z.string(),
  runs: z.array(ManifestRun),
  audit: z.object({
    file: z.string(),
    count: z.number().int().nonnegative(),
    firstSeq: z.number().int().nullable(),
    lastSeq: z.number().int().nullable(),
    /** prev_hash of the first event in the slice (the genesis hash when it starts at 1). */
    anchorHash: Sha256,
    headHash: Sha256,
    note: z.string(),
  }),
  signer: z.object({ algorithm: z.literal('Ed25519'), fingerprint: z.string(), file: z.string() }),
  sources: z.object({ included: z.boolean(), note: z.string() }),
  notes: z.array(z.string()),
  files: z.array(ManifestFile),
});
export type Manifest = z.infer<typeof Manifest>;

/** rules.json: the exact rule-set versions the packet's runs used. */
export const RulesFile = z.object({
  ruleSets: z.array(
    z.object({
      reconciliation: z.string(),
      version: z.number().int(),
      sha256: z.string(),
      createdAt: z.string(),
      createdBy: z.string(),
      runs: z.array(z.number().int()),
      rules: z.unknown(),
    }),
  ),
});
export type RulesFile = z.infer<typeof RulesFile>;

export const ResultGroup = z.object({
  id: z.string(),
  pass: z.string(),
  passKind: z.string(),
  status: z.enum(['matched', 'suggested']),
  score: z.number().nullable(),
  left: z.array(z.string()),
  right: z.array(z.string()),
  leftAmountMinor: z.number().nullable(),
  rightAmountMinor: z.number().nullable(),
  currency: z.string().nullable(),
});
export const ResultException = z.object({
  id: z.string(),
  class: z.string(),
  pass: z.string().nullable(),
  groupId: z.string().nullable(),
  left: z.array(z.string()),
  right: z.array(z.string()),
  amountMinor: z.number(),
  currency: z.string(),
  detail: z.string(),
});

/** results.json: each run's groups and exceptions, in the engine's order, and its fingerprint. */
export const ResultsFile = z.object({
  runs: z.array(
    z.object({
      runId: z.number().int(),
      reconciliation: z.string(),
      ruleSetVersion: z.number().int(),
      engineVersion: z.string(),
      resultSha256: z.string(),
      groups: z.array(ResultGroup),
      exceptions: z.array(ResultException),
    }),
  ),
});
export type ResultsFile = z.infer<typeof ResultsFile>;

/** One line of inputs/records.ndjson. */
export const InputRecordLine = z.object({
  run: z.number().int(),
  id: z.string(),
  side: z.enum(['left', 'right']),
  source: z.string(),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  currency: z.string().nullable(),
  provenance: z.object({
    batch: z.number().int(),
    fileSha256: z.string(),
    row: z.number().int(),
    /** A correction: the record it replaced and the adjust override that made it (its fields differ from the file's row). */
    adjusted: z.object({ from: z.number().int(), override: z.number().int() }).optional(),
  }),
});
export type InputRecordLine = z.infer<typeof InputRecordLine>;

/** inputs/engine.json: what else the engine was given per run (FX table, confirmed manual groups, records kept apart). */
export const EngineInputsFile = z.object({
  note: z.string(),
  runs: z.array(
    z.object({
      runId: z.number().int(),
      fx: z.array(z.object({ from: z.string(), to: z.string(), rate: z.string(), date: z.string().optional() })),
      locked: z.array(z.object({ groupId: z.string(), left: z.array(z.string()), right: z.array(z.string()), changed: z.string().optional() })),
      /** Records analysts split apart (unmatches, rejected suggestions); absent in packets from before engine 1.2. */
      apart: z.array(z.object({ by: z.string(), left: z.array(z.string()), right: z.array(z.string()) })).optional(),
    }),
  ),
});
export type EngineInputsFile = z.infer<typeof EngineInputsFile>;

export function describeScope(scope: PacketScope): string {
  switch (scope.kind) {
    case 'workspace':
      return 'Whole workspace (latest run of each reconciliation)';
    case 'run':
      return `Run ${scope.runId}`;
    case 'period':
      return `Period ${scope.period}${scope.reconciliation ? ` of "${scope.reconciliation}"` : ''}`;
    case 'filter': {
      const f = scope.filter;
      const parts = Object.entries(f)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join('|') : String(v)}`);
      return `Filter ${parts.join(', ') || '(none)'} on ${scope.runId !== undefined ? `run ${scope.runId}` : 'the latest run of each reconciliation'}`;
    }
  }
}
