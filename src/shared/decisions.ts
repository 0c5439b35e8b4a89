/**
 * The schemas of analysts' decisions, shared by the contract and the core: exception classes,
 * override requests and reason codes. The core re-validates nothing the contract checked.
 */
import { z } from 'zod';

export const EXCEPTION_CLASSES = [
  'amount_variance',
  'date_variance',
  'currency_mismatch',
  'duplicate',
  'ambiguous',
  'unmatched_left',
  'unmatched_right',
  /** A confirmed manual decision one of whose records has changed since it was made. */
  'record_changed',
] as const;
export type ExceptionClass = (typeof EXCEPTION_CLASSES)[number];

/** The judgements an analyst can record. A `reversal` undoes one of them. */
export const OVERRIDE_TYPES = ['force_match', 'unmatch', 'accept_variance', 'write_off', 'reclassify', 'adjust'] as const;
export type OverrideType = (typeof OVERRIDE_TYPES)[number];
export const OVERRIDE_KINDS = [...OVERRIDE_TYPES, 'reversal'] as const;
export type OverrideKind = (typeof OVERRIDE_KINDS)[number];

const RecordIds = z.array(z.number().int().positive()).min(1, 'name at least one record on each side').max(10_000);
const ItemId = z.string().min(1).max(128);
const Common = {
  reasonCode: z.string().min(1, 'a reason code is required').max(64),
  note: z.string().max(2000).nullish(),
};
const ForceMatch = z.object({ type: z.literal('force_match'), left: RecordIds, right: RecordIds, ...Common });
const Unmatch = z.object({ type: z.literal('unmatch'), groupId: z.string().min(1).max(64), ...Common });
const AcceptVariance = z.object({ type: z.literal('accept_variance'), itemId: ItemId, ...Common });
const WriteOff = z.object({ type: z.literal('write_off'), itemId: ItemId, amountMinor: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullish(), ...Common });
const Reclassify = z.object({ type: z.literal('reclassify'), itemId: ItemId, toClass: z.enum(EXCEPTION_CLASSES), ...Common });
/**
 * A correction to a source record: the original is kept and a new version with these values
 * (as the user types them, read with the field's type from the source's template) replaces it.
 */
const Adjust = z.object({
  type: z.literal('adjust'),
  recordId: z.number().int().positive(),
  changes: z
    .array(z.object({ field: z.string().min(1).max(200), value: z.string().max(2000) }))
    .min(1, 'name at least one field to correct')
    .max(50),
  ...Common,
});

/** One override as the renderer sends it, within the reconciliation the call names. Amounts are integer minor units. */
export const OverrideRequestBody = z.discriminatedUnion('type', [ForceMatch, Unmatch, AcceptVariance, WriteOff, Reclassify, Adjust]);
export type OverrideRequestBody = z.input<typeof OverrideRequestBody>;

const InReconciliation = { reconciliationId: z.number().int().positive() };
/** One override to make, as the core takes it. */
export const OverrideRequest = z.discriminatedUnion('type', [
  ForceMatch.extend(InReconciliation),
  Unmatch.extend(InReconciliation),
  AcceptVariance.extend(InReconciliation),
  WriteOff.extend(InReconciliation),
  Reclassify.extend(InReconciliation),
  Adjust.extend(InReconciliation),
]);
export type OverrideRequest = z.input<typeof OverrideRequest>;

export const ReasonCodeInput = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lower-case letters, digits and _; 2 to 40, starting with a letter'),
    label: z.string().trim().min(1, 'a label is required').max(200),
    appliesTo: z.array(z.enum(OVERRIDE_KINDS)).min(1, 'name at least one override type'),
    approval: z.enum(['never', 'always', 'above']),
    approvalThresholdMinor: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullish(),
    noteRequired: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    const has = v.approvalThresholdMinor !== null && v.approvalThresholdMinor !== undefined;
    if (v.approval === 'above' && !has) ctx.addIssue({ code: 'custom', path: ['approvalThresholdMinor'], message: 'approval "above" needs a threshold in minor units' });
    if (v.approval !== 'above' && has) ctx.addIssue({ code: 'custom', path: ['approvalThresholdMinor'], message: `a threshold only applies to approval "above", not "${v.approval}"` });
  });
export type ReasonCodeInput = z.input<typeof ReasonCodeInput>;
