/**
 * Triage: every exception has an owner, a class and an age. Pure rules (ownership, SLA, status
 * machine, candidate scoring) work on arrays; the SQL lives in ../workspace/triage.ts. Every
 * state change writes its audit event in the same transaction, targeted `item:<recId>:<itemId>`.
 */
export { ITEM_STATUSES, CLOSED, canTransition, assertTransition, type ItemStatus } from './status.js';
export { itemTarget, parseItemTarget, findItem, requireItem, type ItemRef, type ReviewItem, type ItemKind } from './items.js';
export { USER_ROLES, NewUser, createUser, listUsers, findUser, requireUser, requireEditor, currentUser, switchUser, ensureDefaultUser, type User, type UserRole } from './users.js';
export { syncReviewItems, CLEARED_PREFIX, type SyncSummary } from './sync.js';
export {
  OwnershipMatch,
  OwnershipRuleInput,
  ruleMatches,
  pickOwner,
  rulesNeedRecords,
  listOwnershipRules,
  effectiveOwnershipRules,
  saveOwnershipRules,
  fallbackOwner,
  setFallbackOwner,
  configuredFallbackOwner,
  ownershipSettings,
  saveOwnershipSettings,
  type OwnershipSettings,
  type OwnershipRule,
  type OwnershipFacts,
  type OwnershipMatchInput,
} from './ownership.js';
export { claim, release, assign, type ClaimOptions } from './claims.js';
export { setStatus, statusChangeRefusal, isItemStatus } from './transitions.js';
export {
  DEFAULT_SLA_HOURS,
  FALLBACK_SLA_HOURS,
  DUE_SOON_SHARE,
  SLA_STATES,
  slaState,
  age,
  urgencyKey,
  compareUrgency,
  slaPolicy,
  slaHoursFor,
  setSlaHours,
  slaSettings,
  type SlaState,
  type SlaFacts,
} from './sla.js';
export { addComment, timeline, type Comment, type TimelineEntry } from './comments.js';
export { BulkSelection, BulkAction, previewBulk, applyBulk, type BulkRequest, type BulkPreview, type BulkResult, type BulkRefusal, type CurrencyTotal, type ApplyBulkOptions } from './bulk.js';
export { QueueFilter, QueueSort, QueuePage, queryItems, selectItems, type QueueItem } from './queue.js';
export { CANDIDATE_WEIGHTS, candidatesFor, candidateSpec, scoreCandidate, type Candidate, type CandidateCheck, type CandidateSpec, type ScoredRecord } from './candidates.js';
