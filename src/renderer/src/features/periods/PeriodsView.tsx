import { useEffect, useState } from 'react';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { useReconciliationChoice } from '../../app/use-reconciliations.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';

interface LockEvent {
  id: number;
  period: string;
  action: 'sign_off' | 'unlock';
  actor: string;
  approver: string | null;
  reason: string | null;
  at: string;
}
interface Period {
  period: string;
  records: number;
  state: 'open' | 'signed_off' | 'unlocked';
  events: LockEvent[];
  unlockRequest: { actor: string; reason: string; at: string } | null;
  history: { seq: number; at: string; actor: string; action: string; note: string | null; approver: string | null }[];
}

const EVENT_LABEL: Record<string, string> = {
  'period.sign_off': 'signed off',
  'period.unlock_request': 'asked to unlock',
  'period.unlock_reject': 'refused the unlock',
  'period.unlock': 'unlocked',
};

const STATE_LABEL: Record<Period['state'], string> = { open: 'open', signed_off: 'signed off', unlocked: 'unlocked' };

/**
 * Month-end sign-off: each month of the reconciliation's data, open, signed off (locked: the core
 * refuses any change to records dated in it) or unlocked again. Unlocking is asked for with a
 * reason and agreed by a different approver.
 */
export function PeriodsView({ revision }: { revision: number }) {
  const transport = useTransport();
  const [periods, setPeriods] = useState<Period[]>([]);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { recs, rec, setRec } = useReconciliationChoice(revision, setError);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!rec) return;
    transport
      .call('periods.list', { reconciliation: rec })
      .then((p) => setPeriods(p as unknown as Period[]))
      .catch((e) => setError(errorText(e)));
  }, [transport, rec, revision, tick]);

  const act = (period: string, what: () => Promise<string>) => {
    setError(null);
    setMessage(null);
    what()
      .then((m) => {
        setMessage(m);
        setNotes((n) => ({ ...n, [period]: '' }));
      })
      .catch((e) => setError(errorText(e)))
      .finally(() => setTick((t) => t + 1));
  };
  const note = (p: string) => notes[p]?.trim() ?? '';

  const signOff = (p: string) =>
    act(p, async () => {
      await transport.call('periods.signOff', { reconciliation: rec!, period: p, ...(note(p) && { note: note(p) }) });
      return `Signed off ${p}: changes to it are now refused`;
    });
  const requestUnlock = (p: string) =>
    act(p, async () => {
      await transport.call('periods.requestUnlock', { reconciliation: rec!, period: p, reason: note(p) });
      return `Unlock of ${p} asked for; an approver other than you decides`;
    });
  const decide = (p: string, decision: 'approve' | 'reject') =>
    act(p, async () => {
      await transport.call('periods.decideUnlock', { reconciliation: rec!, period: p, decision, ...(note(p) && { note: note(p) }) });
      return decision === 'approve' ? `Unlocked ${p}` : `Unlock of ${p} refused; it stays signed off`;
    });

  const history = periods.flatMap((p) => p.history.map((h) => ({ ...h, period: p.period }))).sort((a, b) => a.seq - b.seq);
  return (
    <section className="wizard" aria-label="Periods">
      <h2>Periods</h2>
      <select aria-label="Reconciliation for periods" value={rec ?? ''} onChange={(e) => setRec(e.target.value)}>
        {recs.map((r) => (
          <option key={r.id}>{r.name}</option>
        ))}
      </select>
      {message && <p role="status">{message}</p>}
      <ErrorBanner error={error} />
      {periods.length === 0 && <p className="empty">No dated records in this reconciliation yet.</p>}
      {periods.length > 0 && (
        <table className="mapping" aria-label="Period list">
          <thead>
            <tr>
              <th>Period</th>
              <th>Records</th>
              <th>State</th>
              <th>Latest</th>
              <th>Note / reason</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {periods.map((p) => {
              const last = p.events.at(-1);
              return (
                <tr key={p.period} aria-label={`Period ${p.period}`}>
                  <td>{p.period}</td>
                  <td>{p.records.toLocaleString('en-US')}</td>
                  <td data-testid={`period-state-${p.period}`}>
                    {STATE_LABEL[p.state]}
                    {p.unlockRequest && <span className="warning"> · unlock asked by {p.unlockRequest.actor}: “{p.unlockRequest.reason}”</span>}
                  </td>
                  <td className="muted">
                    {last ? `${last.action === 'sign_off' ? 'signed off' : 'unlocked'} by ${last.actor}${last.approver ? `, approved by ${last.approver}` : ''} ${last.at.replace('T', ' ').slice(0, 16)}` : ''}
                  </td>
                  <td>
                    <input
                      aria-label={`Note for ${p.period}`}
                      placeholder={p.state === 'signed_off' ? (p.unlockRequest ? 'comment (needed to refuse)' : 'reason (required)') : 'sign-off note'}
                      value={notes[p.period] ?? ''}
                      onChange={(e) => setNotes({ ...notes, [p.period]: e.target.value })}
                    />
                  </td>
                  <td>
                    {p.state !== 'signed_off' && (
                      <button type="button" aria-label={`Sign off ${p.period}`} onClick={() => signOff(p.period)}>
                        Sign off
                      </button>
                    )}
                    {p.state === 'signed_off' && !p.unlockRequest && (
                      <button type="button" aria-label={`Ask to unlock ${p.period}`} disabled={!note(p.period)} onClick={() => requestUnlock(p.period)}>
                        Ask to unlock
                      </button>
                    )}
                    {p.unlockRequest && (
                      <>
                        <button type="button" className="primary" aria-label={`Approve unlock of ${p.period}`} onClick={() => decide(p.period, 'approve')}>
                          Approve unlock
                        </button>
                        <button type="button" aria-label={`Refuse unlock of ${p.period}`} disabled={!note(p.period)} onClick={() => decide(p.period, 'reject')}>
                          Refuse
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {history.length > 0 && (
        <>
          <h3>Sign-off history</h3>
          <ol className="timeline" aria-label="Sign-off history">
            {history.map((e) => (
              <li key={e.seq}>
                <span className="muted">{e.at.replace('T', ' ').slice(0, 19)}</span> {e.period}: {e.actor} {EVENT_LABEL[e.action] ?? e.action}
                {e.approver ? `, approved by ${e.approver}` : ''}
                {e.note ? ` (${e.note})` : ''}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
