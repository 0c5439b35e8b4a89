import { enc, lit, Scratch, utf8, type Enc } from './bytes.js';
import { BillingSchedule, CALENDAR_DAYS, dateBytes, monthLabelBytes } from './calendar.js';
import { CASE_KINDS, type CaseKind } from './kinds.js';
import { pickAmountStyle, writeAmount, writeReference, type PoRef } from './noise.js';
import type { Prng } from './prng.js';
import { WeightedIndex } from './prng.js';
import type { VendorSpec } from './vocabulary.js';
import { MAX_ROW_BYTES, type ChunkedFile, type CsvSink, type SpillFiles } from './write.js';

const INV_PREFIX = lit('INV-');
const CASE_BYTES = CASE_KINDS.map((k) => utf8(`${k},`));
const CASE_INDEX = new Map<CaseKind, number>(CASE_KINDS.map((k, i) => [k, i]));

/**
 * One planted case instance waiting for its invoice keys. Invoice numbers are assigned
 * when an invoice closes, so a truth row is written once every line it names is on a
 * closed invoice.
 */
export interface TruthOwner {
  readonly kind: number;
  /** The buys' IO number as bytes (all buys of one instance share an IO), or null for none. */
  readonly io: Uint8Array | null;
  /** The buys' line numbers within that IO. */
  readonly lines: readonly number[];
  /** Invoice keys as pairs [invoice number, invoice line, ...], filled in at close. */
  readonly keys: number[];
  remaining: number;
}

/** truth.csv: one row per planted case instance, written as soon as it is complete. */
export class TruthLog {
  readonly counts: Record<CaseKind, number>;

  constructor(private readonly sink: CsvSink) {
    this.counts = Object.fromEntries(CASE_KINDS.map((k) => [k, 0])) as Record<CaseKind, number>;
  }

  /**
   * A case instance for buy lines `lines` of IO `io` that will name `keys` invoice keys
   * (0 writes it at once).
   */
  open(kind: CaseKind, io: Uint8Array | null, lines: readonly number[], keys: number): TruthOwner {
    const owner: TruthOwner = { kind: CASE_INDEX.get(kind)!, io, lines, keys: new Array<number>(2 * keys).fill(0), remaining: keys };
    if (keys === 0) this.write(owner);
    return owner;
  }

  resolve(owner: TruthOwner, slot: number, invoiceNo: number, line: number): void {
    owner.keys[2 * slot] = invoiceNo;
    owner.keys[2 * slot + 1] = line;
    if (--owner.remaining === 0) this.write(owner);
  }

  private write(owner: TruthOwner): void {
    this.counts[CASE_KINDS[owner.kind]!]++;
    const w = this.sink;
    w.reserve(MAX_ROW_BYTES);
    w.bytes(CASE_BYTES[owner.kind]!);
    const io = owner.io;
    if (io !== null) {
      const lines = owner.lines;
      for (let i = 0; i < lines.length; i++) {
        if (i > 0) w.byte(0x7c); // |
        w.bytes(io);
        w.byte(0x2d);
        w.twoDigits(lines[i]!);
      }
    }
    w.comma();
    const keys = owner.keys;
    for (let i = 0; i < keys.length; i += 2) {
      if (i > 0) w.byte(0x7c);
      w.bytes(INV_PREFIX);
      w.uint(keys[i]!);
      w.byte(0x23); // #
      w.uint(keys[i + 1]!);
    }
    w.eol();
    this.sink.rows++;
  }
}

/** How an invoice line's Description is composed. */
export const DESC_STANDARD = 0; // <head> - <placement> - <Mon YYYY>
export const DESC_CREDIT = 1; // Credit memo - <head> - <placement> - overdelivery adjustment
export const DESC_GROUP = 2; // <head> - <count> placements - <Mon YYYY>

export interface InvoiceLineSpec {
  vendor: number;
  /** Invoice date as a day offset (see calendar.ts). */
  billDate: number;
  currency: string;
  po: PoRef;
  descKind: number;
  /** Campaign (or label) at the head of the description. */
  head: Enc;
  placement: Enc;
  /** Day offset whose month names the service period. */
  month: number;
  /** Number of placements, for DESC_GROUP. */
  count: number;
  impressions: number;
  /** Amount in minor units; negative for credits. */
  amount: number;
}

const DASH = lit(' - ');
const CREDIT_HEAD = lit('Credit memo - ');
const CREDIT_TAIL = lit(' - overdelivery adjustment');
const PLACEMENTS_MID = lit(' placements - ');
const CURRENCY_BYTES: Record<string, Uint8Array> = { USD: lit('USD'), EUR: lit('EUR'), GBP: lit('GBP'), CAD: lit('CAD') };
const CURRENCY_SLOT: Record<string, number> = { USD: 0, EUR: 1, GBP: 2, CAD: 3 };

interface OpenInvoice {
  /** Billing entity: index into the flattened list of all vendors' billing names. */
  readonly entity: number;
  readonly billDate: number;
  readonly currency: string;
  readonly style: number;
  readonly capacity: number;
  /** Rows without the leading "Invoice No," which is only known at close. */
  readonly rows: Scratch;
  readonly ends: number[];
  readonly owners: TruthOwner[];
  readonly slots: number[];
  readonly duplicated: number[];
}

/** Lines per invoice, 1..12, mostly a handful. */
const CAPACITY = new WeightedIndex([10, 14, 14, 12, 10, 9, 8, 7, 6, 4, 3, 3]);

/**
 * Groups invoice lines into vendor invoices. A vendor has one open invoice per billing
 * date and currency, issued by one of its billing entities; it takes lines until its
 * capacity is reached and is then numbered (`INV-<n>`, ascending in closing order) and
 * written with its lines in line order, a planted duplicate's second copy after the last
 * line. Rows go to one spill part per billing entity; concatenating the parts in
 * `entityOrder()` gives invoices.csv ordered by Vendor Name, then Invoice No.
 */
export class InvoiceBook {
  /** Open invoices by vendor, billing date and currency (see `slot`). */
  private readonly open: (OpenInvoice | undefined)[];
  /** Row buffers of closed invoices, reused by new ones. */
  private readonly pool: Scratch[] = [];
  private readonly schedules: BillingSchedule[];
  private readonly entityBase: number[];
  private readonly entityNames: string[];
  private readonly entityFields: Enc[];
  private nextNo: number;
  /** Physical invoice rows written, duplicate copies included. */
  rows = 0;

  constructor(
    private readonly prng: Prng,
    private readonly vendors: readonly VendorSpec[],
    private readonly spill: SpillFiles,
    private readonly truth: TruthLog,
  ) {
    const schedules = new Map<number, BillingSchedule>();
    this.schedules = vendors.map((v) => {
      let s = schedules.get(v.billingDay);
      if (!s) schedules.set(v.billingDay, (s = new BillingSchedule(v.billingDay)));
      return s;
    });
    this.entityNames = vendors.flatMap((v) => [...v.billingNames]);
    this.entityFields = this.entityNames.map(enc);
    let base = 0;
    this.entityBase = vendors.map((v) => {
      const b = base;
      base += v.billingNames.length;
      return b;
    });
    this.nextNo = prng.int(10_000, 89_999);
    this.open = new Array<OpenInvoice | undefined>(vendors.length * CALENDAR_DAYS * 4).fill(undefined);
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
   * Adds a line; the owner's key `slot` is filled in when the invoice closes. With
   * `duplicate`, the line is written twice, byte-identical.
   */
  add(line: InvoiceLineSpec, owner: TruthOwner, slot: number, duplicate = false): void {
    const key = (line.vendor * CALENDAR_DAYS + line.billDate) * 4 + CURRENCY_SLOT[line.currency]!;
    let inv = this.open[key];
    if (!inv) {
      inv = {
        entity: this.entityBase[line.vendor]! + this.prng.int(0, this.vendors[line.vendor]!.billingNames.length - 1),
        billDate: line.billDate,
        currency: line.currency,
        style: pickAmountStyle(this.prng),
        capacity: CAPACITY.next(this.prng) + 1,
        rows: this.pool.pop() ?? new Scratch(4 * MAX_ROW_BYTES),
        ends: [],
        owners: [],
        slots: [],
        duplicated: [],
      };
      this.open[key] = inv;
    }
    const w = inv.rows;
    const lineNo = inv.ends.length + 1;
    w.reserve(MAX_ROW_BYTES);
    w.uint(lineNo);
    w.comma();
    w.bytes(dateBytes(inv.billDate));
    w.comma();
    w.field(this.entityFields[inv.entity]!);
    w.comma();
    writeReference(w, line.po);
    w.comma();
    this.writeDescription(w, line);
    w.comma();
    w.int(line.impressions);
    w.comma();
    writeAmount(w, line.amount, inv.currency, inv.style);
    w.comma();
    w.bytes(CURRENCY_BYTES[inv.currency]!);
    w.eol();
    inv.ends.push(w.pos);
    inv.owners.push(owner);
    inv.slots.push(slot);
    if (duplicate) inv.duplicated.push(lineNo - 1);
    if (lineNo >= inv.capacity) {
      this.open[key] = undefined;
      this.close(inv);
    }
  }

  /** Closes every open invoice, by vendor, billing date and currency. */
  closeAll(): void {
    for (let key = 0; key < this.open.length; key++) {
      const inv = this.open[key];
      if (inv === undefined) continue;
      this.open[key] = undefined;
      this.close(inv);
    }
  }

  /** Billing entities sorted by name, case-insensitively (code-unit order, no locale). */
  entityOrder(): number[] {
    const upper = this.entityNames.map((n) => n.toUpperCase());
    return upper.map((_, i) => i).sort((a, b) => (upper[a]! < upper[b]! ? -1 : upper[a]! > upper[b]! ? 1 : a - b));
  }

  private writeDescription(w: Scratch, line: InvoiceLineSpec): void {
    const quoted = line.head.quote || (line.descKind !== DESC_GROUP && line.placement.quote);
    if (quoted) w.quote();
    if (line.descKind === DESC_CREDIT) {
      w.bytes(CREDIT_HEAD);
      w.bytes(line.head.bytes);
      w.bytes(DASH);
      w.bytes(line.placement.bytes);
      w.bytes(CREDIT_TAIL);
    } else if (line.descKind === DESC_GROUP) {
      w.bytes(line.head.bytes);
      w.bytes(DASH);
      w.uint(line.count);
      w.bytes(PLACEMENTS_MID);
      w.bytes(monthLabelBytes(line.month));
    } else {
      w.bytes(line.head.bytes);
      w.bytes(DASH);
      w.bytes(line.placement.bytes);
      w.bytes(DASH);
      w.bytes(monthLabelBytes(line.month));
    }
    if (quoted) w.quote();
  }

  private close(inv: OpenInvoice): void {
    const no = this.nextNo;
    this.nextNo += this.prng.int(1, 3);
    const out: ChunkedFile = this.spill.files[inv.entity]!;
    const src = inv.rows.buf;
    const ends = inv.ends;
    for (let i = 0; i < ends.length; i++) {
      out.reserve(MAX_ROW_BYTES);
      out.bytes(INV_PREFIX);
      out.uint(no);
      out.comma();
      out.copy(src, i === 0 ? 0 : ends[i - 1]!, ends[i]!);
      this.truth.resolve(inv.owners[i]!, inv.slots[i]!, no, i + 1);
    }
    for (const i of inv.duplicated) {
      out.reserve(MAX_ROW_BYTES);
      out.bytes(INV_PREFIX);
      out.uint(no);
      out.comma();
      out.copy(src, i === 0 ? 0 : ends[i - 1]!, ends[i]!);
    }
    this.rows += ends.length + inv.duplicated.length;
    inv.rows.reset();
    this.pool.push(inv.rows);
  }
}
