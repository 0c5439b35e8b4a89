import { resolve } from 'node:path';
import type { FxAddResult } from '../../shared/contract.js';
import { json, parse, UsageError, withService, type Command } from './command.js';

function printRates(r: Pick<FxAddResult, 'rates'>, out: (line: string) => void): void {
  if (r.rates.length === 0) out('no FX rates yet; add them with `tieout fx <workspace> --import rates.csv`');
  for (const x of r.rates) out(`${x.from}→${x.to}  ${x.rate.padEnd(14)}  ${x.date ?? '(undated fallback)'}`);
}

export const fxCommand: Command = {
  name: 'fx',
  summary: 'list the FX rates tolerance passes convert through, or import them from a file',
  usage: 'tieout fx <workspace> [--import <rates.csv|xlsx> [--sheet <name>]] [--json]   (columns: from, to, rate, optional date YYYY-MM-DD)',
  async run(args, io) {
    const { positionals, values } = parse(args, { import: { type: 'string' }, sheet: { type: 'string' }, json: { type: 'boolean' } }, 1);
    if (values.sheet && !values.import) throw new UsageError('--sheet only applies with --import');
    const result = await withService(positionals[0]!, async (s) =>
      values.import ? s.call('fx.import', { path: resolve(values.import), ...(values.sheet && { sheet: values.sheet }) }) : { added: null, unchanged: null, ...(await s.call('fx.list', {})) },
    );
    if (values.json) return io.out(json(result));
    if (result.added !== null) io.out(`added ${result.added} rate(s), ${result.unchanged} already present`);
    printRates(result, (l) => io.out(l));
  },
};
