import { useEffect, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import { themeQuartz } from 'ag-grid-community';
import type { BatchInfo, RejectedRow, SourceInfo } from '../../../../shared/contract.js';
import { useTransport } from '../../app/use-core.js';

const theme = themeQuartz.withParams({ fontSize: 12, spacing: 4 });

/** Each source's batches with their provenance and counts; a batch opens its rejected rows. */
export function SourcesView({ sources, revision, onError }: { sources: SourceInfo[]; revision: number; onError(e: unknown): void }) {
  const transport = useTransport();
  const [batches, setBatches] = useState<Record<number, BatchInfo[]>>({});
  const [rejected, setRejected] = useState<{ batch: BatchInfo; rows: RejectedRow[]; total: number } | null>(null);

  useEffect(() => {
    Promise.all(sources.map(async (s) => [s.id, await transport.call('sources.batches', { sourceId: s.id })] as const))
      .then((entries) => setBatches(Object.fromEntries(entries)))
      .catch(onError);
  }, [transport, sources, revision, onError]);

  const openRejected = (batch: BatchInfo) =>
    transport
      .call('batches.rejected', { batchId: batch.id, offset: 0, limit: 1000 })
      .then((r) => setRejected({ batch, rows: r.rows, total: r.total }))
      .catch(onError);

  return (
    <section className="sources" aria-label="Sources and batches">
      {sources.map((s) => (
        <div key={s.id} className="source-card">
          <h3>
            {s.name} <span className="muted">{s.records.toLocaleString('en-US')} current records</span>
          </h3>
          <table className="batches" aria-label={`Batches of ${s.name}`}>
            <thead>
              <tr>
                <th>Batch</th>
                <th>File</th>
                <th>SHA-256</th>
                <th>Imported</th>
                <th>Template</th>
                <th>Read</th>
                <th>Accepted</th>
                <th>Rejected</th>
                <th>Duplicates</th>
                <th>New / changed / unchanged</th>
              </tr>
            </thead>
            <tbody>
              {(batches[s.id] ?? []).map((b) => (
                <tr key={b.id} title={b.warnings.join('\n')}>
                  <td>{b.id}</td>
                  <td>
                    {b.fileName}
                    {b.sheet && ` [${b.sheet}]`}
                  </td>
                  <td className="mono">{b.sha256.slice(0, 12)}…</td>
                  <td>
                    {b.importedAt.replace('T', ' ').slice(0, 16)} by {b.importedBy}
                  </td>
                  <td>v{b.templateVersion}</td>
                  <td>{b.counts.read}</td>
                  <td>{b.counts.accepted}</td>
                  <td>
                    {b.counts.rejected > 0 ? (
                      <button type="button" onClick={() => void openRejected(b)} aria-label={`Show ${b.counts.rejected} rejected rows of batch ${b.id}`}>
                        {b.counts.rejected}
                      </button>
                    ) : (
                      0
                    )}
                  </td>
                  <td>{b.counts.duplicate}</td>
                  <td>
                    {b.counts.new} / {b.counts.changed} / {b.counts.unchanged}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {rejected && (
        <div className="rejected" aria-label="Rejected rows">
          <h3>
            Rejected rows of batch {rejected.batch.id} ({rejected.batch.fileName}) <span className="muted">{rejected.total} in all</span>
          </h3>
          <div className="preview-grid" data-testid="rejected-grid">
            <AgGridReact<RejectedRow>
              theme={theme}
              rowData={rejected.rows}
              columnDefs={[
                { field: 'row', headerName: 'Row', width: 80 },
                { field: 'column', headerName: 'Column', width: 160 },
                { field: 'value', headerName: 'Value', width: 160 },
                { field: 'reason', headerName: 'Reason', flex: 1 },
                { field: 'raw', headerName: 'Raw row', flex: 1 },
              ]}
            />
          </div>
        </div>
      )}
    </section>
  );
}
