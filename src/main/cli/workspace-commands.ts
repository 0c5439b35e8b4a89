import type { WorkspaceInfo } from '../../shared/contract.js';
import { intOption, json, parse, withService, type Command, type Io } from './command.js';

function printInfo(info: WorkspaceInfo, io: Io): void {
  io.out(`Workspace ${info.name} (${info.path})`);
  io.out(`Schema version ${info.schemaVersion}; ${info.audit.events} audit events, head ${info.audit.headHash.slice(0, 16)}…`);
  if (info.sources.length === 0) io.out('No sources yet.');
  for (const s of info.sources) {
    io.out(`  ${s.name}: ${s.records.toLocaleString('en-US')} records in ${s.batches} batch${s.batches === 1 ? '' : 'es'}`);
  }
}

export const init: Command = {
  name: 'init',
  summary: 'create an empty workspace',
  usage: 'tieout init <file>',
  async run(args, io) {
    const { positionals } = parse(args, {}, 1);
    const created = await withService(positionals[0]!, async (s) => s.workspace()!.path, { create: true });
    io.out(`Created ${created}`);
  },
};

export const info: Command = {
  name: 'info',
  summary: 'show a workspace: sources, record counts, audit head',
  usage: 'tieout info <file> [--json]',
  async run(args, io) {
    const { positionals, values } = parse(args, { json: { type: 'boolean' } }, 1);
    const result = await withService(positionals[0]!, async (s) => (await s.call('workspace.info', {}))!);
    if (values.json) io.out(json(result));
    else printInfo(result, io);
  },
};

export const demo: Command = {
  name: 'demo',
  summary: 'create a workspace holding the generated demo data',
  usage: 'tieout demo <file> [--buys <n>] [--seed <n>]',
  async run(args, io) {
    const { positionals, values } = parse(args, { buys: { type: 'string' }, seed: { type: 'string' } }, 1);
    const buys = intOption(values.buys, 'buys', 2000);
    const seed = intOption(values.seed, 'seed', 42);
    const result = await withService(positionals[0]!, (s) => s.call('demo.load', { jobId: `cli-demo-${process.pid}`, buys, seed }), { create: true });
    io.out(`Created ${result.info.path} with ${result.buys} buys and ${result.invoiceLines} invoice lines`);
    printInfo(result.info, io);
  },
};
