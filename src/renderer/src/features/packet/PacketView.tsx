import { useEffect, useMemo, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import { themeQuartz } from 'ag-grid-community';
import type { RunInfo } from '../../../../shared/contract.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import type { PacketScope } from '../../../../shared/packet-scope.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';
import { ProgressBar } from '../jobs/ProgressBar.js';
import { useJob } from '../jobs/use-job.js';

const theme = themeQuartz.withParams({ fontSize: 12, spacing: 4 });
const TABS = [
  ['summary', 'Summary'],
  ['matches', 'Matches'],
  ['exceptions', 'Exceptions'],
  ['overrides', 'Overrides'],
  ['approvals', 'Approvals'],
  ['audit', 'Audit log'],
  ['rules', 'Rules'],
  ['sources', 'Sources'],
] as const;

interface Opened {
  path: string;
  verification: { ok: boolean; fingerprint?: string; problems?: { entry: string; problem: string }[] };
  tables: Record<string, PacketTable>;
  notes: string;
}

interface PacketTable {
  file: string;
  columns: string[];
  rows: string[][];
  totalRows: number;
}

function Table({ table }: { table: PacketTable }) {
  const rows = useMemo(() => table.rows.map((r) => Object.fromEntries(table.columns.map((c, i) => [`c${i}`, r[i] ?? '']))), [table]);
  const cols = useMemo(() => table.columns.map((c, i) => ({ field: `c${i}`, headerName: c, minWidth: 110 })), [table]);
  return (
    <>
      {table.totalRows > table.rows.length && (
        <p className="hint" data-testid="packet-table-cut">
          Showing the first {table.rows.length.toLocaleString('en-US')} of {table.totalRows.toLocaleString('en-US')} rows. The packet holds every row in {table.file}.
        </p>
      )}
      <div className="preview-grid tall" data-testid="packet-table">
        <AgGridReact theme={theme} rowData={rows} columnDefs={cols} defaultColDef={{ resizable: true, sortable: true }} />
      </div>
    </>
  );
}

/** Export a signed audit packet, and open one read-only: verification banner, tabs, review notes beside it. */
export function PacketView({ revision, hasWorkspace, openPath }: { revision: number; hasWorkspace: boolean; openPath: string | null }) {
  const transport = useTransport();
  const job = useJob();
  const [runs, setRuns] = useState<RunInfo[]>([]);
  const [scope, setScope] = useState<string>('workspace');
  const [out, setOut] = useState('');
  const [withSources, setWithSources] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const [path, setPath] = useState('');
  const [opened, setOpened] = useState<Opened | null>(null);
  const [tab, setTab] = useState<string>('summary');
  const [notes, setNotes] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!hasWorkspace) return;
    transport.call('runs.list', {}).then(setRuns).catch((e) => setError(errorText(e)));
  }, [transport, revision, hasWorkspace]);

  const doExport = () => {
    setError(null);
    const s: PacketScope = scope === 'workspace' ? { kind: 'workspace' } : { kind: 'run', runId: Number(scope) };
    job
      .run((jobId) => transport.call('packet.export', { jobId, scope: s, includeSources: withSources, out }))
      .then((r) => {
        setExported(`Exported ${r.path} (${r.bytes.toLocaleString('en-US')} bytes), signed by ${r.fingerprint}`);
        setPath(r.path);
      })
      .catch((e) => setError(errorText(e)));
  };
  useEffect(() => {
    if (openPath) {
      setPath(openPath);
      doOpen(openPath);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [openPath]);

  const doOpen = (target = path) => {
    setError(null);
    transport
      .call('packet.open', { path: target })
      .then((r) => {
        setOpened(r as unknown as Opened);
        setNotes(r.notes);
        setTab('summary');
      })
      .catch((e) => setError(errorText(e)));
  };

  return (
    <section className="wizard" aria-label="Audit packets">
      {hasWorkspace && (
        <form
          className="wizard-pick"
          aria-label="Export a packet"
          onSubmit={(e) => {
            e.preventDefault();
            doExport();
          }}
        >
          <strong>Export</strong>
          <select aria-label="Packet scope" value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="workspace">Whole workspace (latest runs)</option>
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                Run {r.id} of {r.reconciliation}
              </option>
            ))}
          </select>
          <label>
            <input type="checkbox" checked={withSources} onChange={(e) => setWithSources(e.target.checked)} /> include source rows
          </label>
          <input aria-label="Packet file" placeholder="/path/to/review.tieoutpkt" value={out} onChange={(e) => setOut(e.target.value)} />
          <button type="submit" className="primary" disabled={!out.trim() || job.progress !== null}>
            Export packet
          </button>
          {exported && (
            <span role="status" data-testid="packet-exported">
              {exported}
            </span>
          )}
        </form>
      )}
      {job.progress && <ProgressBar progress={job.progress} onCancel={job.cancel} />}
      <form
        className="wizard-pick"
        aria-label="Open a packet"
        onSubmit={(e) => {
          e.preventDefault();
          doOpen();
        }}
      >
        <strong>Open (read-only)</strong>
        <input aria-label="Packet to open" placeholder="/path/to/review.tieoutpkt" value={path} onChange={(e) => setPath(e.target.value)} />
        <button type="submit" disabled={!path.trim()}>
          Open packet
        </button>
      </form>
      <ErrorBanner error={error} />
      {opened && (
        <>
          <div className={opened.verification.ok ? 'banner ok' : 'banner bad'} role="status" data-testid="packet-banner">
            {opened.verification.ok
              ? `Verified: every file matches its hash, the signature is good and the audit chain is intact. Signer fingerprint ${opened.verification.fingerprint}`
              : `NOT verified: ${(opened.verification.problems ?? []).map((p) => `${p.entry}: ${p.problem}`).join('; ')}`}
          </div>
          <nav className="source-tabs" aria-label="Packet tabs">
            {TABS.filter(([id]) => opened.tables[id]).map(([id, label]) => (
              <button key={id} type="button" role="tab" aria-selected={tab === id} className={tab === id ? 'tab active' : 'tab'} onClick={() => setTab(id)}>
                {label}
              </button>
            ))}
          </nav>
          {opened.tables[tab] && <Table key={tab} table={opened.tables[tab]!} />}
          <label className="notes">
            Review notes (saved next to the packet, never inside it)
            <textarea aria-label="Review notes" rows={4} value={notes} onChange={(e) => setNotes(e.target.value)} />
          </label>
          <button
            type="button"
            onClick={() =>
              void transport
                .call('packet.saveNotes', { path: opened.path, notes })
                .then((r) => setSaved(`Saved to ${r.file}`))
                .catch((e) => setError(errorText(e)))
            }
          >
            Save notes
          </button>
          {saved && <span className="muted">{saved}</span>}
        </>
      )}
    </section>
  );
}
