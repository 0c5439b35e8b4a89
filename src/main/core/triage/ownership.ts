import { z } from 'zod';
import { TieoutError } from '../../../shared/error.js';
import type { FieldValue } from '../engine/index.js';
import { appendAuditEvent, findReconciliation, type Db } from '../workspace/index.js';
import {
  deleteMeta,
  findUserRow,
  firstUserWithRole,
  getMeta,
  listOwnershipRuleRows,
  replaceOwnershipRuleRows,
  setMeta,
  type OwnershipRuleRow,
} from '../workspace/triage.js';
import { toIso } from './items.js';
import { currentUser, requireEditor, requireUser } from './users.js';

const FALLBACK_OWNER = 'fallback_owner';

/**
 * When a rule applies. Every condition given must hold; a rule with none matches everything
 * (a catch-all at the end of the list).
 */
export const OwnershipMatch = z
  .object({
    /** Shown in the item's history: "assigned by rule 'Meta variances'". */
    label: z.string().trim().max(100).optional(),
    /** Exception classes (engine classes, or 'suggested' for suggested groups). */
    classes: z.array(z.string().min(1).max(40)).min(1).optional(),
    /** Name of a source one of the item's records comes from. */
    source: z.string().min(1).max(200).optional(),
    /** A field of one of the item's records; compared case-insensitively, spaces collapsed. */
    field: z
      .object({
        name: z.string().min(1).max(200),
        op: z.enum(['equals', 'contains']).default('contains'),
        value: z.string().trim().min(1).max(200),
      })
      .optional(),
    /** Amount at risk strictly above this many minor units; only items in this currency. */
    amountAbove: z.object({ minor: z.number().int().nonnegative(), currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code') }).optional(),
  })
  .strict();
export type OwnershipMatch = z.infer<typeof OwnershipMatch>;
export type OwnershipMatchInput = z.input<typeof OwnershipMatch>;

export const OwnershipRuleInput = z.object({ match: OwnershipMatch, owner: z.string().min(1).max(64) });
export type OwnershipRuleInput = z.input<typeof OwnershipRuleInput>;

export interface OwnershipRule {
  id: number | null;
  /** null: a global rule, tried after the reconciliation's own. */
  reconciliationId: number | null;
  position: number;
  match: OwnershipMatch;
  owner: string;
}

/** What a rule can look at: the item, and its records (loaded only when some rule needs them). */
export interface OwnershipFacts {
  class: string;
  amountMinor: number;
  currency: string;
  records: readonly { source: string; fields: Readonly<Record<string, FieldValue | undefined>> }[];
}

const fold = (s: string) => s.trim().replace(/\s+/g, ' ').toUpperCase();

export function ruleMatches(m: OwnershipMatch, item: OwnershipFacts): boolean {
  if (m.classes && !m.classes.includes(item.class)) return false;
  if (m.amountAbove && !(item.currency === m.amountAbove.currency && item.amountMinor > m.amountAbove.minor)) return false;
  if (m.source !== undefined) {
    const want = fold(m.source);
    if (!item.records.some((r) => fold(r.source) === want)) return false;
  }
  if (m.field) {
    const { name, op, value } = m.field;
    const want = fold(value);
    const hit = item.records.some((r) => {
      const v = r.fields[name];
      if (v === null || v === undefined) return false;
      const have = fold(String(v));
      return op === 'equals' ? have === want : have.includes(want);
    });
    if (!hit) return false;
  }
  return true;
}

/** First matching rule wins; null when none matches (the caller applies the fallback owner). */
export function pickOwner<R extends Pick<OwnershipRule, 'match' | 'owner'>>(rules: readonly R[], item: OwnershipFacts): { owner: string; rule: R; index: number } | null {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (ruleMatches(rule.match, item)) return { owner: rule.owner, rule, index: i };
  }
  return null;
}

/** Whether evaluating these rules needs the item's records (sources, field values). */
export function rulesNeedRecords(rules: readonly Pick<OwnershipRule, 'match'>[]): boolean {
  return rules.some((r) => r.match.source !== undefined || r.match.field !== undefined);
}

function toRule(r: OwnershipRuleRow): OwnershipRule {
  return { id: r.id, reconciliationId: r.reconciliationId, position: r.position, match: OwnershipMatch.parse(JSON.parse(r.matchJson)), owner: r.owner };
}

/** One scope's ordered rules: a reconciliation's, or the global ones (null). */
export function listOwnershipRules(db: Db, reconciliationId: number | null): OwnershipRule[] {
  return listOwnershipRuleRows(db, reconciliationId).map(toRule);
}

/** The order rules are tried in for a reconciliation: its own first, then the global ones. */
export function effectiveOwnershipRules(db: Db, reconciliationId: number): OwnershipRule[] {
  return [...listOwnershipRules(db, reconciliationId), ...listOwnershipRules(db, null)];
}

/** Replaces a scope's ordered list. Existing items keep their owners; new items use the new rules. */
export function saveOwnershipRules(db: Db, reconciliationId: number | null, rules: readonly OwnershipRuleInput[], actor: string, now: Date | string = new Date()): OwnershipRule[] {
  const parsed = z.array(OwnershipRuleInput).max(500).safeParse(rules);
  if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'bad_input', 'ownership rules');
  const at = toIso(now);
  const target = reconciliationId === null ? 'ownership:global' : `reconciliation:${reconciliationId}`;
  return db.transaction(() => {
    requireEditor(db, actor);
    if (reconciliationId !== null && !findReconciliation(db, reconciliationId)) {
      throw new TieoutError('not_found', `No reconciliation with id ${reconciliationId}`);
    }
    parsed.data.forEach((r, i) => {
      if (!findUserRow(db, r.owner)) throw new TieoutError('not_found', `Rule ${i + 1}: no user "${r.owner}"`, { path: `${i}.owner` });
    });
    const before = listOwnershipRules(db, reconciliationId).map(({ match, owner }) => ({ match, owner }));
    const saved = replaceOwnershipRuleRows(
      db,
      reconciliationId,
      parsed.data.map((r) => ({ matchJson: JSON.stringify(r.match), owner: r.owner })),
    ).map(toRule);
    appendAuditEvent(db, { actor, action: 'ownership.rules', target, before, after: saved.map(({ match, owner }) => ({ match, owner })) }, at);
    return saved;
  }).immediate();
}

/**
 * Who gets an item no rule claims: the configured fallback owner, else the first approver, else
 * the current user; null only in a workspace with no users at all.
 */
export function fallbackOwner(db: Db): string | null {
  const set = getMeta(db, FALLBACK_OWNER);
  if (set !== undefined && findUserRow(db, set)) return set;
  return firstUserWithRole(db, 'approver')?.id ?? currentUser(db)?.id ?? null;
}

export function setFallbackOwner(db: Db, userId: string | null, actor: string, now: Date | string = new Date()): void {
  const at = toIso(now);
  db.transaction(() => {
    requireEditor(db, actor);
    if (userId !== null) requireUser(db, userId);
    const before = getMeta(db, FALLBACK_OWNER) ?? null;
    if (userId === null) deleteMeta(db, FALLBACK_OWNER);
    else setMeta(db, FALLBACK_OWNER, userId);
    appendAuditEvent(db, { actor, action: 'ownership.fallback', target: 'ownership:fallback', before: { owner: before }, after: { owner: userId } }, at);
  }).immediate();
}

/** The fallback owner as configured (null when none is set), before the approver/current-user defaults. */
export function configuredFallbackOwner(db: Db): string | null {
  const set = getMeta(db, FALLBACK_OWNER);
  return set !== undefined && findUserRow(db, set) ? set : null;
}

export interface OwnershipSettings {
  rules: { match: OwnershipMatch; owner: string }[];
  globalRules: { match: OwnershipMatch; owner: string }[];
  fallbackOwner: string | null;
  /** Who actually gets an item no rule claims. */
  effectiveFallback: string | null;
}

/** What the settings screen edits: a reconciliation's rules, the global ones it falls back to, the fallback owner. */
export function ownershipSettings(db: Db, reconciliationId: number): OwnershipSettings {
  const plain = (rs: OwnershipRule[]) => rs.map(({ match, owner }) => ({ match, owner }));
  return {
    rules: plain(listOwnershipRules(db, reconciliationId)),
    globalRules: plain(listOwnershipRules(db, null)),
    fallbackOwner: configuredFallbackOwner(db),
    effectiveFallback: fallbackOwner(db),
  };
}

/**
 * Saves the settings screen in one transaction: the reconciliation's ordered rules, and the
 * fallback owner when it is given (undefined leaves it as it is). Each change writes its audit event.
 */
export function saveOwnershipSettings(
  db: Db,
  reconciliationId: number,
  rules: readonly OwnershipRuleInput[],
  fallback: string | null | undefined,
  actor: string,
  now: Date | string = new Date(),
): OwnershipSettings {
  return db.transaction(() => {
    saveOwnershipRules(db, reconciliationId, rules, actor, now);
    if (fallback !== undefined && fallback !== configuredFallbackOwner(db)) setFallbackOwner(db, fallback, actor, now);
    return ownershipSettings(db, reconciliationId);
  }).immediate();
}
