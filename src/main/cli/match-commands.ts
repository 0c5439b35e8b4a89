import { resolve } from 'node:path';
import { TieoutError } from '../../shared/error.js';
import { displayMinor } from '../../shared/money.js';
import type { MatchRunSummary } from '../../shared/contract.js';
import { exportResults, suggestRulesFor } from '../core/reconcile/index.js';
import { findSourceByName, listRuns, openWorkspace, type Db } from '../core/workspace/index.js';
import { intOption, json, parse, readJsonFile, UsageError, withService, writeOutput, type Command, type Io } from './command.js';

function sourceId(db: Db, name: string): number {
  const s = findSourceByName(db, name);
  if (!s) throw new TieoutError('not_found', `No source named "${name}"`);
  return s.id;
}

function printRun(s: MatchRunSummary, io: Io): void {
  if (s.dryRun) {
    io.out(`Dry run of draft rules against "${s.reconciliation}" rule set v${s.ruleSetVersion}; nothing was written.`);
    io.out(json(s.diff));
    return;
  }
  io.out(`Run ${s.runId} of "${s.reconciliation}" with rule set v${s.ruleSetVersion} (result ${s.resultSha256.slice(0, 16)}…)`);
  for (const st of s.totals?.byStatus ?? []) io.out(`  ${st.status}: ${st.groups} groups, ${st.records} records`);
  for (const c of s.totals?.byClass ?? []) io.out(`  exception ${c.class}: ${c.exceptions}, ${displayMinor(c.amount_minor, c.currency)} ${c.currency} at risk`);
}

export const matchCommand: Command = {
  name: 'match',
  summary: 'run a reconciliation (creating or updating its rule set from --rules)',
  usage: 'tieout match <workspace> (--rules <rules.json> | --left <source> --right <source>) [--name <reconciliation>] [--dry-run] [--json]',
  async run(args, io) {
    const { positionals, values } = parse(
      args,
      { rules: { type: 'string' }, left: { type: 'string' }, right: { type: 'string' }, name: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
      1,
    );
    if (!values.rules && !(values.left && values.right)) throw new UsageError('give --rules <file>, or --left and --right sources');
    const workspace = resolve(positionals[0]!);
    const rules = values.rules ? readJsonFile(resolve(values.rules), 'Rule set') : undefined;
    const summary = await withService(workspace, async (service) => {
      const recs = await service.call('reconciliations.list', {});
      const name = values.name ?? (values.left && values.right ? `${values.left} vs ${values.right}` : (recs[0]?.name ?? 'Reconciliation'));
      let rec = recs.find((r) => r.name === name);
      let createdNow = false;
      if (!rec) {
        if (values['dry-run'] && !(recs.length === 1 && !values.name)) {
          throw new UsageError(`a dry run compares draft rules with an existing reconciliation, and "${name}" does not exist yet`);
        }
        if (!values.left || !values.right) {
          if (recs.length === 1 && !values.name) rec = recs[0];
          else throw new UsageError(`no reconciliation "${name}" yet: give --left and --right to create it`);
        } else {
          const ws = service.workspace()!;
          const created = await service.call('reconciliations.create', {
            name,
            left: [sourceId(ws.db, values.left)],
            right: [sourceId(ws.db, values.right)],
            ...(rules !== undefined && !values['dry-run'] && { rules }),
          });
          rec = created.reconciliation;
          createdNow = true;
          if (created.suggested && !values.json) {
            io.out(`Created "${name}" with the suggested rule set (v${rec.ruleSetVersion}):`);
            io.out(json(created.rules));
          }
        }
      }
      if (rules !== undefined && !values['dry-run'] && !createdNow) {
        const saved = await service.call('rules.save', { reconciliation: rec!.name, rules });
        if (!values.json) io.out(saved.created ? `Saved rules as v${saved.version}` : `Rules unchanged (v${saved.version})`);
      }
      return service.call('match.run', {
        jobId: `cli-match-${process.pid}`,
        reconciliation: rec!.name,
        ...(values['dry-run'] && { draftRules: rules ?? (await service.call('rules.get', { reconciliation: rec!.name })).rules }),
      });
    });
    if (values.json) io.out(json(summary));
    else printRun(summary, io);
  },
};

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'print the suggested rule set for two sources',
  usage: 'tieout rules suggest <workspace> --left <source> --right <source>',
  async run(args, io) {
    const [verb, ...rest] = args;
    if (verb !== 'suggest') throw new UsageError(`unknown rules command "${verb ?? ''}"`);
    const { positionals, values } = parse(rest, { left: { type: 'string' }, right: { type: 'string' } }, 1);
    if (!values.left || !values.right) throw new UsageError('--left and --right are required');
    const ws = openWorkspace(resolve(positionals[0]!), { readonly: true });
    try {
      const suggestion = suggestRulesFor(ws.db, [sourceId(ws.db, values.left)], [sourceId(ws.db, values.right)]);
      io.out(json(suggestion.rules));
    } finally {
      ws.close();
    }
  },
};

export const resultsCommand: Command = {
  name: 'results',
  summary: 'write one row per record of a run: group, status, class, pass, score, variance',
  usage: 'tieout results <workspace> [--run <id>] [--format csv|json] [--out <file>]',
  async run(args, io) {
    const { positionals, values } = parse(args, { run: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } }, 1);
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw new UsageError('--format must be csv or json');
    const ws = openWorkspace(resolve(positionals[0]!), { readonly: true });
    try {
      const runId = values.run === undefined ? listRuns(ws.db)[0]?.id : intOption(values.run, 'run', 0);
      if (runId === undefined) throw new TieoutError('not_found', 'This workspace has no runs yet; run `tieout match` first');
      if (!listRuns(ws.db).some((r) => r.id === runId)) throw new TieoutError('not_found', `No run ${runId}`);
      const text = exportResults(ws.db, runId, format);
      writeOutput(text, values.out, io);
    } finally {
      ws.close();
    }
  },
};
