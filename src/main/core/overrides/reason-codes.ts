import type { z } from 'zod';
import { ReasonCodeInput } from '../../../shared/decisions.js';
import { TieoutError } from '../../../shared/error.js';
import { displayMinor } from '../../../shared/money.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import {
  insertReasonCode,
  selectReasonCode,
  selectReasonCodes,
  setReasonCodeRetired,
  updateReasonCode,
  type ReasonCodeRow,
} from '../workspace/overrides.js';
import type { OverrideKind } from './types.js';
import { requireApprover } from './users.js';

export type Approval = 'never' | 'always' | 'above';

export interface ReasonCode {
  code: string;
  label: string;
  appliesTo: OverrideKind[];
  approval: Approval;
  /** For 'above': amounts strictly greater than this (in the item's minor units) need approval. */
  approvalThresholdMinor: number | null;
  noteRequired: boolean;
  /** Retired codes stay on the overrides that used them but cannot be chosen again. */
  retiredAt: string | null;
  createdAt: string;
}

export { ReasonCodeInput } from '../../../shared/decisions.js';

function toCode(r: ReasonCodeRow): ReasonCode {
  return {
    code: r.code,
    label: r.label,
    appliesTo: JSON.parse(r.appliesToJson) as OverrideKind[],
    approval: r.approval,
    approvalThresholdMinor: r.approvalThresholdMinor,
    noteRequired: r.noteRequired,
    retiredAt: r.retiredAt,
    createdAt: r.createdAt,
  };
}

/**
 * Defaults for ad-ops and finance teams. Money-moving judgements need a checker when they are
 * large (write-offs above 1,000.00) or by nature (make-goods, disputed duplicates).
 */
export const DEFAULT_REASON_CODES: readonly z.output<typeof ReasonCodeInput>[] = [
  { code: 'timing_difference', label: 'Timing difference', appliesTo: ['force_match', 'accept_variance', 'reclassify'], approval: 'never', approvalThresholdMinor: null, noteRequired: false },
  { code: 'fx_rounding', label: 'FX rounding', appliesTo: ['force_match', 'accept_variance', 'write_off'], approval: 'above', approvalThresholdMinor: 10_000, noteRequired: false },
  { code: 'make_good', label: 'Make-good', appliesTo: ['force_match', 'accept_variance', 'write_off', 'reclassify'], approval: 'always', approvalThresholdMinor: null, noteRequired: true },
  { code: 'vendor_credit_pending', label: 'Vendor credit pending', appliesTo: ['force_match', 'accept_variance', 'reclassify'], approval: 'above', approvalThresholdMinor: 500_000, noteRequired: true },
  { code: 'immaterial_write_off', label: 'Immaterial variance write-off', appliesTo: ['accept_variance', 'write_off'], approval: 'above', approvalThresholdMinor: 100_000, noteRequired: false },
  { code: 'data_entry_error', label: 'Data entry error', appliesTo: ['force_match', 'unmatch', 'accept_variance', 'reclassify', 'reversal'], approval: 'never', approvalThresholdMinor: null, noteRequired: true },
  { code: 'duplicate_billing_disputed', label: 'Duplicate billing disputed', appliesTo: ['unmatch', 'write_off', 'reclassify'], approval: 'always', approvalThresholdMinor: null, noteRequired: true },
  { code: 'rate_card_difference', label: 'Rate card difference', appliesTo: ['force_match', 'accept_variance', 'write_off'], approval: 'above', approvalThresholdMinor: 100_000, noteRequired: true },
  { code: 'wrong_match', label: 'Rules paired the wrong records', appliesTo: ['unmatch'], approval: 'never', approvalThresholdMinor: null, noteRequired: true },
  { code: 'source_correction', label: 'Source record corrected (confirmed with the sender)', appliesTo: ['adjust'], approval: 'above', approvalThresholdMinor: 100_000, noteRequired: true },
  // Confirming or rejecting a rule's suggestion is routine review work, not a judgement to approve.
  { code: 'suggestion_confirmed', label: 'Suggested match confirmed', appliesTo: ['force_match'], approval: 'never', approvalThresholdMinor: null, noteRequired: false },
  { code: 'suggestion_rejected', label: 'Suggested match rejected', appliesTo: ['unmatch'], approval: 'never', approvalThresholdMinor: null, noteRequired: false },
  { code: 'override_in_error', label: 'Override made in error', appliesTo: ['reversal'], approval: 'never', approvalThresholdMinor: null, noteRequired: true },
];

export interface ReasonCodeQuery {
  /** Only codes that can be chosen for this type (applies to it and not retired). */
  for?: OverrideKind | undefined;
  includeRetired?: boolean | undefined;
}

/** All codes, retired ones included unless asked otherwise. */
export function listReasonCodes(db: Db, q: ReasonCodeQuery = {}): ReasonCode[] {
  return selectReasonCodes(db)
    .map(toCode)
    .filter((c) => (q.includeRetired ?? q.for === undefined) || c.retiredAt === null)
    .filter((c) => q.for === undefined || c.appliesTo.includes(q.for));
}

export function getReasonCode(db: Db, code: string): ReasonCode | undefined {
  const r = selectReasonCode(db, code);
  return r && toCode(r);
}

/** Inserts the defaults that are missing; codes already there (edited or retired) are left alone. */
export function ensureDefaultReasonCodes(db: Db, actor = 'system'): string[] {
  return db.transaction(() => {
    const at = new Date().toISOString();
    const added: string[] = [];
    for (const c of DEFAULT_REASON_CODES) {
      if (selectReasonCode(db, c.code)) continue;
      insertReasonCode(db, { ...row(c), retiredAt: null, createdAt: at });
      added.push(c.code);
    }
    if (added.length > 0) appendAuditEvent(db, { actor, action: 'reason_code.defaults', target: 'reason_codes', after: { added } }, at);
    return added;
  }).immediate();
}

function row(c: z.output<typeof ReasonCodeInput>): Omit<ReasonCodeRow, 'createdAt' | 'retiredAt'> {
  return {
    code: c.code,
    label: c.label,
    appliesToJson: JSON.stringify([...new Set(c.appliesTo)]),
    approval: c.approval,
    approvalThresholdMinor: c.approval === 'above' ? (c.approvalThresholdMinor ?? null) : null,
    noteRequired: c.noteRequired,
  };
}

function publicView(c: ReasonCode | Omit<ReasonCodeRow, 'createdAt' | 'retiredAt'>) {
  const appliesTo = 'appliesTo' in c ? c.appliesTo : (JSON.parse(c.appliesToJson) as string[]);
  return { code: c.code, label: c.label, appliesTo, approval: c.approval, approvalThresholdMinor: c.approvalThresholdMinor, noteRequired: c.noteRequired };
}

/**
 * Creates or edits a code. Only approvers may: the codes decide what needs a second pair of eyes.
 * Editing changes future overrides only; past ones keep the decision they were made under.
 */
export function saveReasonCode(db: Db, input: ReasonCodeInput, actor: string): ReasonCode {
  const parsed = ReasonCodeInput.safeParse(input);
  if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'bad_input', 'reason code');
  const next = row(parsed.data);
  return db.transaction(() => {
    requireApprover(db, actor, 'change reason codes');
    const at = new Date().toISOString();
    const existing = selectReasonCode(db, next.code);
    if (existing) {
      updateReasonCode(db, next);
      appendAuditEvent(db, { actor, action: 'reason_code.update', target: `reason_code:${next.code}`, before: publicView(toCode(existing)), after: publicView(next) }, at);
    } else {
      insertReasonCode(db, { ...next, retiredAt: null, createdAt: at });
      appendAuditEvent(db, { actor, action: 'reason_code.create', target: `reason_code:${next.code}`, after: publicView(next) }, at);
    }
    return getReasonCode(db, next.code)!;
  }).immediate();
}

export function retireReasonCode(db: Db, code: string, actor: string): ReasonCode {
  return db.transaction(() => {
    requireApprover(db, actor, 'change reason codes');
    const existing = selectReasonCode(db, code);
    if (!existing) throw new TieoutError('not_found', `No reason code "${code}"`, { value: code });
    if (existing.retiredAt !== null) throw new TieoutError('conflict', `Reason code "${code}" was already retired on ${existing.retiredAt}`, { value: code });
    const at = new Date().toISOString();
    setReasonCodeRetired(db, code, at);
    appendAuditEvent(db, { actor, action: 'reason_code.retire', target: `reason_code:${code}`, before: { retiredAt: null }, after: { retiredAt: at } }, at);
    return getReasonCode(db, code)!;
  }).immediate();
}

/** The code for an override of this type, checked: it exists, is not retired, applies, and the note is there when required. */
export function chooseReasonCode(db: Db, code: string, type: OverrideKind, note: string | null | undefined): ReasonCode {
  const c = getReasonCode(db, code);
  const choices = () => listReasonCodes(db, { for: type }).map((x) => x.code).join(', ') || '(none)';
  if (!c) throw new TieoutError('not_found', `No reason code "${code}"; for ${type} choose one of: ${choices()}`, { value: code });
  if (c.retiredAt !== null) throw new TieoutError('conflict', `Reason code "${code}" was retired on ${c.retiredAt.slice(0, 10)} and can no longer be chosen; choose one of: ${choices()}`, { value: code });
  if (!c.appliesTo.includes(type)) throw new TieoutError('bad_input', `Reason code "${code}" does not apply to ${type}; choose one of: ${choices()}`, { value: code });
  if (c.noteRequired && !note?.trim()) throw new TieoutError('bad_input', `Reason code "${code}" needs a note saying why`, { path: 'note' });
  return c;
}

/** Why an override with this code and amount needs approval, or null when it does not. */
export function approvalNeeded(c: ReasonCode, amountMinor: number | null, currency: string | null): string | null {
  if (c.approval === 'always') return `reason code "${c.code}" always needs approval`;
  if (c.approval === 'never') return null;
  const limit = c.approvalThresholdMinor ?? 0;
  const show = (m: number) => (currency ? `${displayMinor(m, currency)} ${currency}` : `${m} minor units`);
  if (amountMinor === null) return `reason code "${c.code}" needs approval above ${show(limit)} and the amount is not known`;
  return amountMinor > limit ? `${show(amountMinor)} is above the ${show(limit)} approval threshold of reason code "${c.code}"` : null;
}
