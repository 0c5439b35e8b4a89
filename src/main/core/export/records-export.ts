import type { MappingTemplate } from '../../../shared/mapping.js';
import { formatMinor } from '../../../shared/money.js';
import { iterateRecords, iterateRejectedRows, type Db } from '../workspace/index.js';
import { csvLine } from './csv-write.js';

/**
 * A source's current records in canonical form: money as a decimal string with its currency,
 * dates as ISO, then the extra (unmapped) attributes and provenance (batch, row number).
 */
export function exportRecords(db: Db, sourceId: number, mapping: MappingTemplate, batchId: number | undefined, format: 'csv' | 'json'): string {
  const moneyFields = new Set(mapping.fields.filter((f) => f.type === 'money').map((f) => f.name));
  const rows: Record<string, unknown>[] = [];
  const extraNames = new Set<string>();
  for (const r of iterateRecords(db, sourceId, batchId)) {
    const fields: Record<string, unknown> = {};
    for (const f of mapping.fields) {
      const v = r.fields[f.name] ?? null;
      fields[f.name] = moneyFields.has(f.name) && typeof v === 'number' ? formatMinor(v, r.currency ?? 'USD') : v;
    }
    for (const k of Object.keys(r.extras)) extraNames.add(k);
    rows.push({ ...fields, currency_code: r.currency, extras: r.extras, batch_id: r.batchId, row_number: r.rowNumber, version: r.version, possible_duplicate_of: r.duplicateOf });
  }
  if (format === 'json') return JSON.stringify(rows, null, 2) + '\n';
  const extras = [...extraNames];
  const header = [...mapping.fields.map((f) => f.name), 'currency_code', ...extras.map((e) => `extra:${e}`), 'batch_id', 'row_number', 'version', 'possible_duplicate_of'];
  const trusted = new Set(mapping.fields.flatMap((f, i) => (moneyFields.has(f.name) || f.type === 'integer' || f.type === 'decimal' ? [i] : [])));
  let out = csvLine(header);
  for (const r of rows) {
    const ex = r['extras'] as Record<string, string>;
    out += csvLine(
      [...mapping.fields.map((f) => r[f.name]), r['currency_code'], ...extras.map((e) => ex[e] ?? ''), r['batch_id'], r['row_number'], r['version'], r['possible_duplicate_of']],
      trusted,
    );
  }
  return out;
}

export function exportRejected(db: Db, sourceId: number, batchId: number | undefined, format: 'csv' | 'json'): string {
  const rows = [...iterateRejectedRows(db, sourceId, batchId)];
  if (format === 'json') return JSON.stringify(rows.map((r) => ({ ...r, raw: JSON.parse(r.raw) as unknown })), null, 2) + '\n';
  let out = csvLine(['batch_id', 'row_number', 'column', 'value', 'reason', 'raw']);
  for (const r of rows) out += csvLine([r.batchId, r.row, r.column, r.value, r.reason, r.raw]);
  return out;
}
