/**
 * Deterministic, seeded demo data for Tieout: ad buys (IO lines), vendor invoice lines
 * with planted reconciliation cases, and the ground truth. The folder's one entry.
 *
 * generateDemo writes, into outDir:
 * - buys.csv      one row per IO line, in IO order;
 * - invoices.csv  vendor invoice lines, ordered by Vendor Name (billing entity), then
 *                 Invoice No, with an invoice's lines together in line order;
 * - truth.csv     `case,buy_line_ids,invoice_keys`, one row per planted case instance,
 *                 ids joined with `|`, invoice keys as `<Invoice No>#<Invoice Line>`.
 * All are UTF-8 without BOM, comma-delimited, CRLF rows, RFC 4180 quoting where needed.
 * The same seed and size give byte-identical files. See cases.ts for the case kinds and
 * their shares.
 */
import type { MappingTemplateInput } from '../../../shared/mapping.js';
import { BUY_COLUMNS, INVOICE_COLUMNS } from './generate.js';
import { VENDORS } from './vocabulary.js';

export {
  generateDemo,
  BUY_COLUMNS,
  INVOICE_COLUMNS,
  TRUTH_COLUMNS,
  DEFAULT_SEED,
  MAX_DEMO_BUYS,
  type GenerateDemoOptions,
  type GenerateDemoResult,
} from './generate.js';
export { CASE_KINDS, CASE_SHARES, MIN_BUYS_FOR_ALL_CASES, isCaseKind, type CaseKind } from './cases.js';
export { readTruth, type TruthRow } from './truth.js';
export { normalizeReference } from './noise.js';

export interface DemoSource {
  /** Source name to create in the workspace. */
  readonly name: string;
  /** File name inside the generator's outDir. */
  readonly file: string;
  readonly columns: readonly string[];
  /** A mapping template for the file (validate with MappingTemplate.parse). */
  readonly mapping: MappingTemplateInput;
}

/**
 * The two demo sources and mapping templates for them. Dates are ISO `YYYY-MM-DD`;
 * amounts are dot-decimal. Invoice amounts mix `1234.50`, `1,234.50`, `$1,234.50`
 * (also `€`, `£`, `CA$`) and `USD 1,234.50`; negatives are `(1,234.50)`, `(1234.50)`,
 * `-1234.50` or `-1,234.50`. An invoice line's natural key is Invoice No + Invoice Line;
 * a planted duplicate repeats a whole row, key included.
 */
export const DEMO_SOURCES: { readonly buys: DemoSource; readonly invoices: DemoSource } = {
  buys: {
    name: 'Buys (IO export)',
    file: 'buys.csv',
    columns: BUY_COLUMNS,
    mapping: {
      fields: [
        { name: 'io_number', column: 'IO Number', type: 'text', role: 'reference', required: true },
        { name: 'line_id', column: 'Line ID', type: 'text', role: 'record_id', required: true },
        { name: 'advertiser', column: 'Advertiser', type: 'text', role: 'counterparty' },
        { name: 'campaign', column: 'Campaign', type: 'text', role: 'description' },
        { name: 'vendor', column: 'Vendor', type: 'text', role: 'counterparty', required: true },
        { name: 'placement', column: 'Placement', type: 'text', role: 'description' },
        { name: 'flight_start', column: 'Flight Start', type: 'date', role: 'date' },
        { name: 'flight_end', column: 'Flight End', type: 'date', role: 'date', required: true },
        { name: 'cpm', column: 'CPM', type: 'decimal', role: 'other' },
        { name: 'impressions', column: 'Impressions', type: 'integer', role: 'quantity' },
        { name: 'net_cost', column: 'Net Cost', type: 'money', role: 'amount', required: true },
        { name: 'currency', column: 'Currency', type: 'currency', role: 'currency', required: true },
      ],
      naturalKey: ['line_id'],
      amount: 'net_cost',
      currency: { field: 'currency' },
      date: 'flight_end',
      decimal: '.',
    },
  },
  invoices: {
    name: 'Vendor invoices',
    file: 'invoices.csv',
    columns: INVOICE_COLUMNS,
    mapping: {
      fields: [
        { name: 'invoice_no', column: 'Invoice No', type: 'text', role: 'record_id', required: true },
        { name: 'invoice_line', column: 'Invoice Line', type: 'integer', role: 'record_id', required: true },
        { name: 'invoice_date', column: 'Invoice Date', type: 'date', role: 'date', required: true },
        { name: 'vendor_name', column: 'Vendor Name', type: 'text', role: 'counterparty', required: true },
        { name: 'po_reference', column: 'PO Reference', type: 'text', role: 'reference' },
        { name: 'description', column: 'Description', type: 'text', role: 'description' },
        { name: 'billed_impressions', column: 'Billed Impressions', type: 'integer', role: 'quantity' },
        { name: 'amount', column: 'Amount', type: 'money', role: 'amount', required: true },
        { name: 'currency', column: 'Currency', type: 'currency', role: 'currency', required: true },
      ],
      naturalKey: ['invoice_no', 'invoice_line'],
      amount: 'amount',
      currency: { field: 'currency' },
      date: 'invoice_date',
      decimal: '.',
    },
  },
};

/**
 * Canonical buy-side vendor name -> the billing-entity names its invoices use. Ground
 * truth for the demo's vendor variants (e.g. to seed or check an alias table).
 */
export const DEMO_VENDOR_ALIASES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  VENDORS.map((v) => [v.name, v.billingNames]),
);
