import { useState } from 'react';
import type { ReviewMember } from '../../../../shared/contract.js';
import { formatMinor } from '../../../../shared/money.js';
import { useTransport } from '../../app/use-core.js';
import { ReasonCodeSelect, useReasonCodes } from './reason-codes.js';

interface Made {
  id: number;
  status: string;
  approvalReason: string | null;
}

/** Fields an analyst may correct: everything the record carries except Tieout's own (`_…`). */
function correctable(m: ReviewMember): string[] {
  return Object.keys(m.fields).filter((f) => !f.startsWith('_'));
}

/** The current value as the user would type it: money fields hold minor units, so only the amount (whose currency is known) is shown as a decimal. */
function prefill(m: ReviewMember, field: string): string {
  const now = m.fields[field];
  if (now === null || now === undefined) return '';
  if (typeof now === 'string') return now;
  if (now === m.amount && m.currency) return formatMinor(now, m.currency);
  return '';
}

/**
 * Corrects a value of one source record (an `adjust` override). The original stays as imported;
 * a corrected version replaces it for the next run, and the change can be reversed.
 */
export function CorrectRecordForm({ reconciliation, members, run }: { reconciliation: string; members: ReviewMember[]; run(what: () => Promise<string>): Promise<void> }) {
  const transport = useTransport();
  const [recordId, setRecordId] = useState(members[0]?.recordId ?? 0);
  const member = members.find((m) => m.recordId === recordId) ?? members[0];
  const [field, setField] = useState('');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const codes = useReasonCodes('adjust', setError);
  if (!member) return null;
  const fields = correctable(member);
  const chosen = field && fields.includes(field) ? field : '';
  const submit = () =>
    run(async () => {
      const r = (await transport.call('overrides.make', {
        reconciliation,
        request: { type: 'adjust', recordId: member.recordId, changes: [{ field: chosen, value }], reasonCode: reason, ...(note.trim() && { note: note.trim() }) },
      })) as unknown as Made;
      setValue('');
      return r.status === 'pending_approval'
        ? `Correction (override #${r.id}) waits for approval: ${r.approvalReason}`
        : `Record ${member.recordId} corrected (override #${r.id}): the original is kept, the corrected version counts from the next run`;
    });
  return (
    <details className="correct-record">
      <summary>Correct a source record…</summary>
      <form
        className="override-form"
        aria-label="Correct record"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <select aria-label="Record to correct" value={member.recordId} onChange={(e) => setRecordId(Number(e.target.value))}>
          {members.map((m) => (
            <option key={m.recordId} value={m.recordId}>
              {m.side} · {m.source} · record {m.recordId}
            </option>
          ))}
        </select>
        <select
          aria-label="Field to correct"
          value={chosen}
          onChange={(e) => {
            setField(e.target.value);
            setValue(prefill(member, e.target.value));
          }}
        >
          <option value="">Field…</option>
          {fields.map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
        <input aria-label="Corrected value" placeholder="as written in the source, e.g. 1,250.00 or 2026-03-31" value={value} onChange={(e) => setValue(e.target.value)} />
        <ReasonCodeSelect label="Correction reason code" codes={codes} value={reason} onChange={setReason} />
        <input aria-label="Correction note" placeholder="who confirmed the right value" value={note} onChange={(e) => setNote(e.target.value)} />
        <button type="submit" disabled={!chosen || !reason}>
          Correct
        </button>
        {error && <span className="error-banner">{error}</span>}
      </form>
    </details>
  );
}
