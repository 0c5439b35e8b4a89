import { useEffect, useMemo, useRef, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import { themeQuartz, type GridApi } from 'ag-grid-community';
import type { RecordRow, SourceInfo } from '../../../../shared/contract.js';
import { useTransport } from '../../app/use-core.js';
import { recordColumns } from '../../grid/record-columns.js';
import { recordsDatasource } from '../../grid/records-datasource.js';

const theme = themeQuartz.withParams({ fontSize: 13, headerFontWeight: 600, spacing: 6 });

/** A source's current records in an ag-grid Infinite Row Model, paged from SQLite. */
export function RecordsView({ source, revision, onError }: { source: SourceInfo; revision: number; onError: (e: unknown) => void }) {
  const transport = useTransport();
  const [text, setText] = useState('');
  const [debounced, setDebounced] = useState('');
  const apiRef = useRef<GridApi<RecordRow> | null>(null);

  useEffect(() => {
    const t = setTimeout(() => setDebounced(text), 250);
    return () => clearTimeout(t);
  }, [text]);

  const columnDefs = useMemo(() => recordColumns(source), [source]);
  const datasource = useMemo(
    () => recordsDatasource(transport, source.id, debounced, onError),
    // `revision` changes when the workspace changes, so the grid refetches.
    [transport, source.id, debounced, onError, revision],
  );

  return (
    <section className="records" aria-label={`Records of ${source.name}`}>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Filter records (any mapped field)"
          aria-label="Filter records"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <span className="muted" data-testid="record-count">
          {source.records.toLocaleString('en-US')} records
        </span>
      </div>
      <div className="grid-host" data-testid="records-grid">
        <AgGridReact<RecordRow>
          theme={theme}
          rowModelType="infinite"
          datasource={datasource}
          columnDefs={columnDefs}
          defaultColDef={{ sortable: true, resizable: true, minWidth: 90 }}
          suppressColumnVirtualisation
          cacheBlockSize={200}
          maxBlocksInCache={20}
          getRowId={(p) => String(p.data.id)}
          onGridReady={(e) => (apiRef.current = e.api)}
        />
      </div>
    </section>
  );
}
