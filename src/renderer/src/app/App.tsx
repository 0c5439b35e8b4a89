import { useCallback, useEffect, useState } from 'react';
import type { WorkspaceInfo } from '../../../shared/contract.js';
import type { Transport } from '../api/index.js';
import { ProgressBar } from '../features/jobs/ProgressBar.js';
import { useJob } from '../features/jobs/use-job.js';
import { ApprovalsView } from '../features/approvals/ApprovalsView.js';
import { AuditView } from '../features/audit/AuditView.js';
import { UserSwitcher } from '../features/people/UserSwitcher.js';
import { ImportWizard } from '../features/import/ImportWizard.js';
import { PacketView } from '../features/packet/PacketView.js';
import { PeriodsView } from '../features/periods/PeriodsView.js';
import { PullView } from '../features/pull/PullView.js';
import { QueueView } from '../features/queue/QueueView.js';
import { TriageSettingsView } from '../features/triage-settings/TriageSettingsView.js';
import { ReconcileView } from '../features/reconcile/ReconcileView.js';
import { RecordsView } from '../features/records/RecordsView.js';
import { ReviewView } from '../features/review/ReviewView.js';
import { SourcesView } from '../features/sources/SourcesView.js';
import { WorkspaceBar } from '../features/workspace/WorkspaceBar.js';
import { errorText } from './error-text.js';
import { TransportContext, useTransport } from './use-core.js';
import { ErrorBanner } from './ErrorBanner.js';

type View = 'records' | 'import' | 'pull' | 'sources' | 'reconcile' | 'review' | 'queue' | 'triage' | 'approvals' | 'periods' | 'audit' | 'packets';
const VIEWS: [View, string][] = [
  ['records', 'Records'],
  ['import', 'Import'],
  ['pull', 'API pull'],
  ['sources', 'Sources'],
  ['reconcile', 'Reconcile'],
  ['review', 'Review'],
  ['queue', 'Queue'],
  ['triage', 'Triage settings'],
  ['approvals', 'Approvals'],
  ['periods', 'Periods'],
  ['audit', 'Audit log'],
  ['packets', 'Packets'],
];

export function App({ transport }: { transport: Transport }) {
  return (
    <TransportContext.Provider value={transport}>
      <Workbench />
    </TransportContext.Provider>
  );
}

function Workbench() {
  const transport = useTransport();
  const [info, setInfo] = useState<WorkspaceInfo | null>(null);
  const [sourceId, setSourceId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revision, setRevision] = useState(0);
  const [view, setView] = useState<View>('records');
  const [packetPath, setPacketPath] = useState<string | null>(null);
  const job = useJob();

  const showError = useCallback((e: unknown) => setError(errorText(e)), []);
  const refresh = useCallback(async () => {
    const next = await transport.call('workspace.info', {});
    setInfo(next);
    setRevision((r) => r + 1);
    setSourceId((id) => (next && next.sources.some((s) => s.id === id) ? id : (next?.sources[0]?.id ?? null)));
  }, [transport]);

  useEffect(() => {
    refresh().catch(showError);
    return transport.subscribe((e) => {
      if (e.type === 'workspace.changed') refresh().catch(showError);
      if (e.type === 'packet.open') {
        setPacketPath(e.path);
        setView('packets');
      }
    });
  }, [transport, refresh, showError]);

  const open = (path: string, mode: 'open' | 'create') => {
    setError(null);
    transport
      .call(mode === 'open' ? 'workspace.open' : 'workspace.create', { path })
      .then(() => refresh())
      .catch(showError);
  };
  const loadDemo = () => {
    setError(null);
    job
      .run((jobId) => transport.call('demo.load', { jobId, buys: 2000 }))
      .then(() => refresh())
      .catch(showError);
  };

  const source = info?.sources.find((s) => s.id === sourceId) ?? null;
  return (
    <div className="app">
      <WorkspaceBar info={info} busy={job.progress !== null} onOpen={open} onLoadDemo={loadDemo}>
        {info && <UserSwitcher revision={revision} onSwitched={() => void refresh().catch(showError)} onError={showError} />}
      </WorkspaceBar>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {job.progress && <ProgressBar progress={job.progress} onCancel={job.cancel} />}
      {(
        <nav className="views" aria-label="Views">
          {VIEWS.filter(([id]) => info || id === 'packets').map(([id, label]) => (
            <button key={id} type="button" className={view === id ? 'view active' : 'view'} aria-pressed={view === id} onClick={() => setView(id)}>
              {label}
            </button>
          ))}
        </nav>
      )}
      {info && view === 'records' && (
        <nav className="source-tabs" aria-label="Sources">
          {info.sources.map((s) => (
            <button
              key={s.id}
              type="button"
              role="tab"
              aria-selected={s.id === sourceId}
              className={s.id === sourceId ? 'tab active' : 'tab'}
              onClick={() => setSourceId(s.id)}
            >
              {s.name} <span className="muted">{s.records.toLocaleString('en-US')}</span>
            </button>
          ))}
        </nav>
      )}
      <main className="content">
        {!info && view !== 'packets' && <p className="empty">Open a workspace (.tieout) or create a new one to start.</p>}
        {info && view === 'records' && info.sources.length === 0 && <p className="empty">This workspace has no sources yet. Load the demo data to explore.</p>}
        {info && view === 'records' && source && <RecordsView key={source.id} source={source} revision={revision} onError={showError} />}
        {info && view === 'import' && <ImportWizard sources={info.sources} onDone={() => void refresh().catch(showError)} />}
        {info && view === 'pull' && <PullView sources={info.sources} revision={revision} />}
        {info && view === 'review' && <ReviewView revision={revision} />}
        {info && view === 'queue' && <QueueView revision={revision} />}
        {info && view === 'triage' && <TriageSettingsView revision={revision} />}
        {info && view === 'approvals' && <ApprovalsView revision={revision} />}
        {info && view === 'periods' && <PeriodsView revision={revision} />}
        {view === 'packets' && <PacketView revision={revision} hasWorkspace={info !== null} openPath={packetPath} />}
        {info && view === 'audit' && <AuditView revision={revision} />}
        {info && view === 'reconcile' && <ReconcileView sources={info.sources} revision={revision} />}
        {info && view === 'sources' && <SourcesView sources={info.sources} revision={revision} onError={showError} />}
      </main>
    </div>
  );
}
