import { useEffect, useMemo, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import { themeQuartz, type ColDef } from 'ag-grid-community';
import type { ImportPreview, ImportSummary, SourceInfo } from '../../../../shared/contract.js';
import { fieldColumns, type MappingTemplate } from '../../../../shared/mapping.js';
import { displayMinor } from '../../../../shared/money.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { ProgressBar } from '../jobs/ProgressBar.js';
import { useJob } from '../jobs/use-job.js';
import { MappingEditor } from './MappingEditor.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';

const theme = themeQuartz.withParams({ fontSize: 12, spacing: 4 });
type PreviewRow = { row: number; error?: { column: string; value: string; reason: string } } & Record<string, unknown>;

/**
 * Pick a file and a source, preview it with detected types, edit the mapping with a live
 * re-parse (errors shown in place), then import with progress and cancel.
 */
export function ImportWizard({ sources, onDone }: { sources: SourceInfo[]; onDone(summary: ImportSummary): void }) {
  const transport = useTransport();
  const job = useJob();
  const [path, setPath] = useState('');
  const [source, setSource] = useState(sources[0]?.name ?? '');
  const [sheet, setSheet] = useState<string | undefined>(undefined);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<MappingTemplate | null>(null);
  const [strict, setStrict] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [dragging, setDragging] = useState(false);
  const [started, setStarted] = useState<number | null>(null);

  const load = async (p: string, m?: MappingTemplate, sh?: string) => {
    setError(null);
    try {
      const next = await transport.call('import.preview', {
        path: p,
        ...(source.trim() && { source: source.trim() }),
        ...(m && { mapping: m }),
        ...(sh && { sheet: sh }),
        rows: 50,
      });
      setPreview(next);
      if (!m) setMapping(next.mapping);
    } catch (e) {
      setError(errorText(e));
    }
  };

  // Live re-parse: each mapping edit re-reads the preview rows with the edited mapping.
  useEffect(() => {
    if (!preview || !mapping || mapping === preview.mapping) return;
    const t = setTimeout(() => void load(path, mapping, sheet), 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mapping]);

  const onDrop = async (e: React.DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (!file) return;
    try {
      const p = await transport.fileToPath(file);
      setPath(p);
      await load(p, undefined, undefined);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const choose = async () => {
    const p = await transport.chooseImportFile?.();
    if (p) {
      setPath(p);
      await load(p);
    }
  };

  const runImport = async () => {
    if (!mapping) return;
    setError(null);
    setStarted(performance.now());
    try {
      const result = await job.run((jobId) =>
        transport.call('import.run', { jobId, path, source: source.trim(), mapping, strict, ...(sheet && { sheet }) }),
      );
      setSummary(result);
      onDone(result);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStarted(null);
    }
  };

  const previewRows = useMemo<PreviewRow[]>(
    () => (preview?.parsed ?? []).map((p) => ({ row: p.row, ...(p.error && { error: p.error }), ...p.fields, __currency: p.currency })),
    [preview],
  );
  const previewCols = useMemo<ColDef<PreviewRow>[]>(() => {
    if (!preview) return [];
    const m = mapping ?? preview.mapping;
    return [
      { field: 'row', headerName: 'Row', width: 70, pinned: 'left' },
      {
        colId: 'error',
        headerName: 'Problem',
        width: 260,
        valueGetter: (p) => (p.data?.error ? `${p.data.error.column}: ${p.data.error.reason} ("${p.data.error.value}")` : ''),
        cellClass: 'cell-error',
      },
      ...m.fields.map(
        (f): ColDef<PreviewRow> => ({
          colId: f.name,
          headerName: `${fieldColumns(f).join(' / ')} → ${f.name} (${f.type})`,
          valueGetter: (p) => p.data?.[f.name] ?? null,
          cellClassRules: {
            'cell-error': (p) => {
              const at = p.data?.error?.column;
              return at !== undefined && fieldColumns(f).includes(at);
            },
          },
          ...(f.type === 'money' && {
            valueFormatter: (p: { value: unknown; data?: PreviewRow }) =>
              typeof p.value === 'number' ? `${displayMinor(p.value, String(p.data?.['__currency'] ?? 'USD'))} ${String(p.data?.['__currency'] ?? '')}` : '',
          }),
        }),
      ),
    ];
  }, [preview, mapping]);

  const errors = preview?.parsed.filter((p) => p.error).length ?? 0;
  const rate = job.progress && started && job.progress.message ? Number(/(\d+) rows/.exec(job.progress.message)?.[1] ?? 0) / ((performance.now() - started) / 1000) : null;

  return (
    <section
      className={dragging ? 'wizard dragging' : 'wizard'}
      aria-label="Import wizard"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => void onDrop(e)}
    >
      <h2>Import a file</h2>
      <form
        className="wizard-pick"
        onSubmit={(e) => {
          e.preventDefault();
          void load(path, undefined, sheet);
        }}
      >
        <label>
          Source{' '}
          <input list="source-names" aria-label="Source name" value={source} onChange={(e) => setSource(e.target.value)} placeholder="e.g. Invoices: Meta" />
          <datalist id="source-names">
            {sources.map((s) => (
              <option key={s.id} value={s.name} />
            ))}
          </datalist>
        </label>
        <label>
          File{' '}
          <input aria-label="File path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/file.csv (or drop a file here)" />
        </label>
        {transport.chooseImportFile && (
          <button type="button" onClick={() => void choose()}>
            Choose…
          </button>
        )}
        <button type="submit" className="primary" disabled={!path.trim()}>
          Preview
        </button>
      </form>
      <ErrorBanner error={error} />
      {preview && mapping && (
        <>
          <p className="muted" data-testid="preview-layout">
            {preview.fileName}: {preview.format}
            {preview.encoding && `, ${preview.encoding}`}
            {preview.delimiter && `, delimiter "${preview.delimiter === '\t' ? 'tab' : preview.delimiter}"`}, header on row {preview.headerRow}, mapping{' '}
            {preview.mappingOrigin === 'template' ? `from template v${preview.templateVersion}` : preview.mappingOrigin}
          </p>
          {preview.sheets.length > 1 && (
            <label>
              Sheet{' '}
              <select
                aria-label="Sheet"
                value={sheet ?? preview.sheet ?? ''}
                onChange={(e) => {
                  setSheet(e.target.value);
                  void load(path, undefined, e.target.value);
                }}
              >
                {preview.sheets.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
          )}
          {preview.drift.missing.length > 0 && (
            <div className="warning" role="status">
              The file lacks mapped columns: {preview.drift.missing.join(', ')}.{' '}
              {preview.drift.remaps.filter((r) => r.suggestion).map((r) => `"${r.missing}" may now be "${r.suggestion}". `)}
              Fix the mapping below.
            </div>
          )}
          {preview.drift.added.length > 0 && (
            <div className="warning" role="status">
              New columns not in the template will be kept as extra attributes: {preview.drift.added.join(', ')}.
            </div>
          )}
          <MappingEditor headers={preview.headers} mapping={mapping} onChange={setMapping} />
          <h3>
            Preview <span className="muted" data-testid="preview-errors">{errors} of {preview.parsed.length} rows have problems</span>
          </h3>
          <div className="preview-grid" data-testid="preview-grid">
            <AgGridReact<PreviewRow> theme={theme} rowData={previewRows} columnDefs={previewCols} defaultColDef={{ resizable: true, minWidth: 90 }} />
          </div>
          <div className="wizard-actions">
            <label>
              <input type="checkbox" checked={strict} onChange={(e) => setStrict(e.target.checked)} /> Strict: any rejected row fails the import
            </label>
            <button type="button" className="primary" disabled={!source.trim() || job.progress !== null || preview.drift.missing.length > 0} onClick={() => void runImport()}>
              Import
            </button>
          </div>
        </>
      )}
      {job.progress && (
        <div>
          <ProgressBar progress={job.progress} onCancel={job.cancel} />
          {rate !== null && rate > 0 && <span className="muted" data-testid="import-rate">{Math.round(rate).toLocaleString('en-US')} rows/s</span>}
        </div>
      )}
      {summary && <ImportSummaryView summary={summary} />}
    </section>
  );
}

export function ImportSummaryView({ summary }: { summary: ImportSummary }) {
  const c = summary.counts;
  return (
    <div className="summary" role="status" data-testid="import-summary">
      {summary.status === 'already_imported' ? (
        <p>{summary.warnings[0]}</p>
      ) : (
        <>
          <p>
            <strong>
              Imported {summary.fileName} into {summary.source}
            </strong>{' '}
            as batch {summary.batchId} (template v{summary.templateVersion})
          </p>
          <dl className="counts">
            {(['read', 'accepted', 'rejected', 'duplicate', 'new', 'changed', 'unchanged'] as const).map((k) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd data-testid={`count-${k}`}>{c[k].toLocaleString('en-US')}</dd>
              </div>
            ))}
          </dl>
          {summary.warnings.length > 0 && (
            <ul className="warnings">
              {summary.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
