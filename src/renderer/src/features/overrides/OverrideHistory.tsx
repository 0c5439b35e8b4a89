import { useEffect, useState } from 'react';
import { displayMinor } from '../../../../shared/money.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { ReasonCodeSelect, useReasonCodes } from './reason-codes.js';

export interface OverrideEntry {
  id: number;
  type: string;
  target: string;
  status: string;
  reasonCode: string | null;
  note: string | null;
  amountMinor: number | null;
  currency: string | null;
  maker: string;
  madeAt: string;
  checker: string | null;
  reverses: number | null;
  bulkId: string | null;
}

/** What a reversal undoes: one override, or every applied override of a bulk action. */
type Undo = { kind: 'one'; id: number } | { kind: 'bulk'; bulkId: string; id: number };

/**
 * The overrides of an item or group (or of a whole reconciliation), oldest first, each applied
 * one with "Reverse", and a bulk action's with "Reverse bulk". A reversal needs a reason code and
 * a note, and is itself listed.
 */
export function OverrideHistory({
  reconciliation,
  itemId,
  revision,
  run,
  latest,
  onLoaded,
}: {
  reconciliation: string;
  itemId?: string;
  revision: number;
  run(what: () => Promise<string>): Promise<void>;
  /** Show only the latest N (a whole reconciliation's history can be long). */
  latest?: number;
  /** Told the list each time it is read, for callers that show state derived from it. */
  onLoaded?(list: OverrideEntry[]): void;
}) {
  const transport = useTransport();
  const [list, setList] = useState<OverrideEntry[]>([]);
  const [undo, setUndo] = useState<Undo | null>(null);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const codes = useReasonCodes('reversal', setError);

  useEffect(() => {
    transport
      .call('overrides.list', { reconciliation, ...(itemId && { itemId }), ...(latest !== undefined && { latest }) })
      .then((l) => {
        const all = l as unknown as OverrideEntry[];
        setList(all);
        onLoaded?.(all);
      })
      .catch((e) => setError(errorText(e)));
  }, [transport, reconciliation, itemId, revision, latest]);

  const confirm = (u: Undo) =>
    run(async () => {
      const text = note.trim() ? { note: note.trim() } : {};
      if (u.kind === 'one') {
        const r = (await transport.call('overrides.reverse', { overrideId: u.id, reasonCode: reason, ...text })) as unknown as { id: number };
        setUndo(null);
        return `Override #${u.id} reversed (reversal #${r.id})`;
      }
      const r = await transport.call('overrides.reverseBulk', { bulkId: u.bulkId, reasonCode: reason, ...text });
      setUndo(null);
      return `Bulk action reversed: ${r.reversals.length} overrides undone`;
    });

  if (list.length === 0) return error ? <p className="error-banner">{error}</p> : null;
  return (
    <div className="override-history">
      <h4>Overrides</h4>
      <table className="mapping" aria-label="Override history">
        <thead>
          <tr>
            <th>#</th>
            <th>Type</th>
            <th>Status</th>
            <th>Reason</th>
            <th>By</th>
            <th>When</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((o) => (
            <tr key={o.id} data-testid={`override-${o.id}`}>
              <td>{o.id}</td>
              <td>
                {o.type === 'reversal' ? `reversal of #${o.reverses}` : o.type}
                {o.amountMinor !== null && o.currency && o.type !== 'reversal' ? ` ${displayMinor(o.amountMinor, o.currency)} ${o.currency}` : ''}
                {o.bulkId && o.type !== 'reversal' ? <span className="muted"> (bulk)</span> : null}
              </td>
              <td>{o.status.replace('_', ' ')}</td>
              <td>
                {o.reasonCode}
                {o.note ? `: “${o.note}”` : ''}
              </td>
              <td>
                {o.maker}
                {o.checker ? ` / ${o.checker}` : ''}
              </td>
              <td className="muted">{o.madeAt.replace('T', ' ').slice(0, 16)}</td>
              <td>
                {o.status === 'applied' && o.type !== 'reversal' && (
                  <>
                    <button type="button" aria-label={`Reverse override ${o.id}`} onClick={() => setUndo({ kind: 'one', id: o.id })}>
                      Reverse
                    </button>
                    {o.bulkId && (
                      <button type="button" aria-label={`Reverse bulk of override ${o.id}`} onClick={() => setUndo({ kind: 'bulk', bulkId: o.bulkId!, id: o.id })}>
                        Reverse bulk
                      </button>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {undo && (
        <form
          className="override-form"
          aria-label="Reversal"
          onSubmit={(e) => {
            e.preventDefault();
            void confirm(undo);
          }}
        >
          <span>{undo.kind === 'one' ? `Reverse override #${undo.id}` : `Reverse the whole bulk action of #${undo.id}`}</span>
          <ReasonCodeSelect label="Reversal reason code" codes={codes} value={reason} onChange={setReason} />
          <input aria-label="Reversal note" placeholder="why it is undone" value={note} onChange={(e) => setNote(e.target.value)} />
          <button type="submit" className="primary" disabled={!reason}>
            Confirm reversal
          </button>
          <button type="button" onClick={() => setUndo(null)}>
            Cancel
          </button>
        </form>
      )}
      {error && <p className="error-banner">{error}</p>}
    </div>
  );
}
