import { useEffect, useMemo, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import { themeQuartz } from 'ag-grid-community';
import type { BatchInfo, PullSummary, SourceInfo } from '../../../../shared/contract.js';
import { TieoutError } from '../../../../shared/error.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { ProgressBar } from '../jobs/ProgressBar.js';
import { useJob } from '../jobs/use-job.js';
import { Connector, type ConnectorInput } from '../../../../shared/connector.js';

const theme = themeQuartz.withParams({ fontSize: 12, spacing: 4 });

const TEMPLATE = {
  name: 'invoices-api',
  version: 1,
  baseUrl: 'https://api.example.com',
  path: '/v1/invoices',
  query: {},
  auth: { type: 'bearer', tokenEnv: 'INVOICES_API_TOKEN' },
  pagination: { type: 'page', param: 'page', start: 1, sizeParam: 'per_page', size: 100 },
  recordsPath: 'data',
  timeoutMs: 30000,
  maxRetries: 4,
  rateLimitPerSecond: 5,
  breaker: { failureThreshold: 5, cooldownMs: 60000 },
};

/** A connector (JSON, secrets named, never pasted), test connection with a preview, pull now, pull history. */
export function PullView({ sources, revision }: { sources: SourceInfo[]; revision: number }) {
  const transport = useTransport();
  const job = useJob();
  const [source, setSource] = useState('');
  const [text, setText] = useState(JSON.stringify(TEMPLATE, null, 2));
  const [preview, setPreview] = useState<{ url: string; status: number; records: Record<string, string>[]; headers: string[] } | null>(null);
  const [summary, setSummary] = useState<PullSummary | null>(null);
  const [issues, setIssues] = useState<string[]>([]);
  const [history, setHistory] = useState<BatchInfo[]>([]);
  const [store, setStore] = useState<{ names: string[]; store: string; warning: string | null } | null>(null);
  const [secret, setSecret] = useState({ name: '', value: '' });

  useEffect(() => {
    transport.call('secrets.list', {}).then(setStore).catch(() => setStore(null));
  }, [transport]);

  const sourceInfo = sources.find((s) => s.name === source.trim());
  useEffect(() => {
    if (!sourceInfo) return setHistory([]);
    transport
      .call('sources.batches', { sourceId: sourceInfo.id })
      .then((b) => setHistory(b.filter((x) => x.origin === 'pull').reverse()))
      .catch((e) => setIssues([errorText(e)]));
  }, [transport, sourceInfo, revision]);

  /** The connector as typed, checked against the contract's schema so issues show at their path before any call. */
  const connector = (): ConnectorInput | undefined => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      setIssues([`Connector JSON: ${(e as Error).message}`]);
      return undefined;
    }
    const parsed = Connector.safeParse(json);
    if (parsed.success) return json as ConnectorInput;
    setIssues(parsed.error.issues.map((i) => `${i.path.join('.') || '(connector)'}: ${i.message}`));
    return undefined;
  };
  const show = (e: unknown) => {
    const err = TieoutError.from(e);
    setIssues(err.details?.issues?.map((i) => `${i.path}: ${i.message}`) ?? [errorText(err)]);
  };

  const test = async () => {
    setIssues([]);
    const c = connector();
    if (c === undefined) return;
    try {
      setPreview(await transport.call('pull.test', { connector: c }));
    } catch (e) {
      show(e);
    }
  };
  const pull = async () => {
    setIssues([]);
    const c = connector();
    if (c === undefined) return;
    try {
      setSummary(await job.run((jobId) => transport.call('pull.run', { jobId, source: source.trim(), connector: c })));
    } catch (e) {
      show(e);
    }
  };

  const cols = useMemo(() => (preview?.headers ?? []).map((h) => ({ field: h, headerName: h, valueGetter: (p: { data?: Record<string, string> }) => p.data?.[h] ?? '' })), [preview]);

  return (
    <section className="wizard" aria-label="API pull">
      <h2>Pull from an API</h2>
      <div className="wizard-pick">
        <label>
          Source <input aria-label="Pull source name" list="pull-sources" value={source} onChange={(e) => setSource(e.target.value)} placeholder="e.g. Invoices (API)" />
          <datalist id="pull-sources">
            {sources.map((s) => (
              <option key={s.id} value={s.name} />
            ))}
          </datalist>
        </label>
        <button type="button" onClick={() => void test()}>
          Test connection
        </button>
        <button type="button" className="primary" disabled={!source.trim() || job.progress !== null} onClick={() => void pull()}>
          Pull now
        </button>
      </div>
      <p className="muted">Secrets are never written here: the connector names them (e.g. tokenEnv), and Tieout reads them from the OS keychain in the app or the environment in browser mode.</p>
      {store?.store === 'keychain' && (
        <form
          className="wizard-pick"
          aria-label="Store a secret"
          onSubmit={(e) => {
            e.preventDefault();
            void transport
              .call('secrets.set', secret)
              .then(() => transport.call('secrets.list', {}))
              .then((s) => {
                setStore(s);
                setSecret({ name: '', value: '' });
              })
              .catch((err) => setIssues([errorText(err)]));
          }}
        >
          <input aria-label="Secret name" placeholder="INVOICES_API_TOKEN" value={secret.name} onChange={(e) => setSecret({ ...secret, name: e.target.value })} />
          <input aria-label="Secret value" type="password" value={secret.value} onChange={(e) => setSecret({ ...secret, value: e.target.value })} />
          <button type="submit">Save in keychain</button>
          <span className="muted">stored: {store.names.join(', ') || 'none'}</span>
          {store.warning && <span className="issues">{store.warning}</span>}
        </form>
      )}
      <textarea aria-label="Connector JSON" className="json-editor" rows={14} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
      {issues.length > 0 && (
        <ul className="issues" role="alert" aria-label="Connector problems">
          {issues.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      )}
      {job.progress && <ProgressBar progress={job.progress} onCancel={job.cancel} />}
      {preview && (
        <>
          <p className="muted" data-testid="pull-preview-status">
            {preview.url}: HTTP {preview.status}, {preview.records.length} records on the first page
          </p>
          <div className="preview-grid" data-testid="pull-preview">
            <AgGridReact theme={theme} rowData={preview.records} columnDefs={cols} />
          </div>
        </>
      )}
      {summary && (
        <div className="summary" role="status" data-testid="pull-summary">
          Pulled {summary.records} records in {summary.pages} pages ({summary.retries} retries)
          {summary.import && summary.import.status === 'imported' && `: batch ${summary.import.batchId}, ${summary.import.counts.new} new, ${summary.import.counts.changed} changed, ${summary.import.counts.unchanged} unchanged`}
          {summary.status === 'no_records' && ': nothing new'}
        </div>
      )}
      {history.length > 0 && (
        <table className="batches" aria-label="Pull history">
          <thead>
            <tr>
              <th>Batch</th>
              <th>When</th>
              <th>Connector</th>
              <th>Pages</th>
              <th>Records</th>
              <th>Watermark</th>
              <th>New / changed / unchanged</th>
            </tr>
          </thead>
          <tbody>
            {history.map((b) => (
              <tr key={b.id}>
                <td>{b.id}</td>
                <td>{b.importedAt.replace('T', ' ').slice(0, 19)}</td>
                <td>{b.pull?.connector}</td>
                <td>{b.pull?.pages}</td>
                <td>{b.pull?.records}</td>
                <td>
                  {b.pull?.watermarkBefore ?? '—'} → {b.pull?.watermarkAfter ?? '—'}
                </td>
                <td>
                  {b.counts.new} / {b.counts.changed} / {b.counts.unchanged}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
