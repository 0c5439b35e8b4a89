import { useCallback, useEffect, useState } from 'react';
import type { FxRate } from '../../../../shared/contract.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';

const EMPTY = { from: '', to: 'USD', rate: '', date: '' };

/** The workspace's FX table: import a from/to/rate/date file or add one rate. Rates are never edited. */
export function FxRates({ revision }: { revision: number }) {
  const transport = useTransport();
  const [rates, setRates] = useState<FxRate[]>([]);
  const [form, setForm] = useState(EMPTY);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const load = useCallback(async () => setRates((await transport.call('fx.list', {})).rates), [transport]);
  useEffect(() => {
    load().catch((e) => setMessage({ text: errorText(e), error: true }));
  }, [load, revision]);

  const done = (r: { added: number; unchanged: number; rates: FxRate[] }, what: string) => {
    setRates(r.rates);
    setMessage({ text: `${what}: ${r.added} rate(s) added${r.unchanged > 0 ? `, ${r.unchanged} already present` : ''}`, error: false });
  };

  const importFile = async (file: File) => {
    setMessage(null);
    try {
      const path = await transport.fileToPath(file);
      done(await transport.call('fx.import', { path }), file.name);
    } catch (e) {
      setMessage({ text: errorText(e), error: true });
    }
  };

  const add = async () => {
    setMessage(null);
    try {
      const rate: FxRate = { from: form.from.trim().toUpperCase(), to: form.to.trim().toUpperCase(), rate: form.rate.trim(), ...(form.date && { date: form.date }) };
      done(await transport.call('fx.add', { rates: [rate] }), `${rate.from}→${rate.to}`);
      setForm(EMPTY);
    } catch (e) {
      setMessage({ text: errorText(e), error: true });
    }
  };

  return (
    <details className="fx-rates" aria-label="FX rates">
      <summary>FX rates ({rates.length})</summary>
      <p className="muted">
        Passes with <code>fx: true</code> convert the right amount through these rates: the latest rate dated on or before the record's date, else an undated one. Rates are
        added, never edited.
      </p>
      <div className="fx-actions">
        <label className="file-pick">
          Import rates file (from, to, rate, date){' '}
          <input
            type="file"
            aria-label="FX rates file"
            accept=".csv,.txt,.xlsx,.xls,.json"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void importFile(f);
              e.target.value = '';
            }}
          />
        </label>
        <form
          className="fx-add"
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <input aria-label="FX from currency" placeholder="EUR" size={4} value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
          →
          <input aria-label="FX to currency" placeholder="USD" size={4} value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
          <input aria-label="FX rate" placeholder="1.0850" size={10} value={form.rate} onChange={(e) => setForm({ ...form, rate: e.target.value })} />
          <input aria-label="FX date" type="date" value={form.date} onChange={(e) => setForm({ ...form, date: e.target.value })} />
          <button type="submit" disabled={!form.from || !form.to || !form.rate}>
            Add rate
          </button>
        </form>
      </div>
      {message && (
        <div className={message.error ? 'error-banner' : 'summary'} role={message.error ? 'alert' : 'status'} data-testid="fx-message">
          {message.text}
        </div>
      )}
      {rates.length > 0 && (
        <table className="batches" aria-label="FX rate table">
          <thead>
            <tr>
              <th>From</th>
              <th>To</th>
              <th>Rate</th>
              <th>From date</th>
            </tr>
          </thead>
          <tbody>
            {rates.map((r) => (
              <tr key={`${r.from}${r.to}${r.date ?? ''}`}>
                <td>{r.from}</td>
                <td>{r.to}</td>
                <td className="mono">{r.rate}</td>
                <td>{r.date ?? 'undated (fallback)'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
