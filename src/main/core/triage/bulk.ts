import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TieoutError, type ErrorCode } from '../../../shared/error.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import { assertActionable } from '../overrides/items.js';
import { makeBulkOverride, type OverrideRequest } from '../overrides/overrides.js';
import { VARIANCE_CLASSES } from '../overrides/types.js';
import { findReasonCodeLite, selectItemRows, updateReviewItem, type ItemPatch, type ReasonCodeLite, type ReviewItemRow, type UserRow } from '../workspace/triage.js';
import { itemTarget, requireText, toIso } from './items.js';
import { QueueFilter, parseQueueFilter } from './queue.js';
import { ITEM_STATUSES, type ItemStatus } from './status.js';
import { lockRefusal, snapshot, statusChangeRefusal, statusPatch } from './transitions.js';
import { requireEditor, requireUser } from './users.js';

const ItemId = z.string().min(1).max(64);

/** Either named items or everything a queue filter selects (evaluated when applied). */
export const BulkSelection = z.union([
  z.object({ reconciliationId: z.number().int().positive(), itemIds: z.array(ItemId).min(1).max(100_000) }).strict(),
  z.object({ reconciliationId: z.number().int().positive(), filter: QueueFilter }).strict(),
]);
export type BulkSelection = z.input<typeof BulkSelection>;

export const BulkAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assign'), owner: z.string().min(1).max(64) }),
  z.object({ type: z.literal('status'), to: z.enum(ITEM_STATUSES) }),
  /**
   * Close with a reason code: accept each variance (or write each item off with writeOff). This
   * is a judgement, so it is recorded as one bulk override (one override per item, sharing a
   * bulk id): reversible as a whole, and waiting for a checker when the code asks for approval
   * (always, or above its threshold), in which case the items go to pending_approval.
   */
  z.object({ type: z.literal('resolve'), reasonCode: z.string().min(1).max(64), writeOff: z.boolean().default(false) }),
]);
export type BulkAction = z.input<typeof BulkAction>;

export interface BulkRequest {
  selection: BulkSelection;
  action: BulkAction;
  actor: string;
}

export interface CurrencyTotal {
  currency: string;
  count: number;
  amountMinor: number;
}

export interface BulkRefusal {
  itemId: string;
  code: ErrorCode;
  message: string;
}

export interface BulkPreview {
  /** Items selected, and their amounts at risk by currency. */
  count: number;
  totals: CurrencyTotal[];
  /** Of those: how many the action changes, how many are already there, how many it may not touch. */
  willChange: number;
  unchanged: number;
  blockedCount: number;
  /** The first 100 refusals, with reasons. */
  blocked: BulkRefusal[];
  /** resolve: of the items it changes, how many will wait for a checker. */
  needApproval: number;
}

export interface BulkResult extends BulkPreview {
  /** For a resolve, the bulk override's id: reverse it as a whole with reverseBulk. */
  bulkId: string;
  changed: number;
  /** resolve: the overrides made, one per changed item. */
  overrideIds: number[];
}

/** A status or owner change written directly, or (resolve) an override to make. */
type Change = { item: ReviewItemRow; patch: ItemPatch; override?: undefined } | { item: ReviewItemRow; patch?: undefined; override: OverrideRequest; needsApproval: boolean };

interface Plan {
  selected: ReviewItemRow[];
  changes: Change[];
  unchanged: number;
  blocked: BulkRefusal[];
}

function parseRequest(req: BulkRequest) {
  const sel = BulkSelection.safeParse(req.selection);
  if (!sel.success) throw TieoutError.fromZod(sel.error, 'bad_input', 'bulk selection');
  const action = BulkAction.safeParse(req.action);
  if (!action.success) throw TieoutError.fromZod(action.error, 'bad_input', 'bulk action');
  return { selection: sel.data, action: action.data };
}

function select(db: Db, sel: z.output<typeof BulkSelection>, at: string): ReviewItemRow[] {
  if ('filter' in sel) return selectItemRows(db, sel.reconciliationId, parseQueueFilter(sel.filter), at);
  const ids = [...new Set(sel.itemIds)];
  const rows = selectItemRows(db, sel.reconciliationId, { itemIds: ids }, at);
  if (rows.length !== ids.length) {
    const known = new Set(rows.map((r) => r.itemId));
    const missing = ids.filter((id) => !known.has(id));
    throw new TieoutError('not_found', `${missing.length} item(s) not found in reconciliation ${sel.reconciliationId}: ${missing.slice(0, 5).join(', ')}`, { items: missing.slice(0, 100) });
  }
  return rows;
}

function requireReasonCode(db: Db, code: string): ReasonCodeLite {
  const rc = findReasonCodeLite(db, code);
  if (!rc) throw new TieoutError('not_found', `No reason code "${code}"`, { path: 'reasonCode', value: code });
  if (rc.retiredAt !== null) throw new TieoutError('bad_input', `Reason code "${code}" is retired`, { path: 'reasonCode', value: code });
  return rc;
}

/** Reason codes name the override kinds they fit: a resolve is an accepted variance, a write-off a write-off. */
function reasonFits(rc: ReasonCodeLite, writeOff: boolean): boolean {
  if (!Array.isArray(rc.appliesTo) || rc.appliesTo.length === 0) return true;
  return rc.appliesTo.includes(writeOff ? 'write_off' : 'accept_variance');
}

function needsApproval(rc: ReasonCodeLite, item: ReviewItemRow): boolean {
  return rc.approval === 'always' || (rc.approval === 'above' && rc.approvalThresholdMinor !== null && item.amountMinor > rc.approvalThresholdMinor);
}

function plan(db: Db, req: BulkRequest, user: UserRow, at: string, justification: string | null): Plan & { reason: ReasonCodeLite | null } {
  const { selection, action } = parseRequest(req);
  const selected = select(db, selection, at);
  const out: Plan & { reason: ReasonCodeLite | null } = { selected, changes: [], unchanged: 0, blocked: [], reason: null };
  const refuse = (item: ReviewItemRow, e: TieoutError) => out.blocked.push({ itemId: item.itemId, code: e.code, message: e.message });

  if (action.type === 'assign') {
    requireUser(db, action.owner);
    for (const item of selected) {
      if (item.owner === action.owner) out.unchanged++;
      else out.changes.push({ item, patch: { owner: action.owner, updatedAt: at } });
    }
    return out;
  }

  const rc = action.type === 'resolve' ? requireReasonCode(db, action.reasonCode) : null;
  out.reason = rc;
  if (rc && action.type === 'resolve' && !reasonFits(rc, action.writeOff)) {
    throw new TieoutError('bad_input', `Reason code "${rc.code}" does not apply to ${action.writeOff ? 'write-offs' : 'resolving'}`, { path: 'reasonCode', value: rc.code });
  }
  for (const item of selected) {
    if (action.type === 'resolve') {
      const closed: ItemStatus = action.writeOff ? 'written_off' : 'resolved';
      if (item.status === closed) {
        out.unchanged++;
        continue;
      }
      const refusal = resolveRefusal(db, item, action.writeOff, user);
      if (refusal) {
        refuse(item, refusal);
        continue;
      }
      const override: OverrideRequest = {
        type: action.writeOff ? 'write_off' : 'accept_variance',
        reconciliationId: item.reconciliationId,
        itemId: item.itemId,
        reasonCode: rc!.code,
        note: justification,
      };
      out.changes.push({ item, override, needsApproval: needsApproval(rc!, item) });
      continue;
    }
    const to = action.to;
    if (item.status === to) {
      out.unchanged++;
      continue;
    }
    const refusal = statusChangeRefusal(db, item, to, user);
    if (refusal) {
      refuse(item, refusal);
      continue;
    }
    out.changes.push({ item, patch: statusPatch(item, to, user, justification, at) });
  }
  return out;
}

/**
 * Why an item may not be closed by a reason-coded override, or null: the checks makeOverride
 * makes, asked up front so a preview can name every refusal before anything is written.
 */
function resolveRefusal(db: Db, item: ReviewItemRow, writeOff: boolean, user: UserRow): TieoutError | null {
  if (item.kind !== 'exception') return new TieoutError('bad_input', `Item ${item.itemId} is a suggested match: confirm or reject it instead`, { item: item.itemId });
  if (!writeOff && !VARIANCE_CLASSES.includes(item.class as never)) {
    return new TieoutError('bad_input', `Item ${item.itemId} is ${item.class}, not a variance (${VARIANCE_CLASSES.join(', ')}); write it off or match it instead`, { item: item.itemId });
  }
  try {
    assertActionable(db, item, user.id);
  } catch (e) {
    if (e instanceof TieoutError) return e;
    throw e;
  }
  return lockRefusal(db, item);
}

function totals(items: readonly ReviewItemRow[]): CurrencyTotal[] {
  const by = new Map<string, CurrencyTotal>();
  for (const i of items) {
    const t = by.get(i.currency) ?? { currency: i.currency, count: 0, amountMinor: 0 };
    t.count++;
    t.amountMinor += i.amountMinor;
    by.set(i.currency, t);
  }
  return [...by.values()].sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
}

function summarize(p: Plan): BulkPreview {
  return {
    needApproval: p.changes.filter((c) => c.override && c.needsApproval).length,
    count: p.selected.length,
    totals: totals(p.selected),
    willChange: p.changes.length,
    unchanged: p.unchanged,
    blockedCount: p.blocked.length,
    blocked: p.blocked.slice(0, 100),
  };
}

/** What a bulk action would touch, without changing anything. */
export function previewBulk(db: Db, req: BulkRequest, now: Date | string = new Date()): BulkPreview {
  const at = toIso(now);
  const user = requireEditor(db, req.actor);
  return summarize(plan(db, req, user, at, null));
}

export interface ApplyBulkOptions {
  /** Apply to the items that may be changed and report the rest; otherwise any refusal aborts. */
  skipBlocked?: boolean;
  /** The count the preview showed: a filter that now selects a different number aborts. */
  expectCount?: number;
  now?: Date | string;
}

/**
 * Applies a bulk action in one transaction: one audit event per changed item (carrying the bulk
 * id, justification and reason code) and one `bulk.apply` event for the whole action.
 */
export function applyBulk(db: Db, req: BulkRequest, justification: string, opts: ApplyBulkOptions = {}): BulkResult {
  const why = requireText(justification, 'justification');
  const at = toIso(opts.now ?? new Date());
  return db
    .transaction(() => {
      const user = requireEditor(db, req.actor);
      const p = plan(db, req, user, at, why);
      const summary = summarize(p);
      if (opts.expectCount !== undefined && opts.expectCount !== summary.count) {
        throw new TieoutError('conflict', `The selection now holds ${summary.count} items, not the ${opts.expectCount} previewed; preview again`, {
          expected: opts.expectCount,
          actual: summary.count,
        });
      }
      if (p.blocked.length > 0 && !opts.skipBlocked) {
        const first = p.blocked[0]!;
        throw new TieoutError(first.code, `${p.blocked.length} of ${summary.count} items cannot take this action (first: ${first.message})`, { blocked: p.blocked.slice(0, 100) });
      }
      const { action } = parseRequest(req);
      const reasonCode = p.reason?.code ?? null;
      const requests = p.changes.flatMap((c) => (c.override ? [c.override] : []));
      // A resolve is one bulk override: its overrides write their own item events (with the bulk id).
      const made = requests.length > 0 ? makeBulkOverride(db, requests, user.id) : null;
      const bulkId = made?.bulkId ?? randomUUID();
      for (const { item, patch } of p.changes) {
        if (!patch) continue;
        updateReviewItem(db, item.reconciliationId, item.itemId, patch);
        const after = { ...item, ...patch };
        appendAuditEvent(
          db,
          {
            actor: user.id,
            action: action.type === 'assign' ? 'item.assign' : 'item.status',
            target: itemTarget(item),
            before: action.type === 'assign' ? { owner: item.owner } : snapshot(item),
            after: { ...(action.type === 'assign' ? { owner: after.owner } : snapshot(after)), bulkId },
            reasonCode,
            note: why,
          },
          at,
        );
      }
      appendAuditEvent(
        db,
        {
          actor: user.id,
          action: 'bulk.apply',
          target: `bulk:${bulkId}`,
          after: {
            selection: req.selection,
            action,
            count: summary.count,
            totals: summary.totals,
            changed: p.changes.length,
            ...(made && { overrides: made.overrides.map((o) => o.id), needApproval: made.overrides.filter((o) => o.status === 'pending_approval').length }),
            unchanged: summary.unchanged,
            skippedCount: p.blocked.length,
            skipped: p.blocked.slice(0, 1000).map((b) => b.itemId),
          },
          reasonCode,
          note: why,
        },
        at,
      );
      return { ...summary, bulkId, changed: p.changes.length, overrideIds: made?.overrides.map((o) => o.id) ?? [] };
    })
    .immediate();
}
