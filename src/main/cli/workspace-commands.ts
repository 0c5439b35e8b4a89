import { resolve } from 'node:path';
import type { WorkspaceInfo } from '../../shared/contract.js';
import { createService } from '../core/service.js';
import { intOption, json, parse, type Command, type Io } from './command.js';

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
    const service = createService();
    try {
      const info = await service.call('workspace.create', { path: resolve(positionals[0]!) });
      io.out(`Created ${info.path}`);
    } finally {
      service.close();
    }
  },
};

export const info: Command = {
  name: 'info',
  summary: 'show a workspace: sources, record counts, audit head',
  usage: 'tieout info <file> [--json]',
  async run(args, io) {
    const { positionals, values } = parse(args, { json: { type: 'boolean' } }, 1);
    const service = createService();
    try {
      const result = await service.call('workspace.open', { path: resolve(positionals[0]!) });
      if (values.json) io.out(json(result));
      else printInfo(result, io);
    } finally {
      service.close();
    }
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
    let last = '';
    const service = createService({
      emit: (e) => {
        if (e.type !== 'job.progress' || !process.stderr.isTTY) return;
        const p = e.progress;
        const line = `${p.phase} ${p.total ? Math.round((p.done / p.total) * 100) + '%' : ''}`;
        if (line !== last) process.stderr.write(`\r${line.padEnd(60)}`);
        last = line;
      },
    });
    try {
      const path = resolve(positionals[0]!);
      await service.call('workspace.create', { path });
      const result = await service.call('demo.load', { jobId: `cli-demo-${process.pid}`, buys, seed });
      if (process.stderr.isTTY) process.stderr.write('\r'.padEnd(62) + '\r');
      io.out(`Created ${path} with ${result.buys} buys and ${result.invoiceLines} invoice lines`);
      printInfo(result.info, io);
    } finally {
      service.close();
    }
  },
};
