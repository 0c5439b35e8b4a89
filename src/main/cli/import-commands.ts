import { resolve } from 'node:path';
import { MappingTemplate } from '../../shared/mapping.js';
import { TieoutError } from '../../shared/error.js';
import type { ImportSummary } from '../../shared/contract.js';
import { exportRecords, exportRejected } from '../core/export/records-export.js';
import { findSourceByName, latestTemplate, openWorkspace } from '../core/workspace/index.js';
import { intOption, json, parse, UsageError, type Command, type Io, readJsonFile, withService, writeOutput } from './command.js';

function printSummary(s: ImportSummary, io: Io): void {
  if (s.status === 'already_imported') {
    io.out(s.warnings[0] ?? 'Already imported; nothing changed.');
    return;
  }
  const c = s.counts;
  io.out(`Imported ${s.fileName} into "${s.source}" as batch ${s.batchId} (template v${s.templateVersion}, sha256 ${s.sha256.slice(0, 12)}…)`);
  io.out(`  read ${c.read}, accepted ${c.accepted}, rejected ${c.rejected}, possible duplicates ${c.duplicate}`);
  io.out(`  new ${c.new}, changed ${c.changed}, unchanged ${c.unchanged}`);
  for (const w of s.warnings) io.out(`  warning: ${w}`);
  if (c.rejected > 0) io.out(`  see the rejected rows with: tieout records <workspace> --source "${s.source}" --batch ${s.batchId} --rejected`);
}

function readMapping(file: string): MappingTemplate {
  const parsed = MappingTemplate.safeParse(readJsonFile(file, 'Mapping', 'mapping_invalid'));
  if (!parsed.success) {
    const e = TieoutError.fromZod(parsed.error, 'mapping_invalid', `mapping in ${file}`);
    throw new TieoutError('mapping_invalid', e.message, { ...e.details, file });
  }
  return parsed.data;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import a CSV, XLSX, XLS, ODS, JSON or NDJSON file into a source',
  usage:
    'tieout import <workspace> --source <name> <file> [--sheet <name>] [--template <version> | --mapping <file.json>] [--encoding <enc>] [--strict] [--json]',
  async run(args, io) {
    const { positionals, values } = parse(
      args,
      {
        source: { type: 'string' },
        sheet: { type: 'string' },
        template: { type: 'string' },
        mapping: { type: 'string' },
        encoding: { type: 'string' },
        delimiter: { type: 'string' },
        strict: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      2,
    );
    if (!values.source) throw new UsageError('--source is required');
    if (values.template && values.mapping) throw new UsageError('use --template or --mapping, not both');
    const encodings = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
    if (values.encoding && !encodings.includes(values.encoding as (typeof encodings)[number])) {
      throw new UsageError(`--encoding must be one of ${encodings.join(', ')}`);
    }
    const workspace = resolve(positionals[0]!);
    const file = resolve(positionals[1]!);
    let mapping: MappingTemplate | undefined;
    if (values.mapping) mapping = readMapping(resolve(values.mapping));
    if (values.template) {
      // A saved template version of this source, by number.
      const version = intOption(values.template, 'template', 0);
      const ws = openWorkspace(workspace);
      try {
        const src = findSourceByName(ws.db, values.source);
        const row = src && ws.db.prepare('SELECT mapping_json FROM template WHERE source_id = ? AND version = ?').get(src.id, version) as { mapping_json: string } | undefined;
        if (!row) throw new TieoutError('not_found', `Source "${values.source}" has no template version ${version}`);
        mapping = MappingTemplate.parse(JSON.parse(row.mapping_json));
      } finally {
        ws.close();
      }
    }
    const summary = await withService(workspace, (service) =>
      service.call('import.run', {
        jobId: `cli-import-${process.pid}`,
        path: file,
        source: values.source,
        strict: values.strict ?? false,
        ...(mapping && { mapping }),
        ...(values.sheet && { sheet: values.sheet }),
        ...(values.encoding && { encoding: values.encoding as (typeof encodings)[number] }),
        ...(values.delimiter && { delimiter: values.delimiter === 'tab' ? '\t' : (values.delimiter as ',') }),
      }),
    );
    if (values.json) io.out(json(summary));
    else {
      if (summary.mappingSuggested) {
        io.out(`No template for "${summary.source}" yet; applied and saved this suggested mapping (template v${summary.templateVersion}):`);
        io.out(json(summary.mapping));
      }
      printSummary(summary, io);
    }
  },
};

export const recordsCommand: Command = {
  name: 'records',
  summary: "write a source's current records (or a batch's rejected rows) as CSV or JSON",
  usage: 'tieout records <workspace> --source <name> [--batch <id>] [--rejected] [--format csv|json] [--out <file>]',
  async run(args, io) {
    const { positionals, values } = parse(
      args,
      {
        source: { type: 'string' },
        batch: { type: 'string' },
        rejected: { type: 'boolean' },
        format: { type: 'string' },
        out: { type: 'string' },
      },
      1,
    );
    if (!values.source) throw new UsageError('--source is required');
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw new UsageError('--format must be csv or json');
    const ws = openWorkspace(resolve(positionals[0]!), { readonly: true });
    try {
      const src = findSourceByName(ws.db, values.source);
      if (!src) throw new TieoutError('not_found', `No source named "${values.source}"`);
      const template = latestTemplate(ws.db, src.id)!;
      const batchId = values.batch === undefined ? undefined : intOption(values.batch, 'batch', 0);
      const text = values.rejected
        ? exportRejected(ws.db, src.id, batchId, format)
        : exportRecords(ws.db, src.id, template.mapping, batchId, format);
      writeOutput(text, values.out, io);
    } finally {
      ws.close();
    }
  },
};
