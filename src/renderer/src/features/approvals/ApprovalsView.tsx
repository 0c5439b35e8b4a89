import { useEffect, useState } from 'react';
import { displayMinor } from '../../../../shared/money.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { OverrideHistory } from '../overrides/OverrideHistory.js';
import { ReasonCodes } from './ReasonCodes.js';
import { useReconciliationChoice } from '../../app/use-reconciliations.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';

interface Pending {
  id: number;
  type: string;
  reasonCode: string | null;
  note: string | null;
  maker: string;
  madeAt: string;
  amountMinor: number | null;
  currency: string | null;
  approvalReason: string | null;
  context: { items: { itemId: string; class: string; amountMinor: number; currency: string; detail: string | null }[] };
}

/** Overrides waiting for a checker, with their context; approve or reject with a comment. */
export function ApprovalsView({ revision }: { revision: number }) {
  const transport = useTransport();
  const [pending, setPending] = useState<Pending[]>([]);
  const [notes, setNotes] = useState<Record<number, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { recs, rec, setRec } = useReconciliationChoice(revision, setError);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!rec) return;
    transport
      .call('overrides.pending', { reconciliation: rec })
      .then((p) => setPending(p as unknown as Pending[]))
      .catch((e) => setError(errorText(e)));
  }, [transport, rec, revision, tick]);

  const decide = (id: number, decision: 'approve' | 'reject') => {
    setError(null);
    transport
      .call('overrides.decide', { overrideId: id, decision, note: notes[id] ?? '' })
      .then(() => {
        setMessage(`Override #${id} ${decision === 'approve' ? 'approved' : 'rejected'}`);
        setTick((t) => t + 1);
      })
      .catch((e) => setError(errorText(e)));
  };

  return (
    <section className="wizard" aria-label="Approvals">
      <h2>Approvals</h2>
      <select aria-label="Reconciliation for approvals" value={rec ?? ''} onChange={(e) => setRec(e.target.value)}>
        {recs.map((r) => (
          <option key={r.id}>{r.name}</option>
        ))}
      </select>
      {message && <p role="status">{message}</p>}
      <ErrorBanner error={error} />
      {pending.length === 0 && <p className="empty">Nothing waits for approval.</p>}
      {pending.map((p) => {
        const o = p;
        return (
          <article key={o.id} className="approval" aria-label={`Override ${o.id}`}>
            <h3>
              #{o.id} {o.type} by {o.maker} <span className="muted">{o.madeAt.replace('T', ' ').slice(0, 16)}</span>
            </h3>
            <p>
              Reason <strong>{o.reasonCode}</strong>
              {o.note ? `: “${o.note}”` : ''}
              {o.amountMinor !== null && o.currency ? `; amount ${displayMinor(o.amountMinor, o.currency)} ${o.currency}` : ''}
              {p.approvalReason ? ` (${p.approvalReason})` : ''}
            </p>
            <ul>
              {p.context.items.map((i) => (
                <li key={i.itemId}>
                  {i.class} {i.itemId}: {displayMinor(i.amountMinor, i.currency)} {i.currency} at risk {i.detail ? `— ${i.detail}` : ''}
                </li>
              ))}
            </ul>
            <input aria-label={`Decision note for ${o.id}`} placeholder="comment (required)" value={notes[o.id] ?? ''} onChange={(e) => setNotes({ ...notes, [o.id]: e.target.value })} />
            <button type="button" className="primary" disabled={!notes[o.id]?.trim()} onClick={() => decide(o.id, 'approve')}>
              Approve
            </button>
            <button type="button" disabled={!notes[o.id]?.trim()} onClick={() => decide(o.id, 'reject')}>
              Reject
            </button>
          </article>
        );
      })}
      {rec && (
        <details className="recent-overrides">
          <summary>Recent overrides (reverse one, or a whole bulk action)</summary>
          <OverrideHistory
            reconciliation={rec}
            revision={revision + tick}
            latest={200}
            run={async (what) => {
              setError(null);
              try {
                setMessage(await what());
              } catch (e) {
                setError(errorText(e));
              }
              setTick((t) => t + 1);
            }}
          />
        </details>
      )}
      <ReasonCodes revision={revision} />
    </section>
  );
}
