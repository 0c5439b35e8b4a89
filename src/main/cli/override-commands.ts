import { resolve } from 'node:path';
import { TieoutError } from '../../shared/error.js';
import { displayMinor, minorExponent } from '../../shared/money.js';
import {
  approve,
  defaultActor,
  ensureDefaultReasonCodes,
  isOverrideType,
  makeOverride,
  OVERRIDE_TYPES,
  pendingApprovals,
  reject,
  reverse,
  reverseBulk,
  signOff,
  unlockPeriod,
  type Override,
  type OverrideRequest,
} from '../core/overrides/index.js';
import { createUser, currentUser, listUsers, requireUser, switchUser } from '../core/triage/users.js';
import { findReconciliation, listReconciliations, openWorkspace, type Db, type ReconciliationRow, type Workspace } from '../core/workspace/index.js';
import { selectItem } from '../core/workspace/overrides.js';
import { json, parse, UsageError, type Command, type Io } from './command.js';

async function withWorkspace<T>(path: string, fn: (ws: Workspace) => T, readonly = false): Promise<T> {
  const ws = openWorkspace(resolve(path), { readonly });
  try {
    return fn(ws);
  } finally {
    ws.close();
  }
}

/** `--as`, else the workspace's current user, else its first user. Users are only made by `users add`. */
function actingUser(db: Db, as: string | undefined): string {
  if (as !== undefined) return requireUser(db, as).id;
  const u = defaultActor(db);
  if (!u) throw new TieoutError('not_found', 'This workspace has no users yet; add one with `tieout users <workspace> add <id> --name <name> --role <role>`');
  return u.id;
}

/** By name; when omitted, the only reconciliation there is. */
function reconciliation(db: Db, name: string | undefined): ReconciliationRow {
  if (name !== undefined) {
    const r = findReconciliation(db, name);
    if (!r) throw new TieoutError('not_found', `No reconciliation named "${name}"`);
    return r;
  }
  const all = listReconciliations(db);
  if (all.length === 0) throw new TieoutError('not_found', 'This workspace has no reconciliations yet; run `tieout match` first');
  if (all.length > 1) throw new UsageError(`this workspace has ${all.length} reconciliations; name one with --reconciliation`);
  return all[0]!;
}

function recordIds(text: string, name: string): number[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0 || parts.some((p) => !/^[1-9]\d{0,14}$/.test(p))) throw new UsageError(`--${name} takes record ids separated by commas, got "${text}"`);
  return parts.map(Number);
}

/** "1,234.56" in the item's currency -> integer minor units; never through a float. */
export function decimalToMinor(text: string, currency: string): number {
  const t = text.trim();
  if (!/^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(t)) throw new UsageError(`--amount must be a positive decimal such as 1250.00, got "${text}"`);
  const [whole = '0', frac = ''] = t.replace(/,/g, '').split('.');
  const exp = minorExponent(currency);
  if (frac.length > exp) throw new TieoutError('bad_input', `--amount ${text} has more decimals than ${currency} allows (${exp})`, { path: 'amount', value: text });
  const minor = Number(whole) * 10 ** exp + Number(frac.padEnd(exp, '0') || '0');
  if (!Number.isSafeInteger(minor)) throw new TieoutError('bad_input', `--amount ${text} is too large`, { path: 'amount', value: text });
  return minor;
}

function money(minor: number | null, currency: string | null): string {
  if (minor === null) return 'unknown amount';
  return currency ? `${displayMinor(minor, currency)} ${currency}` : `${minor} minor units`;
}

function describe(o: Override, io: Io): void {
  const head = `Override #${o.id} ${o.type} on ${o.target} (${o.reasonCode ?? 'no code'}, ${money(o.amountMinor, o.currency)})`;
  if (o.status === 'pending_approval') io.out(`${head} waits for approval: ${o.payload.approval ?? 'approval required'}`);
  else io.out(`${head} ${o.status}${o.checker ? ` by ${o.checker}` : ''}`);
  const before = new Map((o.before?.items ?? []).map((s) => [s.itemId, s]));
  for (const s of o.after?.items ?? []) {
    const b = before.get(s.itemId);
    const from = b?.exists ? `${b.status} ${b.class}` : 'new';
    const to = s.exists ? `${s.status} ${s.class}` : 'not created';
    io.out(`  item ${s.itemId}: ${from} -> ${to}`);
  }
  const g = o.after?.group;
  if (g) io.out(`  group ${g.groupId}: left ${g.left.join(',')} | right ${g.right.join(',')}${g.locked ? ' (manual match, locked)' : g.broken ? ' (broken)' : ''}`);
  for (const id of o.payload.partialItems ?? []) io.out(`  item ${id}: only some of its records were matched; left as it is`);
  const a = o.payload.adjustment;
  if (a) io.out(`  record ${a.recordId}: ${a.changes.map((c) => `${c.field} ${String(c.from)} -> ${String(c.to)}`).join(', ')}${o.status === 'applied' ? ' (corrected version is current; re-run the match)' : ''}`);
}

export const overrideCommand: Command = {
  name: 'override',
  summary: 'record a reason-coded judgement: force_match, unmatch, accept_variance, write_off, reclassify, or adjust (correct a source record)',
  usage:
    'tieout override <workspace> --type <force_match|unmatch|accept_variance|write_off|reclassify|adjust> [--reconciliation <name>] (--left <recordIds,> --right <recordIds,> | --group <id> | --item <exceptionId> | --record <id> --set <field>=<value> [--set ...]) [--amount <decimal>] [--class <cls>] --reason <code> [--note <text>] [--as <user>] [--json]',
  async run(args, io) {
    const { positionals, values } = parse(
      args,
      {
        type: { type: 'string' },
        reconciliation: { type: 'string' },
        left: { type: 'string' },
        right: { type: 'string' },
        group: { type: 'string' },
        item: { type: 'string' },
        record: { type: 'string' },
        set: { type: 'string', multiple: true },
        amount: { type: 'string' },
        class: { type: 'string' },
        reason: { type: 'string' },
        note: { type: 'string' },
        as: { type: 'string' },
        json: { type: 'boolean' },
      },
      1,
    );
    const type = values.type;
    if (!type || !isOverrideType(type)) throw new UsageError(`--type must be one of ${OVERRIDE_TYPES.join(', ')}${type ? `, got "${type}"` : ''}`);
    if (!values.reason) throw new UsageError('--reason <code> is required');
    const targets = [values.left !== undefined || values.right !== undefined, values.group !== undefined, values.item !== undefined, values.record !== undefined].filter(Boolean).length;
    if (targets > 1) throw new UsageError('give one target: --left/--right, --group, --item or --record');
    if (type === 'adjust' && (values.record === undefined || !values.set?.length)) throw new UsageError('adjust needs --record <id> and at least one --set <field>=<value>');
    if (values.set !== undefined && type !== 'adjust') throw new UsageError('--set only goes with --type adjust');
    if (type === 'force_match' && (values.left === undefined || values.right === undefined)) throw new UsageError('force_match needs --left and --right record ids');
    if (type === 'unmatch' && values.group === undefined) throw new UsageError('unmatch needs --group <id>');
    if (type !== 'force_match' && type !== 'unmatch' && type !== 'adjust' && values.item === undefined) throw new UsageError(`${type} needs --item <exceptionId>`);
    if (values.amount !== undefined && type !== 'write_off') throw new UsageError('--amount only goes with --type write_off');
    if (type === 'reclassify' && values.class === undefined) throw new UsageError('reclassify needs --class <cls>');
    if (values.class !== undefined && type !== 'reclassify') throw new UsageError('--class only goes with --type reclassify');
    const o = await withWorkspace(positionals[0]!, (ws) => {
      const db = ws.db;
      const actor = actingUser(db, values.as);
      const rec = reconciliation(db, values.reconciliation);
      ensureDefaultReasonCodes(db, actor);
      const common = { reconciliationId: rec.id, reasonCode: values.reason!, note: values.note ?? null };
      let req: OverrideRequest;
      if (type === 'force_match') req = { type, ...common, left: recordIds(values.left!, 'left'), right: recordIds(values.right!, 'right') };
      else if (type === 'unmatch') req = { type, ...common, groupId: values.group! };
      else if (type === 'adjust') {
        const changes = values.set!.map((s) => {
          const eq = s.indexOf('=');
          if (eq < 1) throw new UsageError(`--set takes <field>=<value>, got "${s}"`);
          return { field: s.slice(0, eq).trim(), value: s.slice(eq + 1) };
        });
        req = { type, ...common, recordId: recordIds(values.record!, 'record')[0]!, changes };
      }
      else if (type === 'write_off') {
        let amountMinor: number | undefined;
        if (values.amount !== undefined) {
          const item = selectItem(db, rec.id, values.item!);
          if (!item) throw new TieoutError('not_found', `No review item ${values.item!} in "${rec.name}"`, { item: values.item! });
          amountMinor = decimalToMinor(values.amount, item.currency);
        }
        req = { type, ...common, itemId: values.item!, ...(amountMinor !== undefined && { amountMinor }) };
      } else if (type === 'reclassify') req = { type, ...common, itemId: values.item!, toClass: values.class as never };
      else req = { type: 'accept_variance', ...common, itemId: values.item! };
      return makeOverride(db, req, actor);
    });
    if (values.json) io.out(json(o));
    else describe(o, io);
  },
};

export const approveCommand: Command = {
  name: 'approve',
  summary: 'approve (or --reject) an override waiting for approval; --list shows what waits',
  usage: 'tieout approve <workspace> <override-id> [--reject] --note <text> [--as <user>] [--json] | tieout approve <workspace> --list [--reconciliation <name>] [--json]',
  async run(args, io) {
    const list = args.includes('--list');
    const { positionals, values } = parse(
      args,
      { reject: { type: 'boolean' }, note: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' }, list: { type: 'boolean' }, reconciliation: { type: 'string' } },
      list ? 1 : 2,
    );
    if (list) {
      const pending = await withWorkspace(positionals[0]!, (ws) => pendingApprovals(ws.db, reconciliation(ws.db, values.reconciliation).id), true);
      if (values.json) io.out(json(pending));
      else if (pending.length === 0) io.out('Nothing waits for approval.');
      else for (const p of pending) io.out(`#${p.id}  ${p.type.padEnd(15)}  ${p.target}  ${money(p.amountMinor, p.currency)}  by ${p.maker}  [${p.reasonCode}]  ${p.payload.approval ?? ''}`);
      return;
    }
    if (!/^[1-9]\d*$/.test(positionals[1]!)) throw new UsageError(`<override-id> must be a number, got "${positionals[1]}"`);
    if (!values.note?.trim()) throw new UsageError('--note <text> is required: say why');
    const id = Number(positionals[1]);
    const o = await withWorkspace(positionals[0]!, (ws) => {
      const checker = actingUser(ws.db, values.as);
      return values.reject ? reject(ws.db, id, checker, values.note!) : approve(ws.db, id, checker, values.note!);
    });
    if (values.json) io.out(json(o));
    else describe(o, io);
  },
};

export const reverseCommand: Command = {
  name: 'reverse',
  summary: 'undo an applied override (or every override of a bulk action) with a reversing override',
  usage: 'tieout reverse <workspace> (<override-id> | --bulk <bulk-id>) --reason <code> [--note <text>] [--as <user>] [--json]',
  async run(args, io) {
    const bulk = args.includes('--bulk');
    const { positionals, values } = parse(args, { bulk: { type: 'string' }, reason: { type: 'string' }, note: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } }, bulk ? 1 : 2);
    if (!values.reason) throw new UsageError('--reason <code> is required');
    if (!bulk && !/^[1-9]\d*$/.test(positionals[1]!)) throw new UsageError(`<override-id> must be a number, got "${positionals[1]}"`);
    const reversals = await withWorkspace(positionals[0]!, (ws) => {
      const actor = actingUser(ws.db, values.as);
      ensureDefaultReasonCodes(ws.db, actor);
      return bulk ? reverseBulk(ws.db, values.bulk!, actor, values.reason!, values.note).reversals : [reverse(ws.db, Number(positionals[1]), actor, values.reason!, values.note)];
    });
    if (values.json) io.out(json(reversals));
    else for (const r of reversals) describe(r, io);
  },
};

export const usersCommand: Command = {
  name: 'users',
  summary: 'list the people of a workspace, or add one (analyst, approver or auditor)',
  usage: 'tieout users <workspace> [add <id> --name <name> --role <analyst|approver|auditor> [--email <e>] [--as <user>] | switch <id>] [--json]',
  async run(args, io) {
    const adding = args[1] === 'add';
    if (args[1] === 'switch') {
      const { positionals } = parse(args, {}, 3);
      const u = await withWorkspace(positionals[0]!, (ws) => switchUser(ws.db, positionals[2]!, currentUser(ws.db)?.id ?? positionals[2]!));
      io.out(`Now acting as ${u.id} (${u.name}, ${u.role})`);
      return;
    }
    const { positionals, values } = parse(
      args,
      { name: { type: 'string' }, role: { type: 'string' }, email: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } },
      adding ? 3 : 1,
    );
    if (!adding) {
      const { users, current } = await withWorkspace(positionals[0]!, (ws) => ({ users: listUsers(ws.db), current: currentUser(ws.db)?.id ?? defaultActor(ws.db)?.id }), true);
      if (values.json) io.out(json(users.map((u) => ({ ...u, current: u.id === current }))));
      else if (users.length === 0) io.out('No users yet; add one with `tieout users <workspace> add <id> --name <name> --role <role>`.');
      else for (const u of users) io.out(`${u.id === current ? '*' : ' '} ${u.id.padEnd(16)} ${u.role.padEnd(9)} ${u.name}${u.email ? ` <${u.email}>` : ''}`);
      return;
    }
    if (!values.name) throw new UsageError('--name <name> is required');
    if (!values.role) throw new UsageError('--role <analyst|approver|auditor> is required');
    const id = positionals[2]!;
    const u = await withWorkspace(positionals[0]!, (ws) => {
      // The first person adds themselves; after that someone known does.
      const actor = values.as !== undefined ? requireUser(ws.db, values.as).id : (defaultActor(ws.db)?.id ?? id);
      return createUser(ws.db, { id, name: values.name!, email: values.email ?? null, role: values.role as never }, actor);
    });
    if (values.json) io.out(json(u));
    else io.out(`Added ${u.id} (${u.name}) as ${u.role}`);
  },
};

export const signoffCommand: Command = {
  name: 'signoff',
  summary: 'sign off (lock) a month of a reconciliation, or --unlock it with a reason and another approver',
  usage: 'tieout signoff <workspace> [--reconciliation <name>] --period <YYYY-MM> [--note <text>] [--as <user>] [--unlock --reason <text> --approver <user>] [--json]',
  async run(args, io) {
    const { positionals, values } = parse(
      args,
      { reconciliation: { type: 'string' }, period: { type: 'string' }, as: { type: 'string' }, unlock: { type: 'boolean' }, reason: { type: 'string' }, approver: { type: 'string' }, note: { type: 'string' }, json: { type: 'boolean' } },
      1,
    );
    if (!values.period) throw new UsageError('--period <YYYY-MM> is required');
    if (values.unlock && (!values.reason || !values.approver)) throw new UsageError('--unlock needs --reason <text> and --approver <user>');
    if (!values.unlock && (values.reason !== undefined || values.approver !== undefined)) throw new UsageError('--reason and --approver go with --unlock');
    const { event, name } = await withWorkspace(positionals[0]!, (ws) => {
      const actor = actingUser(ws.db, values.as);
      const rec = reconciliation(ws.db, values.reconciliation);
      const event = values.unlock ? unlockPeriod(ws.db, rec.id, values.period!, actor, values.approver!, values.reason!) : signOff(ws.db, rec.id, values.period!, actor, values.note);
      return { event, name: rec.name };
    });
    if (values.json) io.out(json(event));
    else if (event.action === 'sign_off') io.out(`Signed off ${event.period} of "${name}" (by ${event.actor}); overrides in that month are locked`);
    else io.out(`Unlocked ${event.period} of "${name}" (by ${event.actor}, approved by ${event.approver}): ${event.reason}`);
  },
};

/** For src/main/cli/index.ts. */
export const OVERRIDE_COMMANDS: readonly Command[] = [overrideCommand, approveCommand, reverseCommand, usersCommand, signoffCommand];
