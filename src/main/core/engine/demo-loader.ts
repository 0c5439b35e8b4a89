import { join } from 'node:path';
import { DEMO_SOURCES, readTruth, type DemoSource, type TruthRow } from '../demo/index.js';
import { parseField } from '../import/parse/index.js';
import { openTable } from '../import/read/index.js';
import type { EngineRecord, Side } from './types.js';

/**
 * A small loader for the demo CSVs, for quality tests and benchmarks: the typed parsers, no
 * SQLite. Record ids are `<side letter><row number>` so a duplicated row gets its own id.
 */

async function loadSource(path: string, src: DemoSource, side: Side, prefix: string): Promise<EngineRecord[]> {
  // The import pipeline's own reader, so this loader parses CSV exactly as an import does.
  const table = await openTable(path, { format: 'csv' });
  const fields = src.mapping.fields.map((f) => ({ name: f.name, type: f.type, col: table.headers.indexOf(f.column) }));
  const decimal = src.mapping.decimal ?? '.';
  const out: EngineRecord[] = [];
  for await (const { row, cells } of table.rows) {
    const values: Record<string, string | number | null> = {};
    let currency: string | null = null;
    for (const f of fields) {
      if (f.type === 'currency') currency = cells[f.col]!.trim();
    }
    for (const f of fields) {
      const raw = cells[f.col] ?? '';
      if (raw.trim() === '' && f.type !== 'text') {
        values[f.name] = null;
        continue;
      }
      if (f.type === 'money') values[f.name] = parseField('money', raw, { decimal, currency }).minor;
      else if (f.type === 'integer') values[f.name] = parseField('integer', raw, { decimal });
      else if (f.type === 'decimal') values[f.name] = parseField('decimal', raw, { decimal });
      else if (f.type === 'date') values[f.name] = parseField('date', raw, {});
      else if (f.type === 'currency') values[f.name] = parseField('currency', raw, {});
      else values[f.name] = parseField('text', raw, {});
    }
    out.push({ id: `${prefix}${String(row).padStart(8, '0')}`, side, source: src.name, fields: values });
  }
  return out;
}

export interface LoadedDemo {
  records: EngineRecord[];
  truth: TruthRow[];
  /** Natural key → record ids (a duplicated invoice row has two). */
  recordIdOf: (side: Side, key: string) => readonly string[];
}

export async function loadDemo(dir: string): Promise<LoadedDemo> {
  const left = await loadSource(join(dir, DEMO_SOURCES.buys.file), DEMO_SOURCES.buys, 'left', 'B');
  const right = await loadSource(join(dir, DEMO_SOURCES.invoices.file), DEMO_SOURCES.invoices, 'right', 'I');
  const truth = await readTruth(join(dir, 'truth.csv'));
  const byLine = new Map<string, string[]>();
  for (const r of left) byLine.set(String(r.fields.line_id), [r.id]);
  const byKey = new Map<string, string[]>();
  for (const r of right) {
    const k = `${String(r.fields.invoice_no)}#${String(r.fields.invoice_line)}`;
    const list = byKey.get(k);
    if (list) list.push(r.id);
    else byKey.set(k, [r.id]);
  }
  const none: string[] = [];
  return {
    records: left.concat(right),
    truth,
    recordIdOf: (side, key) => (side === 'left' ? byLine.get(key) : byKey.get(key)) ?? none,
  };
}
