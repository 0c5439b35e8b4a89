import type { FieldRole, FieldType, MappedField, MappingTemplate } from '../../../shared/mapping.js';
import { parseField, sniffColumn, suggestFieldType } from './parse/index.js';
import { isDebitCreditMark } from './row-parser.js';

/** Share of values that parse as `type` with options sniffed from the column. */
function parseShare(type: FieldType, values: string[]): number {
  if (values.length === 0) return 0;
  const opts = sniffColumn(type, values);
  let ok = 0;
  for (const v of values) {
    try {
      parseField(type, v, opts);
      ok++;
    } catch {
      // a value that does not parse simply does not count
    }
  }
  return ok / values.length;
}

/**
 * The column's type from its values. A few bad cells (the rows the import will reject)
 * must not turn an amount column into text, so a type wins when most values parse as it.
 */
function typeOf(header: string, values: string[]): FieldType {
  if (values.length === 0) return 'text';
  const strict = suggestFieldType(values);
  if (strict !== 'text') return strict;
  const amountHeader = /\b(amount|cost|total|net|spend|gross|price|paid|debit|credit)\b/i.test(header);
  for (const t of ['date', 'money', 'integer', 'decimal'] as const) {
    const share = parseShare(t, values);
    if (share >= 0.8 || (t === 'money' && amountHeader && share >= 0.5)) return t;
  }
  return 'text';
}

/** lower_snake_case field name from a header such as "PO Reference #" -> "po_reference". */
export function fieldNameFor(header: string, taken: Set<string>): string {
  let base = header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 56);
  if (!/^[a-z]/.test(base)) base = `f_${base}`.replace(/_+$/, '') || 'field';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

const ROLE_PATTERNS: [RegExp, FieldRole][] = [
  [/\b(currency|ccy|cur)\b/, 'currency'],
  [/\b(po|purchase order|reference|ref|io number|io)\b/, 'reference'],
  [/\b(amount|cost|total|net|gross|spend|value|price|billed amount)\b/, 'amount'],
  [/\b(date|day|period|start|end)\b/, 'date'],
  [/\b(vendor|supplier|publisher|advertiser|customer|client|payee|counterparty|name)\b/, 'counterparty'],
  [/\b(description|memo|campaign|placement|narrative|details?)\b/, 'description'],
  [/\b(impressions|qty|quantity|units|clicks)\b/, 'quantity'],
  [/\b(id|no|number|line|invoice|key|code)\b/, 'record_id'],
];

function roleFor(header: string, type: FieldType): FieldRole {
  const h = header.toLowerCase().replace(/[_#.]/g, ' ');
  if (type === 'money') return 'amount';
  if (type === 'currency') return 'currency';
  if (type === 'date') return 'date';
  for (const [re, role] of ROLE_PATTERNS) {
    if (!re.test(h)) continue;
    if (role === 'amount' || role === 'date' || role === 'currency') continue; // type already decided those
    return role;
  }
  return 'other';
}

function uniqueIn(rows: string[][], cols: number[]): boolean {
  const seen = new Set<string>();
  for (const r of rows) {
    const key = cols.map((c) => r[c] ?? '').join('\u001f');
    if (cols.some((c) => (r[c] ?? '').trim() === '')) return false;
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return rows.length > 0;
}

/**
 * Proposes a mapping from the header names and a sample of rows: a type per column from
 * its values, a role from its name, and a natural key from the id-like columns that are
 * unique in the sample (alone, or as a pair such as invoice number + line).
 */
export function suggestMapping(headers: string[], sample: string[][]): MappingTemplate {
  const taken = new Set<string>();
  const fields: MappedField[] = headers.map((header, i) => {
    const values = sample.map((r) => r[i] ?? '').filter((v) => v.trim() !== '');
    const type = typeOf(header, values);
    return { name: fieldNameFor(header, taken), column: header, type, role: roleFor(header, type), required: false };
  });

  // A text "amount" column made of plain numbers is still money when its header says so.
  fields.forEach((f, i) => {
    if ((f.type === 'decimal' || f.type === 'integer') && /\b(amount|cost|total|net|spend|gross)\b/i.test(headers[i] ?? '')) {
      f.type = 'money';
      f.role = 'amount';
    }
    if (f.type === 'text' && /^(currency|ccy)$/i.test((headers[i] ?? '').trim())) {
      f.type = 'currency';
      f.role = 'currency';
    }
  });

  const split = splitAmount(fields, sample);
  const indicator = split ? null : indicatorOf(fields, sample);
  // Both read their second column themselves: it maps no field of its own.
  if (split) fields.splice(fields.indexOf(split.credit), 1);
  if (indicator) fields.splice(fields.indexOf(indicator.column), 1);

  const idCols = fields.flatMap((f, i) => (f.role === 'record_id' ? [i] : []));
  let naturalKey: string[] = [];
  const single = idCols.find((c) => uniqueIn(sample, [c]));
  if (single !== undefined) naturalKey = [fields[single]!.name];
  else {
    outer: for (let a = 0; a < idCols.length; a++) {
      for (let b = a + 1; b < idCols.length; b++) {
        if (uniqueIn(sample, [idCols[a]!, idCols[b]!])) {
          naturalKey = [fields[idCols[a]!]!.name, fields[idCols[b]!]!.name];
          break outer;
        }
      }
    }
  }
  const amount = split?.debit ?? indicator?.amount ?? fields.find((f) => f.type === 'money' && f.role === 'amount');
  const currency = fields.find((f) => f.type === 'currency');
  const date = fields.find((f) => f.type === 'date');
  for (const k of naturalKey) {
    const f = fields.find((x) => x.name === k);
    if (f) f.required = true;
  }
  if (amount) amount.required = true;
  const template: MappingTemplate = { fields, naturalKey };
  if (amount) template.amount = amount.name;
  if (currency) template.currency = { field: currency.name };
  if (date) template.date = date.name;
  if (split?.inOut) template.credit = 'positive';
  return template;
}

const DEBIT_HEADER = /^(debits?|dr|debit amount|withdrawals?|paid out|money out|outflows?|outgoing)$/;
const CREDIT_HEADER = /^(credits?|cr|credit amount|deposits?|paid in|money in|inflows?|incoming)$/;
const IN_OUT_HEADER = /\b(in|out|deposits?|withdrawals?|inflows?|outflows?|incoming|outgoing)$/;

/**
 * A debit column and a credit column (Debit/Credit, Paid out/Paid in) become one amount field
 * that reads both (MappedField.creditColumn); mapped as two fields, every row would lack one of
 * them. Money in/out wording is a bank statement read by its holder, where money in is positive.
 */
function splitAmount(fields: MappedField[], sample: string[][]): { debit: MappedField; credit: MappedField; inOut: boolean } | null {
  // A side can be blank all through the sample (no deposits in the first rows): it still counts.
  const blank = (f: MappedField) => sample.every((r) => (r[fields.indexOf(f)] ?? '').trim() === '');
  const numeric = (f: MappedField) => f.type === 'money' || f.type === 'decimal' || f.type === 'integer' || blank(f);
  const words = (f: MappedField) => f.column.toLowerCase().replace(/[^a-z]+/g, ' ').trim();
  const debits = fields.filter((f) => numeric(f) && DEBIT_HEADER.test(words(f)));
  const credits = fields.filter((f) => numeric(f) && CREDIT_HEADER.test(words(f)));
  if (debits.length !== 1 || credits.length !== 1) return null;
  const [debit, credit] = [debits[0]!, credits[0]!];
  const taken = new Set(fields.filter((f) => f !== debit && f !== credit).map((f) => f.name));
  Object.assign(debit, { name: fieldNameFor('amount', taken), creditColumn: credit.column, type: 'money', role: 'amount' });
  demoteBalances(fields);
  return { debit, credit, inOut: IN_OUT_HEADER.test(words(debit)) && IN_OUT_HEADER.test(words(credit)) };
}

const isBalance = (f: MappedField) => /\bbalance\b/i.test(f.column);

/** A running balance is money too, but it is not what a record is for. */
function demoteBalances(fields: MappedField[]): void {
  for (const f of fields) if (f.type === 'money' && isBalance(f)) f.role = 'other';
}

const INDICATOR_HEADER = /\b(dr|cr|d c|c d|debit|credit|indicator)\b/;

/**
 * A column that says whether each amount is a debit or a credit (a header such as DR/CR or D/C,
 * and nothing but D/C/DR/CR/Debit/Credit in it) gives the sign of the one amount field.
 */
function indicatorOf(fields: MappedField[], sample: string[][]): { column: MappedField; amount: MappedField } | null {
  const amounts = fields.filter((f) => f.type === 'money' && f.role === 'amount' && !isBalance(f));
  const candidates = fields.filter((f) => {
    if (f.type !== 'text' || !INDICATOR_HEADER.test(f.column.toLowerCase().replace(/[^a-z]+/g, ' ').trim())) return false;
    const values = sample.map((r) => r[fields.indexOf(f)] ?? '').filter((v) => v.trim() !== '');
    return values.length > 0 && values.every(isDebitCreditMark);
  });
  if (amounts.length !== 1 || candidates.length !== 1) return null;
  const [amount, column] = [amounts[0]!, candidates[0]!];
  amount.indicatorColumn = column.column;
  demoteBalances(fields);
  return { column, amount };
}

/** A header that disappeared, and the new header that looks most like it (for a remap suggestion). */
export function suggestRemaps(missing: string[], added: string[]): { missing: string; suggestion: string | null }[] {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return missing.map((m) => {
    let best: string | null = null;
    let bestScore = 0;
    for (const a of added) {
      const score = bigramSimilarity(norm(m), norm(a));
      if (score > bestScore) [best, bestScore] = [a, score];
    }
    return { missing: m, suggestion: bestScore >= 0.4 ? best : null };
  });
}

function bigramSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const grams = (s: string) => {
    const m = new Map<string, number>();
    for (let i = 0; i < s.length - 1; i++) m.set(s.slice(i, i + 2), (m.get(s.slice(i, i + 2)) ?? 0) + 1);
    return m;
  };
  const ga = grams(a);
  const gb = grams(b);
  let inter = 0;
  for (const [g, n] of ga) inter += Math.min(n, gb.get(g) ?? 0);
  return (2 * inter) / (a.length - 1 + (b.length - 1));
}
