import { useEffect, useMemo, useState } from 'react';
import type { UserInfo } from '../../../../shared/contract.js';
import { displayMinor } from '../../../../shared/money.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { ReasonCodeSelect, useReasonCodes } from '../overrides/reason-codes.js';

interface Preview {
  count: number;
  totals: { currency: string; amountMinor: number }[];
  willChange?: number;
  needApproval?: number;
  refused?: unknown[];
}

type Kind = 'assign' | 'status' | 'resolve' | 'write_off' | 'confirm' | 'reject';
const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'assign', label: 'Assign to' },
  { kind: 'status', label: 'Set status' },
  { kind: 'resolve', label: 'Resolve (accept variances) with a reason code' },
  { kind: 'write_off', label: 'Write off with a reason code' },
  { kind: 'confirm', label: 'Confirm suggested matches' },
  { kind: 'reject', label: 'Reject suggested matches' },
];
const STATUSES = ['open', 'investigating', 'resolved', 'written_off'] as const;
/** suggestions.decide takes this many groups per call; each call is one bulk override. */
const DECIDE_CHUNK = 10_000;

/**
 * A bulk action on every open item the grid's class filter selects (or on the open suggestions):
 * assign, change status, resolve or write off with one reason code, confirm or reject suggestions.
 * The count and total show before anything is applied, and a justification is required.
 */
export function BulkActions({ reconciliation, classFilter, onApplied }: { reconciliation: string; classFilter: string; onApplied(): void }) {
  const transport = useTransport();
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<Kind>('assign');
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [owner, setOwner] = useState('');
  const [to, setTo] = useState<(typeof STATUSES)[number]>('investigating');
  const [reason, setReason] = useState('');
  const [why, setWhy] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const codes = useReasonCodes(kind === 'write_off' ? 'write_off' : kind === 'resolve' ? 'accept_variance' : 'force_match', setError);
  const suggestions = kind === 'confirm' || kind === 'reject';
  const selection = useMemo(
    () => ({
      filter: suggestions ? { status: ['open', 'investigating'], kind: ['suggestion'] } : { status: ['open', 'investigating'], ...(classFilter && { class: [classFilter] }) },
    }),
    [suggestions, classFilter],
  );
  const action = useMemo(() => {
    switch (kind) {
      case 'assign':
        return owner ? { type: 'assign', owner } : null;
      case 'status':
        return { type: 'status', to };
      case 'resolve':
      case 'write_off':
        return reason ? { type: 'resolve', reasonCode: reason, writeOff: kind === 'write_off' } : null;
      default:
        // Suggestions are decided through suggestions.decide; the preview only counts them.
        return { type: 'status', to: 'resolved' };
    }
  }, [kind, owner, to, reason]);

  useEffect(() => {
    if (!open) return;
    transport.call('users.list', {}).then((u) => {
      setUsers(u.users);
      setOwner((o) => o || u.users[0]?.id || '');
    });
  }, [transport, open]);
  useEffect(() => {
    setReason('');
  }, [kind]);
  useEffect(() => {
    if (!open || !action) return setPreview(null);
    setPreview(null);
    setError(null);
    transport
      .call('items.bulkPreview', { reconciliation, selection, action })
      .then((p) => setPreview(p as unknown as Preview))
      .catch((e) => setError(errorText(e)));
  }, [transport, open, reconciliation, selection, action]);

  /** Every open suggestion's group id (item ids of suggestions are their group ids). */
  const suggestionIds = async (): Promise<string[]> => {
    const ids: string[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await transport.call('items.page', { reconciliation, filter: selection.filter, offset, limit: 1000 });
      for (const it of page.items) ids.push(String(it['itemId']));
      if (page.items.length < 1000) return ids;
    }
  };

  const apply = async () => {
    setError(null);
    setDone(null);
    try {
      if (suggestions) {
        const ids = await suggestionIds();
        let decided = 0;
        for (let i = 0; i < ids.length; i += DECIDE_CHUNK) {
          const r = await transport.call('suggestions.decide', { reconciliation, groupIds: ids.slice(i, i + DECIDE_CHUNK), decision: kind === 'confirm' ? 'confirm' : 'reject', note: why.trim() });
          decided += r.decided;
        }
        setDone(`${kind === 'confirm' ? 'Confirmed' : 'Rejected'} ${decided} suggested matches`);
      } else {
        const r = (await transport.call('items.bulkApply', { reconciliation, selection, action: action!, justification: why, expectCount: preview!.count })) as { changed: number; needApproval?: number };
        const what = kind === 'assign' ? `Assigned ${r.changed} items to ${owner}` : kind === 'status' ? `Set ${r.changed} items to ${to}` : `${kind === 'write_off' ? 'Wrote off' : 'Resolved'} ${r.changed} items with ${reason}`;
        setDone(`${what}${r.needApproval ? `; ${r.needApproval} wait for approval` : ''}`);
      }
      onApplied();
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Bulk action…
      </button>
    );
  return (
    <div className="bulk" role="dialog" aria-label="Bulk action">
      <select aria-label="Bulk action kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
        {KINDS.map((k) => (
          <option key={k.kind} value={k.kind}>
            {k.label}
          </option>
        ))}
      </select>
      {kind === 'assign' && (
        <select aria-label="Assign to" value={owner} onChange={(e) => setOwner(e.target.value)}>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name} ({u.role})
            </option>
          ))}
        </select>
      )}
      {kind === 'status' && (
        <select aria-label="Bulk status" value={to} onChange={(e) => setTo(e.target.value as (typeof STATUSES)[number])}>
          {STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      )}
      {(kind === 'resolve' || kind === 'write_off') && <ReasonCodeSelect label="Bulk reason code" codes={codes} value={reason} onChange={setReason} />}
      {preview && (
        <span data-testid="bulk-preview">
          {preview.count} {suggestions ? 'suggestions' : 'items'}, {preview.totals.map((t) => `${displayMinor(t.amountMinor, t.currency)} ${t.currency}`).join(' + ') || 'no amount'}
          {!suggestions && preview.needApproval ? ` (${preview.needApproval} will need approval)` : ''}
        </span>
      )}
      <input aria-label="Justification" placeholder="justification (required)" value={why} onChange={(e) => setWhy(e.target.value)} />
      <button type="button" className="primary" disabled={!why.trim() || !preview || preview.count === 0} onClick={() => void apply()}>
        Apply
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Close
      </button>
      {done && <span role="status">{done}</span>}
      {error && <span className="issues">{error}</span>}
    </div>
  );
}
