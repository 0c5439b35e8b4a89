import { useEffect, useState } from 'react';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';

export interface ReasonCode {
  code: string;
  label: string;
  approval: string;
  noteRequired: boolean;
}

/** The live reason codes that fit one kind of override (or `reversal`), first one preselected by the caller. */
export function useReasonCodes(kind: string, onError: (message: string) => void): ReasonCode[] {
  const transport = useTransport();
  const [codes, setCodes] = useState<ReasonCode[]>([]);
  useEffect(() => {
    transport
      .call('reasonCodes.list', { for: kind })
      .then((c) => setCodes(c as unknown as ReasonCode[]))
      .catch((e) => onError(errorText(e)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [transport, kind]);
  return codes;
}

export function ReasonCodeSelect({ codes, value, onChange, label = 'Reason code' }: { codes: ReasonCode[]; value: string; onChange(code: string): void; label?: string }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">reason code…</option>
      {codes.map((c) => (
        <option key={c.code} value={c.code}>
          {c.label}
          {c.approval !== 'never' ? ' (approval)' : ''}
          {c.noteRequired ? ' (note)' : ''}
        </option>
      ))}
    </select>
  );
}
