import { TieoutError } from '../../../shared/error.js';
import { sortById, type EngineException, type EngineResult, type Group, type RuleSet } from '../engine/index.js';
import { throwIfCancelled, type JobContext } from '../jobs/job-context.js';
import { resultWriter, reviewRowWriter, type Db } from '../workspace/index.js';
import type { InputIndex, LoadedInputs } from './load-inputs.js';
import { reviewRowBuilder } from './review-rows.js';

/** Sum of the members' amounts, or null when one has none. */
function sum(ids: readonly string[], inputs: InputIndex): number | null {
  let total = 0;
  for (const id of ids) {
    const i = inputs.indexOf(id);
    const a = i < 0 ? NaN : inputs.amount[i]!;
    if (Number.isNaN(a)) return null;
    total += a;
  }
  return total;
}

const PROGRESS_EVERY = 50_000;

/**
 * Writes a run's groups, exceptions, members and review rows. Each table is written in its
 * primary-key order, so SQLite appends to its B-trees rather than inserting all over them:
 * on a million-group run that is most of the difference between minutes and seconds.
 */
export function saveResults(db: Db, runId: number, result: EngineResult, inputs: LoadedInputs, rules: RuleSet, ctx: JobContext): void {
  const index = inputs.byId;
  const total = result.groups.length + result.exceptions.length;
  let done = 0;
  const tick = (phase: string) => {
    if (++done % PROGRESS_EVERY !== 0) return;
    throwIfCancelled(ctx);
    ctx.progress({ phase, done, total, unit: 'records' });
  };
  const groups = sortById(result.groups);
  const exceptions = sortById(result.exceptions);
  const w = resultWriter(db, runId);
  // Members first, in record id order, while SQLite's page cache is not yet full of appended rows:
  // their group index is the one B-tree written in random order, and it stays in cache only if
  // nothing competes. `holder`: who holds each input (group g + 1, exception -(e + 1)).
  const holder = new Int32Array(index.size);
  const side = new Uint8Array(index.size);
  const hold = (ids: readonly string[], s: 1 | 2, tag: number) => {
    for (const id of ids) {
      const i = index.indexOf(id);
      if (i < 0) throw new TieoutError('internal', `Record ${id} of the result is not an input of the run`);
      if (holder[i] !== 0) throw new TieoutError('internal', `Record ${id} is in two outcomes of the run`);
      holder[i] = tag;
      side[i] = s;
    }
  };
  groups.forEach((g, k) => (hold(g.left, 1, k + 1), hold(g.right, 2, k + 1)));
  exceptions.forEach((e, k) => (hold(e.left, 1, -(k + 1)), hold(e.right, 2, -(k + 1))));
  for (const i of index.positionsByRecordId()) {
    const t = holder[i]!;
    if (t === 0) continue;
    w.member(index.recordId[i]!, side[i] === 1 ? 'left' : 'right', t > 0 ? groups[t - 1]!.id : null, t < 0 ? exceptions[-t - 1]!.id : null);
  }
  w.finishMembers();
  for (const g of groups) {
    const first = index.indexOf(g.left[0] ?? '');
    w.group({
      id: g.id,
      pass: g.pass,
      passKind: g.passKind,
      status: g.status,
      score: g.score,
      left: g.left.length,
      right: g.right.length,
      leftAmount: sum(g.left, index),
      rightAmount: sum(g.right, index),
      currency: first < 0 ? null : index.currency[first]!,
      explanation: g.explanation,
    });
    tick('saving results');
  }
  for (const e of exceptions) {
    w.exception({
      id: e.id,
      class: e.class,
      groupId: e.groupId ?? null,
      pass: e.pass ?? null,
      amountMinor: e.amountAtRisk.minor,
      currency: e.amountAtRisk.currency,
      detail: e.detail,
      explanation: e.explanation,
    });
    tick('saving results');
  }
  w.finish();

  ctx.progress({ phase: 'preparing review rows', done: 0, total, unit: 'records' });
  done = 0;
  const build = reviewRowBuilder(inputs, rules);
  const rows = reviewRowWriter(db, runId);
  // Groups and exceptions are each sorted by id; merge them so rows go in row id order.
  let gi = 0;
  let ei = 0;
  while (gi < groups.length || ei < exceptions.length) {
    const g: Group | undefined = groups[gi];
    const e: EngineException | undefined = exceptions[ei];
    if (g && (!e || g.id <= e.id)) {
      rows.write(build.group(g));
      gi++;
    } else {
      rows.write(build.exception(e!));
      ei++;
    }
    tick('preparing review rows');
  }
  rows.finish();
}
