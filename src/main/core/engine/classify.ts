import { formatMinor, type Money } from '../../../shared/money.js';
import type { RunContext } from './context.js';
import type { Explanation, ExceptionClass, Side } from './types.js';
import type { KeyPass } from './rule-set.js';

/**
 * Exception classes and their amount at risk.
 * - unmatched_left / unmatched_right: |amount| of the record;
 * - amount_variance: |right − left| in the left currency (right converted when FX applied);
 * - date_variance, currency_mismatch, ambiguous: |left amount(s)| (what cannot be signed off);
 * - duplicate: |amount| of the copy.
 */

function abs(x: number): number {
  return Number.isNaN(x) ? 0 : x < 0 ? -x : x;
}

/** Sum of |amount| over records, in the currency of the first record that has one (others in it only). */
export function sideAtRisk(ctx: RunContext, side: Side, idx: readonly number[]): Money {
  const t = ctx.table(side);
  let currency: string | null = null;
  let minor = 0;
  for (const i of idx) {
    const c = t.currency[i]!;
    if (currency === null && c !== null && !Number.isNaN(t.amount[i]!)) currency = c;
    if (c === currency) minor += abs(t.amount[i]!);
  }
  return { minor, currency: currency ?? '' };
}

/** At risk for records that go together: the left side's amounts, else the right side's. */
export function recordsAtRisk(ctx: RunContext, left: readonly number[], right: readonly number[]): Money {
  const l = left.length > 0 ? sideAtRisk(ctx, 'left', left) : null;
  if (l && l.currency !== '') return l;
  return sideAtRisk(ctx, 'right', right);
}

export function fmt(m: Money): string {
  return m.currency === '' ? String(m.minor) : `${formatMinor(m.minor, m.currency)} ${m.currency}`;
}

export function addPairException(
  ctx: RunContext,
  cls: ExceptionClass,
  passId: string,
  left: readonly number[],
  right: readonly number[],
  amountAtRisk: Money,
  explanation: Explanation,
  detail: string,
): void {
  ctx.addException({ class: cls, amountAtRisk, pass: passId, explanation, detail }, left, right);
}

/** Marks `dup` (free) as a duplicate of `orig` (claimed), same side. */
export function addDuplicate(ctx: RunContext, side: Side, dup: number, orig: number, passId: string | undefined, why: string): void {
  const t = ctx.table(side);
  const holder = ctx.holderId(side, orig);
  const origId = t.ids[orig]!;
  const heldIn = holder.groupId !== undefined ? `group ${holder.groupId}` : holder.exception ? `${holder.exception.class} ${holder.exception.id}` : 'nothing';
  const amountAtRisk: Money = { minor: abs(t.amount[dup]!), currency: t.currency[dup] ?? '' };
  ctx.addException(
    {
      class: 'duplicate',
      amountAtRisk,
      pass: passId,
      groupId: holder.groupId,
      duplicateOf: origId,
      detail: `Duplicate of ${side} record ${origId} (${why}); the original is in ${heldIn}`,
    },
    side === 'left' ? [dup] : [],
    side === 'right' ? [dup] : [],
  );
}

/**
 * After the waterfall: a free record equal to a claimed record of its side on a key pass's key,
 * amount, currency and date is a duplicate of it (the lowest-id such original). Free records are
 * few, so they are indexed by amount and claimed records probed against that index; keys are
 * normalized only for the rare candidates.
 */
export function sweepDuplicates(ctx: RunContext, keyPasses: readonly KeyPass[]): void {
  if (keyPasses.length === 0) return;
  for (const side of ['left', 'right'] as const) {
    if (!ctx.rs.duplicates[side]) continue;
    const t = ctx.table(side);
    const own = side === 'left' ? ctx.ownL : ctx.ownR;
    const keys = keyPasses.map((p) => ctx.keyColumn(side, side === 'left' ? p.key.left : p.key.right, p.key.normalize));
    const free = new Map<number, number[]>();
    for (let i = 0; i < t.n; i++) {
      if (own[i] !== 0) continue;
      const a = t.amount[i]!;
      const list = free.get(a);
      if (list) list.push(i);
      else free.set(a, [i]);
    }
    if (free.size === 0) continue;
    const best = new Map<number, { orig: number; pass: number }>();
    for (let i = 0; i < t.n; i++) {
      const o = own[i]!;
      if (o === 0) continue;
      const list = free.get(t.amount[i]!);
      if (!list) continue;
      if (o < 0 && ctx.exceptions[-o - 1]!.class === 'duplicate') continue;
      for (const d of list) {
        if (!sameValues(t, d, i)) continue;
        const pass = keys.findIndex((col) => {
          const k = col.get(d);
          return k !== null && k === col.get(i);
        });
        if (pass < 0) continue;
        const cur = best.get(d);
        if (cur === undefined || t.ids[i]! < t.ids[cur.orig]!) best.set(d, { orig: i, pass });
      }
    }
    const dups = [...best.keys()].sort((a, b) => (t.ids[a]! < t.ids[b]! ? -1 : 1));
    for (const d of dups) {
      const { orig, pass } = best.get(d)!;
      addDuplicate(ctx, side, d, orig, keyPasses[pass]!.id, 'same key, amount and date');
    }
  }
}

export function sameValues(t: { amount: Float64Array; currency: (string | null)[]; date: Int32Array }, a: number, b: number): boolean {
  const x = t.amount[a]!;
  const y = t.amount[b]!;
  return (x === y || (Number.isNaN(x) && Number.isNaN(y))) && t.currency[a] === t.currency[b] && t.date[a] === t.date[b];
}

/** Every record still free becomes an unmatched exception of its side. */
export function classifyLeftovers(ctx: RunContext, passIds: readonly string[]): void {
  for (const side of ['left', 'right'] as const) {
    const t = ctx.table(side);
    const own = side === 'left' ? ctx.ownL : ctx.ownR;
    const capped = side === 'left' ? ctx.cappedL : ctx.cappedR;
    const label = ctx.rs.sides[side].unmatchedLabel;
    const other = ctx.rs.sides[side === 'left' ? 'right' : 'left'].label;
    const cls: ExceptionClass = side === 'left' ? 'unmatched_left' : 'unmatched_right';
    const base = `${label}: no ${other} record matched`;
    for (let i = 0; i < t.n; i++) {
      if (own[i] !== 0) continue;
      const c = capped[i]!;
      let detail = c > 0 ? `${base} (its key block in pass "${passIds[c - 1]}" was too large to search)` : base;
      const apart = ctx.apartReasons(side, i);
      if (apart.length > 0) detail += `; kept apart from its former match by ${apart.join(', ')}`;
      ctx.addException({ class: cls, amountAtRisk: { minor: abs(t.amount[i]!), currency: t.currency[i] ?? '' }, detail }, side === 'left' ? [i] : [], side === 'right' ? [i] : []);
      ctx.tick('classify', i, t.n);
    }
  }
}
