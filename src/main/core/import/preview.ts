import { basename } from 'node:path';
import { TieoutError } from '../../../shared/error.js';
import { mappedColumns, MappingTemplate, type MappingTemplateInput } from '../../../shared/mapping.js';
import type { ImportPreview } from '../../../shared/contract.js';
import { findSourceByName, latestTemplate, type Workspace } from '../workspace/index.js';
import { previewTable, type Encoding } from './read/index.js';
import { compileRowParser, isRejection } from './row-parser.js';
import { suggestMapping, suggestRemaps } from './suggest-mapping.js';

export interface PreviewRequest {
  path: string;
  source?: string | undefined;
  mapping?: MappingTemplateInput | undefined;
  sheet?: string | undefined;
  encoding?: Encoding | undefined;
  delimiter?: string | undefined;
  rows: number;
}

/**
 * The wizard's first look at a file: its layout, the first rows, the mapping that would
 * apply (given, the source's template, or suggested), and each preview row parsed with it,
 * so mapping errors show in place before anything is written.
 */
export async function previewImport(ws: Workspace, req: PreviewRequest): Promise<ImportPreview> {
  // A larger sample than is shown, so sniffing and suggestions see enough values.
  const table = await previewTable(req.path, {
    limit: Math.max(req.rows, 200),
    ...(req.sheet !== undefined && { sheet: req.sheet }),
    ...(req.encoding !== undefined && { encoding: req.encoding }),
    ...(req.delimiter !== undefined && { delimiter: req.delimiter }),
  });
  const sample = table.rows.map((r) => ({ row: r.row, cells: r.cells }));
  const source = req.source ? findSourceByName(ws.db, req.source) : undefined;
  const template = source ? latestTemplate(ws.db, source.id) : undefined;

  let mapping: MappingTemplate;
  let origin: ImportPreview['mappingOrigin'];
  if (req.mapping) {
    const parsed = MappingTemplate.safeParse(req.mapping);
    if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'mapping_invalid', 'mapping');
    mapping = parsed.data;
    origin = 'given';
  } else if (template) {
    mapping = template.mapping;
    origin = 'template';
  } else {
    mapping = suggestMapping(table.headers, sample.map((s) => s.cells));
    origin = 'suggested';
  }

  const present = new Set(table.headers);
  const mapped = new Set(mappedColumns(mapping));
  const missing = [...mapped].filter((c) => !present.has(c));
  const added = table.headers.filter((h) => !mapped.has(h));
  const remaps = suggestRemaps(missing, added);

  let parsedRows: ImportPreview['parsed'] = [];
  if (missing.length === 0) {
    const parser = compileRowParser(mapping, table.headers, sample.map((s) => s.cells));
    parsedRows = sample.slice(0, req.rows).map((s) => {
      const p = parser.parse(s.cells);
      return isRejection(p) ? { row: s.row, fields: {}, error: p } : { row: s.row, fields: p.fields, currency: p.currency };
    });
  }
  return {
    fileName: basename(req.path),
    format: table.format,
    sheets: table.sheets ?? [],
    sheet: table.sheet ?? null,
    encoding: table.encoding ?? null,
    delimiter: table.delimiter ?? null,
    headers: table.headers,
    headerRow: table.headerRow,
    rows: sample.slice(0, req.rows),
    mapping,
    mappingOrigin: origin,
    templateVersion: template?.version ?? null,
    parsed: parsedRows,
    drift: { missing, added: template || req.mapping ? added : [], remaps },
  };
}
