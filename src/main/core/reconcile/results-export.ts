import { formatMinor } from '../../../shared/money.js';
import { csvLine } from '../export/csv-write.js';
import { iterateResults, type Db } from '../workspace/index.js';

const COLUMNS = ['run_id', 'group_id', 'side', 'source', 'record_id', 'own_id', 'status', 'class', 'pass', 'score', 'amount_variance', 'currency'] as const;

/** The record's own id in its system: the template's record-id field(s), else the natural key. */
function ownId(fieldsJson: string, idFields: string[]): string {
  const f = JSON.parse(fieldsJson) as Record<string, unknown>;
  return idFields.map((k) => String(f[k] ?? '')).join('#');
}

function idFieldsOf(db: Db, sourceName: string): string[] {
  const row = db
    .prepare('SELECT t.mapping_json FROM template t JOIN source s ON s.id = t.source_id WHERE s.name = ? ORDER BY t.version DESC LIMIT 1')
    .get(sourceName) as { mapping_json: string } | undefined;
  if (!row) return [];
  const m = JSON.parse(row.mapping_json) as { naturalKey: string[]; fields: { name: string; role: string }[] };
  return m.naturalKey.length ? m.naturalKey : m.fields.filter((x) => x.role === 'record_id').map((x) => x.name);
}

/** One row per record of both sides of a run: where it went and why. */
export function exportResults(db: Db, runId: number, format: 'csv' | 'json'): string {
  const idFields = new Map<string, string[]>();
  const rows: Record<(typeof COLUMNS)[number], unknown>[] = [];
  for (const r of iterateResults(db, runId)) {
    if (!idFields.has(r.sourceName)) idFields.set(r.sourceName, idFieldsOf(db, r.sourceName));
    const variance =
      r.status === 'exception'
        ? r.class === 'amount_variance' && r.exceptionAmount !== null
          ? formatMinor(r.exceptionAmount, r.currency ?? 'USD')
          : null
        : r.leftAmount !== null && r.rightAmount !== null
          ? formatMinor(r.rightAmount - r.leftAmount, r.currency ?? 'USD')
          : null;
    rows.push({
      run_id: runId,
      group_id: r.groupId ?? r.exceptionGroup ?? r.exceptionId,
      side: r.side,
      source: r.sourceName,
      record_id: r.recordId,
      own_id: ownId(r.fieldsJson, idFields.get(r.sourceName)!),
      status: r.status,
      class: r.class,
      pass: r.pass,
      score: r.score,
      amount_variance: variance,
      currency: r.currency,
    });
  }
  if (format === 'json') return JSON.stringify(rows, null, 2) + '\n';
  let out = csvLine([...COLUMNS]);
  const trusted = new Set([0, 4, 9, 10]);
  for (const r of rows) out += csvLine(COLUMNS.map((c) => r[c]), trusted);
  return out;
}
