import { formatMinor } from '../../../shared/money.js';
import { addDuplicate, addPairException, fmt, recordsAtRisk, sameValues } from './classify.js';
import { AMOUNT_FAIL, CURRENCY_MISMATCH, DATE_FAIL, OK, PassConditions, TEXT_FAIL, type PairOutcome } from './conditions.js';
import type { RunContext } from './context.js';
import { explanation } from './explain.js';
import { solveGrouping } from './grouping.js';
import { forEachKeyBlock } from './blocks.js';
import { KEY_SEP } from './records.js';
import type { KeyPass } from './rule-set.js';
import type { ExceptionClass, FieldCheck, PassStats } from './types.js';

/** Composite keys are shown with a visible separator. */
export function displayKey(k: string): string {
  return k.includes(KEY_SEP) ? k.split(KEY_SEP).join(' | ') : k;
}

function compareBy(ids: string[]) {
  return (a: number, b: number) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0);
}

/**
 * One key pass: block free records by normalized key, then resolve each block by the pass's
 * cardinality. Blocks are disjoint, so the order they are visited in cannot change the result.
 */
export function runKeyPass(ctx: RunContext, pass: KeyPass, order: number, stats: PassStats): void {
  const L = ctx.L;
  const R = ctx.R;
  const kl = ctx.keyColumn('left', pass.key.left, pass.key.normalize);
  const kr = ctx.keyColumn('right', pass.key.right, pass.key.normalize);
  const cond = new PassConditions(ctx, pass.tolerance, pass.cardinality !== '1:1');
  const run = new KeyPassRun(ctx, pass, order, stats, cond);

  const composite = pass.key.left.length > 1 || pass.key.right.length > 1;
  const total = L.n + R.n;
  let work = 0;
  forEachKeyBlock(
    L.n,
    R.n,
    kl,
    kr,
    ctx.ownL,
    ctx.ownR,
    (k, lBuf, nl, rBuf, nr) => {
      const key = composite ? displayKey(k) : k;
      if (pass.cardinality === '1:1' && nl === 1 && nr === 1) return run.single(lBuf[0]!, rBuf[0]!, key);
      const ls = Array.from(lBuf.subarray(0, nl)).sort(compareBy(L.ids));
      const rs = Array.from(rBuf.subarray(0, nr)).sort(compareBy(R.ids));
      if (pass.cardinality === '1:1') run.oneToOneBlock(ls, rs, key);
      else run.groupingBlock(ls, rs, key);
    },
    () => ctx.tick(pass.id, ++work, total),
  );
}

class KeyPassRun {
  private readonly status: 'matched' | 'suggested';

  constructor(
    private readonly ctx: RunContext,
    private readonly pass: KeyPass,
    private readonly order: number,
    private readonly stats: PassStats,
    private readonly cond: PassConditions,
  ) {
    this.status = pass.confirm === 'auto' ? 'matched' : 'suggested';
  }

  private keys(key: string): { left: string[]; right: string[] } {
    const k = [key];
    return { left: k, right: k };
  }

  private group(left: number[], right: number[], key: string, checks: FieldCheck[], status: 'matched' | 'suggested', notes?: string[]): void {
    const p = this.pass;
    this.ctx.addGroup(this.order, p.id, 'key', status, left, right, null, explanation(p.id, 'key', this.ctx.version, this.keys(key), checks, p.cardinality, notes));
    this.stats.groups++;
    if (status === 'matched') this.stats.matched++;
    else this.stats.suggested++;
    this.stats.left += left.length;
    this.stats.right += right.length;
  }

  /** Records a variance-type exception for records whose keys agree but tolerance fails. */
  private variance(outcome: PairOutcome, left: number[], right: number[], key: string, checks: FieldCheck[], lSum: number, rSum: number, currency: string): void {
    const ctx = this.ctx;
    const p = this.pass;
    const cls: ExceptionClass = outcome === CURRENCY_MISMATCH ? 'currency_mismatch' : outcome === AMOUNT_FAIL ? 'amount_variance' : 'date_variance';
    let detail: string;
    let atRisk = recordsAtRisk(ctx, left, []);
    if (cls === 'amount_variance' && !Number.isNaN(lSum) && !Number.isNaN(rSum)) {
      atRisk = { minor: Math.abs(rSum - lSum), currency };
      const tol = checks.find((c) => c.field === 'amount')?.tolerance ?? '';
      detail = `Amount differs by ${formatMinor(rSum - lSum, currency)} ${currency} (tolerance ${tol})`;
    } else if (cls === 'amount_variance') {
      detail = 'Amount missing on one side';
    } else if (cls === 'currency_mismatch') {
      const lc = ctx.L.currency[left[0]!] ?? '(none)';
      const rc = ctx.R.currency[right[0]!] ?? '(none)';
      detail = `Currencies differ: ${lc} vs ${rc}${this.cond.fxAllowed ? ' and no FX rate applies' : ''}`;
    } else {
      const d = checks.find((c) => c.field === 'date');
      detail = d?.value === null || d === undefined ? 'Date missing on one side' : `Dates ${d.value} days apart (window ${d.tolerance})`;
    }
    addPairException(ctx, cls, p.id, left, right, atRisk, explanation(p.id, 'key', ctx.version, this.keys(key), checks, p.cardinality), `${detail}; keys agree: ${key}`);
    this.stats.exceptions++;
  }

  /** The common case: one left and one right share the key. */
  single(li: number, ri: number, key: string): void {
    const outcome = this.cond.evaluate(li, ri, true);
    const checks = this.cond.checks;
    if (outcome === OK) return this.group([li], [ri], key, checks, this.status);
    if (outcome === TEXT_FAIL || this.pass.onToleranceFail === 'skip') return;
    const lc = this.ctx.L.currency[li] ?? '';
    const amount = checks.find((c) => c.field === 'amount');
    this.variance(outcome, [li], [ri], key, checks, this.ctx.L.amount[li]!, typeof amount?.right === 'number' ? amount.right : NaN, lc);
  }

  /** Copy classes: records of one side equal on amount, currency and date (key is shared). */
  private copyClasses(side: 'left' | 'right', members: number[], amounts?: number[]): number[] {
    const t = this.ctx.table(side);
    const cls: number[] = [];
    for (let a = 0; a < members.length; a++) {
      let c = a;
      for (let b = 0; b < a; b++) {
        const same = amounts ? amounts[a] === amounts[b] && t.date[members[a]!] === t.date[members[b]!] && t.currency[members[a]!] === t.currency[members[b]!] : sameValues(t, members[a]!, members[b]!);
        if (same) {
          c = cls[b]!;
          break;
        }
      }
      cls.push(c);
    }
    return cls;
  }

  /** Free records of a block that copy a record this block just claimed become duplicates. */
  private duplicatesIn(side: 'left' | 'right', members: number[], cls: number[]): void {
    if (!this.ctx.rs.duplicates[side]) return;
    const own = side === 'left' ? this.ctx.ownL : this.ctx.ownR;
    for (let a = 0; a < members.length; a++) {
      const m = members[a]!;
      if (own[m] !== 0) continue;
      for (let b = 0; b < members.length; b++) {
        const o = members[b]!;
        if (cls[b] === cls[a] && own[o] !== 0 && !this.ctx.isClassOwner(side, o, 'duplicate')) {
          addDuplicate(this.ctx, side, m, o, this.pass.id, 'same key, amount and date');
          this.stats.exceptions++;
          break;
        }
      }
    }
  }

  private markCapped(ls: number[], rs: number[]): void {
    const tag = this.order + 1;
    for (const i of ls) if (this.ctx.ownL[i] === 0) this.ctx.cappedL[i] = tag;
    for (const j of rs) if (this.ctx.ownR[j] === 0) this.ctx.cappedR[j] = tag;
    this.stats.cappedBlocks++;
  }

  /**
   * 1:1 in a block with several records: exact copies collapse to their lowest id; a pair is
   * taken when each is the other's only candidate within tolerance; a candidate graph with
   * more than one edge in a component is ambiguous.
   */
  oneToOneBlock(ls: number[], rs: number[], key: string): void {
    const ctx = this.ctx;
    if (ls.length * rs.length > this.pass.limits.maxSteps) return this.markCapped(ls, rs);
    const lc = this.copyClasses('left', ls);
    const rc = this.copyClasses('right', rs);
    const lr = ls.filter((_, a) => lc[a] === a);
    const rr = rs.filter((_, b) => rc[b] === b);
    const edges: [number, number][] = [];
    for (const l of lr) for (const r of rr) if (this.cond.evaluate(l, r, false) === OK) edges.push([l, r]);
    if (edges.length === 0) {
      // One distinct record per side (the rest copies): a variance with duplicates, unless the
      // copies add up to the other side — then it is a split for a grouping pass.
      if (lr.length === 1 && rr.length === 1 && this.pass.onToleranceFail === 'exception' && !this.copiesExplain(ls, rs)) {
        const l = lr[0]!;
        const r = rr[0]!;
        const outcome = this.cond.evaluate(l, r, true);
        if (outcome !== OK && outcome !== TEXT_FAIL) {
          const checks = this.cond.checks;
          const amount = checks.find((c) => c.field === 'amount');
          this.variance(outcome, [l], [r], key, checks, ctx.L.amount[l]!, typeof amount?.right === 'number' ? amount.right : NaN, ctx.L.currency[l] ?? '');
          this.duplicatesIn('left', ls, lc);
          this.duplicatesIn('right', rs, rc);
        }
      }
      return;
    }
    // Union-find over the candidate graph of representatives.
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let p = parent.get(x) ?? x;
      while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
      parent.set(x, p);
      return p;
    };
    for (const [l, r] of edges) {
      const a = find(`l${l}`);
      const b = find(`r${r}`);
      if (a !== b) parent.set(a, b);
    }
    const comps = new Map<string, { ls: number[]; rs: number[]; edges: number }>();
    for (const [l, r] of edges) {
      const c = find(`l${l}`);
      let comp = comps.get(c);
      if (!comp) comps.set(c, (comp = { ls: [], rs: [], edges: 0 }));
      if (!comp.ls.includes(l)) comp.ls.push(l);
      if (!comp.rs.includes(r)) comp.rs.push(r);
      comp.edges++;
    }
    for (const comp of comps.values()) {
      if (comp.edges === 1) {
        const l = comp.ls[0]!;
        const r = comp.rs[0]!;
        this.cond.evaluate(l, r, true);
        this.group([l], [r], key, this.cond.checks, this.status, lr.length > 1 || rr.length > 1 ? [`the only candidate within tolerance among ${ls.length}×${rs.length} records sharing the key`] : undefined);
      } else {
        // Ambiguous: representatives and their copies all go to the analyst.
        const la = ls.filter((_, a) => comp.ls.includes(ls[lc[a]!]!));
        const ra = rs.filter((_, b) => comp.rs.includes(rs[rc[b]!]!));
        this.ambiguous(la, ra, key, `${comp.edges} pairings fit within tolerance`);
      }
    }
    this.duplicatesIn('left', ls, lc);
    this.duplicatesIn('right', rs, rc);
  }

  /** Whether k copies of one side's single distinct record sum to the other's within tolerance. */
  private copiesExplain(ls: number[], rs: number[]): boolean {
    const amount = this.cond.amount;
    if (!amount) return false;
    const ctx = this.ctx;
    const l = ls[0]!;
    const lc = ctx.L.currency[l] ?? '';
    const la = ctx.L.amount[l]!;
    const ra = this.cond.rightIn(rs[0]!, ctx.L.currency[l]!);
    if (Number.isNaN(la) || Number.isNaN(ra)) return false;
    for (let k = 2; k <= rs.length; k++) if (Math.abs(k * ra - la) <= amount.allowance(la, lc)) return true;
    for (let k = 2; k <= ls.length; k++) if (Math.abs(ra - k * la) <= amount.allowance(k * la, lc)) return true;
    return false;
  }

  private ambiguous(ls: number[], rs: number[], key: string, why: string): void {
    const p = this.pass;
    const ctx = this.ctx;
    const atRisk = recordsAtRisk(ctx, ls, rs);
    ctx.addException(
      {
        class: 'ambiguous',
        amountAtRisk: atRisk,
        pass: p.id,
        explanation: explanation(p.id, 'key', ctx.version, this.keys(key), [], p.cardinality, [why]),
        detail: `Ambiguous: ${why}; key ${key}, ${ls.length} left / ${rs.length} right records (${fmt(atRisk)})`,
      },
      ls,
      rs,
    );
    this.stats.exceptions++;
  }

  /** 1:N, N:1, N:M: bounded subset-sum search over the block (see grouping.ts). */
  groupingBlock(ls0: number[], rs0: number[], key: string): void {
    const ctx = this.ctx;
    const limits = this.pass.limits;
    if (ls0.length > limits.maxPerSide || rs0.length > limits.maxPerSide) return this.markCapped(ls0, rs0);
    // Sums need one currency: solve the lefts of each currency in turn (sorted, so the order is
    // fixed); rights are converted when FX is allowed, else only same-currency rights take part.
    const currencies = [...new Set(ls0.filter((i) => !Number.isNaN(ctx.L.amount[i]!)).map((i) => ctx.L.currency[i]!))]
      .filter((c): c is string => c !== null)
      .sort();
    for (const currency of currencies) {
      const ls = ls0.filter((i) => ctx.L.currency[i] === currency && !Number.isNaN(ctx.L.amount[i]!));
      const rs = rs0.filter((j) => ctx.ownR[j] === 0);
      if (this.solveCurrency(ls, rs, ls0, rs0, currency, key)) return;
    }
  }

  /** One currency's part of a grouping block; true when the block was capped. */
  private solveCurrency(ls: number[], rs0: number[], allL: number[], allR: number[], currency: string, key: string): boolean {
    const ctx = this.ctx;
    const cond = this.cond;
    const limits = this.pass.limits;
    const rs: number[] = [];
    const rAmt: number[] = [];
    for (const j of rs0) {
      const a = cond.rightIn(j, currency);
      if (Number.isNaN(a)) continue;
      rs.push(j);
      rAmt.push(a);
    }
    if (rs.length === 0 || ls.length === 0) return false;
    const lAmt = ls.map((i) => ctx.L.amount[i]!);
    const lc = this.copyClasses('left', ls);
    const rc = this.copyClasses('right', rs, rAmt);
    const amountRule = cond.amount!;
    const card = this.pass.cardinality as '1:N' | 'N:1' | 'N:M';
    const result = solveGrouping({
      nl: ls.length,
      nr: rs.length,
      lAmt,
      rAmt,
      lClass: lc,
      rClass: rc,
      compat: (a, b) => cond.dateOk(ls[a]!, rs[b]!) && cond.textOk(ls[a]!, rs[b]!),
      allowance: (s) => amountRule.allowance(s, currency),
      cardinality: card,
      maxSteps: limits.maxSteps,
    });
    for (const g of result.groups) {
      const gl = g.left.map((a) => ls[a]!);
      const gr = g.right.map((b) => rs[b]!);
      const lSum = g.left.reduce((s, a) => s + lAmt[a]!, 0);
      const rSum = g.right.reduce((s, b) => s + rAmt[b]!, 0);
      const notes: string[] = [`${gl.length} left, ${gr.length} right records sum within tolerance (fit ${formatMinor(g.fit, currency)} ${currency})`];
      let status = this.status;
      if (g.alternatives > 0) {
        notes.push(`${g.alternatives} other grouping(s) also fit within tolerance, less closely: needs review`);
        status = 'suggested';
      }
      this.group(gl, gr, key, cond.groupChecks(gl, gr, lSum, rSum, currency), status, notes);
    }
    for (const a of result.ambiguous) {
      this.ambiguous(
        a.left.map((i) => ls[i]!),
        a.right.map((j) => rs[j]!),
        key,
        `${a.options} groupings fit equally well`,
      );
    }
    if (result.capped) {
      this.markCapped(allL, allR);
      return true;
    }
    if (result.groups.length === 0 && result.ambiguous.length === 0 && this.pass.onToleranceFail === 'exception') {
      // Whole-block variance only when the block is unambiguous about who belongs together.
      const single = allL.length === ls.length && allR.length === rs.length && (card === '1:N' ? ls.length === 1 : card === 'N:1' ? rs.length === 1 : true);
      if (single) this.blockVariance(ls, rs, lAmt, rAmt, currency, key);
    }
    this.duplicatesIn('left', ls, lc);
    this.duplicatesIn('right', rs, rc);
    return false;
  }

  /** No grouping fits a block with a single record on its "one" side: the block is one variance. */
  private blockVariance(ls: number[], rs: number[], lAmt: number[], rAmt: number[], currency: string, key: string): void {
    const cond = this.cond;
    for (const l of ls) for (const r of rs) if (!cond.textOk(l, r)) return;
    const lSum = lAmt.reduce((s, x) => s + x, 0);
    const rSum = rAmt.reduce((s, x) => s + x, 0);
    const amountOk = Math.abs(rSum - lSum) <= cond.amount!.allowance(lSum, currency);
    const outcome: PairOutcome = amountOk ? DATE_FAIL : AMOUNT_FAIL;
    if (amountOk && ls.every((l) => rs.every((r) => cond.dateOk(l, r)))) return;
    const checks = cond.groupChecks(ls, rs, lSum, rSum, currency);
    this.variance(outcome, ls, rs, key, checks, lSum, rSum, currency);
  }
}
