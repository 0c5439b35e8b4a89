import { EXCEPTION_CLASSES, type ExceptionClass } from '../engine/types.js';
import type { ItemStatus } from '../triage/status.js';
import type { OverrideRow, OverrideStatusValue } from '../workspace/overrides.js';
import type { Adjustment } from './adjust.js';

import { OVERRIDE_TYPES, type OverrideKind, type OverrideType } from '../../../shared/decisions.js';
export { OVERRIDE_KINDS, OVERRIDE_TYPES, type OverrideKind, type OverrideType } from '../../../shared/decisions.js';
export type OverrideStatus = OverrideStatusValue;

/** Exceptions whose records were paired but disagree: the ones a variance can be accepted on. */
export const VARIANCE_CLASSES: readonly ExceptionClass[] = ['amount_variance', 'date_variance', 'currency_mismatch'];
export { EXCEPTION_CLASSES, type ExceptionClass };

export function isOverrideType(v: string): v is OverrideType {
  return (OVERRIDE_TYPES as readonly string[]).includes(v);
}

/** What applying an override does to one review item. */
export type Effect =
  | { itemId: string; action: 'resolve' }
  | { itemId: string; action: 'write_off' }
  | { itemId: string; action: 'reclassify'; toClass: string }
  /** unmatch: the record becomes an unmatched item (created, or reopened when it exists). */
  | { itemId: string; action: 'surface'; recordId: number; side: 'left' | 'right'; class: string; amountMinor: number; currency: string };

export type ItemSnapshot =
  | { itemId: string; exists: false }
  | { itemId: string; exists: true; status: ItemStatus; class: string; resolution: string | null };

/** Stored as override.payload_json. */
export interface OverridePayload {
  /** The run the override was made against. */
  runId: number;
  /** Every record the override touches; their dates decide the periods it falls in. */
  records: { left: number[]; right: number[] };
  /** force_match: the manual group's id; unmatch: the group broken. */
  groupId?: string;
  itemId?: string;
  fromClass?: string;
  toClass?: string;
  /** force_match: items only some of whose records were matched; they are left as they are. */
  partialItems?: string[];
  /** Why it waits for a checker, or null when it applied at once. */
  approval: string | null;
  effects: Effect[];
  /** reversal: the overrides it undid. */
  reverses?: number[];
  /** adjust: the corrected version of a source record to write when it applies. */
  adjustment?: Adjustment;
}

export interface OverrideState {
  items: ItemSnapshot[];
  group?: { groupId: string; left: number[]; right: number[]; locked?: boolean; broken?: boolean };
  status?: OverrideStatus;
}

export interface Override {
  id: number;
  reconciliationId: number;
  type: OverrideKind;
  target: string;
  status: OverrideStatus;
  reasonCode: string | null;
  note: string | null;
  amountMinor: number | null;
  currency: string | null;
  maker: string;
  madeAt: string;
  checker: string | null;
  checkedAt: string | null;
  checkNote: string | null;
  reverses: number | null;
  bulkId: string | null;
  payload: OverridePayload;
  before: OverrideState | null;
  after: OverrideState | null;
}

export function toOverride(r: OverrideRow): Override {
  return {
    id: r.id,
    reconciliationId: r.reconciliationId,
    type: r.type as OverrideKind,
    target: r.target,
    status: r.status,
    reasonCode: r.reasonCode,
    note: r.note,
    amountMinor: r.amountMinor,
    currency: r.currency,
    maker: r.maker,
    madeAt: r.madeAt,
    checker: r.checker,
    checkedAt: r.checkedAt,
    checkNote: r.checkNote,
    reverses: r.reverses,
    bulkId: r.bulkId,
    payload: JSON.parse(r.payloadJson) as OverridePayload,
    before: r.beforeJson === null ? null : (JSON.parse(r.beforeJson) as OverrideState),
    after: r.afterJson === null ? null : (JSON.parse(r.afterJson) as OverrideState),
  };
}

export function allRecords(p: OverridePayload): number[] {
  return [...p.records.left, ...p.records.right];
}
