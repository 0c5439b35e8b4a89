import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import type { RecordRow, SourceInfo } from '../../../shared/contract.js';
import { displayMinor } from '../../../shared/money.js';

/** Column definitions from a source's mapped fields; formatting only, values stay canonical. */
export function recordColumns(source: SourceInfo): ColDef<RecordRow>[] {
  const cols: ColDef<RecordRow>[] = [
    { colId: 'rowNumber', headerName: 'Row', field: 'rowNumber', width: 80, pinned: 'left' },
  ];
  for (const f of source.fields) {
    const col: ColDef<RecordRow> = {
      colId: f.name,
      headerName: f.column,
      headerTooltip: `${f.name} (${f.type}${f.role !== 'other' ? `, ${f.role}` : ''})`,
      valueGetter: (p) => p.data?.fields[f.name] ?? null,
    };
    if (f.type === 'money') {
      col.type = 'rightAligned';
      col.valueFormatter = (p: ValueFormatterParams<RecordRow>) =>
        typeof p.value === 'number' ? displayMinor(p.value, p.data?.currency ?? 'USD') : '';
      col.cellClassRules = { 'cell-negative': (p) => typeof p.value === 'number' && p.value < 0 };
    } else if (f.type === 'integer' || f.type === 'decimal') {
      col.type = 'rightAligned';
    }
    cols.push(col);
  }
  cols.push({
    colId: 'duplicateOf',
    headerName: 'Flags',
    width: 130,
    sortable: false,
    valueGetter: (p) => (p.data?.duplicateOf ? `possible duplicate` : p.data && p.data.version > 1 ? `version ${p.data.version}` : ''),
  });
  return cols;
}
