import { useEffect, useState } from 'react';
import type { UserInfo } from '../../../../shared/contract.js';
import { displayMinor } from '../../../../shared/money.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';

interface Preview {
  count: number;
  totals: { currency: string; amountMinor: number }[];
}

/** Assign every open item of the current class filter: shows count and total first, needs a justification. */
export function BulkAssign({ reconciliation, classFilter }: { reconciliation: string; classFilter: string }) {
  const transport = useTransport();
  const [open, setOpen] = useState(false);
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [owner, setOwner] = useState('');
  const [why, setWhy] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const selection = { filter: { status: ['open', 'investigating'], ...(classFilter && { class: [classFilter] }) } };

  useEffect(() => {
    if (!open) return;
    transport.call('users.list', {}).then((u) => {
      setUsers(u.users);
      setOwner((o) => o || u.users[0]?.id || '');
    });
  }, [transport, open]);
  useEffect(() => {
    if (!open || !owner) return;
    setPreview(null);
    transport
      .call('items.bulkPreview', { reconciliation, selection, action: { type: 'assign', owner } })
      .then((p) => setPreview(p as unknown as Preview))
      .catch((e) => setError(errorText(e)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [transport, open, owner, reconciliation, classFilter]);

  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Bulk assign…
      </button>
    );
  return (
    <div className="bulk" role="dialog" aria-label="Bulk assign">
      <select aria-label="Assign to" value={owner} onChange={(e) => setOwner(e.target.value)}>
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name} ({u.role})
          </option>
        ))}
      </select>
      {preview && (
        <span data-testid="bulk-preview">
          {preview.count} items, {preview.totals.map((t) => `${displayMinor(t.amountMinor, t.currency)} ${t.currency}`).join(' + ') || 'no amount'}
        </span>
      )}
      <input aria-label="Justification" placeholder="justification (required)" value={why} onChange={(e) => setWhy(e.target.value)} />
      <button
        type="button"
        className="primary"
        disabled={!why.trim() || !preview}
        onClick={() =>
          void transport
            .call('items.bulkApply', { reconciliation, selection, action: { type: 'assign', owner }, justification: why, expectCount: preview!.count })
            .then(() => setDone(`Assigned ${preview!.count} items to ${owner}`))
            .catch((e) => setError(errorText(e)))
        }
      >
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
