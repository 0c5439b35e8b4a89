/**
 * Overrides and the audit trail: reason codes, maker-checker approvals, reversals and period
 * sign-off. Every change here is written with its audit event in one transaction.
 */
export {
  OVERRIDE_KINDS,
  OVERRIDE_TYPES,
  VARIANCE_CLASSES,
  isOverrideType,
  type Effect,
  type ItemSnapshot,
  type Override,
  type OverrideKind,
  type OverridePayload,
  type OverrideState,
  type OverrideStatus,
  type OverrideType,
} from './types.js';
export {
  DEFAULT_REASON_CODES,
  ReasonCodeInput,
  approvalNeeded,
  chooseReasonCode,
  ensureDefaultReasonCodes,
  getReasonCode,
  listReasonCodes,
  retireReasonCode,
  saveReasonCode,
  type Approval,
  type ReasonCode,
  type ReasonCodeQuery,
} from './reason-codes.js';
export {
  OverrideRequest,
  effectiveGroups,
  getOverride,
  apartSetsFor,
  itemOverrides,
  listOverrides,
  lockedGroupsFor,
  makeBulkOverride,
  makeOverride,
  type BrokenGroup,
  type EffectiveGroups,
  type ManualGroup,
  type OverrideResult,
} from './overrides.js';
export { decideSuggestions, SUGGESTION_REASON, type SuggestionDecision, type SuggestionOutcome } from './suggestions.js';
export { approve, pendingApprovals, reject, type ApprovalContext, type PendingApproval } from './approvals.js';
export { overrideHistory, reverse, reverseBulk } from './reversal.js';
export {
  assertUnlocked,
  decideUnlock,
  isLocked,
  listPeriods,
  lockedPeriods,
  pendingUnlockRequest,
  periodEvents,
  periodsOf,
  requestUnlock,
  signOff,
  unlockPeriod,
  type LockEvent,
  type PeriodState,
  type UnlockRequest,
} from './sign-off.js';
export { pendingOverrideFor, unmatchedItemId } from './items.js';
export { defaultActor, requireActor, requireApprover } from './users.js';
