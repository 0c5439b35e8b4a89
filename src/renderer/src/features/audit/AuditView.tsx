import { useEffect, useMemo, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import { themeQuartz } from 'ag-grid-community';
import type { AuditEvent } from '../../../../shared/contract.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';

const theme = themeQuartz.withParams({ fontSize: 12, spacing: 4 });

/** Lines of two JSON values side by side, marking the keys whose values differ. */
function diffRows(before: unknown, after: unknown): { key: string; before: string; after: string; changed: boolean }[] {
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v });
  const b = before === null ? {} : obj(before);
  const a = after === null ? {} : obj(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return keys.map((key) => {
    const bs = key in b ? JSON.stringify(b[key]) : '';
    const as = key in a ? JSON.stringify(a[key]) : '';
    return { key, before: bs, after: as, changed: bs !== as };
  });
}

/** Every event of the append-only log, filtered by actor, action, target and time, with its before/after. */
export function AuditView({ revision }: { revision: number }) {
  const transport = useTransport();
  const [filter, setFilter] = useState({ actor: '', action: '', target: '', from: '', to: '' });
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [total, setTotal] = useState(0);
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  const [check, setCheck] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const q = Object.fromEntries(Object.entries(filter).filter(([, v]) => v.trim() !== ''));
    const t = setTimeout(() => {
      transport
        .call('audit.list', { ...q, limit: 1000 })
        .then((r) => {
          setEvents(r.events);
          setTotal(r.total);
        })
        .catch((e) => setError(errorText(e)));
    }, 200);
    return () => clearTimeout(t);
  }, [transport, filter, revision]);

  const verify = () =>
    transport
      .call('audit.verify', {})
      .then((r) => setCheck(r.ok ? `Verified: ${r.count} events, head ${r.headHash.slice(0, 16)}…` : `Broken at sequence ${r.brokenAt}: ${r.reason}`))
      .catch((e) => setError(errorText(e)));

  const diff = useMemo(() => (selected ? diffRows(selected.before, selected.after) : []), [selected]);

  return (
    <section className="audit" aria-label="Audit log">
      <div className="toolbar">
        {(['actor', 'action', 'target'] as const).map((k) => (
          <input key={k} aria-label={`Filter by ${k}`} placeholder={k} value={filter[k]} onChange={(e) => setFilter({ ...filter, [k]: e.target.value })} />
        ))}
        <input aria-label="From time" type="date" value={filter.from} onChange={(e) => setFilter({ ...filter, from: e.target.value })} />
        <input aria-label="To time" type="date" value={filter.to} onChange={(e) => setFilter({ ...filter, to: e.target.value ? `${e.target.value}T23:59:59.999Z` : '' })} />
        <span className="muted" data-testid="audit-count">
          {total} events
        </span>
        <button type="button" onClick={() => void verify()}>
          Verify chain
        </button>
        {check && (
          <span role="status" data-testid="audit-check">
            {check}
          </span>
        )}
      </div>
      <ErrorBanner error={error} />
      <div className="audit-body">
        <div className="grid-host" data-testid="audit-grid">
          <AgGridReact<AuditEvent>
            theme={theme}
            rowData={events}
            getRowId={(p) => String(p.data.seq)}
            rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
            onSelectionChanged={(e) => setSelected(e.api.getSelectedRows()[0] ?? null)}
            columnDefs={[
              { field: 'seq', headerName: '#', width: 80 },
              { field: 'at', headerName: 'Time (UTC)', width: 200 },
              { field: 'actor', width: 120 },
              { field: 'action', width: 180 },
              { field: 'target', width: 180 },
              { field: 'reasonCode', headerName: 'Reason', width: 120 },
              { field: 'note', flex: 1 },
              { field: 'hash', width: 140, valueFormatter: (p) => String(p.value ?? '').slice(0, 12) + '…' },
            ]}
          />
        </div>
        {selected && (
          <aside className="event-detail" aria-label={`Event ${selected.seq}`}>
            <h3>
              Event {selected.seq}: {selected.action} on {selected.target}
            </h3>
            <p className="muted">
              by {selected.actor} at {selected.at}; hash {selected.hash.slice(0, 16)}… (previous {selected.prevHash.slice(0, 16)}…)
            </p>
            <table className="mapping" aria-label="Before and after">
              <thead>
                <tr>
                  <th>Field</th>
                  <th>Before</th>
                  <th>After</th>
                </tr>
              </thead>
              <tbody>
                {diff.map((d) => (
                  <tr key={d.key} className={d.changed ? 'changed' : ''}>
                    <td>{d.key}</td>
                    <td className="mono">{d.before}</td>
                    <td className="mono">{d.after}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </aside>
        )}
      </div>
    </section>
  );
}
