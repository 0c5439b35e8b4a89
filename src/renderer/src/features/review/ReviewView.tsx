import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import { themeQuartz, type GridApi, type IDatasource } from 'ag-grid-community';
import type { ReconciliationInfo, ReviewMember, ReviewRow, RunInfo } from '../../../../shared/contract.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { ExplanationPanel, MembersPane } from './ExplanationPanel.js';
import { BulkAssign } from './BulkAssign.js';
import { ItemPanel } from './ItemPanel.js';
import { reviewColumns } from './review-columns.js';

const theme = themeQuartz.withParams({ fontSize: 12, spacing: 4 });
const STATUSES = ['matched', 'suggested', 'exception'] as const;
const CLASSES = ['amount_variance', 'date_variance', 'currency_mismatch', 'duplicate', 'ambiguous', 'unmatched_left', 'unmatched_right'];

interface Filter {
  status: (typeof STATUSES)[number][];
  class: string;
  text: string;
  minAmount: string;
  maxAmount: string;
}

/** A decimal amount typed by the user as minor units, without going through a float. */
function toMinor(text: string): number | undefined {
  const m = /^\s*(-?)(\d+)(?:\.(\d{0,2}))?\s*$/.exec(text);
  if (!m) return undefined;
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0')));
}

/** The side-by-side diff grid of a run: one row per match group or exception, paged from SQLite. */
export function ReviewView({ revision }: { revision: number }) {
  const transport = useTransport();
  const [recs, setRecs] = useState<ReconciliationInfo[]>([]);
  const [rec, setRec] = useState<string | null>(null);
  const [runs, setRuns] = useState<RunInfo[]>([]);
  const [runId, setRunId] = useState<number | null>(null);
  const [filter, setFilter] = useState<Filter>({ status: [], class: '', text: '', minAmount: '', maxAmount: '' });
  const [debounced, setDebounced] = useState(filter);
  const [total, setTotal] = useState<number | null>(null);
  const [detail, setDetail] = useState<{ row: ReviewRow; members: ReviewMember[]; explanation: unknown; detail: string | null } | null>(null);
  const [help, setHelp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const api = useRef<GridApi<ReviewRow> | null>(null);

  useEffect(() => {
    transport
      .call('reconciliations.list', {})
      .then((list) => {
        setRecs(list);
        setRec((r) => r ?? list[0]?.name ?? null);
      })
      .catch((e) => setError(errorText(e)));
  }, [transport, revision]);
  useEffect(() => {
    if (!rec) return;
    transport
      .call('runs.list', { reconciliation: rec })
      .then((list) => {
        setRuns(list);
        setRunId((id) => (id && list.some((r) => r.id === id) ? id : (list[0]?.id ?? null)));
      })
      .catch((e) => setError(errorText(e)));
  }, [transport, rec, revision]);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(filter), 250);
    return () => clearTimeout(t);
  }, [filter]);

  const current = recs.find((r) => r.name === rec);
  const columnDefs = useMemo(() => reviewColumns(current?.left.map((s) => s.name).join(' + ') ?? 'Left', current?.right.map((s) => s.name).join(' + ') ?? 'Right'), [current]);

  const datasource = useMemo<IDatasource | null>(() => {
    if (runId === null) return null;
    const min = toMinor(debounced.minAmount);
    const max = toMinor(debounced.maxAmount);
    const f = {
      ...(debounced.status.length && { status: debounced.status }),
      ...(debounced.class && { class: [debounced.class] }),
      ...(debounced.text && { text: debounced.text }),
      ...(min !== undefined && { minAmount: min }),
      ...(max !== undefined && { maxAmount: max }),
    };
    return {
      getRows(params) {
        const sort = (params.sortModel as { colId: string; sort: 'asc' | 'desc' }[]).slice(0, 3).map((s) => ({ field: s.colId, dir: s.sort }));
        transport
          .call('review.page', { runId, offset: params.startRow, limit: params.endRow - params.startRow, sort, filter: f })
          .then((page) => {
            setTotal(page.total);
            params.successCallback(page.rows, page.total);
          })
          .catch((e: unknown) => {
            params.failCallback();
            setError(errorText(e));
          });
      },
    };
  }, [transport, runId, debounced, revision]);

  const open = useCallback(
    (row: ReviewRow | undefined) => {
      if (!row || runId === null) return setDetail(null);
      transport
        .call('review.detail', { runId, rowId: row.rowId })
        .then(setDetail)
        .catch((e) => setError(errorText(e)));
    },
    [transport, runId],
  );

  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === '?') setHelp((h) => !h);
    if (e.key === 'Escape') setHelp(false);
  };

  return (
    <section className="review" aria-label="Review" onKeyDown={onKey}>
      <div className="toolbar">
        <select aria-label="Reconciliation to review" value={rec ?? ''} onChange={(e) => setRec(e.target.value)}>
          {recs.map((r) => (
            <option key={r.id}>{r.name}</option>
          ))}
        </select>
        <select aria-label="Run" value={runId ?? ''} onChange={(e) => setRunId(Number(e.target.value))}>
          {runs.map((r) => (
            <option key={r.id} value={r.id}>
              Run {r.id} · rules v{r.ruleSetVersion} · {r.finishedAt.slice(0, 16).replace('T', ' ')}
            </option>
          ))}
        </select>
        {STATUSES.map((s) => (
          <label key={s} className="chip-toggle">
            <input
              type="checkbox"
              checked={filter.status.includes(s)}
              onChange={(e) => setFilter({ ...filter, status: e.target.checked ? [...filter.status, s] : filter.status.filter((x) => x !== s) })}
            />{' '}
            {s}
          </label>
        ))}
        <select aria-label="Exception class" value={filter.class} onChange={(e) => setFilter({ ...filter, class: e.target.value })}>
          <option value="">all classes</option>
          {CLASSES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <input type="search" aria-label="Search review rows" placeholder="ref, vendor, description…" value={filter.text} onChange={(e) => setFilter({ ...filter, text: e.target.value })} />
        <input aria-label="Minimum amount at risk" placeholder="min at risk" size={9} value={filter.minAmount} onChange={(e) => setFilter({ ...filter, minAmount: e.target.value })} />
        <input aria-label="Maximum amount at risk" placeholder="max" size={9} value={filter.maxAmount} onChange={(e) => setFilter({ ...filter, maxAmount: e.target.value })} />
        <span className="muted" data-testid="review-count">
          {total === null ? '' : `${total.toLocaleString('en-US')} rows`}
        </span>
        {rec && <BulkAssign reconciliation={rec} classFilter={filter.class} />}
        <button type="button" aria-label="Keyboard shortcuts" onClick={() => setHelp(true)}>
          ?
        </button>
      </div>
      {error && (
        <div className="error-banner" role="alert">
          {error}
        </div>
      )}
      {runId === null && <p className="empty">No runs yet: start one from the Reconcile view.</p>}
      <div className="review-body">
        {datasource && (
          <div className="grid-host" data-testid="review-grid">
            <AgGridReact<ReviewRow>
              theme={theme}
              rowModelType="infinite"
              datasource={datasource}
              columnDefs={columnDefs}
              defaultColDef={{ sortable: true, resizable: true }}
              suppressColumnVirtualisation
              cacheBlockSize={100}
              maxBlocksInCache={50}
              getRowId={(p) => p.data.rowId}
              rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
              onGridReady={(e) => (api.current = e.api)}
              onSelectionChanged={(e) => open(e.api.getSelectedRows()[0])}
              onCellKeyDown={(e) => {
                const key = (e.event as KeyboardEvent | undefined)?.key;
                if (key === 'Enter' || key === ' ') e.node.setSelected(true, true);
              }}
            />
          </div>
        )}
        {detail && (
          <aside className="detail-pane" aria-label={`Detail of ${detail.row.rowId}`}>
            <h3>
              {detail.row.kind === 'group' ? `Group ${detail.row.rowId}` : `${detail.row.class} ${detail.row.rowId}`} <span className="muted">{detail.row.status}</span>
            </h3>
            <MembersPane row={detail.row} members={detail.members} />
            {rec && <ItemPanel key={detail.row.rowId} reconciliation={rec} row={detail.row} members={detail.members} onChanged={() => {}} />}
            <ExplanationPanel explanation={detail.explanation} detail={detail.detail} />
          </aside>
        )}
      </div>
      {help && (
        <div className="help-overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={() => setHelp(false)}>
          <h3>Keyboard</h3>
          <dl>
            <dt>↑ ↓</dt>
            <dd>move between rows</dd>
            <dt>Enter / Space</dt>
            <dd>open the row in the detail pane</dd>
            <dt>?</dt>
            <dd>show or hide this help</dd>
            <dt>Esc</dt>
            <dd>close this help</dd>
          </dl>
        </div>
      )}
    </section>
  );
}
