import { TieoutError } from '../../../shared/error.js';
import { unpackExplanation } from '../engine/index.js';
import { appendAuditEvent, explanationTemplates, type Db } from '../workspace/index.js';
import {
  selectException,
  selectGroup,
  selectItem,
  selectOverride,
  selectOverrides,
  selectRecordInfo,
  updateOverrideDecision,
  setOverrideStates,
} from '../workspace/overrides.js';
import { applyEffects, snapshot, unmarkPending, type Acting } from './items.js';
import { stateOf } from './overrides.js';
import { assertUnlocked, periodsOf } from './sign-off.js';
import { allRecords, toOverride, type Override, type OverrideState } from './types.js';
import { requireApprover } from './users.js';

/**
 * Loads a pending override for a checker: the checker must be an approver and not its maker
 * (maker-checker), and a decision always carries a comment.
 */
function forDecision(db: Db, overrideId: number, checker: string, note: string, verb: 'approve' | 'reject'): Override {
  const row = selectOverride(db, overrideId);
  if (!row) throw new TieoutError('not_found', `No override #${overrideId}`, { value: String(overrideId) });
  const o = toOverride(row);
  if (o.status !== 'pending_approval') throw new TieoutError('conflict', `Override #${o.id} is ${o.status.replace('_', ' ')}, not waiting for approval`, { value: String(o.id) });
  if (!note?.trim()) throw new TieoutError('bad_input', `To ${verb} override #${o.id}, say why in a note`, { path: 'note' });
  requireApprover(db, checker, `${verb} overrides`);
  if (checker === o.maker) throw new TieoutError('forbidden', `${checker} made override #${o.id} and cannot ${verb} it; another approver must`, { value: checker });
  return o;
}

/** Item events of a decision carry the checker, the override's code and the checker's comment. */
function act(o: Override, checker: string, note: string, at: string): Acting {
  return { actor: checker, at, overrideId: o.id, type: o.type, reasonCode: o.reasonCode, note: note.trim(), bulkId: o.bulkId };
}

/** Approves a pending override: its effect is applied now, in the same transaction as its audit event. */
export function approve(db: Db, overrideId: number, checker: string, note: string): Override {
  return db.transaction(() => {
    const o = forDecision(db, overrideId, checker, note, 'approve');
    assertUnlocked(db, o.reconciliationId, allRecords(o.payload));
    for (const e of o.payload.effects) {
      if (e.action === 'surface') continue;
      const item = selectItem(db, o.reconciliationId, e.itemId);
      if (item?.status !== 'pending_approval') {
        throw new TieoutError('conflict', `Item ${e.itemId} of override #${o.id} is ${item ? item.status : 'gone'}, no longer waiting for this approval`, { item: e.itemId });
      }
    }
    const at = new Date().toISOString();
    // Items an unmatch surfaces are created now: take their "before" now, not when it was asked for.
    const made = new Map((o.before?.items ?? []).map((s) => [s.itemId, s]));
    const before: OverrideState = {
      ...o.before,
      items: o.payload.effects.map((e) => (e.action === 'surface' ? snapshot(db, o.reconciliationId, e.itemId) : (made.get(e.itemId) ?? snapshot(db, o.reconciliationId, e.itemId)))),
    };
    applyEffects(db, o, act(o, checker, note, at));
    const group = o.after?.group && (o.type === 'force_match' ? { ...o.after.group, locked: true } : { ...o.after.group, broken: true });
    const after: OverrideState = { ...stateOf(db, o.reconciliationId, o.payload.effects, group), status: 'applied' };
    updateOverrideDecision(db, o.id, { status: 'applied', checker, checkedAt: at, checkNote: note.trim(), afterJson: JSON.stringify(after) });
    setOverrideStates(db, o.id, JSON.stringify(before), JSON.stringify(after));
    appendAuditEvent(
      db,
      { actor: checker, action: 'override.approve', target: `override:${o.id}`, before: { status: 'pending_approval', state: o.after }, after: { status: 'applied', maker: o.maker, state: after }, reasonCode: o.reasonCode, note: note.trim() },
      at,
    );
    return toOverride(selectOverride(db, o.id)!);
  }).immediate();
}

/** Rejects a pending override: nothing was applied, and its items go back to investigation. */
export function reject(db: Db, overrideId: number, checker: string, note: string): Override {
  return db.transaction(() => {
    const o = forDecision(db, overrideId, checker, note, 'reject');
    const at = new Date().toISOString();
    unmarkPending(db, o.reconciliationId, o.payload.effects, act(o, checker, note, at));
    const after: OverrideState = { ...stateOf(db, o.reconciliationId, o.payload.effects.filter((e) => e.action !== 'surface')), status: 'rejected' };
    updateOverrideDecision(db, o.id, { status: 'rejected', checker, checkedAt: at, checkNote: note.trim(), afterJson: JSON.stringify(after) });
    appendAuditEvent(
      db,
      { actor: checker, action: 'override.reject', target: `override:${o.id}`, before: { status: 'pending_approval', state: o.after }, after: { status: 'rejected', maker: o.maker, state: after }, reasonCode: o.reasonCode, note: note.trim() },
      at,
    );
    return toOverride(selectOverride(db, o.id)!);
  }).immediate();
}

export interface ApprovalContext {
  /** The review items it would change, as they are now, with the engine's explanation. */
  items: {
    itemId: string;
    kind: string;
    class: string;
    status: string;
    amountMinor: number;
    currency: string;
    owner: string | null;
    detail: string | null;
    explanation: unknown;
  }[];
  /** unmatch: the group it would break, with its explanation. */
  group: {
    groupId: string;
    pass: string;
    passKind: string;
    status: string;
    leftAmountMinor: number | null;
    rightAmountMinor: number | null;
    currency: string | null;
    explanation: unknown;
  } | null;
  /** Every record involved. */
  records: { id: number; side: 'left' | 'right'; source: string; ref: string | null; amountMinor: number | null; currency: string | null; date: string | null }[];
  periods: string[];
}

export interface PendingApproval extends Override {
  approvalReason: string | null;
  context: ApprovalContext;
}

function contextOf(db: Db, o: Override): ApprovalContext {
  const items: ApprovalContext['items'] = [];
  // A bulk override's items are mostly of one run: read its explanation templates once.
  const templatesByRun = new Map<number, ReturnType<typeof explanationTemplates>>();
  const templatesOf = (runId: number) => {
    if (!templatesByRun.has(runId)) templatesByRun.set(runId, explanationTemplates(db, runId));
    return templatesByRun.get(runId)!;
  };
  for (const e of o.payload.effects) {
    const i = selectItem(db, o.reconciliationId, e.itemId);
    if (!i) continue;
    const x = i.kind === 'exception' ? selectException(db, i.lastSeenRun, i.itemId) : undefined;
    const g = i.kind === 'suggestion' ? selectGroup(db, i.lastSeenRun, i.itemId) : undefined;
    items.push({
      itemId: i.itemId,
      kind: i.kind,
      class: i.class,
      status: i.status,
      amountMinor: i.amountMinor,
      currency: i.currency,
      owner: i.owner,
      detail: x?.detail ?? null,
      explanation: unpackExplanation(x?.explanationJson ?? g?.explanationJson ?? null, templatesOf(i.lastSeenRun)),
    });
  }
  const g = o.type === 'unmatch' && o.payload.groupId ? selectGroup(db, o.payload.runId, o.payload.groupId) : undefined;
  const side = new Map<number, 'left' | 'right'>([...o.payload.records.left.map((id) => [id, 'left'] as const), ...o.payload.records.right.map((id) => [id, 'right'] as const)]);
  return {
    items,
    group: g
      ? { groupId: g.groupId, pass: g.pass, passKind: g.passKind, status: g.status, leftAmountMinor: g.leftAmountMinor, rightAmountMinor: g.rightAmountMinor, currency: g.currency, explanation: unpackExplanation(g.explanationJson, templatesOf(g.runId)) }
      : null,
    records: selectRecordInfo(db, allRecords(o.payload)).map((r) => ({ ...r, side: side.get(r.id)! })),
    periods: periodsOf(db, allRecords(o.payload)),
  };
}

/** Overrides of a reconciliation waiting for a checker, oldest first, each with what a checker needs to decide. */
export function pendingApprovals(db: Db, reconciliationId: number): PendingApproval[] {
  return selectOverrides(db, { reconciliationId, status: 'pending_approval' })
    .map(toOverride)
    .map((o) => ({ ...o, approvalReason: o.payload.approval, context: contextOf(db, o) }));
}
