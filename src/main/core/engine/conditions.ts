import type { RunContext } from './context.js';
import { amountCheck, dateCheck, dateRange, fxNote, textCheck } from './explain.js';
import { DEFAULT_TEXT_CHAIN } from './normalize.js';
import { NO_DATE, type Column } from './records.js';
import type { Tolerance, TextMeasure } from './rule-set.js';
import { similarAtLeast, similarity } from './similarity.js';
import { AmountRule, DateRule, describeThreshold } from './tolerance.js';
import type { FieldCheck } from './types.js';
import type { Conversion } from './fx.js';

/** Outcome codes of a pair evaluation, in priority order of what is reported. */
export const OK = 0;
export const TEXT_FAIL = 1;
export const CURRENCY_MISMATCH = 2;
export const AMOUNT_FAIL = 3;
export const DATE_FAIL = 4;
export type PairOutcome = typeof OK | typeof TEXT_FAIL | typeof CURRENCY_MISMATCH | typeof AMOUNT_FAIL | typeof DATE_FAIL;

interface TextRule {
  role: string;
  measure: TextMeasure;
  threshold: number;
  describe: string;
  l: Column;
  r: Column;
}

function fieldText(v: unknown): string | null {
  return typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);
}

/**
 * A pass's tolerance compiled against the tables: amount rule (with FX), date window and text
 * conditions. `evaluate` classifies a pair; with `withChecks` it also records one FieldCheck per
 * compared field for the explanation.
 */
export class PassConditions {
  readonly amount: AmountRule | null;
  readonly fxAllowed: boolean;
  readonly date: DateRule | null;
  readonly texts: TextRule[];
  private readonly lDate: Int32Array;
  private readonly rDate: Int32Array;
  private readonly lDateField: string | undefined;
  private readonly rDateField: string | undefined;
  /** Set by `rightIn` when it converted. */
  lastConversion: Conversion | null = null;
  checks: FieldCheck[] = [];
  private readonly checkCount: number;

  constructor(
    private readonly ctx: RunContext,
    tolerance: Tolerance | undefined,
    /** Grouping needs amounts even without a configured tolerance (then exact). */
    amountRequired: boolean,
  ) {
    const t = tolerance;
    this.amount = t?.amount || amountRequired ? new AmountRule(t?.amount) : null;
    this.fxAllowed = t?.amount?.fx ?? false;
    this.date = t?.date ? new DateRule(t.date) : null;
    this.lDateField = t?.date?.left ?? ctx.rs.sides.left.fields.date;
    this.rDateField = t?.date?.right ?? ctx.rs.sides.right.fields.date;
    this.lDate = this.lDateField ? ctx.L.dateColumn(this.lDateField) : ctx.L.date;
    this.rDate = this.rDateField ? ctx.R.dateColumn(this.rDateField) : ctx.R.date;
    this.checkCount = (t?.text.length ?? 0) + (this.amount ? 1 : 0) + (this.date ? 1 : 0);
    this.texts = (t?.text ?? []).map((c) => {
      const chain = ctx.chain(c.normalize ?? DEFAULT_TEXT_CHAIN);
      return {
        role: c.role,
        measure: c.measure,
        threshold: c.threshold,
        describe: describeThreshold(c.measure, c.threshold),
        l: ctx.L.textColumn(ctx.rs.sides.left.fields.text[c.role]!, chain),
        r: ctx.R.textColumn(ctx.rs.sides.right.fields.text[c.role]!, chain),
      };
    });
  }

  /** Right amount of `ri` in `currency` (minor units), or NaN when missing or not convertible. */
  rightIn(ri: number, currency: string | null): number {
    this.lastConversion = null;
    const a = this.ctx.R.amount[ri]!;
    const c = this.ctx.R.currency[ri]!;
    if (c === currency) return a;
    if (!this.fxAllowed || c === null || currency === null || Number.isNaN(a)) return NaN;
    const d = this.rDate[ri]!;
    const conv = this.ctx.fx.convert(a, c, currency, d === NO_DATE ? null : d);
    if (!conv) return NaN;
    this.lastConversion = conv;
    return conv.minor;
  }

  /** Text conditions hold, and no analyst decision keeps the two apart. */
  textOk(li: number, ri: number): boolean {
    if (this.ctx.apart(li, ri)) return false;
    for (const t of this.texts) {
      const a = t.l.get(li);
      const b = t.r.get(ri);
      if (a === null || b === null || !similarAtLeast(t.measure, a, b, t.threshold)) return false;
    }
    return true;
  }

  dateOk(li: number, ri: number): boolean {
    if (this.date === null) return true;
    const a = this.lDate[li]!;
    const b = this.rDate[ri]!;
    return a !== NO_DATE && b !== NO_DATE && this.date.ok(b - a);
  }

  leftDay(li: number): number {
    return this.lDate[li]!;
  }

  rightDay(ri: number): number {
    return this.rDate[ri]!;
  }

  /** Classifies one pair. Text failures win (not this pair); then currency, amount, date. */
  evaluate(li: number, ri: number, withChecks: boolean): PairOutcome {
    // Exact-size array: most groups carry 2-3 checks and a million of them are kept.
    const checks: FieldCheck[] | null = withChecks ? new Array<FieldCheck>(this.checkCount) : null;
    let k = 0;
    // A pair an analyst split apart is "not this pair", like a text failure: no group, no variance.
    let outcome: PairOutcome = this.ctx.apart(li, ri) ? TEXT_FAIL : OK;
    for (const t of this.texts) {
      const a = t.l.get(li);
      const b = t.r.get(ri);
      const sim = a === null || b === null ? null : similarity(t.measure, a, b);
      const pass = sim !== null && sim >= t.threshold;
      if (!pass) outcome = TEXT_FAIL;
      if (checks) checks[k++] = textCheck(t.role, a, b, t.measure, sim, t.describe, pass);
    }
    if (outcome === TEXT_FAIL && !checks) return outcome;
    if (this.amount) {
      const L = this.ctx.L;
      const la = L.amount[li]!;
      const lc = L.currency[li]!;
      const ra = this.rightIn(ri, lc);
      const rc = this.ctx.R.currency[ri]!;
      if (Number.isNaN(ra) && !Number.isNaN(this.ctx.R.amount[ri]!) && !Number.isNaN(la) && rc !== lc) {
        if (outcome === OK) outcome = CURRENCY_MISMATCH;
        if (checks) {
          const c = amountCheck(la, this.ctx.R.amount[ri]!, lc ?? '', this.amount.describe(lc ?? ''), false, `currencies differ: ${lc ?? '(none)'} vs ${rc ?? '(none)'}${this.fxAllowed ? ', no FX rate' : ''}`);
          c.value = null;
          checks[k++] = c;
        }
      } else {
        const allowance = this.amount.allowance(la, lc ?? '');
        const pass = !Number.isNaN(la) && !Number.isNaN(ra) && Math.abs(ra - la) <= allowance;
        if (!pass && outcome === OK) outcome = AMOUNT_FAIL;
        if (checks) {
          const conv = this.lastConversion;
          const note = conv ? fxNote(this.ctx.R.amount[ri]!, rc ?? '', conv) : Number.isNaN(la) || Number.isNaN(ra) ? 'amount missing' : undefined;
          checks[k++] = amountCheck(la, ra, lc ?? '', this.amount.describe(lc ?? ''), pass, note);
        }
      }
    }
    if (this.date) {
      const a = this.lDate[li]!;
      const b = this.rDate[ri]!;
      const missing = a === NO_DATE || b === NO_DATE;
      const pass = !missing && this.date.ok(b - a);
      if (!pass && outcome === OK) outcome = DATE_FAIL;
      if (checks) {
        checks[k++] = dateCheck(this.lDateText(li), this.rDateText(ri), missing ? null : b - a, this.date.describe(), pass, missing ? 'date missing' : undefined);
      }
    }
    if (checks) this.checks = checks;
    return outcome;
  }

  lDateText(li: number): string | null {
    return this.lDateField ? fieldText(this.ctx.L.records[li]!.fields[this.lDateField]) : null;
  }

  rDateText(ri: number): string | null {
    return this.rDateField ? fieldText(this.ctx.R.records[ri]!.fields[this.rDateField]) : null;
  }

  /** Checks for a multi-record group: amount sums, date spans, and the weakest text similarity. */
  groupChecks(left: readonly number[], right: readonly number[], lSum: number, rSum: number, currency: string): FieldCheck[] {
    const checks: FieldCheck[] = [];
    for (const t of this.texts) {
      let worst = 1;
      let wl: string | null = null;
      let wr: string | null = null;
      for (const li of left) {
        for (const ri of right) {
          const a = t.l.get(li);
          const b = t.r.get(ri);
          const s = a === null || b === null ? 0 : similarity(t.measure, a, b);
          if (wl === null || s < worst) {
            worst = s;
            wl = a;
            wr = b;
          }
        }
      }
      checks.push(textCheck(t.role, wl, wr, t.measure, worst, t.describe, worst >= t.threshold));
    }
    if (this.amount) {
      const allowance = this.amount.allowance(lSum, currency);
      const conv = right.some((ri) => this.ctx.R.currency[ri] !== currency);
      checks.push(
        amountCheck(lSum, rSum, currency, this.amount.describe(currency), Math.abs(rSum - lSum) <= allowance, conv ? 'right amounts converted to the left currency' : undefined),
      );
    }
    if (this.date) {
      let lo = Infinity;
      let hi = -Infinity;
      let missing = false;
      for (const li of left) {
        for (const ri of right) {
          const a = this.lDate[li]!;
          const b = this.rDate[ri]!;
          if (a === NO_DATE || b === NO_DATE) missing = true;
          else {
            lo = Math.min(lo, b - a);
            hi = Math.max(hi, b - a);
          }
        }
      }
      const pass = !missing && this.date.ok(lo) && this.date.ok(hi);
      // Report the lag furthest outside (or, when all pass, the largest).
      const value = missing ? null : !this.date.ok(lo) ? lo : hi;
      checks.push(
        dateCheck(
          dateRange(left.map((i) => this.lDateText(i))),
          dateRange(right.map((i) => this.rDateText(i))),
          value,
          this.date.describe(),
          pass,
          missing ? 'date missing' : lo !== hi ? `lags range over [${lo}, ${hi}] days` : undefined,
        ),
      );
    }
    return checks;
  }
}
