import { useEffect, useState } from 'react';
import type { UserInfo } from '../../../../shared/contract.js';
import { useTransport } from '../../app/use-core.js';

/** Who is acting: every action records this person; switching is itself an audit event. */
export function UserSwitcher({ revision, onSwitched, onError }: { revision: number; onSwitched(): void; onError(e: unknown): void }) {
  const transport = useTransport();
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  useEffect(() => {
    transport
      .call('users.list', {})
      .then((r) => {
        setUsers(r.users);
        setCurrent(r.current);
      })
      .catch(onError);
  }, [transport, revision, onError]);
  if (users.length === 0) return null;
  return (
    <label className="user-switcher">
      Acting as{' '}
      <select
        aria-label="Acting user"
        value={current ?? ''}
        onChange={(e) =>
          void transport
            .call('users.switch', { userId: e.target.value })
            .then((u) => {
              setCurrent(u.id);
              onSwitched();
            })
            .catch(onError)
        }
      >
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name} ({u.role})
          </option>
        ))}
      </select>
    </label>
  );
}
