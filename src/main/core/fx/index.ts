/**
 * FX rates: the workspace table that key passes with `amount.fx` convert through. Rates are
 * added (by hand or from a CSV/XLSX file), never edited, so every run's conversions can be
 * traced to the rates it saw.
 */
import { createHash } from 'node:crypto';
import { FxRate, type FxAddResult } from '../../../shared/contract.js';
import { isLocalDate } from '../../../shared/date.js';
import { TieoutError } from '../../../shared/error.js';
import { isCurrencyCode } from '../../../shared/money.js';
import { openTable } from '../import/read/index.js';
import { appendAuditEvent, insertFxRate, listFxRates, type Db } from '../workspace/index.js';

/** Where a rate came from, for error messages. */
interface Origin {
  file?: string;
  row?: number;
}

const keyOf = (r: FxRate) => `${r.from}>${r.to}@${r.date ?? ''}`;

/** Drops trailing zeros so "1.0850" and "1.085" are the same rate. */
function canonicalRate(rate: string): string {
  return rate.includes('.') ? rate.replace(/0+$/, '').replace(/\.$/, '') : rate;
}

function check(r: FxRate, at: Origin): FxRate {
  const where = { ...(at.file && { file: at.file }), ...(at.row !== undefined && { row: at.row }) };
  const place = at.row !== undefined ? `${at.file ?? 'rates'} row ${at.row}: ` : '';
  for (const column of ['from', 'to'] as const) {
    if (!isCurrencyCode(r[column])) throw new TieoutError('bad_input', `${place}"${r[column]}" is not an ISO 4217 currency code`, { ...where, column, value: r[column] });
  }
  if (r.from === r.to) throw new TieoutError('bad_input', `${place}a rate from ${r.from} to itself is meaningless`, { ...where, column: 'to', value: r.to });
  if (!/[1-9]/.test(r.rate)) throw new TieoutError('bad_input', `${place}the rate must be above zero, got "${r.rate}"`, { ...where, column: 'rate', value: r.rate });
  if (r.date !== undefined && !isLocalDate(r.date)) throw new TieoutError('bad_input', `${place}"${r.date}" is not a calendar date`, { ...where, column: 'date', value: r.date });
  return { from: r.from, to: r.to, rate: canonicalRate(r.rate), ...(r.date !== undefined && { date: r.date }) };
}

/** A fingerprint of the whole table, recorded on each run so its conversions can be traced. */
export function fxFingerprint(rates: readonly FxRate[]): string {
  const h = createHash('sha256');
  for (const r of rates) h.update(`${r.from}|${r.to}|${r.rate}|${r.date ?? ''}\n`);
  return h.digest('hex');
}

/**
 * Adds rates in one transaction with one audit event. A rate already present with the same
 * value is left alone; a different value for the same pair and date is refused, because it
 * would silently change what earlier runs' conversions meant.
 */
export function addFxRates(db: Db, input: readonly { rate: FxRate; origin?: Origin }[], actor: string, source?: { file: string; sha256: string }): FxAddResult {
  if (input.length === 0) throw new TieoutError('bad_input', `${source?.file ?? 'The rates'} hold no FX rates`, source ? { file: source.file } : {});
  const checked = input.map(({ rate, origin }) => {
    const parsed = FxRate.safeParse(rate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const column = String(issue.path[0] ?? '');
      const value = String((rate as Record<string, unknown>)[column] ?? '');
      const place = origin?.row !== undefined ? `${origin.file ?? 'rates'} row ${origin.row}` : 'FX rate';
      throw new TieoutError('bad_input', `${place}, column ${column}: "${value}" is not ${issue.message}`, {
        ...(origin?.file && { file: origin.file }),
        ...(origin?.row !== undefined && { row: origin.row }),
        column,
        value,
      });
    }
    return { rate: check(parsed.data, origin ?? {}), origin: origin ?? {} };
  });
  return db.transaction(() => {
    const known = new Map(listFxRates(db).map((r) => [keyOf(r), r.rate]));
    const added: FxRate[] = [];
    let unchanged = 0;
    for (const { rate, origin } of checked) {
      const k = keyOf(rate);
      const had = known.get(k);
      if (had === rate.rate) {
        unchanged++;
        continue;
      }
      if (had !== undefined) {
        const place = origin.row !== undefined ? `${origin.file ?? 'rates'} row ${origin.row}: ` : '';
        throw new TieoutError(
          'conflict',
          `${place}${rate.from}→${rate.to}${rate.date ? ` on ${rate.date}` : ' (undated)'} is already ${had}; a different rate (${rate.rate}) would change earlier runs. Add a rate for a later date instead`,
          { ...(origin.file && { file: origin.file }), ...(origin.row !== undefined && { row: origin.row }), column: 'rate', value: rate.rate },
        );
      }
      insertFxRate(db, rate);
      known.set(k, rate.rate);
      added.push(rate);
    }
    if (added.length > 0) {
      appendAuditEvent(db, {
        actor,
        action: 'fx.add',
        target: 'fx_rates',
        after: { added: added.length, unchanged, ...(source && { file: source.file, sha256: source.sha256 }), pairs: [...new Set(added.map((r) => `${r.from}>${r.to}`))].sort() },
      });
    }
    return { added: added.length, unchanged, rates: listFxRates(db) };
  }).immediate();
}

const COLUMN_NAMES: Record<keyof FxRate, string[]> = {
  from: ['from', 'from currency', 'from_ccy', 'base', 'base currency', 'source currency'],
  to: ['to', 'to currency', 'to_ccy', 'quote', 'quote currency', 'target currency'],
  rate: ['rate', 'fx rate', 'exchange rate'],
  date: ['date', 'rate date', 'as of', 'valid from', 'effective date'],
};

const normalizeHeader = (h: string) => h.trim().toLowerCase().replace(/[_\s]+/g, ' ');

/** Reads a CSV/XLSX/JSON table with from, to, rate and optional date columns, then adds the rates. */
export async function importFxFile(db: Db, path: string, opts: { sheet?: string }, actor: string): Promise<FxAddResult> {
  const table = await openTable(path, { ...(opts.sheet && { sheet: opts.sheet }) });
  const file = table.fileName;
  const index = {} as Record<keyof FxRate, number>;
  const headers = table.headers.map(normalizeHeader);
  for (const [field, names] of Object.entries(COLUMN_NAMES) as [keyof FxRate, string[]][]) {
    index[field] = headers.findIndex((h) => names.some((n) => normalizeHeader(n) === h));
    if (index[field] < 0 && field !== 'date') {
      await table.close();
      throw new TieoutError('schema_drift', `${file} has no "${field}" column (found: ${table.headers.join(', ')}). Name the columns from, to, rate and optionally date`, { file, column: field });
    }
  }
  const rows: { rate: FxRate; origin: Origin }[] = [];
  const hash = createHash('sha256');
  for await (const r of table.rows) {
    const cell = (i: number) => (i < 0 ? '' : (r.cells[i] ?? '').trim());
    if (r.cells.every((c) => c.trim() === '')) continue;
    hash.update(`${r.cells.join('\u001f')}\n`);
    const date = cell(index.date);
    const rate: FxRate = { from: cell(index.from).toUpperCase(), to: cell(index.to).toUpperCase(), rate: cell(index.rate), ...(date !== '' && { date }) };
    rows.push({ rate, origin: { file, row: r.row } });
  }
  return addFxRates(db, rows, actor, { file, sha256: hash.digest('hex') });
}
