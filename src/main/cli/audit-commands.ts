import { resolve } from 'node:path';
import { TieoutError } from '../../shared/error.js';
import { verifyWorkspaceAudit } from '../core/audit/index.js';
import { listAuditEvents, openWorkspace } from '../core/workspace/index.js';
import { intOption, json, parse, UsageError, type Command } from './command.js';

export const auditCommand: Command = {
  name: 'audit',
  summary: 'verify the hash-chained audit log, or print it',
  usage: 'tieout audit verify <workspace> | tieout audit log <workspace> [--actor <a>] [--action <prefix>] [--target <t>] [--limit <n>] [--json]',
  async run(args, io) {
    const [verb, ...rest] = args;
    if (verb === 'verify') {
      const { positionals } = parse(rest, {}, 1);
      const ws = openWorkspace(resolve(positionals[0]!), { readonly: true });
      try {
        const check = verifyWorkspaceAudit(ws.db);
        if (!check.ok) {
          throw new TieoutError('conflict', `audit chain broken at sequence ${check.brokenAt}: ${check.reason} (${check.count} events before it verify)`, {
            brokenAt: check.brokenAt,
          });
        }
        io.out(`audit chain verified: ${check.count} events, head ${check.headHash}`);
      } finally {
        ws.close();
      }
      return;
    }
    if (verb === 'log') {
      const { positionals, values } = parse(
        rest,
        { actor: { type: 'string' }, action: { type: 'string' }, target: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
        1,
      );
      const ws = openWorkspace(resolve(positionals[0]!), { readonly: true });
      try {
        const { events } = listAuditEvents(ws.db, { actor: values.actor, action: values.action, target: values.target, limit: intOption(values.limit, 'limit', 1000) });
        if (values.json) io.out(json(events));
        else for (const e of events) io.out(`${String(e.seq).padStart(6)}  ${e.at}  ${e.actor.padEnd(12)}  ${e.action.padEnd(22)}  ${e.target}${e.reasonCode ? `  [${e.reasonCode}]` : ''}${e.note ? `  "${e.note}"` : ''}`);
      } finally {
        ws.close();
      }
      return;
    }
    throw new UsageError(`unknown audit command "${verb ?? ''}"`);
  },
};
