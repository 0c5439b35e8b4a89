import { useCallback, useEffect, useState } from 'react';
import type { ReviewMember, ReviewRow, UserInfo } from '../../../../shared/contract.js';
import { displayMinor } from '../../../../shared/money.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { ExplanationPanel, MembersPane } from '../review/ExplanationPanel.js';
import { ItemPanel } from '../review/ItemPanel.js';
import { EXCEPTION_CLASSES } from '../../../../shared/decisions.js';
import { useReconciliationChoice } from '../../app/use-reconciliations.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';

interface QueueItem {
  itemId: string;
  kind: 'exception' | 'suggestion';
  class: string;
  status: string;
  owner: string | null;
  ownerName: string | null;
  claimedBy: string | null;
  amountMinor: number;
  currency: string;
  lastSeenRun: number;
  dueAt: string;
  ageHours: number;
  sla: 'ok' | 'due_soon' | 'breached';
  detail: string | null;
}

const PAGE = 100;
const SLA_LABEL = { ok: 'on time', due_soon: 'due soon', breached: 'breached' } as const;
const CLASSES: readonly string[] = [...EXCEPTION_CLASSES, 'suggested'];

function ageText(hours: number): string {
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
}

/** The exception queue: open work, most urgent first (breached, then due soonest), with "mine" a click away. */
export function QueueView({ revision }: { revision: number }) {
  const transport = useTransport();
  const [me, setMe] = useState<string | null>(null);
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [mine, setMine] = useState(false);
  const [sla, setSla] = useState('');
  const [cls, setCls] = useState('');
  const [closed, setClosed] = useState(false);
  const [items, setItems] = useState<QueueItem[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [limit, setLimit] = useState(PAGE);
  const [open, setOpen] = useState<{ item: QueueItem; row: ReviewRow; members: ReviewMember[]; explanation: unknown; detail: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { recs, rec, setRec } = useReconciliationChoice(revision, setError);

  useEffect(() => {
    transport
      .call('users.list', {})
      .then((u) => {
        setMe(u.current);
        setUsers(u.users);
      })
      .catch((e) => setError(errorText(e)));
  }, [transport, revision]);

  useEffect(() => {
    if (!rec) return;
    const filter = {
      status: closed ? ['open', 'investigating', 'pending_approval', 'resolved', 'written_off'] : ['open', 'investigating', 'pending_approval'],
      ...(mine && me && { owner: [me] }),
      ...(sla && { sla: [sla] }),
      ...(cls && { class: [cls] }),
    };
    // Answers can come back out of order (a user switch refetches while a filter changes): only
    // the latest request may fill the table.
    let stale = false;
    transport
      .call('items.page', { reconciliation: rec, filter, sort: { by: 'urgency' }, offset: 0, limit })
      .then((p) => {
        if (stale) return;
        setItems(p.items as unknown as QueueItem[]);
        setTotal(p.total);
      })
      .catch((e) => setError(errorText(e)));
    return () => {
      stale = true;
    };
  }, [transport, rec, mine, me, sla, cls, closed, limit, revision]);

  const openItem = useCallback(
    (item: QueueItem) => {
      transport
        .call('review.detail', { runId: item.lastSeenRun, rowId: item.itemId })
        .then((d) => setOpen({ item, ...d }))
        .catch((e) => setError(errorText(e)));
    },
    [transport],
  );
  const name = (id: string | null) => (id === null ? '—' : (users.find((u) => u.id === id)?.name ?? id));

  return (
    <section className="queue" aria-label="Queue">
      <div className="toolbar">
        <select aria-label="Reconciliation" value={rec ?? ''} onChange={(e) => setRec(e.target.value)}>
          {recs.map((r) => (
            <option key={r.id}>{r.name}</option>
          ))}
        </select>
        <label className="chip-toggle">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> mine{me ? ` (${me})` : ''}
        </label>
        <select aria-label="Queue SLA" value={sla} onChange={(e) => setSla(e.target.value)}>
          <option value="">any SLA</option>
          <option value="breached">breached</option>
          <option value="due_soon">due soon</option>
          <option value="ok">on time</option>
        </select>
        <select aria-label="Queue class" value={cls} onChange={(e) => setCls(e.target.value)}>
          <option value="">all classes</option>
          {CLASSES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <label className="chip-toggle">
          <input type="checkbox" checked={closed} onChange={(e) => setClosed(e.target.checked)} /> include closed
        </label>
        <span className="muted" data-testid="queue-count">
          {total === null ? '' : `${total.toLocaleString('en-US')} items`}
        </span>
      </div>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <div className="review-body">
        <div className="queue-list">
          <table className="mapping queue-table" aria-label="Exception queue">
            <thead>
              <tr>
                <th>Item</th>
                <th>Class</th>
                <th>Status</th>
                <th>Owner</th>
                <th className="num">At risk</th>
                <th>Age</th>
                <th>Due</th>
                <th>SLA</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.itemId} className={open?.item.itemId === i.itemId ? 'selected' : ''} data-item={i.itemId}>
                  <td>
                    <button type="button" className="link" onClick={() => openItem(i)} aria-label={`Open ${i.itemId}`}>
                      {i.itemId}
                    </button>
                    {i.detail && <div className="muted">{i.detail}</div>}
                  </td>
                  <td>{i.class}</td>
                  <td>{i.status}</td>
                  <td data-testid="queue-owner">{name(i.owner)}</td>
                  <td className="num">
                    {displayMinor(i.amountMinor, i.currency)} {i.currency}
                  </td>
                  <td>{ageText(i.ageHours)}</td>
                  <td>{i.dueAt.replace('T', ' ').slice(0, 16)}</td>
                  <td className={`sla-${i.sla}`}>{SLA_LABEL[i.sla]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {total !== null && items.length < total && (
            <button type="button" onClick={() => setLimit((l) => Math.min(1000, l + PAGE))} disabled={limit >= 1000}>
              Show more ({items.length} of {total.toLocaleString('en-US')})
            </button>
          )}
          {total === 0 && <p className="empty">Nothing in the queue for this filter.</p>}
        </div>
        {open && rec && (
          <aside className="detail-pane" aria-label={`Detail of ${open.row.rowId}`}>
            <h3>
              {open.row.kind === 'group' ? `Suggested group ${open.row.rowId}` : `${open.row.class} ${open.row.rowId}`} <span className="muted">{open.item.status}</span>
            </h3>
            <MembersPane row={open.row} members={open.members} />
            <ItemPanel key={open.row.rowId} reconciliation={rec} row={open.row} members={open.members} onChanged={() => {}} />
            <ExplanationPanel explanation={open.explanation} detail={open.detail} />
          </aside>
        )}
      </div>
    </section>
  );
}
