import { useCallback, useEffect, useState } from 'react';
import type { SavedView, SavedViewState } from '../../../../../shared/contract.js';
import { errorText } from '../../../app/error-text.js';
import { useTransport } from '../../../app/use-core.js';

/**
 * Named layouts of the review grid for one reconciliation: pick one to apply it, save the current
 * columns, sort and filters under a name (the same name replaces it), or delete one.
 */
export function SavedViews({ reconciliation, capture, apply }: { reconciliation: string; capture(): SavedViewState; apply(state: SavedViewState): void }) {
  const transport = useTransport();
  const [views, setViews] = useState<SavedView[]>([]);
  const [chosen, setChosen] = useState('');
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    transport
      .call('views.list', { reconciliation })
      .then(setViews)
      .catch((e) => setError(errorText(e)));
  }, [transport, reconciliation]);
  useEffect(load, [load]);

  const choose = (n: string) => {
    setChosen(n);
    const v = views.find((x) => x.name === n);
    if (v) {
      apply(v.state);
      setMessage(`View “${v.name}” applied`);
    }
  };
  const save = () => {
    setError(null);
    transport
      .call('views.save', { reconciliation, name, state: capture() })
      .then((v) => {
        setNaming(false);
        setName('');
        setChosen(v.name);
        setMessage(`View “${v.name}” saved`);
        load();
      })
      .catch((e) => setError(errorText(e)));
  };
  const remove = () => {
    if (!chosen) return;
    transport
      .call('views.delete', { reconciliation, name: chosen })
      .then(() => {
        setMessage(`View “${chosen}” deleted`);
        setChosen('');
        load();
      })
      .catch((e) => setError(errorText(e)));
  };

  return (
    <span className="saved-views" role="group" aria-label="Saved views">
      <select aria-label="Saved view" value={chosen} onChange={(e) => choose(e.target.value)}>
        <option value="">Views…</option>
        {views.map((v) => (
          <option key={v.id} value={v.name}>
            {v.name}
          </option>
        ))}
      </select>
      {naming ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <input
            aria-label="View name"
            placeholder="view name"
            autoFocus
            value={name}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setNaming(false)}
          />
          <button type="submit" disabled={!name.trim()}>
            Save
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => (setNaming(true), setName(chosen))}>
          Save view…
        </button>
      )}
      <button type="button" disabled={!chosen} onClick={remove} aria-label="Delete saved view">
        Delete view
      </button>
      {message && (
        <span className="muted" role="status" data-testid="view-message">
          {message}
        </span>
      )}
      {error && <span className="issues">{error}</span>}
    </span>
  );
}
