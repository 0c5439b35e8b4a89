import { useEffect, useState } from 'react';
import type { UserInfo } from '../../../../../shared/contract.js';
import { errorText } from '../../../app/error-text.js';
import { useTransport } from '../../../app/use-core.js';

/**
 * The `a` key's picker: assign one item to a person, with the justification every reassignment
 * needs. It goes through the bulk assign call with a one-item selection, so it is audited the same way.
 */
export function AssignPrompt({ reconciliation, itemId, onDone, onClose }: { reconciliation: string; itemId: string; onDone(message: string): void; onClose(): void }) {
  const transport = useTransport();
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [owner, setOwner] = useState('');
  const [why, setWhy] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    transport
      .call('users.list', {})
      .then((u) => {
        setUsers(u.users.filter((x) => x.role !== 'auditor'));
        setOwner((o) => o || u.current || '');
      })
      .catch((e) => setError(errorText(e)));
  }, [transport]);

  const submit = () =>
    transport
      .call('items.bulkApply', { reconciliation, selection: { itemIds: [itemId] }, action: { type: 'assign', owner }, justification: why, expectCount: 1 })
      .then(() => onDone(`Assigned ${itemId} to ${owner}`))
      .catch((e) => setError(errorText(e)));

  return (
    <form
      className="assign-prompt"
      role="dialog"
      aria-label="Assign item"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
      onSubmit={(e) => {
        e.preventDefault();
        if (owner && why.trim()) void submit();
      }}
    >
      <strong>Assign {itemId}</strong>
      <select aria-label="Assign item to" autoFocus value={owner} onChange={(e) => setOwner(e.target.value)}>
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name} ({u.id})
          </option>
        ))}
      </select>
      <input aria-label="Why" placeholder="why (required)" value={why} onChange={(e) => setWhy(e.target.value)} />
      <button type="submit" className="primary" disabled={!owner || !why.trim()}>
        Assign
      </button>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      {error && <span className="issues">{error}</span>}
    </form>
  );
}
