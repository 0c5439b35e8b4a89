import type { ColDef, ColGroupDef, ValueFormatterParams } from 'ag-grid-community';
import type { ReviewGridRow as ReviewRow } from '../../../../shared/contract.js';
import { displayMinor } from '../../../../shared/money.js';

const money = (p: ValueFormatterParams<ReviewRow>) => (typeof p.value === 'number' ? displayMinor(p.value, p.data?.currency ?? 'USD') : '');
const amountsDiffer = (r: ReviewRow | undefined) => !!r && r.deltaAmount !== null && r.deltaAmount !== 0;
const datesDiffer = (r: ReviewRow | undefined) => !!r && r.leftDate !== null && r.rightDate !== null && r.leftDate !== r.rightDate;

function side(prefix: 'left' | 'right', label: string): ColGroupDef<ReviewRow> {
  const f = (k: string) => `${prefix}${k}` as keyof ReviewRow;
  return {
    headerName: label,
    headerClass: `group-${prefix}`,
    children: [
      { colId: f('Ref'), field: f('Ref'), headerName: 'Ref', width: 170 },
      { colId: f('Amount'), field: f('Amount'), headerName: 'Amount', width: 120, type: 'rightAligned', valueFormatter: money, cellClassRules: { 'cell-diff': (p) => amountsDiffer(p.data) } },
      { colId: f('Date'), field: f('Date'), headerName: 'Date', width: 110, cellClassRules: { 'cell-diff-soft': (p) => datesDiffer(p.data) } },
      { colId: f('Party'), field: f('Party'), headerName: 'Party', width: 160 },
      { colId: f('Desc'), field: f('Desc'), headerName: 'Description', width: 220 },
      { colId: f('Count'), field: f('Count'), headerName: '#', width: 60, type: 'rightAligned' },
    ],
  };
}

/**
 * Columns the core can sort without sorting the run (each has an index; see review-rows.ts SORTS).
 * Others are not sortable: a sort on them would sort a million rows for every page.
 */
export const SORTABLE = new Set(['status', 'amountAtRisk', 'deltaAmount', 'leftDate', 'pass']);

const SLA_LABEL: Record<string, string> = { ok: 'on time', due_soon: 'due soon', breached: 'breached' };

/** Key, status and class pinned left; then Left | Δ | Right with fields aligned by meaning; then the work (owner, SLA). */
export function reviewColumns(leftLabel: string, rightLabel: string): (ColDef<ReviewRow> | ColGroupDef<ReviewRow>)[] {
  return ([
    { colId: 'keyText', field: 'keyText', headerName: 'Key', width: 170, pinned: 'left' },
    { colId: 'status', field: 'status', headerName: 'Status', width: 100, pinned: 'left', cellClass: (p) => `status-${p.value as string}` },
    { colId: 'class', field: 'class', headerName: 'Class', width: 140, pinned: 'left' },
    side('left', leftLabel),
    {
      headerName: 'Δ',
      headerClass: 'group-delta',
      children: [
        { colId: 'deltaAmount', field: 'deltaAmount', headerName: 'Amount', width: 110, type: 'rightAligned', valueFormatter: money, cellClassRules: { 'cell-diff': (p) => amountsDiffer(p.data) } },
        {
          colId: 'deltaPct',
          headerName: '%',
          width: 80,
          type: 'rightAligned',
          valueGetter: (p) => (p.data && p.data.deltaAmount !== null && p.data.leftAmount ? (p.data.deltaAmount / Math.abs(p.data.leftAmount)) * 100 : null),
          valueFormatter: (p) => (typeof p.value === 'number' ? `${p.value.toFixed(1)}%` : ''),
        },
        { colId: 'deltaDays', field: 'deltaDays', headerName: 'Days', width: 80, type: 'rightAligned' },
      ],
    },
    side('right', rightLabel),
    { colId: 'pass', field: 'pass', headerName: 'Pass', width: 140 },
    { colId: 'score', field: 'score', headerName: 'Score', width: 90, type: 'rightAligned', valueFormatter: (p) => (typeof p.value === 'number' ? p.value.toFixed(1) : '') },
    { colId: 'amountAtRisk', field: 'amountAtRisk', headerName: 'At risk', width: 120, type: 'rightAligned', valueFormatter: money },
    { colId: 'owner', field: 'owner', headerName: 'Owner', width: 110 },
    {
      colId: 'sla',
      field: 'sla',
      headerName: 'SLA',
      width: 100,
      valueFormatter: (p) => (typeof p.value === 'string' ? (SLA_LABEL[p.value] ?? p.value) : ''),
      cellClass: (p) => (p.value ? `sla-${p.value as string}` : ''),
      tooltipValueGetter: (p) => (p.data?.dueAt ? `due ${p.data.dueAt.replace('T', ' ').slice(0, 16)}` : null),
    },
  ] as (ColDef<ReviewRow> | ColGroupDef<ReviewRow>)[]).map((c) => withSort(c));
}

/** Marks each leaf column sortable only when the core has an index for it. */
function withSort(c: ColDef<ReviewRow> | ColGroupDef<ReviewRow>): ColDef<ReviewRow> | ColGroupDef<ReviewRow> {
  if ('children' in c) return { ...c, children: c.children.map(withSort) };
  return { ...c, sortable: SORTABLE.has(c.colId ?? '') };
}
