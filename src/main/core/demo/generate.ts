import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { TieoutError } from '../../../shared/error.js';
import { InvoiceBook, TruthLog } from './book.js';
import { DEMO_YEAR, YEAR_DAYS, dateBytes, monthAt } from './calendar.js';
import { assertTwoDecimals, enc, lit, prefixedNumber, type Enc } from './bytes.js';
import {
  plantBuy,
  plantConsolidated,
  plantUnauthorized,
  planUnits,
  unitSize,
  U_CONS2,
  U_CONS3,
  type Buy,
  type CaseKind,
  type PlantContext,
} from './cases.js';
import { Prng, WeightedIndex } from './prng.js';
import {
  ADVERTISERS,
  DEMO_CURRENCIES,
  EVERGREEN_THEMES,
  SEASONAL_THEMES,
  UNAUTHORIZED_LABELS,
  VENDORS,
  type CurrencyCode,
} from './vocabulary.js';
import { CsvSink, MAX_ROW_BYTES, SpillFiles } from './write.js';

export const BUY_COLUMNS = [
  'IO Number',
  'Line ID',
  'Advertiser',
  'Campaign',
  'Vendor',
  'Placement',
  'Flight Start',
  'Flight End',
  'CPM',
  'Impressions',
  'Net Cost',
  'Currency',
] as const;

export const INVOICE_COLUMNS = [
  'Invoice No',
  'Invoice Line',
  'Invoice Date',
  'Vendor Name',
  'PO Reference',
  'Description',
  'Billed Impressions',
  'Amount',
  'Currency',
] as const;

export const TRUTH_COLUMNS = ['case', 'buy_line_ids', 'invoice_keys'] as const;

export const DEFAULT_SEED = 42;
/** Upper bound on `buys`, far above the 1M benchmark; keeps IO numbers readable. */
export const MAX_DEMO_BUYS = 20_000_000;

export interface GenerateDemoOptions {
  seed?: number;
  buys: number;
  outDir: string;
  /** Called after each batch of buys and once at the end with (buys written, buys). */
  onProgress?: (done: number, total: number) => void;
  /** Aborting stops generation, deletes the partial files and rejects with a `cancelled` TieoutError. */
  signal?: AbortSignal;
}

export interface GenerateDemoResult {
  buysPath: string;
  invoicesPath: string;
  truthPath: string;
  /** Truth rows per case kind, plus buy rows and physical invoice rows (duplicate copies included). */
  counts: Record<CaseKind, number> & { buys: number; invoiceLines: number };
}

const MAX_IO_LINES = 6;
/** Target line count of an IO, 1..6. */
const IO_LINES = new WeightedIndex([22, 24, 20, 15, 11, 8]);
/** Progress, abort checks and backpressure waits happen every this many buys. */
const BATCH_BUYS = 8_192;

const VENDOR_PICK = new WeightedIndex(VENDORS.map((v) => v.weight));
const CURRENCY_PICK = VENDORS.map((v) => new WeightedIndex(v.currencies.map(([, w]) => w)));
const VENDOR_ENC = VENDORS.map((v) => enc(v.name));
const PLACEMENT_ENC = VENDORS.map((v) => v.placements.map(enc));
const ADVERTISER_ENC = ADVERTISERS.map(enc);
const LABEL_ENC = UNAUTHORIZED_LABELS.map(enc);
const CAMPAIGN_ENC = new Map<string, Enc>(
  [...new Set([...SEASONAL_THEMES.flat(), ...EVERGREEN_THEMES])].map((t) => [t, enc(`${t} ${DEMO_YEAR}`)]),
);
const IO_PREFIX = lit(`IO-${DEMO_YEAR}-`);
const CURRENCY_BYTES: Record<string, Uint8Array> = Object.fromEntries(DEMO_CURRENCIES.map((c) => [c, lit(c)]));
assertTwoDecimals(DEMO_CURRENCIES);

function cancelled(): TieoutError {
  return new TieoutError('cancelled', 'Demo generation was cancelled');
}

/**
 * Builds IOs from the case plan, writes their buy rows and plants their invoice side.
 * Hot-path helpers are methods rather than per-row closures.
 */
class BuyFactory {
  private ioSeq: number;
  private u = 0;
  /** Buys written so far. */
  done = 0;
  private readonly ioUnits: number[] = [];
  private readonly groupVendors: number[] = [];
  private readonly groupBuys: Buy[] = [];
  // The IO being built.
  private ioId: Uint8Array = IO_PREFIX;
  private advertiser: Enc;
  private campaign: Enc;
  private base = 0;

  constructor(
    private readonly prng: Prng,
    private readonly units: Uint8Array,
    private readonly buysOut: CsvSink,
    private readonly ctx: PlantContext,
  ) {
    this.ioSeq = prng.int(1_000, 4_999);
    this.advertiser = ADVERTISER_ENC[0]!;
    this.campaign = enc('');
  }

  get finished(): boolean {
    return this.u >= this.units.length;
  }

  /** Generates the next IO: its buy rows, their invoice lines and any unauthorized lines riding along. */
  nextIo(): void {
    const prng = this.prng;
    const units = this.units;
    this.ioSeq += prng.chance(0.9) ? 1 : prng.int(2, 4);
    this.ioId = prefixedNumber(IO_PREFIX, this.ioSeq, 6);

    // Take units for this IO; unauthorized units ride along without taking a line.
    const target = IO_LINES.next(prng) + 1;
    const ioUnits = this.ioUnits;
    let lines = 0;
    let unauthorized = 0;
    ioUnits.length = 0;
    while (this.u < units.length) {
      const unit = units[this.u]!;
      const size = unitSize(unit);
      if (size === 0) {
        unauthorized++;
        this.u++;
        continue;
      }
      if (lines > 0 && (lines >= target || lines + size > MAX_IO_LINES)) break;
      ioUnits.push(unit);
      lines += size;
      this.u++;
    }

    this.advertiser = ADVERTISER_ENC[prng.int(0, ADVERTISER_ENC.length - 1)]!;
    this.base = prng.int(0, YEAR_DAYS - 8);
    const theme = prng.chance(0.5) ? prng.pick(SEASONAL_THEMES[monthAt(this.base)]!) : prng.pick(EVERGREEN_THEMES);
    this.campaign = CAMPAIGN_ENC.get(theme)!;

    // Consolidated groups get vendors first, so no other line of the IO shares them.
    const groupVendors = this.groupVendors;
    groupVendors.length = 0;
    for (const unit of ioUnits) if (unit === U_CONS2 || unit === U_CONS3) groupVendors.push(this.pickVendor(groupVendors));

    let lineNo = 0;
    let groupIdx = 0;
    for (const unit of ioUnits) {
      if (unit === U_CONS2 || unit === U_CONS3) {
        const vendor = groupVendors[groupIdx++]!;
        const currency = this.pickCurrency(vendor);
        const start = this.flightStart();
        const end = this.flightEnd(start);
        // Distinct placements: a partial shuffle of the vendor's placement indexes.
        const order = VENDORS[vendor]!.placements.map((_, i) => i);
        const group = this.groupBuys;
        group.length = 0;
        for (let k = 0; k < unitSize(unit); k++) {
          const j = prng.int(k, order.length - 1);
          const picked = order[j]!;
          order[j] = order[k]!;
          order[k] = picked;
          group.push(this.writeBuy(++lineNo, vendor, currency, picked, start, end));
        }
        plantConsolidated(group, this.ctx);
      } else {
        const vendor = this.pickVendor(groupVendors);
        const start = this.flightStart();
        const end = this.flightEnd(start);
        const placement = prng.int(0, VENDORS[vendor]!.placements.length - 1);
        plantBuy(unit, this.writeBuy(++lineNo, vendor, this.pickCurrency(vendor), placement, start, end), this.ctx);
      }
    }
    this.done += lines;

    for (let k = 0; k < unauthorized; k++) this.unauthorizedLine(Math.max(lineNo, 1));
  }

  private pickVendor(exclude: readonly number[]): number {
    let v = VENDOR_PICK.next(this.prng);
    while (exclude.includes(v)) v = VENDOR_PICK.next(this.prng);
    return v;
  }

  private pickCurrency(vendor: number): CurrencyCode {
    return VENDORS[vendor]!.currencies[CURRENCY_PICK[vendor]!.next(this.prng)]![0];
  }

  /** Lines start within two weeks of the IO's base date. */
  private flightStart(): number {
    return Math.min(this.base + this.prng.int(0, 14), YEAR_DAYS - 7);
  }

  /** Flights last 7-60 days and end inside the year. */
  private flightEnd(start: number): number {
    return Math.min(start + this.prng.int(7, 60) - 1, YEAR_DAYS - 1);
  }

  /** 25k-5M impressions, skewed small; most are round thousands. */
  private impressions(): number {
    const r = this.prng.float();
    const thousands = 25 + Math.floor(r * r * 4_975);
    return this.prng.chance(0.8) ? thousands * 1000 : thousands * 1000 + this.prng.int(0, 999);
  }

  private writeBuy(line: number, vendor: number, currency: CurrencyCode, placementIdx: number, start: number, end: number): Buy {
    const spec = VENDORS[vendor]!;
    const cpm = this.prng.int(spec.cpm[0], spec.cpm[1]);
    const impressions = this.impressions();
    // Net Cost = CPM x Impressions / 1000, rounded half up to the cent (exact integer arithmetic).
    const net = Math.floor((cpm * impressions + 500) / 1000);
    const placement = PLACEMENT_ENC[vendor]![placementIdx]!;
    const w = this.buysOut;
    w.reserve(MAX_ROW_BYTES);
    w.bytes(this.ioId);
    w.comma();
    w.bytes(this.ioId);
    w.byte(0x2d);
    w.twoDigits(line);
    w.comma();
    w.field(this.advertiser);
    w.comma();
    w.field(this.campaign);
    w.comma();
    w.field(VENDOR_ENC[vendor]!);
    w.comma();
    w.field(placement);
    w.comma();
    w.bytes(dateBytes(start));
    w.comma();
    w.bytes(dateBytes(end));
    w.comma();
    w.minor2(cpm); // same text as formatMinor for these two-decimal currencies
    w.comma();
    w.uint(impressions);
    w.comma();
    w.minor2(net);
    w.comma();
    w.bytes(CURRENCY_BYTES[currency]!);
    w.eol();
    w.rows++;
    return { io: this.ioSeq, ioId: this.ioId, line, vendor, currency, campaign: this.campaign, placement, start, end, impressions, net };
  }

  /** An invoice line shaped like a buy of this IO, but for a buy that was never written. */
  private unauthorizedLine(line: number): void {
    const prng = this.prng;
    const vendor = VENDOR_PICK.next(prng);
    const spec = VENDORS[vendor]!;
    const start = this.flightStart();
    const end = this.flightEnd(start);
    const cpm = prng.int(spec.cpm[0], spec.cpm[1]);
    const impressions = this.impressions();
    const phantom: Buy = {
      io: this.ioSeq,
      ioId: this.ioId,
      line,
      vendor,
      currency: this.pickCurrency(vendor),
      campaign: this.campaign,
      placement: prng.pick(PLACEMENT_ENC[vendor]!),
      start,
      end,
      impressions,
      net: Math.floor((cpm * impressions + 500) / 1000),
    };
    const label = prng.chance(0.5) ? this.campaign : prng.pick(LABEL_ENC);
    plantUnauthorized(phantom, label, this.ctx);
  }
}

/**
 * Writes buys.csv, invoices.csv and truth.csv into `outDir` (created if missing),
 * streaming in large chunks. The same seed and size give byte-identical files.
 */
export async function generateDemo(opts: GenerateDemoOptions): Promise<GenerateDemoResult> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const total = opts.buys;
  if (!Number.isSafeInteger(seed)) throw new TieoutError('bad_input', `seed must be an integer, got ${seed}`);
  if (!Number.isSafeInteger(total) || total < 0 || total > MAX_DEMO_BUYS) {
    throw new TieoutError('bad_input', `buys must be an integer from 0 to ${MAX_DEMO_BUYS}, got ${total}`);
  }
  if (opts.signal?.aborted) throw cancelled();
  await mkdir(opts.outDir, { recursive: true });

  const buysPath = join(opts.outDir, 'buys.csv');
  const invoicesPath = join(opts.outDir, 'invoices.csv');
  const truthPath = join(opts.outDir, 'truth.csv');
  const buysOut = new CsvSink(buysPath, BUY_COLUMNS);
  const invoicesOut = new CsvSink(invoicesPath, INVOICE_COLUMNS);
  const truthOut = new CsvSink(truthPath, TRUTH_COLUMNS);
  const sinks = [buysOut, invoicesOut, truthOut];
  const spill = new SpillFiles(opts.outDir, '.tieout-demo-invoices-', VENDORS.reduce((n, v) => n + v.billingNames.length, 0));

  try {
    const prng = new Prng(seed);
    const units = planUnits(total, prng);
    const truth = new TruthLog(truthOut);
    const book = new InvoiceBook(prng, VENDORS, spill, truth);
    const factory = new BuyFactory(prng, units, buysOut, { prng, book, truth, year: DEMO_YEAR });

    let nextReport = BATCH_BUYS;
    while (!factory.finished) {
      factory.nextIo();
      if (factory.done >= nextReport) {
        nextReport = factory.done + BATCH_BUYS;
        if (opts.signal?.aborted) throw cancelled();
        for (const s of sinks) await s.drain();
        await spill.drain();
        await setImmediate(); // let I/O callbacks and a cancel request through
        if (opts.signal?.aborted) throw cancelled();
        opts.onProgress?.(factory.done, total);
      }
    }

    // Invoices still open are complete now; then invoices.csv is the spill parts in Vendor Name order.
    book.closeAll();
    await spill.finish();
    for (const entity of book.entityOrder()) {
      const part = spill.files[entity]!;
      if (part.started) await invoicesOut.appendFile(part.path);
    }
    await spill.discard();
    for (const s of sinks) await s.close();
    opts.onProgress?.(factory.done, total);
    return {
      buysPath,
      invoicesPath,
      truthPath,
      counts: { ...truth.counts, buys: buysOut.rows, invoiceLines: book.rows },
    };
  } catch (err) {
    await Promise.all([...sinks, spill].map((s) => s.discard().catch(() => undefined)));
    throw err;
  }
}
