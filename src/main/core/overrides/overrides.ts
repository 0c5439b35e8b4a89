import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { OverrideRequest } from '../../../shared/decisions.js';
import { TieoutError } from '../../../shared/error.js';
import { compareIds, groupId as engineGroupId } from '../engine/group-id.js';
import type { ApartSet, LockedGroup } from '../engine/types.js';
import { appendAuditEvent, findReconciliation, type Db, type ReconciliationRow } from '../workspace/index.js';
import {
  insertOverride,
  latestRunId,
  selectGroup,
  selectGroupIdsByKind,
  selectGroupMembers,
  selectItem,
  selectMember,
  selectOverride,
  selectOverrides,
  selectRecordInfo,
  setOverrideStates,
  type OverrideFilter,
} from '../workspace/overrides.js';
import {
  applyEffects,
  assertActionable,
  type Acting,
  describeItem,
  itemRecords,
  markPending,
  requireItem,
  snapshot,
  unmatchedItemId,
} from './items.js';
import { planAdjustment } from './adjust.js';
import { approvalNeeded, chooseReasonCode } from './reason-codes.js';
import { assertUnlocked } from './sign-off.js';
import {
  allRecords,
  EXCEPTION_CLASSES,
  OVERRIDE_TYPES,
  toOverride,
  VARIANCE_CLASSES,
  type Effect,
  type Override,
  type OverridePayload,
  type OverrideState,
  type OverrideType,
} from './types.js';
import { requireActor } from './users.js';

export { OverrideRequest } from '../../../shared/decisions.js';
type Request = z.output<typeof OverrideRequest>;

export interface OverrideResult extends Override {
  /** Why it waits for a checker; null when it was applied at once. */
  approvalReason: string | null;
}

// ---------------------------------------------------------------- what overrides already hold

interface GroupState {
  /** `side:recordId` → the force match (applied or pending) holding it. */
  manualRecords: Map<string, Override>;
  /** Active (applied) manual groups by group id. */
  manualGroups: Map<string, Override>;
  /** Groups broken by an applied unmatch. */
  unmatched: Map<string, Override>;
  pendingUnmatch: Map<string, Override>;
  /** Manual groups whose force match was reversed. */
  reversedManual: Map<string, Override>;
}

function groupState(db: Db, reconciliationId: number): GroupState {
  const s: GroupState = { manualRecords: new Map(), manualGroups: new Map(), unmatched: new Map(), pendingUnmatch: new Map(), reversedManual: new Map() };
  for (const row of selectOverrides(db, { reconciliationId })) {
    if (row.type !== 'force_match' && row.type !== 'unmatch') continue;
    const o = toOverride(row);
    const gid = o.payload.groupId!;
    if (o.type === 'force_match') {
      if (o.status === 'applied' || o.status === 'pending_approval') {
        for (const id of o.payload.records.left) s.manualRecords.set(`left:${id}`, o);
        for (const id of o.payload.records.right) s.manualRecords.set(`right:${id}`, o);
      }
      if (o.status === 'applied') s.manualGroups.set(gid, o);
      if (o.status === 'reversed' && !s.manualGroups.has(gid)) s.reversedManual.set(gid, o);
    } else {
      if (o.status === 'applied') s.unmatched.set(gid, o);
      if (o.status === 'pending_approval') s.pendingUnmatch.set(gid, o);
    }
  }
  for (const gid of s.manualGroups.keys()) s.reversedManual.delete(gid);
  return s;
}

/**
 * Confirmed manual groups (applied, not reversed force matches) as the engine's `locked` input.
 * Pass these to runEngine so the next run keeps them together before any rule runs.
 */
export function lockedGroupsFor(db: Db, reconciliationId: number): (LockedGroup & { overrideId: number })[] {
  return [...groupState(db, reconciliationId).manualGroups.values()]
    .map((o) => ({ groupId: o.payload.groupId!, left: o.payload.records.left.map(String), right: o.payload.records.right.map(String), overrideId: o.id }))
    .sort((a, b) => compareIds(a.groupId, b.groupId));
}

/**
 * Groups broken by an applied unmatch (a rejected suggestion is one): the engine's `apart`
 * input, so no later run pairs those records with each other again.
 */
export function apartSetsFor(db: Db, reconciliationId: number): (ApartSet & { overrideId: number })[] {
  return [...groupState(db, reconciliationId).unmatched.values()]
    .sort((a, b) => a.id - b.id)
    .map((o) => ({ by: `override #${o.id} (${o.reasonCode ?? 'unmatch'})`, left: o.payload.records.left.map(String), right: o.payload.records.right.map(String), overrideId: o.id }));
}

export interface BrokenGroup {
  groupId: string;
  overrideId: number;
  /** unmatch: an applied unmatch broke it; reversal: it is a manual group whose force match was reversed. */
  by: 'unmatch' | 'reversal';
}

export interface ManualGroup {
  groupId: string;
  overrideId: number;
  status: 'applied' | 'pending_approval';
  left: number[];
  right: number[];
  maker: string;
  madeAt: string;
  reasonCode: string | null;
  /** The run already holds it as a `locked` group (it was made before the run). */
  inRun: boolean;
}

export interface EffectiveGroups {
  runId: number;
  /** Groups of this run that no longer stand: show their records as unmatched. */
  broken: BrokenGroup[];
  /** Manual matches that stand (or wait for approval), whether or not this run holds them yet. */
  manual: ManualGroup[];
}

/**
 * What overrides change about a run's groups. Group ids are content-derived, so an unmatch also
 * breaks the same group when a later run forms it again from the same records.
 */
export function effectiveGroups(db: Db, reconciliationId: number, runId: number): EffectiveGroups {
  const s = groupState(db, reconciliationId);
  const broken: BrokenGroup[] = [];
  for (const [gid, o] of s.unmatched) if (selectGroup(db, runId, gid)) broken.push({ groupId: gid, overrideId: o.id, by: 'unmatch' });
  for (const gid of selectGroupIdsByKind(db, runId, 'locked')) {
    const o = s.reversedManual.get(gid);
    if (o && !s.manualGroups.has(gid)) broken.push({ groupId: gid, overrideId: o.id, by: 'reversal' });
  }
  const manual: ManualGroup[] = [];
  const seen = new Set<number>();
  for (const o of s.manualRecords.values()) {
    if (seen.has(o.id)) continue;
    seen.add(o.id);
    const g = selectGroup(db, runId, o.payload.groupId!);
    manual.push({
      groupId: o.payload.groupId!,
      overrideId: o.id,
      status: o.status as 'applied' | 'pending_approval',
      left: o.payload.records.left,
      right: o.payload.records.right,
      maker: o.maker,
      madeAt: o.madeAt,
      reasonCode: o.reasonCode,
      inRun: g?.passKind === 'locked',
    });
  }
  broken.sort((a, b) => compareIds(a.groupId, b.groupId));
  manual.sort((a, b) => a.overrideId - b.overrideId);
  return { runId, broken, manual };
}

// ---------------------------------------------------------------- planning one override

interface Plan {
  target: string;
  payload: Omit<OverridePayload, 'approval'>;
  amountMinor: number | null;
  currency: string | null;
  group?: { groupId: string; left: number[]; right: number[] };
}

function requireLatestRun(db: Db, rec: ReconciliationRow): number {
  const runId = latestRunId(db, rec.id);
  if (runId === undefined) throw new TieoutError('not_found', `"${rec.name}" has no runs yet; run the match first`);
  return runId;
}

function sortNumbers(ids: readonly number[]): number[] {
  return [...ids].sort((a, b) => a - b);
}

function planForceMatch(db: Db, rec: ReconciliationRow, req: Extract<Request, { type: 'force_match' }>, actor: string): Plan {
  const runId = requireLatestRun(db, rec);
  const state = groupState(db, rec.id);
  const sides = { left: sortNumbers(req.left), right: sortNumbers(req.right) };
  const chosen = new Set<string>();
  // Items whose records these are: exceptions, suggestions, or records of a broken group.
  const candidates = new Set<string>();
  for (const side of ['left', 'right'] as const) {
    for (const id of sides[side]) {
      const key = `${side}:${id}`;
      if (chosen.has(key)) throw new TieoutError('bad_input', `Record ${id} is named twice`, { value: String(id) });
      chosen.add(key);
      const m = selectMember(db, runId, id);
      if (!m) throw new TieoutError('not_found', `Record ${id} is not in the latest run (#${runId}) of "${rec.name}"`, { value: String(id) });
      if (m.side !== side) throw new TieoutError('bad_input', `Record ${id} is on the ${m.side} side, not the ${side}`, { value: String(id) });
      const held = state.manualRecords.get(key);
      if (held) throw new TieoutError('conflict', `Record ${id} is already in the manual match of override #${held.id}${held.status === 'pending_approval' ? ' (waiting for approval)' : ''}`, { value: String(id) });
      if (m.exceptionId !== null) candidates.add(m.exceptionId);
      else if (m.groupId !== null) {
        const g = selectGroup(db, runId, m.groupId)!;
        const pending = state.pendingUnmatch.get(g.groupId);
        if (pending) throw new TieoutError('conflict', `Record ${id} is in group ${g.groupId}, whose unmatch (override #${pending.id}) waits for approval`, { value: String(id) });
        const broken = state.unmatched.has(g.groupId) || (g.passKind === 'locked' && state.reversedManual.has(g.groupId));
        if (broken) candidates.add(unmatchedItemId(side, id));
        else if (g.status === 'suggested') candidates.add(g.groupId);
        else throw new TieoutError('conflict', `Record ${id} is already matched in group ${g.groupId} (pass ${g.pass}); unmatch that group first`, { value: String(id) });
      }
    }
  }
  const effects: Effect[] = [];
  const partialItems: string[] = [];
  for (const itemId of [...candidates].sort(compareIds)) {
    const item = selectItem(db, rec.id, itemId);
    if (!item) continue; // never synced: nothing to close
    const recs = itemRecords(db, item);
    const covered = recs.left.every((id) => chosen.has(`left:${id}`)) && recs.right.every((id) => chosen.has(`right:${id}`));
    if (!covered) {
      partialItems.push(itemId);
      continue;
    }
    assertActionable(db, item, actor);
    effects.push({ itemId, action: 'resolve' });
  }
  const info = new Map(selectRecordInfo(db, [...sides.left, ...sides.right]).map((r) => [r.id, r]));
  const currencies = new Set([...info.values()].map((r) => r.currency));
  const total = (ids: number[]) => ids.reduce<number | null>((s, id) => (s === null || info.get(id)?.amountMinor == null ? null : s + info.get(id)!.amountMinor!), 0);
  const l = total(sides.left);
  const r = total(sides.right);
  const single = currencies.size === 1 ? [...currencies][0]! : null;
  const gid = engineGroupId('locked', sides.left.map(String).sort(compareIds), sides.right.map(String).sort(compareIds));
  return {
    target: `group:${gid}`,
    payload: { runId, records: sides, groupId: gid, ...(partialItems.length > 0 && { partialItems }), effects },
    // The difference a manual match accepts; unknown across currencies.
    amountMinor: single !== null && l !== null && r !== null ? Math.abs(l - r) : null,
    currency: single,
    group: { groupId: gid, ...sides },
  };
}

function planUnmatch(db: Db, rec: ReconciliationRow, req: Extract<Request, { type: 'unmatch' }>, actor: string): Plan {
  const runId = requireLatestRun(db, rec);
  const state = groupState(db, rec.id);
  const g = selectGroup(db, runId, req.groupId);
  if (!g) throw new TieoutError('not_found', `No group ${req.groupId} in the latest run (#${runId}) of "${rec.name}"`, { value: req.groupId });
  if (g.passKind === 'locked') {
    const manual = state.manualGroups.get(g.groupId);
    if (manual) throw new TieoutError('conflict', `Group ${g.groupId} is the manual match of override #${manual.id}; reverse that override instead`, { value: g.groupId });
    throw new TieoutError('conflict', `Group ${g.groupId} is a manual match that was already reversed`, { value: g.groupId });
  }
  const done = state.unmatched.get(g.groupId) ?? state.pendingUnmatch.get(g.groupId);
  if (done) throw new TieoutError('conflict', `Group ${g.groupId} is already unmatched by override #${done.id}${done.status === 'pending_approval' ? ' (waiting for approval)' : ''}`, { value: g.groupId });
  const members = selectGroupMembers(db, runId, g.groupId);
  const records = { left: [] as number[], right: [] as number[] };
  for (const m of members) records[m.side].push(m.recordId);
  const info = new Map(selectRecordInfo(db, members.map((m) => m.recordId)).map((r) => [r.id, r]));
  const effects: Effect[] = [];
  if (g.status === 'suggested') {
    const item = selectItem(db, rec.id, g.groupId);
    if (item && item.status !== 'resolved' && item.status !== 'written_off') {
      assertActionable(db, item, actor);
      effects.push({ itemId: item.itemId, action: 'resolve' });
    }
  }
  for (const m of members) {
    const itemId = unmatchedItemId(m.side, m.recordId);
    const existing = selectItem(db, rec.id, itemId);
    if (existing?.status === 'pending_approval') assertActionable(db, existing, actor);
    const r = info.get(m.recordId);
    effects.push({
      itemId,
      action: 'surface',
      recordId: m.recordId,
      side: m.side,
      class: m.side === 'left' ? 'unmatched_left' : 'unmatched_right',
      amountMinor: Math.abs(r?.amountMinor ?? 0),
      currency: r?.currency ?? g.currency ?? '',
    });
  }
  return {
    target: `group:${g.groupId}`,
    payload: { runId, records, groupId: g.groupId, effects },
    amountMinor: g.leftAmountMinor === null ? null : Math.abs(g.leftAmountMinor),
    currency: g.currency,
    group: { groupId: g.groupId, ...records },
  };
}

function planAdjust(db: Db, rec: ReconciliationRow, req: Extract<Request, { type: 'adjust' }>): Plan {
  const { adjustment, amountMinor, currency } = planAdjustment(db, rec, req.recordId, req.changes);
  return {
    target: `record:${req.recordId}`,
    // Nothing about review items changes until the next run reads the corrected record.
    payload: { runId: latestRunId(db, rec.id) ?? 0, records: { left: adjustment.side === 'left' ? [req.recordId] : [], right: adjustment.side === 'right' ? [req.recordId] : [] }, effects: [], adjustment },
    amountMinor,
    currency,
  };
}

function planItem(db: Db, rec: ReconciliationRow, req: Extract<Request, { type: 'accept_variance' | 'write_off' | 'reclassify' }>, actor: string): Plan {
  const item = requireItem(db, rec.id, req.itemId);
  if (item.kind !== 'exception') {
    throw new TieoutError('bad_input', `Item ${item.itemId} is a suggested match, not an exception; force_match confirms it and unmatch rejects it`, { value: item.itemId });
  }
  assertActionable(db, item, actor);
  const base = { target: `item:${item.itemId}`, currency: item.currency };
  const payload = { runId: item.lastSeenRun, records: itemRecords(db, item), itemId: item.itemId };
  switch (req.type) {
    case 'accept_variance':
      if (!VARIANCE_CLASSES.includes(item.class as never)) {
        throw new TieoutError('bad_input', `Only a variance (${VARIANCE_CLASSES.join(', ')}) can be accepted; ${describeItem(item)} is not one. Write it off or force a match instead`, { value: item.itemId });
      }
      return { ...base, amountMinor: item.amountMinor, payload: { ...payload, effects: [{ itemId: item.itemId, action: 'resolve' }] } };
    case 'write_off': {
      const amount = req.amountMinor ?? item.amountMinor;
      if (amount > item.amountMinor) {
        throw new TieoutError('bad_input', `Cannot write off ${amount} minor units: ${describeItem(item)} has only ${item.amountMinor} at risk`, { path: 'amountMinor', value: String(amount) });
      }
      return { ...base, amountMinor: amount, payload: { ...payload, effects: [{ itemId: item.itemId, action: 'write_off' }] } };
    }
    case 'reclassify':
      if (req.toClass === item.class) throw new TieoutError('bad_input', `Item ${item.itemId} is already ${item.class}`, { path: 'toClass', value: req.toClass });
      return {
        ...base,
        amountMinor: item.amountMinor,
        payload: { ...payload, fromClass: item.class, toClass: req.toClass, effects: [{ itemId: item.itemId, action: 'reclassify', toClass: req.toClass }] },
      };
  }
}

// ---------------------------------------------------------------- making overrides

export function stateOf(db: Db, reconciliationId: number, effects: readonly Effect[], group?: OverrideState['group']): OverrideState {
  return { items: effects.map((e) => snapshot(db, reconciliationId, e.itemId)), ...(group && { group }) };
}

function requireReconciliation(db: Db, id: number): ReconciliationRow {
  const r = findReconciliation(db, id);
  if (!r) throw new TieoutError('not_found', `No reconciliation with id ${id}`);
  return r;
}

function parseRequest(input: OverrideRequest): Request {
  if (typeof input === 'object' && input !== null && 'type' in input && !(OVERRIDE_TYPES as readonly string[]).includes(String(input.type))) {
    throw new TieoutError('bad_input', `Unknown override type "${String(input.type)}"; one of: ${OVERRIDE_TYPES.join(', ')}`, { path: 'type' });
  }
  const parsed = OverrideRequest.safeParse(input);
  if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'bad_input', 'override');
  return parsed.data;
}

/** Validates, stores and (unless it needs approval) applies one override. Runs inside the caller's transaction. */
function makeOne(db: Db, req: Request, actor: string, at: string, bulkId: string | null): OverrideResult {
  const rec = requireReconciliation(db, req.reconciliationId);
  requireActor(db, actor);
  const code = chooseReasonCode(db, req.reasonCode, req.type, req.note);
  const plan =
    req.type === 'force_match'
      ? planForceMatch(db, rec, req, actor)
      : req.type === 'unmatch'
        ? planUnmatch(db, rec, req, actor)
        : req.type === 'adjust'
          ? planAdjust(db, rec, req)
          : planItem(db, rec, req, actor);
  assertUnlocked(db, rec.id, allRecords(plan.payload as OverridePayload));
  const approval = approvalNeeded(code, plan.amountMinor, plan.currency);
  const payload: OverridePayload = { ...plan.payload, approval };
  const before = stateOf(db, rec.id, payload.effects, plan.group);
  const status = approval === null ? 'applied' : 'pending_approval';
  const id = insertOverride(db, {
    reconciliationId: rec.id,
    type: req.type,
    target: plan.target,
    payloadJson: JSON.stringify(payload),
    amountMinor: plan.amountMinor,
    currency: plan.currency,
    reasonCode: code.code,
    note: req.note?.trim() || null,
    maker: actor,
    madeAt: at,
    status,
    checker: null,
    checkedAt: null,
    checkNote: null,
    reverses: null,
    bulkId,
    beforeJson: JSON.stringify(before),
    afterJson: null,
  });
  const note = req.note?.trim() || null;
  const act: Acting = { actor, at, overrideId: id, type: req.type, reasonCode: code.code, note, bulkId };
  if (status === 'applied') applyEffects(db, { id, type: req.type, reasonCode: code.code, amountMinor: plan.amountMinor, currency: plan.currency, reconciliationId: rec.id, payload }, act);
  else markPending(db, rec.id, payload.effects, act);
  const group = plan.group && (req.type === 'force_match' ? { ...plan.group, locked: status === 'applied' } : { ...plan.group, broken: status === 'applied' });
  const after: OverrideState = { ...stateOf(db, rec.id, payload.effects, group), status };
  setOverrideStates(db, id, JSON.stringify(before), JSON.stringify(after));
  return { ...toOverride(selectOverride(db, id)!), approvalReason: approval };
}

function auditView(o: OverrideResult) {
  return { id: o.id, type: o.type, target: o.target, status: o.status, amountMinor: o.amountMinor, currency: o.currency, approval: o.approvalReason, bulkId: o.bulkId };
}

/**
 * Makes one override. If its reason code (or its amount above the code's threshold) needs
 * approval it is stored `pending_approval`, its items wait, and nothing else changes until a
 * checker approves; otherwise it is applied now. Source records are never edited.
 */
export function makeOverride(db: Db, input: OverrideRequest, actor: string): OverrideResult {
  const req = parseRequest(input);
  return db.transaction(() => {
    const at = new Date().toISOString();
    const o = makeOne(db, req, actor, at, null);
    appendAuditEvent(db, { actor, action: `override.${o.type}`, target: `override:${o.id}`, before: o.before, after: { ...auditView(o), state: o.after }, reasonCode: o.reasonCode, note: o.note }, at);
    return o;
  }).immediate();
}

/** Several overrides as one action: all are made or none, with one bulk id and one audit event. */
export function makeBulkOverride(db: Db, inputs: readonly OverrideRequest[], actor: string): { bulkId: string; overrides: OverrideResult[] } {
  if (inputs.length === 0) throw new TieoutError('bad_input', 'A bulk action needs at least one override');
  const reqs = inputs.map(parseRequest);
  if (new Set(reqs.map((r) => r.reconciliationId)).size > 1) throw new TieoutError('bad_input', 'A bulk action stays within one reconciliation');
  return db.transaction(() => {
    const at = new Date().toISOString();
    const bulkId = randomUUID();
    const overrides = reqs.map((r) => makeOne(db, r, actor, at, bulkId));
    const same = <T>(f: (o: OverrideResult) => T): T | null => (overrides.every((o) => f(o) === f(overrides[0]!)) ? f(overrides[0]!) : null);
    appendAuditEvent(
      db,
      {
        actor,
        action: 'override.bulk',
        target: `bulk:${bulkId}`,
        before: overrides.map((o) => ({ id: o.id, state: o.before })),
        after: overrides.map((o) => ({ ...auditView(o), state: o.after })),
        reasonCode: same((o) => o.reasonCode),
        note: same((o) => o.note),
      },
      at,
    );
    return { bulkId, overrides };
  }).immediate();
}

export function getOverride(db: Db, id: number): Override {
  const r = selectOverride(db, id);
  if (!r) throw new TieoutError('not_found', `No override #${id}`, { value: String(id) });
  return toOverride(r);
}

export function listOverrides(db: Db, reconciliationId: number, f: Omit<OverrideFilter, 'reconciliationId'> = {}): Override[] {
  return selectOverrides(db, { ...f, reconciliationId }).map(toOverride);
}

/** Overrides that changed (or wait to change) an item, oldest first: its judgement history. */
export function itemOverrides(db: Db, reconciliationId: number, itemId: string): Override[] {
  return listOverrides(db, reconciliationId).filter((o) => o.target === `item:${itemId}` || o.payload.effects.some((e) => e.itemId === itemId));
}

export type { OverrideType };
