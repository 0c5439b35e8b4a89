import { useCallback, useEffect, useState } from 'react';
import type { ReviewMember, ReviewRow } from '../../../../shared/contract.js';
import { displayMinor } from '../../../../shared/money.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { EXCEPTION_CLASSES, type ExceptionClass, type OverrideRequestBody } from '../../../../shared/decisions.js';
import { OverrideHistory, type OverrideEntry } from '../overrides/OverrideHistory.js';
import { SuggestionDecision } from '../overrides/SuggestionDecision.js';
import { CorrectRecordForm } from '../overrides/CorrectRecordForm.js';
import { UnmatchForm } from '../overrides/UnmatchForm.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';

interface Item {
  itemId: string;
  class: string;
  status: string;
  owner: string | null;
  claimedBy: string | null;
  dueAt: string;
  amountMinor: number;
  currency: string;
  resolution: string | null;
}
interface TimelineEntry {
  at: string;
  actor: string;
  kind?: string;
  action?: string;
  text?: string;
  note?: string | null;
  reasonCode?: string | null;
  before?: { status?: string } | null;
  after?: { status?: string; override?: number; overrideType?: string } | null;
}

/** One timeline line: what happened, the status it moved, and the override and reason behind it. */
function describeEntry(t: TimelineEntry): string {
  if (t.kind === 'comment') return `“${t.text}”`;
  const moved = t.before?.status && t.after?.status && t.before.status !== t.after.status ? ` ${t.before.status} → ${t.after.status}` : '';
  const by = t.after?.override ? ` by ${t.after.overrideType ?? 'override'} #${t.after.override}` : '';
  return `${t.action ?? t.kind}${moved}${by}${t.reasonCode ? ` [${t.reasonCode}]` : ''}`;
}
interface ReasonCode {
  code: string;
  label: string;
  approval: string;
  noteRequired: boolean;
}
interface Candidate {
  recordId: number;
  source: string;
  ref: string | null;
  amountMinor: number | null;
  currency: string | null;
  date: string | null;
  score: number;
}

const STATUSES = ['open', 'investigating', 'pending_approval', 'resolved', 'written_off'];
const CLASSES = EXCEPTION_CLASSES;

/**
 * The row as work. An exception: owner, claim, status, comments, timeline and reason-coded
 * overrides. A matched group: unmatch. A suggested group: confirm or reject. Every row: its
 * override history, where each applied override can be reversed.
 */
export function ItemPanel({ reconciliation, row, members, onChanged }: { reconciliation: string; row: ReviewRow; members: ReviewMember[]; onChanged(): void }) {
  const transport = useTransport();
  const [item, setItem] = useState<Item | null>(null);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const [pending, setPending] = useState<{ id: number; type: string } | null>(null);
  const [codes, setCodes] = useState<ReasonCode[]>([]);
  const [comment, setComment] = useState('');
  const [form, setForm] = useState({ type: 'accept_variance', reason: '', note: '', amount: '', toClass: 'amount_variance' });
  const [candidates, setCandidates] = useState<Candidate[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revision, setRevision] = useState(0);
  const [overrides, setOverrides] = useState<OverrideEntry[]>([]);
  const itemId = row.rowId;
  const isGroup = row.kind === 'group';

  const load = useCallback(async () => {
    const r = await transport.call('items.get', { reconciliation, itemId });
    setItem(r.item as unknown as Item | null);
    setTimeline(r.timeline as unknown as TimelineEntry[]);
    setPending(r.pending as unknown as { id: number; type: string } | null);
  }, [transport, reconciliation, itemId]);

  useEffect(() => {
    setMessage(null);
    setError(null);
    setCandidates(null);
    load().catch((e) => setError(errorText(e)));
  }, [load]);
  useEffect(() => {
    transport
      .call('reasonCodes.list', { for: form.type })
      .then((c) => {
        setCodes(c as unknown as ReasonCode[]);
        setForm((f) => ({ ...f, reason: (c as unknown as ReasonCode[])[0]?.code ?? '' }));
      })
      .catch((e) => setError(errorText(e)));
  }, [transport, form.type]);

  /** Runs one action; `done` is the message to show, unless the action set its own. */
  const act = async (what: () => Promise<unknown>, done?: string) => {
    setError(null);
    setMessage(null);
    try {
      await what();
      if (done) setMessage(done);
    } catch (e) {
      setError(errorText(e));
    }
    setRevision((r) => r + 1);
    await load().catch(() => {});
    onChanged();
  };
  /** For the override pieces: runs an action whose result is the message to show. */
  const run = (what: () => Promise<string>) => act(async () => setMessage(await what()));

  const unmatched = row.class === 'unmatched_left' || row.class === 'unmatched_right';
  const own = members[0];
  const findCandidates = () =>
    own &&
    transport
      .call('candidates.list', { reconciliation, recordId: own.recordId, limit: 5 })
      .then((r) => setCandidates((r as unknown as { candidates: Candidate[] }).candidates))
      .catch((e) => setError(errorText(e)));

  const submitOverride = () => {
    const cents = /^\d+(\.\d{1,2})?$/.test(form.amount) ? Math.round(Number(form.amount.replace('.', '')) * (form.amount.includes('.') ? 10 ** (2 - (form.amount.split('.')[1]?.length ?? 0)) : 100)) : undefined;
    const base = { itemId, reasonCode: form.reason, ...(form.note && { note: form.note }) };
    const request: OverrideRequestBody =
      form.type === 'write_off'
        ? { type: 'write_off', ...base, ...(cents !== undefined && { amountMinor: cents }) }
        : form.type === 'reclassify'
          ? { type: 'reclassify', ...base, toClass: form.toClass as ExceptionClass }
          : { type: 'accept_variance', ...base };
    return act(async () => {
      const r = (await transport.call('overrides.make', { reconciliation, request })) as { id: number; status: string; approvalReason: string | null };
      setMessage(r.status === 'pending_approval' ? `Override #${r.id} waits for approval: ${r.approvalReason}` : `Override #${r.id} applied`);
    });
  };

  const matchWith = (c: Candidate) =>
    act(async () => {
      const left = own!.side === 'left' ? [own!.recordId] : [c.recordId];
      const right = own!.side === 'left' ? [c.recordId] : [own!.recordId];
      const r = (await transport.call('overrides.make', {
        reconciliation,
        request: { type: 'force_match', left, right, reasonCode: form.reason || 'timing_difference', note: form.note || 'matched by hand from the candidates' },
      })) as { id: number; status: string };
      setMessage(`Matched by hand (override #${r.id}, ${r.status})`);
    });

  // The run still lists a broken group as matched: the overrides say it no longer stands.
  const unmatchedBy = overrides.find((o) => o.type === 'unmatch' && o.target === `group:${itemId}` && (o.status === 'applied' || o.status === 'pending_approval'));

  if (!item && !isGroup) return error ? <div className="error-banner">{error}</div> : null;
  return (
    <div className="item-panel" aria-label={isGroup ? 'Group work' : 'Exception work'}>
      {item && (
        <>
          <dl className="item-facts">
            <dt>Status</dt>
            <dd data-testid="item-status">{item.status}</dd>
            <dt>Owner</dt>
            <dd data-testid="item-owner">{item.owner ?? '—'}</dd>
            <dt>Worked by</dt>
            <dd data-testid="item-claimed">{item.claimedBy ?? 'nobody'}</dd>
            <dt>Due</dt>
            <dd>{item.dueAt.replace('T', ' ').slice(0, 16)}</dd>
            <dt>At risk</dt>
            <dd>
              {displayMinor(item.amountMinor, item.currency)} {item.currency}
            </dd>
          </dl>
          <div className="item-actions">
            <button type="button" onClick={() => void act(() => transport.call('items.claim', { reconciliation, itemId }), 'Claimed')}>
              Claim
            </button>
            <button type="button" onClick={() => void act(() => transport.call('items.claim', { reconciliation, itemId, reassign: true }), 'Reassigned to you')}>
              Take over
            </button>
            <select aria-label="Set status" value="" onChange={(e) => e.target.value && void act(() => transport.call('items.status', { reconciliation, itemId, to: e.target.value as 'open' }), `Status ${e.target.value}`)}>
              <option value="">Set status…</option>
              {STATUSES.filter((s) => s !== item.status).map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </div>
        </>
      )}
      {pending && <p className="warning">Override #{pending.id} ({pending.type}) waits for an approver.</p>}
      {row.status === 'matched' && (unmatchedBy ? (
        <p className="warning" data-testid="group-broken">
          Unmatched by override #{unmatchedBy.id}
          {unmatchedBy.status === 'pending_approval' ? ', waiting for approval' : ': its records are unmatched items in review'}
        </p>
      ) : (
        <UnmatchForm reconciliation={reconciliation} groupId={row.rowId} run={run} />
      ))}
      {row.status === 'suggested' && <SuggestionDecision reconciliation={reconciliation} groupId={row.rowId} run={run} />}
      {members.length > 0 && <CorrectRecordForm key={row.rowId} reconciliation={reconciliation} members={members} run={run} />}
      {!isGroup && (
        <form
          className="override-form"
          aria-label="Override"
          onSubmit={(e) => {
            e.preventDefault();
            void submitOverride();
          }}
        >
          <select aria-label="Override type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
            <option value="accept_variance">Accept variance</option>
            <option value="write_off">Write off</option>
            <option value="reclassify">Reclassify</option>
          </select>
          <select aria-label="Reason code" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })}>
            {codes.map((c) => (
              <option key={c.code} value={c.code}>
                {c.label}
                {c.approval !== 'never' ? ' (approval)' : ''}
              </option>
            ))}
          </select>
          {form.type === 'write_off' && <input aria-label="Write-off amount" placeholder="amount (all)" size={10} value={form.amount} onChange={(e) => setForm({ ...form, amount: e.target.value })} />}
          {form.type === 'reclassify' && (
            <select aria-label="New class" value={form.toClass} onChange={(e) => setForm({ ...form, toClass: e.target.value })}>
              {CLASSES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          )}
          <input aria-label="Override note" placeholder="note" value={form.note} onChange={(e) => setForm({ ...form, note: e.target.value })} />
          <button type="submit" className="primary">
            Apply
          </button>
        </form>
      )}
      {unmatched && own && (
        <div className="candidates">
          <button type="button" onClick={() => void findCandidates()}>
            Find candidates
          </button>
          {candidates && (
            <table className="mapping" aria-label="Candidates">
              <thead>
                <tr>
                  <th>Score</th>
                  <th>Record</th>
                  <th>Amount</th>
                  <th>Date</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {candidates.map((c) => (
                  <tr key={c.recordId}>
                    <td>{c.score.toFixed(3)}</td>
                    <td>
                      {c.ref ?? `#${c.recordId}`} <span className="muted">{c.source}</span>
                    </td>
                    <td>{c.amountMinor === null ? '' : `${displayMinor(c.amountMinor, c.currency ?? 'USD')} ${c.currency ?? ''}`}</td>
                    <td>{c.date}</td>
                    <td>
                      <button type="button" aria-label={`Match with ${c.ref ?? c.recordId}`} onClick={() => void matchWith(c)}>
                        Match
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      {item && (
        <form
          className="comment-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await transport.call('items.comment', { reconciliation, itemId, text: comment });
              setComment('');
            }, 'Comment added');
          }}
        >
          <input aria-label="Comment" placeholder="Add a comment" value={comment} onChange={(e) => setComment(e.target.value)} />
          <button type="submit" disabled={!comment.trim()}>
            Comment
          </button>
        </form>
      )}
      {message && (
        <p role="status" data-testid="item-message">
          {message}
        </p>
      )}
      <ErrorBanner error={error} />
      <OverrideHistory reconciliation={reconciliation} itemId={itemId} revision={revision} run={run} onLoaded={setOverrides} />
      {timeline.length > 0 && (
        <ol className="timeline" aria-label="Timeline">
          {timeline.map((t, i) => (
            <li key={i}>
              <span className="muted">{t.at.replace('T', ' ').slice(0, 19)}</span> {t.actor}: {describeEntry(t)}
              {t.note ? ` (${t.note})` : ''}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
