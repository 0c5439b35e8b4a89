import { DEMO_VENDOR_ALIASES } from '../demo/index.js';
import type { RuleSetInput } from './rule-set.js';

/** Billing-entity name → the buy-side vendor name (from the demo's vendor list). */
function vendorAliases(): Record<string, string> {
  const table: Record<string, string> = {};
  for (const [canonical, variants] of Object.entries(DEMO_VENDOR_ALIASES)) {
    for (const v of variants) table[v] = canonical;
  }
  return table;
}

const LINE_KEY = {
  left: [{ field: 'line_id', normalize: 'ref' }],
  right: [{ field: 'po_reference', normalize: 'po' }],
};

/**
 * The default rule set for the ad-ops demo (buys.csv left, invoices.csv right).
 * 1. line-1to1: PO reference ↔ Line ID, exact amount, invoice 0–45 days after flight end;
 *    a failed amount/date/currency is kept as a variance pair.
 * 2. line-split: the same key, one buy ↔ several lines (splits, credit notes) summing exactly.
 * 3. io-consolidated: IO-level PO reference ↔ several buys of that IO summing exactly.
 * 4. no-po: Fellegi–Sunter for lines without a usable reference, blocked on exact amount +
 *    currency and on vendor + month.
 */
export const DEMO_RULE_SET: RuleSetInput = {
  name: 'Ad-ops demo: buys vs vendor invoices',
  description: 'Line-level PO matches, split and consolidated billing, then probabilistic matching of lines without a PO.',
  sides: {
    left: {
      label: 'Buys',
      unmatchedLabel: 'Unbilled',
      fields: {
        amount: 'net_cost',
        currency: 'currency',
        date: 'flight_end',
        text: { vendor: 'vendor', description: 'placement', campaign: 'campaign' },
      },
    },
    right: {
      label: 'Invoices',
      unmatchedLabel: 'Not authorized',
      fields: {
        amount: 'amount',
        currency: 'currency',
        date: 'invoice_date',
        text: { vendor: 'vendor_name', description: 'description', campaign: 'description' },
      },
    },
  },
  normalizers: {
    ref: ['upper', 'alnum'],
    po: ['upper', 'alnum', { op: 'strip_prefix', values: ['PO'] }],
    vendor: ['upper', 'alnum', { op: 'alias', table: 'vendors' }],
  },
  aliases: { vendors: vendorAliases() },
  passes: [
    {
      id: 'line-1to1',
      label: 'PO reference = Line ID',
      kind: 'key',
      cardinality: '1:1',
      confirm: 'auto',
      key: LINE_KEY,
      tolerance: { amount: { abs: 0 }, date: { min: 0, max: 45 } },
      onToleranceFail: 'exception',
    },
    {
      id: 'line-split',
      label: 'One buy billed on several lines',
      kind: 'key',
      cardinality: '1:N',
      confirm: 'auto',
      key: LINE_KEY,
      tolerance: { amount: { abs: 0 }, date: { min: 0, max: 45 } },
      onToleranceFail: 'skip',
    },
    {
      id: 'io-consolidated',
      label: 'Several buys of one IO billed on one line',
      kind: 'key',
      cardinality: 'N:1',
      confirm: 'auto',
      key: { left: [{ field: 'io_number', normalize: 'ref' }], right: [{ field: 'po_reference', normalize: 'po' }] },
      tolerance: { amount: { abs: 0 }, date: { min: 0, max: 45 }, text: [{ role: 'vendor', measure: 'jaro_winkler', threshold: 1, normalize: 'vendor' }] },
      onToleranceFail: 'skip',
    },
    {
      id: 'no-po',
      label: 'Lines without a usable PO reference',
      kind: 'probabilistic',
      confirm: 'auto',
      blocking: [
        { left: [{ field: 'net_cost' }, { field: 'currency', normalize: ['upper'] }], right: [{ field: 'amount' }, { field: 'currency', normalize: ['upper'] }] },
        {
          left: [{ field: 'vendor', normalize: 'vendor' }, { field: 'flight_end', normalize: ['month'] }],
          right: [{ field: 'vendor_name', normalize: 'vendor' }, { field: 'invoice_date', normalize: ['month'] }],
        },
      ],
      maxBlockPairs: 2500,
      comparisons: [
        { id: 'amount', type: 'amount', close: { pct: 1 } },
        { id: 'date', type: 'date', close: { min: 0, max: 45 } },
        { id: 'vendor', type: 'text', role: 'vendor', measure: 'jaro_winkler', threshold: 0.9, normalize: 'vendor' },
        { id: 'placement', type: 'text', role: 'description', measure: 'token_set', threshold: 0.9 },
        { id: 'campaign', type: 'text', role: 'campaign', measure: 'token_set', threshold: 0.9 },
      ],
      thresholds: { match: 10, suggest: 4 },
      minMargin: 2,
      tolerance: { date: { min: -15, max: 75 } },
    },
  ],
};
