import { useState } from 'react';
import type { GridApi } from 'ag-grid-community';

interface Col {
  colId: string;
  name: string;
  hide: boolean;
  pinned: boolean;
}

/**
 * Show, hide and reorder the grid's columns with checkboxes and buttons (Community has no column
 * tool panel, and buttons work from the keyboard). Order changes go through applyColumnState.
 */
export function ColumnsMenu({ api }: { api: GridApi | null }) {
  const [open, setOpen] = useState(false);
  const [cols, setCols] = useState<Col[]>([]);

  const read = () => {
    if (!api) return;
    const names = new Map((api.getColumns() ?? []).map((c) => [c.getColId(), api.getDisplayNameForColumn(c, 'header') || c.getColId()]));
    setCols(api.getColumnState().map((s) => ({ colId: s.colId, name: names.get(s.colId) ?? s.colId, hide: !!s.hide, pinned: !!s.pinned })));
  };
  const toggle = (c: Col) => {
    api?.applyColumnState({ state: [{ colId: c.colId, hide: !c.hide }] });
    read();
  };
  const move = (i: number, by: -1 | 1) => {
    if (!api) return;
    const state = api.getColumnState();
    const j = i + by;
    if (j < 0 || j >= state.length) return;
    [state[i], state[j]] = [state[j]!, state[i]!];
    api.applyColumnState({ state, applyOrder: true });
    read();
  };

  return (
    <span className="columns-menu">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => {
          read();
          setOpen((o) => !o);
        }}
      >
        Columns…
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Columns" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          <ol>
            {cols.map((c, i) => (
              <li key={c.colId}>
                <label>
                  <input type="checkbox" checked={!c.hide} onChange={() => toggle(c)} aria-label={`Show ${c.name} (${c.colId})`} /> {c.name}{' '}
                  <span className="muted">{c.colId}</span>
                </label>
                <button type="button" aria-label={`Move ${c.colId} earlier`} disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" aria-label={`Move ${c.colId} later`} disabled={i === cols.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </button>
              </li>
            ))}
          </ol>
          <button type="button" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
      )}
    </span>
  );
}
