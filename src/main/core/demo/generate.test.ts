import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDayNumber } from '../../../shared/date.js';
import { TieoutError } from '../../../shared/error.js';
import { MappingTemplate } from '../../../shared/mapping.js';
import {
  BUY_COLUMNS,
  CASE_KINDS,
  CASE_SHARES,
  DEMO_SOURCES,
  DEMO_VENDOR_ALIASES,
  INVOICE_COLUMNS,
  generateDemo,
  normalizeReference,
  readTruth,
  type CaseKind,
  type GenerateDemoResult,
  type TruthRow,
} from './index.js';

// ---------------------------------------------------------------------------------------
// A tiny RFC 4180 parser for reading the files back (test-local on purpose).

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (ch === '\n' || ch === '\r') {
      throw new Error(`bare line break at ${i}`);
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) throw new Error('last row lacks its CRLF terminator');
  return rows;
}

/** "1,234.50", "$1,234.50", "USD 1,234.50", "(120.00)", "-120.00" -> integer cents. */
function parseAmount(text: string): number {
  const m = /^(?:\((\d{1,3}(?:,\d{3})*|\d+)\.(\d{2})\)|(-)?(USD |EUR |GBP |CAD |\$|€|£|CA\$)?(\d{1,3}(?:,\d{3})*|\d+)\.(\d{2}))$/.exec(text);
  if (!m) throw new Error(`not a demo amount: ${text}`);
  if (m[1] !== undefined) return -(Number(m[1].replace(/,/g, '')) * 100 + Number(m[2]));
  const cents = Number(m[5]!.replace(/,/g, '')) * 100 + Number(m[6]);
  if (m[3] && m[4]) throw new Error(`negative with a currency prefix: ${text}`);
  return m[3] ? -cents : cents;
}

function parseDecimalCents(text: string): number {
  const m = /^(\d+)\.(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a plain 2-place decimal: ${text}`);
  return Number(m[1]) * 100 + Number(m[2]);
}

interface BuyRow {
  io: string;
  lineId: string;
  advertiser: string;
  campaign: string;
  vendor: string;
  placement: string;
  start: string;
  end: string;
  cpm: number;
  impressions: number;
  net: number;
  currency: string;
}

interface InvoiceRow {
  key: string;
  invoiceNo: string;
  line: number;
  date: string;
  vendorName: string;
  po: string;
  description: string;
  impressions: number;
  amount: number;
  amountText: string;
  currency: string;
}

interface Loaded {
  result: GenerateDemoResult;
  buysText: string;
  invoicesText: string;
  buyRows: string[][];
  invoiceRows: string[][];
  truthRows: string[][];
  buys: Map<string, BuyRow>;
  invoices: InvoiceRow[];
  /** First physical row per key. */
  invoiceByKey: Map<string, InvoiceRow>;
  truth: TruthRow[];
}

async function load(result: GenerateDemoResult): Promise<Loaded> {
  const buysText = await readFile(result.buysPath, 'utf8');
  const invoicesText = await readFile(result.invoicesPath, 'utf8');
  const buyRows = parseCsv(buysText);
  const invoiceRows = parseCsv(invoicesText);
  const truthRows = parseCsv(await readFile(result.truthPath, 'utf8'));
  const buys = new Map<string, BuyRow>();
  for (const r of buyRows.slice(1)) {
    const [io, lineId, advertiser, campaign, vendor, placement, start, end, cpm, imps, net, currency] = r as [
      string, string, string, string, string, string, string, string, string, string, string, string,
    ];
    buys.set(lineId, {
      io, lineId, advertiser, campaign, vendor, placement, start, end,
      cpm: parseDecimalCents(cpm), impressions: Number(imps), net: parseDecimalCents(net), currency,
    });
  }
  const invoices: InvoiceRow[] = invoiceRows.slice(1).map((r) => {
    const [invoiceNo, line, date, vendorName, po, description, imps, amount, currency] = r as [
      string, string, string, string, string, string, string, string, string,
    ];
    return {
      key: `${invoiceNo}#${line}`, invoiceNo, line: Number(line), date, vendorName, po, description,
      impressions: Number(imps), amount: parseAmount(amount), amountText: amount, currency,
    };
  });
  const invoiceByKey = new Map<string, InvoiceRow>();
  for (const inv of invoices) if (!invoiceByKey.has(inv.key)) invoiceByKey.set(inv.key, inv);
  return {
    result, buysText, invoicesText, buyRows, invoiceRows, truthRows, buys, invoices, invoiceByKey,
    truth: await readTruth(result.truthPath),
  };
}

const byCase = (d: Loaded, kind: CaseKind): TruthRow[] => d.truth.filter((t) => t.case === kind);
const days = (from: string, to: string): number => toDayNumber(to) - toDayNumber(from);

// ---------------------------------------------------------------------------------------

let root: string;
let d: Loaded;
const N = 2_000;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tieout-demo-'));
  d = await load(await generateDemo({ buys: N, outDir: join(root, 'main') }));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateDemo determinism', () => {
  it('writes byte-identical files for the same seed and size', async () => {
    const a = await generateDemo({ seed: 7, buys: 3_000, outDir: join(root, 'same-a') });
    const b = await generateDemo({ seed: 7, buys: 3_000, outDir: join(root, 'same-b') });
    for (const key of ['buysPath', 'invoicesPath', 'truthPath'] as const) {
      expect((await readFile(a[key])).equals(await readFile(b[key]))).toBe(true);
    }
    expect(a.counts).toEqual(b.counts);
  });

  it('defaults to seed 42', async () => {
    const explicit = await generateDemo({ seed: 42, buys: N, outDir: join(root, 'seed-42') });
    expect(await readFile(explicit.invoicesPath, 'utf8')).toBe(d.invoicesText);
    expect(await readFile(explicit.buysPath, 'utf8')).toBe(d.buysText);
  });

  it('writes different files for a different seed', async () => {
    const other = await generateDemo({ seed: 43, buys: N, outDir: join(root, 'seed-43') });
    expect(await readFile(other.buysPath, 'utf8')).not.toBe(d.buysText);
    expect(await readFile(other.invoicesPath, 'utf8')).not.toBe(d.invoicesText);
  });
});

describe('generateDemo files', () => {
  it('writes valid UTF-8 CSV with the exact headers and a full row everywhere', async () => {
    expect(d.buyRows[0]).toEqual([...BUY_COLUMNS]);
    expect(d.invoiceRows[0]).toEqual([...INVOICE_COLUMNS]);
    expect(d.truthRows[0]).toEqual(['case', 'buy_line_ids', 'invoice_keys']);
    expect(d.buyRows.slice(1).every((r) => r.length === 12)).toBe(true);
    expect(d.invoiceRows.slice(1).every((r) => r.length === 9)).toBe(true);
    expect(d.truthRows.slice(1).every((r) => r.length === 3)).toBe(true);
    for (const p of [d.result.buysPath, d.result.invoicesPath, d.result.truthPath]) {
      const bytes = await readFile(p);
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).not.toThrow();
      expect(bytes[0]).not.toBe(0xef); // no BOM
    }
    // Quoting is exercised: commas, doubled quotes and non-ASCII text occur.
    expect(d.buysText).toContain('""');
    expect(d.invoicesText).toMatch(/"[^"\r\n]*,[^"\r\n]*"/);
    expect(d.invoicesText).toMatch(/[€£é]/);
  });

  it('leaves only the three files in the output folder', async () => {
    expect((await readdir(join(root, 'main'))).sort()).toEqual(['buys.csv', 'invoices.csv', 'truth.csv']);
  });

  it('reports counts that match the rows written', () => {
    expect(d.result.counts.buys).toBe(N);
    expect(d.buys.size).toBe(N);
    expect(d.result.counts.invoiceLines).toBe(d.invoices.length);
  });

  it('writes 0 buys as headers only', async () => {
    const r = await generateDemo({ buys: 0, outDir: join(root, 'empty') });
    expect(await readFile(r.buysPath, 'utf8')).toBe(`${BUY_COLUMNS.join(',')}\r\n`);
    expect(await readFile(r.invoicesPath, 'utf8')).toBe(`${INVOICE_COLUMNS.join(',')}\r\n`);
    expect(await readFile(r.truthPath, 'utf8')).toBe('case,buy_line_ids,invoice_keys\r\n');
  });
});

describe('generateDemo buys', () => {
  it('writes unique Line IDs of 1-6 lines per IO, numbered from 01', () => {
    const lines = new Map<string, string[]>();
    for (const b of d.buys.values()) {
      expect(b.io).toMatch(/^IO-2026-\d{6}$/);
      expect(b.lineId).toMatch(/^IO-2026-\d{6}-\d{2}$/);
      expect(b.lineId.startsWith(`${b.io}-`)).toBe(true);
      lines.set(b.io, [...(lines.get(b.io) ?? []), b.lineId.slice(-2)]);
    }
    for (const ls of lines.values()) {
      expect(ls.length).toBeGreaterThanOrEqual(1);
      expect(ls.length).toBeLessThanOrEqual(6);
      expect(ls).toEqual(ls.map((_, i) => String(i + 1).padStart(2, '0')));
    }
    const multiVendor = [...lines].filter(([io, ls]) => new Set(ls.map((l) => d.buys.get(`${io}-${l}`)!.vendor)).size > 1);
    expect(multiVendor.length / lines.size).toBeGreaterThan(0.3);
  });

  it('flies 7-60 days inside 2026 and costs CPM x Impressions / 1000 to the cent', () => {
    for (const b of d.buys.values()) {
      expect(b.start >= '2026-01-01' && b.end <= '2026-12-31').toBe(true);
      const len = days(b.start, b.end) + 1;
      expect(len).toBeGreaterThanOrEqual(7);
      expect(len).toBeLessThanOrEqual(60);
      // Integer arithmetic: cents x impressions / 1000, half up.
      expect(b.net).toBe(Math.floor((b.cpm * b.impressions + 500) / 1000));
      expect(['USD', 'EUR', 'GBP', 'CAD']).toContain(b.currency);
    }
    const currencies = new Set([...d.buys.values()].map((b) => b.currency));
    expect(currencies).toEqual(new Set(['USD', 'EUR', 'GBP', 'CAD']));
    const usd = [...d.buys.values()].filter((b) => b.currency === 'USD').length;
    expect(usd / N).toBeGreaterThan(0.6);
  });

  it('uses about thirty vendors with their canonical names', () => {
    const vendors = new Set([...d.buys.values()].map((b) => b.vendor));
    expect(vendors.size).toBeGreaterThanOrEqual(28);
    for (const v of vendors) expect(DEMO_VENDOR_ALIASES[v]).toBeDefined();
  });
});

describe('generateDemo planted cases', () => {
  it('plants every case kind for 2,000 buys, with counts matching truth.csv', () => {
    for (const kind of CASE_KINDS) {
      expect(d.result.counts[kind], kind).toBeGreaterThan(0);
      expect(byCase(d, kind).length, kind).toBe(d.result.counts[kind]);
    }
    expect(d.truth.length).toBe(d.truthRows.length - 1);
  });

  it('plants the documented shares', () => {
    const c = d.result.counts;
    expect(c.over_billing).toBe(Math.round(CASE_SHARES.over_billing * N));
    expect(c.split).toBe(Math.round(CASE_SHARES.split * N));
    expect(c.missing_po).toBe(Math.round(CASE_SHARES.missing_po * N));
    expect(c.unbilled).toBe(Math.round(CASE_SHARES.unbilled * N));
    expect(c.duplicate).toBe(Math.round(CASE_SHARES.duplicate * N));
    expect(c.credit_note).toBe(Math.round(CASE_SHARES.credit_note * N));
    expect(c.currency_mismatch).toBe(Math.round(CASE_SHARES.currency_mismatch * N));
    expect(c.unauthorized).toBe(Math.round(CASE_SHARES.unauthorized * N));
    const consolidatedBuys = byCase(d, 'consolidated').reduce((s, t) => s + t.buyLineIds.length, 0);
    expect(consolidatedBuys).toBe(Math.round(CASE_SHARES.consolidated * N));
    expect(c.clean / N).toBeCloseTo(0.82, 2);
  });

  it('accounts for every buy and every invoice key exactly once', () => {
    const seenBuys = new Map<string, number>();
    const seenKeys = new Map<string, number>();
    for (const t of d.truth) {
      for (const id of t.buyLineIds) seenBuys.set(id, (seenBuys.get(id) ?? 0) + 1);
      for (const k of t.invoiceKeys) seenKeys.set(k, (seenKeys.get(k) ?? 0) + 1);
      expect(t.buyLineIds.length === 0).toBe(t.case === 'unauthorized');
      expect(t.invoiceKeys.length === 0).toBe(t.case === 'unbilled');
    }
    expect([...seenBuys.keys()].sort()).toEqual([...d.buys.keys()].sort());
    expect([...seenBuys.values()].every((n) => n === 1)).toBe(true);
    expect([...seenKeys.keys()].sort()).toEqual([...d.invoiceByKey.keys()].sort());
    expect([...seenKeys.values()].every((n) => n === 1)).toBe(true);
  });

  it('bills split and credit-note buys to the exact cent', () => {
    for (const t of byCase(d, 'split')) {
      const buy = d.buys.get(t.buyLineIds[0]!)!;
      const lines = t.invoiceKeys.map((k) => d.invoiceByKey.get(k)!);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.length).toBeLessThanOrEqual(4);
      expect(lines.reduce((s, l) => s + l.amount, 0)).toBe(buy.net);
      expect(lines.every((l) => l.amount > 0 && l.currency === buy.currency)).toBe(true);
      expect(new Set(lines.map((l) => l.po)).size).toBe(1);
    }
    for (const t of byCase(d, 'credit_note')) {
      const buy = d.buys.get(t.buyLineIds[0]!)!;
      const [charge, credit] = t.invoiceKeys.map((k) => d.invoiceByKey.get(k)!) as [InvoiceRow, InvoiceRow];
      expect(t.invoiceKeys).toHaveLength(2);
      expect(charge.amount).toBeGreaterThan(buy.net);
      expect(credit.amount).toBeLessThan(0);
      expect(charge.amount + credit.amount).toBe(buy.net);
      expect(normalizeReference(credit.po)).toBe(normalizeReference(charge.po));
    }
  });

  it('writes negatives as (x) or -x', () => {
    const negatives = d.invoices.filter((i) => i.amount < 0).map((i) => i.amountText);
    expect(negatives.length).toBeGreaterThan(0);
    expect(negatives.every((t) => /^(\(.*\)|-.*)$/.test(t))).toBe(true);
    const styles = new Set(d.invoices.map((i) => i.amountText.replace(/\d/g, '9').replace(/9+/g, '9')));
    for (const s of ['9.9', '9,9.9', '$9,9.9', 'USD 9,9.9', '(9,9.9)', '-9.9']) expect(styles, s).toContain(s);
  });

  it('bills 1:1 cases at the buy amount, over-billing 2-15% above, consolidated at the exact sum', () => {
    for (const kind of ['clean', 'duplicate', 'missing_po', 'currency_mismatch'] as const) {
      for (const t of byCase(d, kind)) {
        const buy = d.buys.get(t.buyLineIds[0]!)!;
        expect(t.invoiceKeys).toHaveLength(1);
        expect(d.invoiceByKey.get(t.invoiceKeys[0]!)!.amount, kind).toBe(buy.net);
      }
    }
    for (const t of byCase(d, 'over_billing')) {
      const buy = d.buys.get(t.buyLineIds[0]!)!;
      const extra = d.invoiceByKey.get(t.invoiceKeys[0]!)!.amount - buy.net;
      expect(extra * 100).toBeGreaterThanOrEqual(2 * buy.net);
      expect(extra * 100).toBeLessThanOrEqual(15 * buy.net);
    }
    for (const t of byCase(d, 'consolidated')) {
      const buys = t.buyLineIds.map((id) => d.buys.get(id)!);
      expect(buys.length).toBeGreaterThanOrEqual(2);
      expect(buys.length).toBeLessThanOrEqual(3);
      expect(new Set(buys.map((b) => b.io)).size).toBe(1);
      expect(new Set(buys.map((b) => b.vendor)).size).toBe(1);
      expect(t.invoiceKeys).toHaveLength(1);
      expect(d.invoiceByKey.get(t.invoiceKeys[0]!)!.amount).toBe(buys.reduce((s, b) => s + b.net, 0));
      // No other line of the IO is with the group's vendor, so IO + vendor identifies the group.
      const others = [...d.buys.values()].filter((b) => b.io === buys[0]!.io && !t.buyLineIds.includes(b.lineId));
      expect(others.every((b) => b.vendor !== buys[0]!.vendor)).toBe(true);
    }
  });

  it('changes the currency code only for currency_mismatch', () => {
    for (const t of d.truth) {
      if (t.case === 'unauthorized' || t.case === 'unbilled') continue;
      const buy = d.buys.get(t.buyLineIds[0]!)!;
      for (const k of t.invoiceKeys) {
        const inv = d.invoiceByKey.get(k)!;
        if (t.case === 'currency_mismatch') expect(inv.currency).not.toBe(buy.currency);
        else expect(inv.currency).toBe(buy.currency);
      }
    }
  });

  it('writes PO references whose noise normalizes to the Line ID, or the IO number for consolidated', () => {
    const raw = new Set<string>();
    for (const t of d.truth) {
      if (t.case === 'unauthorized' || t.case === 'unbilled') continue;
      for (const k of t.invoiceKeys) {
        const po = d.invoiceByKey.get(k)!.po;
        if (t.case === 'missing_po') {
          expect(po).toBe('');
          continue;
        }
        raw.add(po.replace(/\d+/g, '9'));
        const expected = t.case === 'consolidated' ? d.buys.get(t.buyLineIds[0]!)!.io : t.buyLineIds[0]!;
        expect(normalizeReference(po), po).toBe(normalizeReference(expected));
        expect(normalizeReference(po)).toBe(expected.replace(/-/g, ''));
      }
    }
    for (const form of ['IO-9-9-9', 'io9-9', 'PO# IO-9-9-9', 'IO 9 9 9', 'IO-9-9/9']) expect(raw, form).toContain(form);
  });

  it('never references an unbilled buy line, and unauthorized lines reference no buy', () => {
    const refs = new Set(d.invoices.map((i) => normalizeReference(i.po)));
    for (const t of byCase(d, 'unbilled')) expect(refs.has(normalizeReference(t.buyLineIds[0]!))).toBe(false);
    const known = new Set<string>();
    for (const b of d.buys.values()) {
      known.add(normalizeReference(b.lineId));
      known.add(normalizeReference(b.io));
    }
    for (const t of byCase(d, 'unauthorized')) {
      const po = d.invoiceByKey.get(t.invoiceKeys[0]!)!.po;
      if (po !== '') expect(known.has(normalizeReference(po)), po).toBe(false);
    }
  });

  it('writes planted duplicates as two byte-identical rows sharing one key', () => {
    const lines = d.invoicesText.split('\r\n').slice(1, -1);
    const byKey = new Map<string, string[]>();
    for (const line of lines) {
      const key = line.split(',', 2).join('#');
      byKey.set(key, [...(byKey.get(key) ?? []), line]);
    }
    const dupKeys = new Set(byCase(d, 'duplicate').map((t) => t.invoiceKeys[0]!));
    for (const [key, rows] of byKey) {
      if (dupKeys.has(key)) {
        expect(rows).toHaveLength(2);
        expect(rows[0]).toBe(rows[1]);
      } else {
        expect(rows, key).toHaveLength(1);
      }
    }
    expect(d.invoices.length).toBe(d.invoiceByKey.size + dupKeys.size);
  });

  it('makes missing-PO lines findable: same amount, a vendor variant, usual lag, campaign and placement in the description', () => {
    for (const t of byCase(d, 'missing_po')) {
      const buy = d.buys.get(t.buyLineIds[0]!)!;
      const inv = d.invoiceByKey.get(t.invoiceKeys[0]!)!;
      expect(DEMO_VENDOR_ALIASES[buy.vendor]).toContain(inv.vendorName);
      expect(inv.description).toContain(buy.campaign);
      expect(inv.description).toContain(buy.placement);
    }
  });

  it('bills every line under a variant of the buy vendor, 0-45 days after the flight ends', () => {
    for (const t of d.truth) {
      if (t.case === 'unauthorized') continue;
      for (const id of t.buyLineIds) {
        const buy = d.buys.get(id)!;
        for (const k of t.invoiceKeys) {
          const inv = d.invoiceByKey.get(k)!;
          expect(DEMO_VENDOR_ALIASES[buy.vendor]).toContain(inv.vendorName);
          const lag = days(buy.end, inv.date);
          expect(lag, `${id} ${k}`).toBeGreaterThanOrEqual(0);
          expect(lag, `${id} ${k}`).toBeLessThanOrEqual(45);
        }
      }
    }
  });

  it('groups invoices: lines numbered 1..n, one date, vendor name and currency per invoice', () => {
    const invoices = new Map<string, InvoiceRow[]>();
    for (const inv of d.invoiceByKey.values()) invoices.set(inv.invoiceNo, [...(invoices.get(inv.invoiceNo) ?? []), inv]);
    let multi = 0;
    for (const [no, lines] of invoices) {
      expect(no).toMatch(/^INV-\d{5,}$/);
      expect(lines.map((l) => l.line)).toEqual(lines.map((_, i) => i + 1));
      expect(new Set(lines.map((l) => `${l.date}|${l.vendorName}|${l.currency}`)).size).toBe(1);
      if (lines.length > 1) multi++;
    }
    expect(multi).toBeGreaterThan(0);
  });

  it('orders invoices by vendor name, then invoice number, not by buy order', () => {
    const order = d.invoices.map((i) => [i.vendorName.toUpperCase(), Number(i.invoiceNo.slice(4))] as const);
    for (let i = 1; i < order.length; i++) {
      const [pv, pn] = order[i - 1]!;
      const [v, n] = order[i]!;
      expect(pv < v || (pv === v && pn <= n), `${pv} ${pn} / ${v} ${n}`).toBe(true);
    }
    const firstRefs = d.invoices.slice(0, 20).map((i) => normalizeReference(i.po));
    const firstBuys = [...d.buys.keys()].slice(0, 20).map(normalizeReference);
    expect(firstRefs).not.toEqual(firstBuys);
  });
});

describe('generateDemo options', () => {
  it('reports progress up to the total', async () => {
    const seen: [number, number][] = [];
    await generateDemo({ buys: 20_000, outDir: join(root, 'progress'), onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every(([, total]) => total === 20_000)).toBe(true);
    expect(seen.map(([done]) => done)).toEqual([...seen.map(([done]) => done)].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).toEqual([20_000, 20_000]);
  });

  it('stops when aborted, deletes its partial files and rejects as cancelled', async () => {
    const dir = join(root, 'aborted');
    const ac = new AbortController();
    const run = generateDemo({ buys: 200_000, outDir: dir, signal: ac.signal, onProgress: () => ac.abort() });
    await expect(run).rejects.toSatisfy((e: unknown) => e instanceof TieoutError && e.code === 'cancelled');
    expect(await readdir(dir)).toEqual([]);

    const pre = new AbortController();
    pre.abort();
    await expect(generateDemo({ buys: 10, outDir: join(root, 'pre-aborted'), signal: pre.signal })).rejects.toSatisfy(
      (e: unknown) => e instanceof TieoutError && e.code === 'cancelled',
    );
  });

  it('rejects a bad size or seed as bad_input', async () => {
    for (const opts of [{ buys: -1 }, { buys: 1.5 }, { buys: 10, seed: 0.5 }]) {
      await expect(generateDemo({ ...opts, outDir: join(root, 'bad') })).rejects.toSatisfy(
        (e: unknown) => e instanceof TieoutError && e.code === 'bad_input',
      );
    }
  });

  it('handles tiny sizes', async () => {
    for (const buys of [1, 7, 49, 50]) {
      const r = await generateDemo({ buys, outDir: join(root, `tiny-${buys}`) });
      const t = await load(r);
      expect(t.buys.size).toBe(buys);
      expect(t.truth.reduce((s, row) => s + row.buyLineIds.length, 0)).toBe(buys);
      if (buys >= 50) for (const kind of CASE_KINDS) expect(r.counts[kind], `${buys} ${kind}`).toBeGreaterThan(0);
    }
  });
});

describe('DEMO_SOURCES and readTruth', () => {
  it('describes both files with valid mapping templates over their real columns', () => {
    for (const [src, header] of [
      [DEMO_SOURCES.buys, d.buyRows[0]!],
      [DEMO_SOURCES.invoices, d.invoiceRows[0]!],
    ] as const) {
      const t = MappingTemplate.parse(src.mapping);
      expect(src.columns).toEqual(header);
      for (const f of t.fields) expect(header).toContain(f.column);
    }
    expect(DEMO_SOURCES.buys.file).toBe('buys.csv');
    expect(DEMO_SOURCES.invoices.file).toBe('invoices.csv');
  });

  it('parses truth.csv into case, buy line ids and invoice keys', async () => {
    const row = d.truth.find((t) => t.case === 'split')!;
    expect(row.buyLineIds).toHaveLength(1);
    expect(row.invoiceKeys.every((k) => /^INV-\d+#\d+$/.test(k))).toBe(true);
    expect(d.truth.find((t) => t.case === 'unbilled')!.invoiceKeys).toEqual([]);
    expect(d.truth.find((t) => t.case === 'unauthorized')!.buyLineIds).toEqual([]);
  });

  it('rejects a file that is not truth.csv', async () => {
    const p = join(root, 'not-truth.csv');
    await writeFile(p, 'a,b,c\r\n');
    await expect(readTruth(p)).rejects.toSatisfy((e: unknown) => e instanceof TieoutError && e.code === 'parse');
    await writeFile(p, 'case,buy_line_ids,invoice_keys\r\nnope,,\r\n');
    await expect(readTruth(p)).rejects.toSatisfy((e: unknown) => e instanceof TieoutError && e.code === 'parse');
  });
});
