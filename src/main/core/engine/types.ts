import type { LocalDate } from '../../../shared/date.js';
import type { Money } from '../../../shared/money.js';
import type { Cardinality, RuleSet, RuleSetInput } from './rule-set.js';
import type { ExplanationTemplates, PackedExplanation } from './packed-explanation.js';

/** Money fields: integer minor units; dates: LocalDate text; text: string. */
export type FieldValue = string | number | null;
export type Side = 'left' | 'right';

export interface EngineRecord {
  id: string;
  side: Side;
  source: string;
  fields: Record<string, FieldValue>;
}

/** 1 `from` = `rate` `to`. Dated rates apply from their date on; undated ones are the fallback. */
export interface FxRate {
  from: string;
  to: string;
  /** Exact decimal text, e.g. "1.0850". */
  rate: string;
  date?: LocalDate;
}

/** A confirmed manual decision: its records are claimed before pass 1 and reported as a `locked` group. */
export interface LockedGroup {
  groupId: string;
  left: string[];
  right: string[];
  /**
   * Set when a record the decision touched has changed since: the group's current records are
   * held together as a `record_changed` exception naming the change, not silently matched.
   */
  changed?: string;
}

/**
 * Records an analyst split apart (an applied unmatch, a rejected suggestion): no pass may put a
 * left and a right record of the same set into one group or variance again. Each may still
 * match other records.
 */
export interface ApartSet {
  /** Why, for explanations: e.g. "override #12". */
  by: string;
  left: string[];
  right: string[];
}

export interface EngineInput {
  /** Validated (and defaulted) with the `RuleSet` schema by runEngine. */
  ruleSet: RuleSet | RuleSetInput;
  ruleSetVersion: number;
  /** Both sides; order does not affect the result. */
  records: EngineRecord[];
  fx?: FxRate[];
  locked?: LockedGroup[];
  apart?: ApartSet[];
}

export interface EngineProgress {
  /** A pass id, or "finish" for duplicates, leftovers and sorting. Each step reports 0/1 and 1/1, and work counts in between. */
  pass: string;
  done: number;
  total: number;
}

export interface EngineHooks {
  onProgress?(p: EngineProgress): void;
  /** Polled every few thousand records; returning true aborts with a `cancelled` TieoutError. */
  isCancelled?(): boolean;
}

export type PassKind = 'key' | 'probabilistic' | 'locked';
export type GroupStatus = 'matched' | 'suggested';

/** One compared field of a candidate: what was compared, how far apart, and whether it passed. */
export interface FieldCheck {
  /** 'amount', 'date', a text role, or a probabilistic comparison id. */
  field: string;
  /** Amounts: minor units (sums for groups); dates: LocalDate; text: the normalized text. */
  left: string | number | null;
  /** Amounts are in the left currency (after FX, see `note`). */
  right: string | number | null;
  /** Currency of the amounts. */
  unit?: string;
  measure: 'difference' | 'days' | 'jaro_winkler' | 'token_set' | 'equal';
  /** difference: right − left (minor units); days: right − left; similarity: 0..1; equal: 1 or 0. */
  value: number | null;
  /** Human-readable bound, e.g. "±0.50 USD", "[0, 60] days", "≥ 0.85". */
  tolerance: string;
  pass: boolean | null;
  /** Probabilistic: the level reached and its log2(m/u) weight; deterministic passes: null. */
  level?: 'exact' | 'close' | 'far' | 'null';
  weight: number | null;
  note?: string;
}

export interface Explanation {
  pass: string;
  passKind: PassKind;
  ruleSetVersion: number;
  cardinality?: Cardinality;
  /** Normalized keys per side (distinct, sorted); blocking keys for probabilistic passes. */
  keys: { left: string[]; right: string[] };
  checks: FieldCheck[];
  /** Probabilistic: log2 prior odds; prior + Σ check weights = score. */
  prior?: number;
  score?: number;
  thresholds?: { match: number; suggest: number };
  notes?: string[];
}

export interface Group {
  /** Content-derived: a 64-bit hash of pass id + sorted member ids, 16 hex digits. */
  id: string;
  pass: string;
  passKind: PassKind;
  status: GroupStatus;
  left: string[];
  right: string[];
  /** Probabilistic: log2 posterior odds; otherwise null. */
  score: number | null;
  /** Packed (see packed-explanation.ts): a big run holds a million of these. */
  explanation: PackedExplanation;
}

// The classes are part of the contract: the renderer filters and the packet name them.
export { EXCEPTION_CLASSES, type ExceptionClass } from '../../../shared/decisions.js';
import type { ExceptionClass } from '../../../shared/decisions.js';

export interface EngineException {
  id: string;
  class: ExceptionClass;
  left: string[];
  right: string[];
  /** duplicate: the group holding the original record (when it is in a group). */
  groupId?: string;
  /** duplicate: the record this one copies. */
  duplicateOf?: string;
  /** Unmatched amount, absolute variance, or the amount the records carry. Always ≥ 0. */
  amountAtRisk: Money;
  pass?: string;
  explanation?: PackedExplanation;
  /** One line for people, e.g. "Unbilled: no invoice line matched". */
  detail: string;
}

export interface PassStats {
  pass: string;
  kind: PassKind;
  groups: number;
  matched: number;
  suggested: number;
  left: number;
  right: number;
  exceptions: number;
  /** Key blocks left alone because they exceeded maxPerSide/maxSteps (grouping) or maxBlockPairs (probabilistic). */
  cappedBlocks: number;
  /** Probabilistic: candidate pairs scored. */
  candidates?: number;
}

export interface EngineStats {
  records: { left: number; right: number };
  passes: PassStats[];
  classes: Record<ExceptionClass, { count: number; left: number; right: number }>;
  matched: { groups: number; left: number; right: number };
  suggested: { groups: number; left: number; right: number };
}

export interface EngineResult {
  ruleSetVersion: number;
  /** Ordered by pass (locked first), then id. */
  groups: Group[];
  /** Ordered by class (as in EXCEPTION_CLASSES), then id. */
  exceptions: EngineException[];
  /** What the explanations of the groups and exceptions refer to (see unpackExplanation). */
  explanationTemplates: ExplanationTemplates;
  stats: EngineStats;
}
