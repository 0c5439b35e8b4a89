import { TieoutError } from '../../../shared/error.js';
import { compileChain, type Chain } from './normalize.js';
import { FxTable } from './fx.js';
import { compareIds, exceptionId, groupId } from './group-id.js';
import type { Column, SideTable } from './records.js';
import type { KeyPart, NormalizeRef, NormalizerStep, RuleSet } from './rule-set.js';
import { ExplanationPacker } from './packed-explanation.js';
import type { ApartSet, EngineException, EngineHooks, ExceptionClass, Explanation, Group, GroupStatus, PassKind, PassStats } from './types.js';

/** An exception as a pass reports it: the context gives it its id and members, and packs its explanation. */
export type NewException = Omit<EngineException, 'id' | 'left' | 'right' | 'explanation'> & { explanation?: Explanation };

/** How often (in work units) cancellation is polled. */
const POLL_MASK = 4095;

/**
 * State shared by the passes of one run: the two tables, who claimed each record, and the
 * outcomes so far. Records are claimed by exactly one outcome; that is what makes the
 * every-record-once invariant hold by construction.
 */
export class RunContext {
  /** 0 = free; g+1 = in groups[g]; -(e+1) = in exceptions[e]. */
  readonly ownL: Int32Array;
  readonly ownR: Int32Array;
  /** Pass index + 1 of the last pass whose key block for this record exceeded its caps. */
  readonly cappedL: Int16Array;
  readonly cappedR: Int16Array;
  readonly groups: Group[] = [];
  /** Pass order of each group (locked = -1), for the final sort. */
  readonly groupOrder: number[] = [];
  readonly exceptions: EngineException[] = [];
  readonly passStats: PassStats[] = [];
  /** Packs every group's and exception's explanation; its templates go with the result. */
  readonly explanations = new ExplanationPacker();
  /** Matched 1:1 key/locked groups (group index, left, right): the labelled sample for EM. */
  readonly labelled = { g: [] as number[], l: [] as number[], r: [] as number[] };
  readonly fx: FxTable;
  /** Record index → indexes of the apart sets it belongs to (see ApartSet). */
  private readonly apartL = new Map<number, number[]>();
  private readonly apartR = new Map<number, number[]>();
  private apartBy: string[] = [];
  private readonly chains = new Map<string, Chain>();
  private work = 0;

  constructor(
    readonly rs: RuleSet,
    readonly version: number,
    readonly L: SideTable,
    readonly R: SideTable,
    fx: FxTable,
    private readonly hooks: EngineHooks | undefined,
  ) {
    this.ownL = new Int32Array(L.n);
    this.ownR = new Int32Array(R.n);
    this.cappedL = new Int16Array(L.n);
    this.cappedR = new Int16Array(R.n);
    this.fx = fx;
  }

  /** Registers the apart sets; ids not in the input are ignored. */
  setApart(sets: readonly ApartSet[]): void {
    const index = (ids: string[]) => new Map(ids.map((id, i) => [id, i]));
    const li = index(this.L.ids);
    const ri = index(this.R.ids);
    const add = (m: Map<number, number[]>, i: number | undefined, k: number) => {
      if (i === undefined) return;
      const list = m.get(i);
      if (list) list.push(k);
      else m.set(i, [k]);
    };
    this.apartBy = sets.map((s) => s.by);
    sets.forEach((s, k) => {
      for (const id of s.left) add(this.apartL, li.get(id), k);
      for (const id of s.right) add(this.apartR, ri.get(id), k);
    });
  }

  get hasApart(): boolean {
    return this.apartL.size > 0;
  }

  /** Whether an analyst split these two records apart; they must not be paired again. */
  apart(li: number, ri: number): boolean {
    if (this.apartL.size === 0) return false;
    const a = this.apartL.get(li);
    if (!a) return false;
    const b = this.apartR.get(ri);
    return b !== undefined && a.some((k) => b.includes(k));
  }

  /** The decisions that keep a record apart from others, for its explanation. */
  apartReasons(side: 'left' | 'right', i: number): string[] {
    return ((side === 'left' ? this.apartL : this.apartR).get(i) ?? []).map((k) => this.apartBy[k]!);
  }

  table(side: 'left' | 'right'): SideTable {
    return side === 'left' ? this.L : this.R;
  }

  chain(ref: NormalizeRef | readonly NormalizerStep[] | undefined): Chain {
    const k = ref === undefined ? '' : JSON.stringify(ref);
    let c = this.chains.get(k);
    if (!c) {
      c = compileChain(ref, this.rs);
      this.chains.set(k, c);
    }
    return c;
  }

  /** The normalized composite key of every record of a side. */
  keyColumn(side: 'left' | 'right', parts: readonly KeyPart[], fallback: NormalizeRef | undefined): Column {
    return this.table(side).keyColumn(parts.map((p) => ({ field: p.field, chain: this.chain(p.normalize ?? fallback) })));
  }

  /** Counts work and polls cancellation every few thousand units. */
  tick(pass: string, done: number, total: number): void {
    if ((++this.work & POLL_MASK) !== 0) return;
    if (this.hooks?.isCancelled?.()) throw new TieoutError('cancelled', 'Matching was cancelled');
    if ((this.work & 0xffff) === 0) this.hooks?.onProgress?.({ pass, done, total });
  }

  progress(pass: string, done: number, total: number): void {
    if (this.hooks?.isCancelled?.()) throw new TieoutError('cancelled', 'Matching was cancelled');
    this.hooks?.onProgress?.({ pass, done, total });
  }

  idsOf(side: 'left' | 'right', idx: readonly number[]): string[] {
    const ids = this.table(side).ids;
    if (idx.length === 1) return [ids[idx[0]!]!];
    const out = idx.map((i) => ids[i]!);
    if (out.length > 1) out.sort(compareIds);
    return out;
  }

  addGroup(
    order: number,
    pass: string,
    passKind: PassKind,
    status: GroupStatus,
    left: readonly number[],
    right: readonly number[],
    score: number | null,
    explanation: Explanation,
    fixedId?: string,
  ): Group {
    const l = this.idsOf('left', left);
    const r = this.idsOf('right', right);
    const g: Group = { id: fixedId ?? groupId(pass, l, r), pass, passKind, status, left: l, right: r, score, explanation: this.explanations.pack(explanation) };
    const tag = this.groups.length + 1;
    for (const i of left) this.claim(this.ownL, i, tag);
    for (const i of right) this.claim(this.ownR, i, tag);
    if (status === 'matched' && passKind !== 'probabilistic' && left.length === 1 && right.length === 1) {
      this.labelled.g.push(this.groups.length);
      this.labelled.l.push(left[0]!);
      this.labelled.r.push(right[0]!);
    }
    this.groups.push(g);
    this.groupOrder.push(order);
    return g;
  }

  addException(e: NewException, left: readonly number[], right: readonly number[]): EngineException {
    const l = this.idsOf('left', left);
    const r = this.idsOf('right', right);
    const { class: cls, ...rest } = e;
    // Overwriting keeps the member where the caller put it, so equal results stay equal JSON.
    const x: EngineException = { id: exceptionId(cls, e.pass, l, r), class: cls, left: l, right: r, ...strip({ ...rest, explanation: rest.explanation && this.explanations.pack(rest.explanation) }) };
    const tag = -(this.exceptions.length + 1);
    for (const i of left) this.claim(this.ownL, i, tag);
    for (const i of right) this.claim(this.ownR, i, tag);
    this.exceptions.push(x);
    return x;
  }

  private claim(own: Int32Array, i: number, tag: number): void {
    if (own[i] !== 0) throw new TieoutError('internal', 'A record was claimed twice');
    own[i] = tag;
  }

  /** The group or exception id that holds a record, if any. */
  holderId(side: 'left' | 'right', i: number): { groupId?: string; exception?: EngineException } {
    const t = (side === 'left' ? this.ownL : this.ownR)[i]!;
    if (t > 0) return { groupId: this.groups[t - 1]!.id };
    if (t < 0) return { exception: this.exceptions[-t - 1]! };
    return {};
  }

  isClassOwner(side: 'left' | 'right', i: number, cls: ExceptionClass): boolean {
    const t = (side === 'left' ? this.ownL : this.ownR)[i]!;
    return t < 0 && this.exceptions[-t - 1]!.class === cls;
  }
}

/** Drops undefined optionals so equal results serialize to equal JSON. */
function strip<T extends object>(o: T): T {
  const out = {} as T;
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
