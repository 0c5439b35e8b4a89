import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import { themeQuartz, type GridApi, type IDatasource } from 'ag-grid-community';
import type { CallInput, ReviewGridRow, ReviewMember, SavedViewState, UserInfo } from '../../../../shared/contract.js';
import { errorText } from '../../app/error-text.js';
import { useTransport } from '../../app/use-core.js';
import { ExplanationPanel, MembersPane } from './ExplanationPanel.js';
import { BulkActions } from './BulkActions.js';
import { ItemPanel } from './ItemPanel.js';
import { reviewColumns } from './review-columns.js';
import { ColumnsMenu } from './columns/ColumnsMenu.js';
import { AssignPrompt } from './keyboard/AssignPrompt.js';
import { isTyping, SHORTCUTS, whenPresent } from './keyboard/shortcuts.js';
import { SavedViews } from './saved-views/SavedViews.js';
import { EXCEPTION_CLASSES } from '../../../../shared/decisions.js';
import { useReconciliationChoice } from '../../app/use-reconciliations.js';
import { ErrorBanner } from '../../app/ErrorBanner.js';

const theme = themeQuartz.withParams({ fontSize: 12, spacing: 4 });
const STATUSES = ['matched', 'suggested', 'exception'] as const;
const CLASSES: readonly string[] = EXCEPTION_CLASSES;
const SLA = [
  ['ok', 'on time'],
  ['due_soon', 'due soon'],
  ['breached', 'breached'],
] as const;
// Grid options are constants: a new object on every render makes ag-grid re-apply them, which
// re-renders the rows and drops the keyboard focus.
const DEFAULT_COL = { resizable: true };
const SELECTION = { mode: 'singleRow', checkboxes: false, enableClickSelection: true } as const;
const rowIdOf = (p: { data: ReviewGridRow }) => p.data.rowId;

/** Owner filter values that are not user ids. */
const NOBODY = '__nobody';

interface Filter {
  status: (typeof STATUSES)[number][];
  class: string;
  pass: string;
  source: string;
  owner: string;
  sla: string;
  text: string;
  minAmount: string;
  maxAmount: string;
}
const NO_FILTER: Filter = { status: [], class: '', pass: '', source: '', owner: '', sla: '', text: '', minAmount: '', maxAmount: '' };

type PageFilter = NonNullable<CallInput<'review.page'>['filter']>;

/** A decimal amount typed by the user as minor units, without going through a float. */
function toMinor(text: string): number | undefined {
  const m = /^\s*(-?)(\d+)(?:\.(\d{0,2}))?\s*$/.exec(text);
  if (!m) return undefined;
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0')));
}

/** The toolbar's filter as the core takes it. */
function pageFilter(f: Filter): PageFilter {
  const min = toMinor(f.minAmount);
  const max = toMinor(f.maxAmount);
  return {
    ...(f.status.length && { status: f.status }),
    ...(f.class && { class: [f.class] }),
    ...(f.pass && { pass: [f.pass] }),
    ...(f.source && { source: [f.source] }),
    ...(f.owner && { owner: [f.owner === NOBODY ? null : f.owner] }),
    ...(f.sla && { sla: [f.sla as 'ok'] }),
    ...(f.text && { text: f.text }),
    ...(min !== undefined && { minAmount: min }),
    ...(max !== undefined && { maxAmount: max }),
  };
}

/** A saved view's filter back into the toolbar (unknown keys from newer versions are ignored). */
function toolbarFilter(saved: Record<string, unknown>): Filter {
  const s = (k: keyof Filter) => (typeof saved[k] === 'string' ? (saved[k] as string) : '');
  const status = Array.isArray(saved['status']) ? (saved['status'] as string[]).filter((x): x is Filter['status'][number] => (STATUSES as readonly string[]).includes(x)) : [];
  return { ...NO_FILTER, status, class: s('class'), pass: s('pass'), source: s('source'), owner: s('owner'), sla: s('sla'), text: s('text'), minAmount: s('minAmount'), maxAmount: s('maxAmount') };
}

interface Detail {
  row: ReviewGridRow;
  members: ReviewMember[];
  explanation: unknown;
  detail: string | null;
}

/** The side-by-side diff grid of a run: one row per match group or exception, paged from SQLite. */
export function ReviewView({ revision }: { revision: number }) {
  const transport = useTransport();
  const [runs, setRuns] = useState<{ id: number; ruleSetVersion: number; finishedAt: string }[]>([]);
  const [runId, setRunId] = useState<number | null>(null);
  const [facets, setFacets] = useState<{ passes: string[]; sources: { name: string; side: string }[] }>({ passes: [], sources: [] });
  const [users, setUsers] = useState<{ users: UserInfo[]; current: string | null }>({ users: [], current: null });
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  const [debounced, setDebounced] = useState(filter);
  const [total, setTotal] = useState<number | null>(null);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [help, setHelp] = useState(false);
  const [assigning, setAssigning] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { recs, rec, setRec } = useReconciliationChoice(revision, setError);
  const [gridApi, setGridApi] = useState<GridApi<ReviewGridRow> | null>(null);
  const api = useRef<GridApi<ReviewGridRow> | null>(null);
  /** Loaded rows by index, so keys can act on the grid's focused row. */
  const rowsAt = useRef(new Map<number, ReviewGridRow>());
  /** Where to put the focus back once the reloaded grid has rows again. */
  const refocus = useRef<number | null>(null);

  useEffect(() => {
    transport
      .call('users.list', {})
      .then(setUsers)
      .catch((e) => setError(errorText(e)));
  }, [transport, revision]);
  useEffect(() => {
    if (!rec) return;
    transport
      .call('review.runs', { reconciliation: rec })
      .then((list) => {
        setRuns(list);
        setRunId((id) => (id && list.some((r) => r.id === id) ? id : (list[0]?.id ?? null)));
      })
      .catch((e) => setError(errorText(e)));
  }, [transport, rec, revision]);
  useEffect(() => {
    if (runId === null) return;
    transport
      .call('review.facets', { runId })
      .then(setFacets)
      .catch((e) => setError(errorText(e)));
  }, [transport, runId]);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(filter), 250);
    return () => clearTimeout(t);
  }, [filter]);

  const currentRec = recs.find((r) => r.name === rec);
  const columnDefs = useMemo(
    () => reviewColumns(currentRec?.left.map((s) => s.name).join(' + ') ?? 'Left', currentRec?.right.map((s) => s.name).join(' + ') ?? 'Right'),
    [currentRec],
  );

  // The datasource changes only when the filter's meaning does (typing and erasing a letter is no reload).
  const filterKey = JSON.stringify(pageFilter(debounced));
  const datasource = useMemo<IDatasource | null>(() => {
    if (runId === null) return null;
    const f = JSON.parse(filterKey) as PageFilter;
    // A reload re-renders the rows and the browser drops the focus with them: put it back after.
    const focused = document.activeElement?.closest('[data-testid="review-grid"]') ? api.current?.getFocusedCell() : null;
    if (focused && refocus.current === null) refocus.current = focused.rowIndex;
    // The first page comes without a total; the count is asked for once, after it, and then
    // sizes the scrollbar (until then the grid scrolls on as if the rows were endless).
    let counting = false;
    let stale = false;
    const loaded = new Map<number, ReviewGridRow>();
    rowsAt.current = loaded;
    return {
      getRows(params) {
        const sort = (params.sortModel as { colId: string; sort: 'asc' | 'desc' }[]).slice(0, 1).map((s) => ({ field: s.colId, dir: s.sort }));
        const limit = params.endRow - params.startRow;
        transport
          .call('review.page', { runId, offset: params.startRow, limit, sort, filter: f })
          .then((page) => {
            const lastRow = page.total ?? (page.rows.length < limit ? params.startRow + page.rows.length : -1);
            page.rows.forEach((r, i) => loaded.set(params.startRow + i, r));
            params.successCallback(page.rows, lastRow);
            if (page.total !== null) setTotal(page.total);
            else if (lastRow !== -1) setTotal(lastRow);
            else if (!counting) {
              counting = true;
              transport
                .call('review.count', { runId, filter: f })
                .then(({ total: n }) => {
                  if (stale) return;
                  setTotal(n);
                  api.current?.setRowCount(n, true);
                })
                .catch((e: unknown) => setError(errorText(e)));
            }
            if (refocus.current !== null && page.rows.length) {
              const i = Math.min(refocus.current, params.startRow + page.rows.length - 1);
              refocus.current = null;
              if (i >= params.startRow) setTimeout(() => api.current?.setFocusedCell(i, 'status'));
            }
          })
          .catch((e: unknown) => {
            params.failCallback();
            setError(errorText(e));
          });
      },
      destroy() {
        stale = true;
      },
    };
  }, [transport, runId, filterKey, revision]);

  useEffect(() => setTotal(null), [datasource]);

  const open = useCallback(
    (row: ReviewGridRow | undefined) => {
      if (!row || runId === null) return setDetail(null);
      transport
        .call('review.detail', { runId, rowId: row.rowId })
        .then((d) => setDetail({ ...d, row: { ...row, ...d.row } }))
        .catch((e) => setError(errorText(e)));
    },
    [transport, runId],
  );

  /** Keeps the keyboard's place across the reload a change triggers. */
  const keepPlace = () => {
    refocus.current = api.current?.getFocusedCell()?.rowIndex ?? null;
  };
  const backToGrid = () => {
    const i = api.current?.getFocusedCell()?.rowIndex ?? 0;
    api.current?.setFocusedCell(i, 'status');
  };

  /** Opens the row (if it is not open yet) and focuses something in its item panel. */
  const focusInPanel = async (row: ReviewGridRow, selector: string) => {
    if (detail?.row.rowId !== row.rowId) open(row);
    const pane = `aside[aria-label="Detail of ${CSS.escape(row.rowId)}"]`;
    const el = await whenPresent<HTMLElement>(`${pane} ${selector}`);
    if (el) el.focus();
    return el;
  };

  const decide = (row: ReviewGridRow, decision: 'confirm' | 'reject') => {
    if (row.status !== 'suggested' || !rec) return setMessage(`${row.rowId} is not a suggested match`);
    setError(null);
    keepPlace();
    transport
      .call('suggestions.decide', { reconciliation: rec, groupIds: [row.rowId], decision })
      .then((r) => setMessage(r.decided ? `${decision === 'confirm' ? 'Confirmed' : 'Rejected'} ${row.rowId}` : `Not decided: ${r.skipped[0]?.reason ?? 'skipped'}`))
      .catch((e) => setError(errorText(e)));
  };

  const shortcut = (key: string, target: EventTarget | null): boolean => {
    // In the detail pane the keys act on the open row; elsewhere on the grid's focused row (the
    // grid remembers it even when a reload took the focus away).
    const inPane = target instanceof Element && target.closest('.detail-pane') !== null;
    const cell = api.current?.getFocusedCell();
    const row = inPane ? detail?.row : ((cell && rowsAt.current.get(cell.rowIndex)) ?? detail?.row);
    const needsRow = 'cxman'.includes(key);
    if (!needsRow) return false;
    if (!row) {
      setMessage('Move to a row first');
      return true;
    }
    const isItem = row.status !== 'matched';
    switch (key) {
      case 'c':
      case 'x':
        decide(row, key === 'c' ? 'confirm' : 'reject');
        return true;
      case 'm':
        if (!row.class?.startsWith('unmatched_')) {
          setMessage('Only unmatched records have candidates to match by hand');
          return true;
        }
        void focusInPanel(row, 'button').then(async () => {
          const find = [...document.querySelectorAll<HTMLButtonElement>(`aside[aria-label="Detail of ${CSS.escape(row.rowId)}"] button`)].find((b) => b.textContent === 'Find candidates');
          find?.click();
          const first = await whenPresent<HTMLElement>(`aside[aria-label="Detail of ${CSS.escape(row.rowId)}"] table[aria-label="Candidates"] button`);
          (first ?? find)?.focus();
        });
        return true;
      case 'a':
        if (!isItem) setMessage('A match is not a work item: nothing to assign');
        else {
          keepPlace();
          setAssigning(row.rowId);
        }
        return true;
      case 'n':
        if (!isItem) setMessage('A match is not a work item: comments go on exceptions and suggestions');
        else void focusInPanel(row, 'input[aria-label="Comment"]');
        return true;
    }
    return false;
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented) return;
    // Keys reach the view from inside it, or from the page itself when a reload took the focus away.
    const t = e.target;
    if (!(t instanceof Element) || !(t === document.body || t.closest('section.review'))) return;
    if (e.key === 'Escape') {
      if (help) return setHelp(false);
      if (e.target instanceof Element && e.target.closest('.detail-pane')) {
        (e.target as HTMLElement).blur?.();
        return backToGrid();
      }
      return;
    }
    if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '?') return setHelp((h) => !h);
    if (shortcut(e.key, e.target)) e.preventDefault();
  };

  const onKeyRef = useRef(onKey);
  onKeyRef.current = onKey;
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKeyRef.current(e);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  const captureView = (): SavedViewState => {
    const state = api.current?.getColumnState() ?? [];
    return {
      columns: state.map((s) => ({ colId: s.colId, hide: !!s.hide, ...(s.width && { width: Math.round(s.width) }) })),
      sort: state.filter((s) => s.sort).map((s) => ({ field: s.colId, dir: s.sort as 'asc' | 'desc' })),
      filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v !== ''))),
    };
  };
  const applyView = (v: SavedViewState) => {
    const sortOf = new Map(v.sort.map((s, i) => [s.field, { sort: s.dir, sortIndex: i }]));
    api.current?.applyColumnState({
      state: v.columns.map((c) => ({ colId: c.colId, hide: c.hide, ...(c.width && { width: c.width }), sort: sortOf.get(c.colId)?.sort ?? null, sortIndex: sortOf.get(c.colId)?.sortIndex ?? null })),
      applyOrder: true,
    });
    const next = toolbarFilter(v.filter);
    setFilter(next);
    setDebounced(next);
  };

  const set = (patch: Partial<Filter>) => setFilter({ ...filter, ...patch });

  return (
    <section className="review" aria-label="Review">
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
            <input type="checkbox" checked={filter.status.includes(s)} onChange={(e) => set({ status: e.target.checked ? [...filter.status, s] : filter.status.filter((x) => x !== s) })} /> {s}
          </label>
        ))}
        <select aria-label="Exception class" value={filter.class} onChange={(e) => set({ class: e.target.value })}>
          <option value="">all classes</option>
          {CLASSES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <select aria-label="Pass" value={filter.pass} onChange={(e) => set({ pass: e.target.value })}>
          <option value="">all passes</option>
          {facets.passes.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
        <select aria-label="Source" value={filter.source} onChange={(e) => set({ source: e.target.value })}>
          <option value="">all sources</option>
          {facets.sources.map((s) => (
            <option key={s.name} value={s.name}>
              {s.name} ({s.side})
            </option>
          ))}
        </select>
        <select aria-label="Owner" value={filter.owner} onChange={(e) => set({ owner: e.target.value })}>
          <option value="">any owner</option>
          {users.current && <option value={users.current}>mine ({users.current})</option>}
          <option value={NOBODY}>nobody</option>
          {users.users
            .filter((u) => u.id !== users.current)
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.id})
              </option>
            ))}
        </select>
        <select aria-label="SLA" value={filter.sla} onChange={(e) => set({ sla: e.target.value })}>
          <option value="">any SLA</option>
          {SLA.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <input type="search" aria-label="Search review rows" placeholder="ref, vendor, description…" value={filter.text} onChange={(e) => set({ text: e.target.value })} />
        <input aria-label="Minimum amount at risk" placeholder="min at risk" size={9} value={filter.minAmount} onChange={(e) => set({ minAmount: e.target.value })} />
        <input aria-label="Maximum amount at risk" placeholder="max" size={9} value={filter.maxAmount} onChange={(e) => set({ maxAmount: e.target.value })} />
        <button type="button" onClick={() => (setFilter(NO_FILTER), setDebounced(NO_FILTER))}>
          Clear filters
        </button>
        <span className="muted" data-testid="review-count">
          {total === null ? 'counting…' : `${total.toLocaleString('en-US')} rows`}
        </span>
        <ColumnsMenu api={gridApi as GridApi | null} />
        {rec && <SavedViews key={rec} reconciliation={rec} capture={captureView} apply={applyView} />}
        {rec && <BulkActions reconciliation={rec} classFilter={filter.class} onApplied={keepPlace} />}
        <button type="button" aria-label="Keyboard shortcuts" onClick={() => setHelp(true)}>
          ?
        </button>
      </div>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {message && (
        <p className="review-message" role="status" data-testid="review-message">
          {message}
        </p>
      )}
      {assigning && rec && (
        <AssignPrompt
          reconciliation={rec}
          itemId={assigning}
          onClose={() => {
            setAssigning(null);
            backToGrid();
          }}
          onDone={(m) => {
            setAssigning(null);
            setMessage(m);
          }}
        />
      )}
      {runId === null && <p className="empty">No runs yet: start one from the Reconcile view.</p>}
      <div className="review-body">
        {datasource && (
          <div className="grid-host" data-testid="review-grid">
            <AgGridReact<ReviewGridRow>
              theme={theme}
              rowModelType="infinite"
              datasource={datasource}
              columnDefs={columnDefs}
              defaultColDef={DEFAULT_COL}
              suppressColumnVirtualisation
              cacheBlockSize={100}
              maxBlocksInCache={50}
              getRowId={rowIdOf}
              rowSelection={SELECTION}
              onGridReady={(e) => {
                api.current = e.api;
                setGridApi(e.api);
              }}
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
            {rec && <ItemPanel key={detail.row.rowId} reconciliation={rec} row={detail.row} members={detail.members} onChanged={keepPlace} />}
            <ExplanationPanel explanation={detail.explanation} detail={detail.detail} />
          </aside>
        )}
      </div>
      {help && (
        <div className="help-overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={() => setHelp(false)}>
          <h3>Keyboard</h3>
          <dl>
            {SHORTCUTS.map(([keys, what]) => (
              <div key={keys} className="shortcut">
                <dt>{keys}</dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
          <p className="muted">Keys typed in a field are text, never shortcuts.</p>
        </div>
      )}
    </section>
  );
}
