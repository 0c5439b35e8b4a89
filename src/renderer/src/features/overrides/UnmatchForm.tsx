import { useState } from 'react';
import { useTransport } from '../../app/use-core.js';
import { ReasonCodeSelect, useReasonCodes } from './reason-codes.js';

interface Made {
  id: number;
  status: string;
  approvalReason: string | null;
}

/**
 * Breaks a match group with a reason code and a note (an `unmatch` override): its records become
 * unmatched items again. When the code asks for approval it waits, and nothing changes until then.
 */
export function UnmatchForm({ reconciliation, groupId, run }: { reconciliation: string; groupId: string; run(what: () => Promise<string>): Promise<void> }) {
  const transport = useTransport();
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const codes = useReasonCodes('unmatch', setError);
  const submit = () =>
    run(async () => {
      const r = (await transport.call('overrides.make', { reconciliation, request: { type: 'unmatch', groupId, reasonCode: reason, ...(note.trim() && { note: note.trim() }) } })) as unknown as Made;
      return r.status === 'pending_approval' ? `Unmatch (override #${r.id}) waits for approval: ${r.approvalReason}` : `Group unmatched (override #${r.id}): its records are unmatched items again`;
    });
  return (
    <form
      className="override-form"
      aria-label="Unmatch"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <ReasonCodeSelect label="Unmatch reason code" codes={codes} value={reason} onChange={setReason} />
      <input aria-label="Unmatch note" placeholder="why these records do not belong together" value={note} onChange={(e) => setNote(e.target.value)} />
      <button type="submit" disabled={!reason}>
        Unmatch
      </button>
      {error && <span className="error-banner">{error}</span>}
    </form>
  );
}
