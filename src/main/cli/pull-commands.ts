import { resolve } from 'node:path';
import { TieoutError } from '../../shared/error.js';
import { MappingTemplate } from '../../shared/mapping.js';
import type { PullSummary } from '../../shared/contract.js';
import { json, parse, readJsonFile, UsageError, withService, type Command, type Io } from './command.js';

function printPull(s: PullSummary, io: Io): void {
  io.out(`Pulled ${s.records} records in ${s.pages} page${s.pages === 1 ? '' : 's'} from ${s.connector.name} v${s.connector.version} (${s.retries} retries)`);
  if (s.status === 'no_records') io.out('  the API returned no records; nothing was written');
  const c = s.import?.counts;
  if (s.import && s.import.status === 'already_imported') io.out(`  ${s.import.warnings[0] ?? 'already imported; nothing changed'}`);
  else if (c) io.out(`  batch ${s.import!.batchId}: read ${c.read}, accepted ${c.accepted}, rejected ${c.rejected}; new ${c.new}, changed ${c.changed}, unchanged ${c.unchanged}`);
  for (const w of [...s.warnings, ...(s.import?.warnings ?? [])]) io.out(`  warning: ${w}`);
}

export const pullCommand: Command = {
  name: 'pull',
  summary: 'pull records from a REST API into a source (secrets come from the environment variables the connector names)',
  usage: 'tieout pull <workspace> --source <name> --connector <file.json> [--mapping <file.json>] [--resume] [--json]',
  async run(args, io) {
    const { positionals, values } = parse(
      args,
      { source: { type: 'string' }, connector: { type: 'string' }, mapping: { type: 'string' }, resume: { type: 'boolean' }, json: { type: 'boolean' } },
      1,
    );
    if (!values.source || !values.connector) throw new UsageError('--source and --connector are required');
    const connector = readJsonFile(resolve(values.connector), 'Connector');
    let mapping: MappingTemplate | undefined;
    if (values.mapping) {
      const parsed = MappingTemplate.safeParse(readJsonFile(resolve(values.mapping), 'Mapping'));
      if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'mapping_invalid', 'mapping');
      mapping = parsed.data;
    }
    const summary = await withService(positionals[0]!, (service) =>
      service.call('pull.run', {
        jobId: `cli-pull-${process.pid}`,
        source: values.source,
        connector,
        resume: values.resume ?? false,
        ...(mapping && { mapping }),
      }),
    );
    if (values.json) io.out(json(summary));
    else printPull(summary, io);
  },
};
