/** runEngine: validation, locked groups, the waterfall of passes, leftovers, and the sorted result. */
import { TieoutError } from '../../../shared/error.js';
import { classifyLeftovers, recordsAtRisk, sweepDuplicates } from './classify.js';
import { RunContext } from './context.js';
import { explanation } from './explain.js';
import { FxTable } from './fx.js';
import { contentId, sortById } from './group-id.js';
import { runKeyPass } from './key-pass.js';
import { runProbabilisticPass } from './probabilistic.js';
import { buildTables } from './records.js';
import { parseRuleSet, type KeyPass } from './rule-set.js';
import {
  EXCEPTION_CLASSES,
  type EngineException,
  type EngineHooks,
  type EngineInput,
  type EngineResult,
  type EngineStats,
  type Group,
  type PassStats,
} from './types.js';

function newStats(pass: string, kind: PassStats['kind']): PassStats {
  return { pass, kind, groups: 0, matched: 0, suggested: 0, left: 0, right: 0, exceptions: 0, cappedBlocks: 0 };
}

/** Runs the whole waterfall. Throws TieoutError: `bad_input` for invalid input, `cancelled` when asked. */
export function runEngine(input: EngineInput, hooks?: EngineHooks): EngineResult {
  try {
    return run(input, hooks);
  } catch (e) {
    throw TieoutError.from(e);
  }
}

function run(input: EngineInput, hooks?: EngineHooks): EngineResult {
  const rs = parseRuleSet(input.ruleSet);
  const version = input.ruleSetVersion;
  if (!Number.isSafeInteger(version)) throw new TieoutError('bad_input', 'ruleSetVersion must be an integer', { path: 'ruleSetVersion' });
  if (!Array.isArray(input.records)) throw new TieoutError('bad_input', 'records must be an array', { path: 'records' });
  const { left, right } = buildTables(input.records, rs);
  const ctx = new RunContext(rs, version, left, right, new FxTable(input.fx), hooks);

  if (input.apart && input.apart.length > 0) ctx.setApart(input.apart);
  if (input.locked && input.locked.length > 0) applyLocked(ctx, input.locked);
  rs.passes.forEach((pass, order) => {
    ctx.progress(pass.id, 0, 1);
    const stats = newStats(pass.id, pass.kind);
    if (pass.kind === 'key') runKeyPass(ctx, pass, order, stats);
    else runProbabilisticPass(ctx, pass, order, stats);
    ctx.passStats.push(stats);
    ctx.progress(pass.id, 1, 1);
  });
  // Duplicates, unmatched leftovers and the sorted result: reported as one last step.
  ctx.progress('finish', 0, 1);
  sweepDuplicates(ctx, rs.passes.filter((p): p is KeyPass => p.kind === 'key'));
  classifyLeftovers(ctx, rs.passes.map((p) => p.id));
  const result = assemble(ctx);
  ctx.progress('finish', 1, 1);
  return result;
}

/** Confirmed manual groups claim their records first. Ids not in the input are ignored. */
function applyLocked(ctx: RunContext, locked: NonNullable<EngineInput['locked']>): void {
  const want = new Set<string>();
  for (const g of locked) for (const id of [...g.left, ...g.right]) want.add(id);
  const index = (ids: string[]) => {
    const m = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) if (want.has(ids[i]!)) m.set(ids[i]!, i);
    return m;
  };
  const li = index(ctx.L.ids);
  const ri = index(ctx.R.ids);
  const stats = newStats('locked', 'locked');
  const seen = new Set<string>();
  const sorted = [...locked].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  for (const g of sorted) {
    const l = g.left.filter((id) => li.has(id)).map((id) => li.get(id)!);
    const r = g.right.filter((id) => ri.has(id)).map((id) => ri.get(id)!);
    for (const [side, ids] of [['left', g.left], ['right', g.right]] as const) {
      for (const id of ids) {
        const k = `${side}:${id}`;
        if (seen.has(k)) throw new TieoutError('bad_input', `Record "${id}" is in more than one locked group`, { path: 'locked', value: id });
        seen.add(k);
      }
    }
    if (l.length + r.length === 0) continue;
    if (g.changed !== undefined) {
      ctx.addException(
        {
          class: 'record_changed',
          amountAtRisk: recordsAtRisk(ctx, l, r),
          explanation: explanation('locked', 'locked', ctx.version, { left: [], right: [] }, [], undefined, ['confirmed by an analyst', g.changed]),
          detail: `Manual decision needs review: ${g.changed}`,
        },
        l,
        r,
      );
      stats.exceptions++;
      continue;
    }
    const notes = ['confirmed by an analyst'];
    if (l.length !== g.left.length || r.length !== g.right.length) notes.push('some of its records are no longer in the input');
    ctx.addGroup(-1, 'locked', 'locked', 'matched', l, r, null, explanation('locked', 'locked', ctx.version, { left: [], right: [] }, [], undefined, notes), g.groupId);
    stats.groups++;
    stats.matched++;
    stats.left += l.length;
    stats.right += r.length;
  }
  ctx.passStats.push(stats);
}

function assemble(ctx: RunContext): EngineResult {
  // Groups: by pass order (locked first), then id.
  const byOrder = new Map<number, Group[]>();
  ctx.groups.forEach((g, k) => {
    const o = ctx.groupOrder[k]!;
    const list = byOrder.get(o);
    if (list) list.push(g);
    else byOrder.set(o, [g]);
  });
  const groups: Group[] = [];
  for (const o of [...byOrder.keys()].sort((a, b) => a - b)) {
    let sorted = sortById(byOrder.get(o)!);
    if (hasDuplicateIds(sorted)) sorted = resalt(sorted, (g, salt) => contentId(`g:${g.pass}`, g.left, g.right, salt));
    for (const g of sorted) groups.push(g);
  }
  const byClass = new Map<string, EngineException[]>();
  for (const x of ctx.exceptions) {
    const list = byClass.get(x.class);
    if (list) list.push(x);
    else byClass.set(x.class, [x]);
  }
  const exceptions: EngineException[] = [];
  for (const cls of EXCEPTION_CLASSES) {
    const list = byClass.get(cls);
    if (!list) continue;
    let sorted = sortById(list);
    if (hasDuplicateIds(sorted)) sorted = resalt(sorted, (x, salt) => contentId(`x:${x.class}:${x.pass ?? ''}`, x.left, x.right, salt));
    for (const x of sorted) exceptions.push(x);
  }
  return { ruleSetVersion: ctx.version, groups, exceptions, explanationTemplates: ctx.explanations.templates, stats: statsOf(ctx, groups, exceptions) };
}

function hasDuplicateIds<T extends { id: string }>(sorted: T[]): boolean {
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.id === sorted[i - 1]!.id) return true;
  return false;
}

/** Two different member sets hashing alike is astronomically rare; re-salt the later ones. */
function resalt<T extends { id: string }>(sorted: T[], rehash: (x: T, salt: number) => string): T[] {
  const taken = new Set(sorted.map((x) => x.id));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.id !== sorted[i - 1]!.id) continue;
    let salt = 1;
    let id = rehash(sorted[i]!, salt);
    while (taken.has(id)) id = rehash(sorted[i]!, ++salt);
    taken.add(id);
    sorted[i]!.id = id;
  }
  return sortById(sorted);
}

function statsOf(ctx: RunContext, groups: Group[], exceptions: EngineException[]): EngineStats {
  const classes = Object.fromEntries(EXCEPTION_CLASSES.map((c) => [c, { count: 0, left: 0, right: 0 }])) as EngineStats['classes'];
  for (const x of exceptions) {
    const c = classes[x.class];
    c.count++;
    c.left += x.left.length;
    c.right += x.right.length;
  }
  const matched = { groups: 0, left: 0, right: 0 };
  const suggested = { groups: 0, left: 0, right: 0 };
  for (const g of groups) {
    const t = g.status === 'matched' ? matched : suggested;
    t.groups++;
    t.left += g.left.length;
    t.right += g.right.length;
  }
  return { records: { left: ctx.L.n, right: ctx.R.n }, passes: ctx.passStats, classes, matched, suggested };
}
