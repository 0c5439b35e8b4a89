import { useState } from 'react';
import { useTransport } from '../../app/use-core.js';

/** Confirm a suggested match group (it becomes a decided match) or reject it (its records stay apart). */
export function SuggestionDecision({ reconciliation, groupId, run }: { reconciliation: string; groupId: string; run(what: () => Promise<string>): Promise<void> }) {
  const transport = useTransport();
  const [note, setNote] = useState('');
  const decide = (decision: 'confirm' | 'reject') =>
    run(async () => {
      const r = await transport.call('suggestions.decide', { reconciliation, groupIds: [groupId], decision, ...(note.trim() && { note: note.trim() }) });
      if (r.decided === 0) throw new Error(r.skipped[0]?.reason ?? 'Nothing was decided');
      return decision === 'confirm' ? 'Suggestion confirmed' : 'Suggestion rejected';
    });
  return (
    <div className="override-form" role="group" aria-label="Suggested match">
      <input aria-label="Suggestion note" placeholder="note (optional)" value={note} onChange={(e) => setNote(e.target.value)} />
      <button type="button" className="primary" onClick={() => void decide('confirm')}>
        Confirm match
      </button>
      <button type="button" onClick={() => void decide('reject')}>
        Reject match
      </button>
    </div>
  );
}
