import type { InvoiceBook, InvoiceLineSpec, TruthLog } from './book.js';
import { DESC_CREDIT, DESC_GROUP, DESC_STANDARD } from './book.js';
import type { Enc } from './bytes.js';
import { NO_PO, pickReference, type PoRef } from './noise.js';
import type { Prng } from './prng.js';
import { WeightedIndex } from './prng.js';
import type { CurrencyCode } from './vocabulary.js';
import type { CaseKind } from './kinds.js';

/**
 * The reconciliation cases the demo data plants, and how many of each.
 *
 * Each kind is one truth.csv row per instance:
 * - clean: one buy, one invoice line, same amount and currency; the PO reference carries
 *   format noise that normalizes to the Line ID.
 * - over_billing: 1:1, the invoice amount 2-15% above the buy's Net Cost.
 * - split: one buy billed as 2-4 lines with the same PO reference (possibly on different
 *   invoices); the amounts sum exactly to Net Cost.
 * - consolidated: 2-3 buys of one IO and one vendor billed as a single line whose PO
 *   reference is the IO number only; the amount is the exact sum. No other line of that IO
 *   is with that vendor, so IO + vendor identifies the group.
 * - missing_po: 1:1 with an empty PO reference; same amount, a billing-name variant of the
 *   buy's vendor, the usual date lag, and a description holding the campaign and placement.
 * - unbilled: a buy with no invoice line (buy_line_ids only).
 * - unauthorized: an invoice line with no buy: an empty PO reference, a line number the
 *   IO does not have (-07 .. -19), or a prior-year IO (invoice_keys only).
 * - duplicate: a clean pair whose invoice line is written twice, identical in every column.
 *   The truth row names the key once; the second physical copy is the expected
 *   `duplicate` exception.
 * - credit_note: one line over-billed by X plus a credit line of -X (same PO reference),
 *   summing exactly to Net Cost; invoice_keys lists the charge first, then the credit.
 * - currency_mismatch: 1:1 with the buy's amount number but another currency code.
 */
export { CASE_KINDS, isCaseKind, type CaseKind } from './kinds.js';

/**
 * Default shares, as a fraction of the requested number of buys N. Each non-clean kind
 * consumes round(share x N) buys (consolidated: buys in groups of 2-3, so about
 * 0.03 N / 2.5 instances); clean takes the rest (about 82%). unauthorized adds
 * round(0.01 N) invoice lines that consume no buy. From N >= 50 every kind is planted at
 * least once. With N buys there are about 1.05 N invoice lines.
 */
export const CASE_SHARES: Readonly<Record<Exclude<CaseKind, 'clean'>, number>> = {
  over_billing: 0.03,
  split: 0.03,
  consolidated: 0.03,
  missing_po: 0.03,
  unbilled: 0.02,
  unauthorized: 0.01,
  duplicate: 0.015,
  credit_note: 0.015,
  currency_mismatch: 0.01,
};

/** From this many buys on, every case kind is planted at least once. */
export const MIN_BUYS_FOR_ALL_CASES = 50;

/**
 * Units of the case plan. A unit is what one draw from the shuffled plan produces:
 * one buy of a 1:1-ish kind, a consolidated group of 2 or 3 buys, or an unauthorized
 * invoice line (no buy).
 */
export const U_CLEAN = 0;
export const U_OVER = 1;
export const U_SPLIT = 2;
export const U_CONS2 = 3;
export const U_CONS3 = 4;
export const U_MISSING = 5;
export const U_UNBILLED = 6;
export const U_UNAUTH = 7;
export const U_DUP = 8;
export const U_CREDIT = 9;
export const U_CURRENCY = 10;

/** Buys consumed by a unit. */
export function unitSize(unit: number): number {
  return unit === U_CONS2 ? 2 : unit === U_CONS3 ? 3 : unit === U_UNAUTH ? 0 : 1;
}

/**
 * The shuffled case plan for `buys` buys: exact quotas (see CASE_SHARES), so counts are
 * stable for a given N and the buys consumed sum to exactly N.
 */
export function planUnits(buys: number, prng: Prng): Uint8Array {
  const floor = buys >= MIN_BUYS_FOR_ALL_CASES ? 1 : 0;
  const quota = (share: number): number => Math.max(Math.round(share * buys), floor);
  const single: [number, number][] = [
    [U_OVER, quota(CASE_SHARES.over_billing)],
    [U_SPLIT, quota(CASE_SHARES.split)],
    [U_MISSING, quota(CASE_SHARES.missing_po)],
    [U_UNBILLED, quota(CASE_SHARES.unbilled)],
    [U_DUP, quota(CASE_SHARES.duplicate)],
    [U_CREDIT, quota(CASE_SHARES.credit_note)],
    [U_CURRENCY, quota(CASE_SHARES.currency_mismatch)],
  ];
  let consolidatedBuys = Math.max(Math.round(CASE_SHARES.consolidated * buys), 2 * floor);
  if (consolidatedBuys === 1) consolidatedBuys = 0;
  const groups: number[] = [];
  for (let left = consolidatedBuys; left > 0; ) {
    const size = left <= 3 ? left : left === 4 ? 2 : prng.chance(0.5) ? 2 : 3;
    groups.push(size);
    left -= size;
  }
  // Tiny N: never plant more non-clean buys than there are buys.
  let used = consolidatedBuys + single.reduce((s, [, q]) => s + q, 0);
  for (let i = single.length - 1; used > buys && i >= 0; i--) {
    const entry = single[i]!;
    const cut = Math.min(entry[1], used - buys);
    entry[1] -= cut;
    used -= cut;
  }
  while (used > buys && groups.length > 0) used -= groups.pop()!;
  const unauthorized = Math.max(Math.round(CASE_SHARES.unauthorized * buys), floor);
  const clean = buys - used;

  const units = new Uint8Array(clean + single.reduce((s, [, q]) => s + q, 0) + groups.length + unauthorized);
  let at = 0;
  units.fill(U_CLEAN, at, (at += clean));
  for (const [unit, q] of single) units.fill(unit, at, (at += q));
  for (const g of groups) units[at++] = g === 2 ? U_CONS2 : U_CONS3;
  units.fill(U_UNAUTH, at, (at += unauthorized));
  for (let i = units.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    const t = units[i]!;
    units[i] = units[j]!;
    units[j] = t;
  }
  return units;
}

/** A generated buy line, as planting needs it. */
export interface Buy {
  /** IO sequence number (IO-2026-004512 is 4512). */
  readonly io: number;
  /** The IO Number as bytes, e.g. IO-2026-004512. */
  readonly ioId: Uint8Array;
  /** Line number within the IO, 1-6. */
  readonly line: number;
  readonly vendor: number;
  readonly currency: CurrencyCode;
  readonly campaign: Enc;
  readonly placement: Enc;
  /** Flight start and end as day offsets. */
  readonly start: number;
  readonly end: number;
  readonly impressions: number;
  /** Net Cost in minor units. */
  readonly net: number;
}

export interface PlantContext {
  readonly prng: Prng;
  readonly book: InvoiceBook;
  readonly truth: TruthLog;
  /** IO year, e.g. 2026. */
  readonly year: number;
}

/** Billed impressions: often exactly as bought, otherwise within -3% .. +2%. */
function delivered(prng: Prng, impressions: number): number {
  if (prng.chance(0.5)) return impressions;
  return impressions + Math.trunc((impressions * prng.int(-300, 200)) / 10_000);
}

/** ceil(value x basisPoints / 10000) for non-negative integers. */
function portion(value: number, basisPoints: number): number {
  return Math.floor((value * basisPoints + 9_999) / 10_000);
}

/** Splits a non-negative integer in proportion to `weights`; the pieces sum exactly to `total`. */
function partition(total: number, weights: readonly number[]): number[] {
  let sum = 0;
  for (const w of weights) sum += w;
  const out: number[] = [];
  let left = total;
  for (let i = 0; i < weights.length - 1; i++) {
    const part = Math.floor((total * weights[i]!) / sum);
    out.push(part);
    left -= part;
  }
  out.push(left);
  return out;
}

const SPLIT_PARTS = new WeightedIndex([60, 25, 15]); // 2, 3 or 4 lines
const OTHER_CURRENCIES: readonly CurrencyCode[] = ['EUR', 'GBP', 'CAD'];

function ref(ctx: PlantContext, buy: Buy): PoRef {
  return pickReference(ctx.prng, ctx.year, buy.io, buy.line);
}

/** An invoice line for `buy` with the standard description. */
function lineFor(ctx: PlantContext, buy: Buy, amount: number, impressions: number, po: PoRef, currency: string): InvoiceLineSpec {
  return {
    vendor: buy.vendor,
    billDate: ctx.book.billingDate(buy.vendor, buy.end),
    currency,
    po,
    descKind: DESC_STANDARD,
    head: buy.campaign,
    placement: buy.placement,
    month: buy.start,
    count: 0,
    impressions,
    amount,
  };
}

/** Plants the invoice side of a one-buy unit. */
export function plantBuy(unit: number, buy: Buy, ctx: PlantContext): void {
  const { prng, book, truth } = ctx;
  const lines = [buy.line];
  switch (unit) {
    case U_CLEAN:
    case U_DUP: {
      const owner = truth.open(unit === U_DUP ? 'duplicate' : 'clean', buy.ioId, lines, 1);
      book.add(lineFor(ctx, buy, buy.net, delivered(prng, buy.impressions), ref(ctx, buy), buy.currency), owner, 0, unit === U_DUP);
      return;
    }
    case U_OVER: {
      const bp = prng.int(200, 1450);
      const owner = truth.open('over_billing', buy.ioId, lines, 1);
      const amount = buy.net + portion(buy.net, bp);
      book.add(lineFor(ctx, buy, amount, buy.impressions + portion(buy.impressions, bp), ref(ctx, buy), buy.currency), owner, 0);
      return;
    }
    case U_MISSING: {
      const owner = truth.open('missing_po', buy.ioId, lines, 1);
      book.add(lineFor(ctx, buy, buy.net, delivered(prng, buy.impressions), NO_PO, buy.currency), owner, 0);
      return;
    }
    case U_CURRENCY: {
      const other = buy.currency === 'USD' ? prng.pick(OTHER_CURRENCIES) : 'USD';
      const owner = truth.open('currency_mismatch', buy.ioId, lines, 1);
      book.add(lineFor(ctx, buy, buy.net, delivered(prng, buy.impressions), ref(ctx, buy), other), owner, 0);
      return;
    }
    case U_UNBILLED:
      truth.open('unbilled', buy.ioId, lines, 0);
      return;
    case U_SPLIT: {
      const parts = SPLIT_PARTS.next(prng) + 2;
      const weights: number[] = [];
      for (let i = 0; i < parts; i++) weights.push(prng.int(20, 100));
      const amounts = partition(buy.net, weights);
      const imps = partition(delivered(prng, buy.impressions), weights);
      const po = ref(ctx, buy);
      const days = buy.end - buy.start + 1;
      const owner = truth.open('split', buy.ioId, lines, parts);
      for (let i = 0; i < parts; i++) {
        const l = lineFor(ctx, buy, amounts[i]!, imps[i]!, po, buy.currency);
        l.month = buy.start + Math.floor((i * days) / parts); // parts bill successive stretches of the flight
        book.add(l, owner, i);
      }
      return;
    }
    case U_CREDIT: {
      const bp = prng.int(100, 1000);
      const extra = portion(buy.net, bp);
      const extraImps = portion(buy.impressions, bp);
      const po = ref(ctx, buy);
      const owner = truth.open('credit_note', buy.ioId, lines, 2);
      book.add(lineFor(ctx, buy, buy.net + extra, buy.impressions + extraImps, po, buy.currency), owner, 0);
      const credit = lineFor(ctx, buy, -extra, -extraImps, po, buy.currency);
      credit.billDate = book.lastBillingDate(buy.vendor, buy.end);
      credit.descKind = DESC_CREDIT;
      book.add(credit, owner, 1);
      return;
    }
    default:
      throw new Error(`unit ${unit} is not a one-buy unit`);
  }
}

/** Plants one invoice line for a consolidated group (same IO, vendor, currency and flight). */
export function plantConsolidated(group: readonly Buy[], ctx: PlantContext): void {
  const { prng, book, truth, year } = ctx;
  const first = group[0]!;
  let amount = 0;
  let impressions = 0;
  const lines: number[] = [];
  for (const b of group) {
    amount += b.net;
    impressions += delivered(prng, b.impressions);
    lines.push(b.line);
  }
  const owner = truth.open('consolidated', first.ioId, lines, 1);
  book.add(
    {
      vendor: first.vendor,
      billDate: book.billingDate(first.vendor, first.end),
      currency: first.currency,
      po: pickReference(prng, year, first.io, 0),
      descKind: DESC_GROUP,
      head: first.campaign,
      placement: first.placement,
      month: first.start,
      count: group.length,
      impressions,
      amount,
    },
    owner,
    0,
  );
}

/**
 * Plants an invoice line no buy authorized, shaped like `phantom` (a buy that was never
 * written): an empty PO reference, a line number the IO does not have, or a prior-year IO.
 */
export function plantUnauthorized(phantom: Buy, label: Enc, ctx: PlantContext): void {
  const { prng, book, truth, year } = ctx;
  const r = prng.float();
  const po =
    r < 0.4
      ? NO_PO
      : r < 0.7
        ? pickReference(prng, year, phantom.io, prng.int(7, 19))
        : pickReference(prng, year - 1, prng.int(1, 999_999), prng.int(1, 6));
  const owner = truth.open('unauthorized', null, [], 1);
  book.add(
    {
      vendor: phantom.vendor,
      billDate: book.billingDate(phantom.vendor, phantom.end),
      currency: phantom.currency,
      po,
      descKind: DESC_STANDARD,
      head: label,
      placement: phantom.placement,
      month: phantom.start,
      count: 0,
      impressions: phantom.impressions,
      amount: phantom.net,
    },
    owner,
    0,
  );
}
