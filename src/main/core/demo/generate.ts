import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TieoutError } from '../../../shared/error.js';
import { formatMinor } from '../../../shared/money.js';
import { InvoiceBook, TruthLog } from './book.js';
import { DEMO_YEAR, YEAR_DAYS, dateAt, monthAt } from './calendar.js';
import {
  plantBuy,
  plantConsolidated,
  plantUnauthorized,
  planUnits,
  unitSize,
  U_CONS2,
  U_CONS3,
  U_UNAUTH,
  type Buy,
  type CaseKind,
  type PlantContext,
} from './cases.js';
import { Prng, WeightedIndex } from './prng.js';
import { ADVERTISERS, EVERGREEN_THEMES, SEASONAL_THEMES, UNAUTHORIZED_LABELS, VENDORS, type CurrencyCode } from './vocabulary.js';
import { CsvSink, csvField, EOL } from './write.js';

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
const VENDOR_CSV = VENDORS.map((v) => csvField(v.name));
const PLACEMENT_CSV = VENDORS.map((v) => v.placements.map(csvField));
const CURRENCY_PICK = VENDORS.map((v) => new WeightedIndex(v.currencies.map(([, w]) => w)));
const ADVERTISER_CSV = ADVERTISERS.map(csvField);

function cancelled(): TieoutError {
  return new TieoutError('cancelled', 'Demo generation was cancelled');
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

  try {
    const prng = new Prng(seed);
    const units = planUnits(total, prng);
    const truth = new TruthLog(truthOut);
    const book = new InvoiceBook(prng, VENDORS, invoicesOut, truth);
    const year = String(DEMO_YEAR);
    const ctx: PlantContext = { prng, book, truth, year };

    const pickVendor = (exclude: readonly number[]): number => {
      let v = VENDOR_PICK.next(prng);
      while (exclude.includes(v)) v = VENDOR_PICK.next(prng);
      return v;
    };
    const pickCurrency = (vendor: number): CurrencyCode => VENDORS[vendor]!.currencies[CURRENCY_PICK[vendor]!.next(prng)]![0];
    const flight = (base: number): [number, number] => {
      const start = Math.min(base + prng.int(0, 14), YEAR_DAYS - 7);
      const end = Math.min(start + prng.int(7, 60) - 1, YEAR_DAYS - 1);
      return [start, end];
    };
    const impressions = (): number => {
      const r = prng.float();
      const thousands = 25 + Math.floor(r * r * 4_975);
      return prng.chance(0.8) ? thousands * 1000 : thousands * 1000 + prng.int(0, 999);
    };

    let ioSeq = prng.int(1_000, 4_999);
    let u = 0;
    let done = 0;
    let nextReport = BATCH_BUYS;
    const ioUnits: number[] = [];
    const groupVendors: number[] = [];
    const groupBuys: Buy[] = [];

    while (u < units.length) {
      ioSeq += prng.chance(0.9) ? 1 : prng.int(2, 4);
      const io = String(ioSeq).padStart(6, '0');
      const ioNumber = `IO-${year}-${io}`;

      // Take units for this IO; unauthorized units ride along without taking a line.
      const target = IO_LINES.next(prng) + 1;
      let lines = 0;
      let unauthorized = 0;
      ioUnits.length = 0;
      while (u < units.length) {
        const unit = units[u]!;
        const size = unitSize(unit);
        if (size === 0) {
          unauthorized++;
          u++;
          continue;
        }
        if (lines > 0 && (lines >= target || lines + size > MAX_IO_LINES)) break;
        ioUnits.push(unit);
        lines += size;
        u++;
      }

      const advertiser = ADVERTISER_CSV[prng.int(0, ADVERTISER_CSV.length - 1)]!;
      const base = prng.int(0, YEAR_DAYS - 8);
      const theme = prng.chance(0.5) ? prng.pick(SEASONAL_THEMES[monthAt(base)]!) : prng.pick(EVERGREEN_THEMES);
      const campaign = `${theme} ${year}`;
      const campaignCsv = csvField(campaign);

      // Consolidated groups get vendors first, so no other line of the IO shares them.
      groupVendors.length = 0;
      for (const unit of ioUnits) if (unit === U_CONS2 || unit === U_CONS3) groupVendors.push(pickVendor(groupVendors));

      const makeBuy = (lineNo: number, vendor: number, currency: CurrencyCode, placementIdx: number, start: number, end: number): Buy => {
        const spec = VENDORS[vendor]!;
        const line = String(lineNo).padStart(2, '0');
        const lineId = `${ioNumber}-${line}`;
        const cpm = prng.int(spec.cpm[0], spec.cpm[1]);
        const imps = impressions();
        const net = Math.floor((cpm * imps + 500) / 1000);
        buysOut.push(
          `${ioNumber},${lineId},${advertiser},${campaignCsv},${VENDOR_CSV[vendor]},${PLACEMENT_CSV[vendor]![placementIdx]},` +
            `${dateAt(start)},${dateAt(end)},${formatMinor(cpm, currency)},${imps},${formatMinor(net, currency)},${currency}${EOL}`,
        );
        return {
          lineId,
          io,
          line,
          vendor,
          currency,
          campaign,
          placement: spec.placements[placementIdx]!,
          start,
          end,
          impressions: imps,
          net,
        };
      };

      let lineNo = 0;
      let groupIdx = 0;
      let lastBuy: Buy | undefined;
      for (const unit of ioUnits) {
        if (unit === U_CONS2 || unit === U_CONS3) {
          const vendor = groupVendors[groupIdx++]!;
          const currency = pickCurrency(vendor);
          const [start, end] = flight(base);
          // Distinct placements: a partial shuffle of the vendor's placement indexes.
          const order = VENDORS[vendor]!.placements.map((_, i) => i);
          groupBuys.length = 0;
          for (let k = 0; k < unitSize(unit); k++) {
            const j = prng.int(k, order.length - 1);
            const picked = order[j]!;
            order[j] = order[k]!;
            order[k] = picked;
            groupBuys.push(makeBuy(++lineNo, vendor, currency, picked, start, end));
          }
          plantConsolidated(groupBuys, ctx);
          lastBuy = groupBuys[groupBuys.length - 1];
        } else {
          const vendor = pickVendor(groupVendors);
          const [start, end] = flight(base);
          const buy = makeBuy(++lineNo, vendor, pickCurrency(vendor), prng.int(0, VENDORS[vendor]!.placements.length - 1), start, end);
          plantBuy(unit, buy, ctx);
          lastBuy = buy;
        }
      }
      done += lines;

      for (let k = 0; k < unauthorized; k++) {
        // Shaped like a buy of this IO (or of an imaginary one when the plan ends), but never written.
        const vendor = VENDOR_PICK.next(prng);
        const [start, end] = flight(base);
        const spec = VENDORS[vendor]!;
        const cpm = prng.int(spec.cpm[0], spec.cpm[1]);
        const imps = impressions();
        const phantom: Buy = {
          lineId: '',
          io,
          line: lastBuy?.line ?? '01',
          vendor,
          currency: pickCurrency(vendor),
          campaign,
          placement: prng.pick(spec.placements),
          start,
          end,
          impressions: imps,
          net: Math.floor((cpm * imps + 500) / 1000),
        };
        const label = prng.chance(0.5) ? campaign : prng.pick(UNAUTHORIZED_LABELS);
        plantUnauthorized(phantom, label, ctx);
      }

      if (done >= nextReport) {
        nextReport = done + BATCH_BUYS;
        if (opts.signal?.aborted) throw cancelled();
        for (const s of sinks) await s.drain();
        if (opts.signal?.aborted) throw cancelled();
        opts.onProgress?.(done, total);
      }
    }

    book.closeAll();
    for (const s of sinks) await s.close();
    opts.onProgress?.(done, total);
    return {
      buysPath,
      invoicesPath,
      truthPath,
      counts: { ...truth.counts, buys: buysOut.rows, invoiceLines: invoicesOut.rows },
    };
  } catch (err) {
    await Promise.all(sinks.map((s) => s.discard().catch(() => undefined)));
    throw err;
  }
}
