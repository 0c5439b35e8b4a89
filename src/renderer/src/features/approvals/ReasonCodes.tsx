import { useEffect, useState } from 'react';
import { displayMinor } from '../../../../shared/money.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { OVERRIDE_KINDS, type OverrideKind } from '../../../../shared/decisions.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';

interface Code {
  code: string;
  label: string;
  appliesTo: OverrideKind[];
  approval: 'never' | 'always' | 'above';
  approvalThresholdMinor: number | null;
  noteRequired: boolean;
  retiredAt?: string | null;
}
const TYPES = OVERRIDE_KINDS;

/** The workspace's reason codes: add or edit one, retire one (it stays readable, no longer choosable). */
export function ReasonCodes({ revision }: { revision: number }) {
  const transport = useTransport();
  const [codes, setCodes] = useState<Code[]>([]);
  const [form, setForm] = useState<{ code: string; label: string; appliesTo: OverrideKind[]; approval: Code['approval']; threshold: string; noteRequired: boolean }>({
    code: '',
    label: '',
    appliesTo: ['write_off'],
    approval: 'never',
    threshold: '',
    noteRequired: false,
  });
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    transport
      .call('reasonCodes.list', { includeRetired: true })
      .then((c) => setCodes(c as unknown as Code[]))
      .catch((e) => setError(errorText(e)));
  }, [transport, revision, tick]);

  const save = () => {
    setError(null);
    const threshold = /^\d+(\.\d{1,2})?$/.test(form.threshold) ? Math.round(Number(form.threshold) * 100) : null;
    transport
      .call('reasonCodes.save', {
        code: { code: form.code, label: form.label, appliesTo: form.appliesTo, approval: form.approval, approvalThresholdMinor: form.approval === 'above' ? threshold : null, noteRequired: form.noteRequired },
      })
      .then(() => setTick((t) => t + 1))
      .catch((e) => setError(errorText(e)));
  };

  return (
    <div className="reason-codes" aria-label="Reason codes">
      <h3>Reason codes</h3>
      <table className="batches" aria-label="Reason code list">
        <thead>
          <tr>
            <th>Code</th>
            <th>Label</th>
            <th>Applies to</th>
            <th>Approval</th>
            <th>Note</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {codes.map((c) => (
            <tr key={c.code} className={c.retiredAt ? 'retired' : ''}>
              <td className="mono">{c.code}</td>
              <td>{c.label}</td>
              <td>{c.appliesTo.join(', ')}</td>
              <td>{c.approval === 'above' ? `above ${displayMinor(c.approvalThresholdMinor ?? 0, 'USD')}` : c.approval}</td>
              <td>{c.noteRequired ? 'required' : ''}</td>
              <td>
                {c.retiredAt ? (
                  <span className="muted">retired</span>
                ) : (
                  <button type="button" aria-label={`Retire ${c.code}`} onClick={() => void transport.call('reasonCodes.retire', { code: c.code }).then(() => setTick((t) => t + 1)).catch((e) => setError(errorText(e)))}>
                    Retire
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="wizard-pick"
        aria-label="New reason code"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <input aria-label="Code" placeholder="code" value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} />
        <input aria-label="Label" placeholder="label" value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })} />
        <select aria-label="Applies to" multiple value={form.appliesTo} onChange={(e) => setForm({ ...form, appliesTo: [...e.target.selectedOptions].map((o) => o.value as OverrideKind) })}>
          {TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <select aria-label="Approval" value={form.approval} onChange={(e) => setForm({ ...form, approval: e.target.value as Code['approval'] })}>
          <option value="never">no approval</option>
          <option value="always">always needs approval</option>
          <option value="above">needs approval above…</option>
        </select>
        {form.approval === 'above' && <input aria-label="Approval threshold" placeholder="1000.00" size={9} value={form.threshold} onChange={(e) => setForm({ ...form, threshold: e.target.value })} />}
        <label>
          <input type="checkbox" checked={form.noteRequired} onChange={(e) => setForm({ ...form, noteRequired: e.target.checked })} /> note required
        </label>
        <button type="submit">Save code</button>
      </form>
      <ErrorBanner error={error} />
    </div>
  );
}
