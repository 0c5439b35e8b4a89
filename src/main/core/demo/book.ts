import { amountText, pickAmountStyle } from './noise.js';
import { BillingSchedule, dateAt } from './calendar.js';
import type { Prng } from './prng.js';
import { WeightedIndex } from './prng.js';
import type { CaseKind } from './cases.js';
import { CASE_KINDS } from './cases.js';
import { csvField, EOL, type CsvSink, type SpillFiles } from './write.js';
import type { VendorSpec } from './vocabulary.js';

/**
 * One planted case instance waiting for its invoice keys. Invoice numbers are assigned
 * when an invoice closes, so a truth row is written once every line it names is on a
 * closed invoice.
 */
export interface TruthOwner {
  readonly kind: CaseKind;
  readonly buyIds: string;
  readonly keys: string[];
  remaining: number;
}

/** truth.csv: one row per planted case instance, written as soon as it is complete. */
export class TruthLog {
  readonly counts: Record<CaseKind, number>;

  constructor(private readonly sink: CsvSink) {
    this.counts = Object.fromEntries(CASE_KINDS.map((k) => [k, 0])) as Record<CaseKind, number>;
  }

  /** A case instance that will name `lines` invoice keys (0 writes it at once). */
  open(kind: CaseKind, buyIds: string, lines: number): TruthOwner {
    const owner: TruthOwner = { kind, buyIds, keys: new Array<string>(lines).fill(''), remaining: lines };
    if (lines === 0) this.write(owner);
    return owner;
  }

  resolve(owner: TruthOwner, slot: number, key: string): void {
    owner.keys[slot] = key;
    if (--owner.remaining === 0) this.write(owner);
  }

  private write(owner: TruthOwner): void {
    this.counts[owner.kind]++;
    this.sink.push(`${owner.kind},${owner.buyIds},${owner.keys.join('|')}${EOL}`);
  }
}

export interface InvoiceLineSpec {
  vendor: number;
  /** Invoice date as a day offset (see calendar.ts). */
  billDate: number;
  currency: string;
  /** PO reference text, CSV-ready (noise variants hold no commas or quotes). */
  po: string;
  /** Raw description; quoted here when needed. */
  description: string;
  impressions: number;
  /** Amount in minor units; negative for credits. */
  amount: number;
}

interface OpenInvoice {
  /** Billing entity: index into the flattened list of all vendors' billing names. */
  readonly entity: number;
  readonly vendorName: string;
  readonly date: string;
  readonly currency: string;
  readonly style: number;
  readonly capacity: number;
  /** Rows without the leading "Invoice No," which is only known at close. */
  readonly rows: string[];
  readonly owners: TruthOwner[];
  readonly slots: number[];
  readonly duplicated: number[];
}

/** Lines per invoice, 1..12, mostly a handful. */
const CAPACITY = new WeightedIndex([10, 14, 14, 12, 10, 9, 8, 7, 6, 4, 3, 3]);
const CURRENCY_SLOT: Record<string, number> = { USD: 0, EUR: 1, GBP: 2, CAD: 3 };

/**
 * Groups invoice lines into vendor invoices. A vendor has one open invoice per billing
 * date and currency, issued by one of its billing entities; it takes lines until its
 * capacity is reached and is then numbered (`INV-<n>`, ascending in closing order) and
 * written with its lines in line order, a planted duplicate's second copy after the last
 * line. Rows go to one spill part per billing entity; concatenating the parts in
 * `entityOrder()` gives invoices.csv ordered by Vendor Name, then Invoice No.
 */
export class InvoiceBook {
  private readonly open = new Map<number, OpenInvoice>();
  private readonly schedules: BillingSchedule[];
  private readonly vendorNames: string[][];
  private readonly entityBase: number[];
  private readonly entityNames: string[];
  private nextNo: number;
  /** Physical invoice rows written, duplicate copies included. */
  rows = 0;

  constructor(
    private readonly prng: Prng,
    vendors: readonly VendorSpec[],
    private readonly spill: SpillFiles,
    private readonly truth: TruthLog,
  ) {
    const schedules = new Map<number, BillingSchedule>();
    this.schedules = vendors.map((v) => {
      let s = schedules.get(v.billingDay);
      if (!s) schedules.set(v.billingDay, (s = new BillingSchedule(v.billingDay)));
      return s;
    });
    this.vendorNames = vendors.map((v) => v.billingNames.map(csvField));
    this.entityNames = vendors.flatMap((v) => [...v.billingNames]);
    let base = 0;
    this.entityBase = vendors.map((v) => {
      const b = base;
      base += v.billingNames.length;
      return b;
    });
    this.nextNo = prng.int(10_000, 89_999);
  }

  /** An invoice date for a flight ending at `end`: the vendor's next billing date, sometimes the one after. */
  billingDate(vendor: number, end: number): number {
    const s = this.schedules[vendor]!;
    const n = s.candidates(end);
    const i = n > 1 && this.prng.chance(0.25) ? this.prng.int(1, n - 1) : 0;
    return s.candidate(end, i);
  }

  /** The latest invoice date within the usual lag of a flight ending at `end`. */
  lastBillingDate(vendor: number, end: number): number {
    const s = this.schedules[vendor]!;
    return s.candidate(end, s.candidates(end) - 1);
  }

  /**
   * Adds a line; `owner.keys[slot]` receives its key when the invoice closes. With
   * `duplicate`, the line is written twice, byte-identical.
   */
  add(line: InvoiceLineSpec, owner: TruthOwner, slot: number, duplicate = false): void {
    const key = line.vendor * 65_536 + line.billDate * 8 + (CURRENCY_SLOT[line.currency] ?? 7);
    let inv = this.open.get(key);
    if (!inv) {
      const names = this.vendorNames[line.vendor]!;
      const variant = this.prng.int(0, names.length - 1);
      inv = {
        entity: this.entityBase[line.vendor]! + variant,
        vendorName: names[variant]!,
        date: dateAt(line.billDate),
        currency: line.currency,
        style: pickAmountStyle(this.prng),
        capacity: CAPACITY.next(this.prng) + 1,
        rows: [],
        owners: [],
        slots: [],
        duplicated: [],
      };
      this.open.set(key, inv);
    }
    const lineNo = inv.rows.length + 1;
    inv.rows.push(
      `${lineNo},${inv.date},${inv.vendorName},${line.po},${csvField(line.description)},${line.impressions},` +
        `${amountText(line.amount, inv.currency, inv.style)},${inv.currency}${EOL}`,
    );
    inv.owners.push(owner);
    inv.slots.push(slot);
    if (duplicate) inv.duplicated.push(lineNo - 1);
    if (inv.rows.length >= inv.capacity) {
      this.open.delete(key);
      this.close(inv);
    }
  }

  /** Closes every open invoice, in the order they were opened. */
  closeAll(): void {
    for (const inv of this.open.values()) this.close(inv);
    this.open.clear();
  }

  private close(inv: OpenInvoice): void {
    const no = `INV-${this.nextNo}`;
    this.nextNo += this.prng.int(1, 3);
    const prefix = `${no},`;
    for (let i = 0; i < inv.rows.length; i++) {
      this.spill.push(inv.entity, prefix + inv.rows[i]);
      this.truth.resolve(inv.owners[i]!, inv.slots[i]!, `${no}#${i + 1}`);
    }
    for (const i of inv.duplicated) this.spill.push(inv.entity, prefix + inv.rows[i]);
    this.rows += inv.rows.length + inv.duplicated.length;
  }

  /** Number of billing entities (spill parts). */
  get entities(): number {
    return this.entityNames.length;
  }

  /** Billing entities sorted by name, case-insensitively (code-unit order, no locale). */
  entityOrder(): number[] {
    const upper = this.entityNames.map((n) => n.toUpperCase());
    return upper
      .map((_, i) => i)
      .sort((a, b) => (upper[a]! < upper[b]! ? -1 : upper[a]! > upper[b]! ? 1 : a - b));
  }
}
