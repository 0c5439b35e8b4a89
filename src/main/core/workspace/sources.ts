import { fieldColumns, MappingTemplate } from '../../../shared/mapping.js';
import type { SourceInfo } from '../../../shared/contract.js';
import type { Db } from './open.js';

export interface TemplateRow {
  id: number;
  sourceId: number;
  version: number;
  mapping: MappingTemplate;
}

export function findSourceByName(db: Db, name: string): { id: number; name: string } | undefined {
  return db.prepare('SELECT id, name FROM source WHERE name = ?').get(name) as { id: number; name: string } | undefined;
}

export function findSourceById(db: Db, id: number): { id: number; name: string } | undefined {
  return db.prepare('SELECT id, name FROM source WHERE id = ?').get(id) as { id: number; name: string } | undefined;
}

export function ensureSource(db: Db, name: string, at: string): number {
  const found = findSourceByName(db, name);
  if (found) return found.id;
  return Number(db.prepare('INSERT INTO source (name, created_at) VALUES (?, ?)').run(name, at).lastInsertRowid);
}

export function latestTemplate(db: Db, sourceId: number): TemplateRow | undefined {
  const row = db
    .prepare('SELECT id, source_id, version, mapping_json FROM template WHERE source_id = ? ORDER BY version DESC LIMIT 1')
    .get(sourceId) as { id: number; source_id: number; version: number; mapping_json: string } | undefined;
  if (!row) return undefined;
  return { id: row.id, sourceId: row.source_id, version: row.version, mapping: MappingTemplate.parse(JSON.parse(row.mapping_json)) };
}

/** Saves the mapping as the source's newest template unless it equals the current one. */
export function saveTemplate(db: Db, sourceId: number, mapping: MappingTemplate, actor: string, at: string): TemplateRow {
  const current = latestTemplate(db, sourceId);
  const json = JSON.stringify(mapping);
  if (current && JSON.stringify(current.mapping) === json) return current;
  const version = (current?.version ?? 0) + 1;
  const id = Number(
    db
      .prepare('INSERT INTO template (source_id, version, mapping_json, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
      .run(sourceId, version, json, at, actor).lastInsertRowid,
  );
  return { id, sourceId, version, mapping };
}

export function listSources(db: Db): SourceInfo[] {
  const rows = db
    .prepare(
      `SELECT s.id, s.name,
              (SELECT COUNT(*) FROM record r WHERE r.source_id = s.id AND r.is_current = 1) AS records,
              (SELECT COUNT(*) FROM batch b WHERE b.source_id = s.id) AS batches
         FROM source s ORDER BY s.id`,
    )
    .all() as { id: number; name: string; records: number; batches: number }[];
  return rows.map((r) => {
    const t = latestTemplate(db, r.id)?.mapping;
    return {
      id: r.id,
      name: r.name,
      records: r.records,
      batches: r.batches,
      fields: (t?.fields ?? []).map((f) => ({ name: f.name, column: fieldColumns(f).join(' / '), type: f.type, role: f.role })),
      amountField: t?.amount ?? null,
      currencyField: t?.currency && 'field' in t.currency ? t.currency.field : null,
    };
  });
}
