import { TieoutError } from '../../../shared/error.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import { insertComment, listComments, listTargetEvents, type CommentRow } from '../workspace/triage.js';
import { itemTarget, parseItemTarget, requireItem, requireText, toIso, type ItemRef } from './items.js';
import { requireUser } from './users.js';

export type { CommentRow as Comment } from '../workspace/triage.js';

export type TimelineEntry =
  | { kind: 'comment'; at: string; actor: string; id: number; text: string }
  | { kind: 'event'; at: string; actor: string; seq: number; action: string; before: unknown; after: unknown; reasonCode: string | null; note: string | null };

function targetOf(target: string | ItemRef): string {
  const t = typeof target === 'string' ? target : itemTarget(target);
  if (t.length === 0 || t.length > 300) throw new TieoutError('bad_input', 'A comment needs a target', { path: 'target' });
  return t;
}

/**
 * A note on an item (or any audit target). Anyone may comment, auditors included; the text also
 * goes into the audit event so the hash chain covers it.
 */
export function addComment(db: Db, target: string | ItemRef, actor: string, text: string, now: Date | string = new Date()): CommentRow {
  const t = targetOf(target);
  const body = requireText(text, 'comment', 10_000);
  const at = toIso(now);
  return db.transaction(() => {
    const user = requireUser(db, actor);
    const ref = parseItemTarget(t);
    if (ref) requireItem(db, ref);
    const id = insertComment(db, { target: t, actor: user.id, at, text: body });
    appendAuditEvent(db, { actor: user.id, action: 'comment.add', target: t, after: { commentId: id, text: body } }, at);
    return { id, target: t, actor: user.id, at, text: body };
  }).immediate();
}

/**
 * Comments and the audit events of a target, oldest first. `comment.add` events are left out:
 * the comment itself stands for them. Ties in time keep event order, comments after events.
 */
export function timeline(db: Db, target: string | ItemRef): TimelineEntry[] {
  const t = targetOf(target);
  const events: TimelineEntry[] = listTargetEvents(db, t)
    .filter((e) => e.action !== 'comment.add')
    .map((e) => ({ kind: 'event', ...e }));
  const comments: TimelineEntry[] = listComments(db, t).map((c) => ({ kind: 'comment', at: c.at, actor: c.actor, id: c.id, text: c.text }));
  const order = (e: TimelineEntry) => (e.kind === 'event' ? e.seq : e.id);
  return [...events, ...comments].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.kind !== b.kind ? (a.kind === 'event' ? -1 : 1) : order(a) - order(b)));
}
