import type { MappingTemplateInput } from '../../../shared/mapping.js';

/** Mapping templates for the two demo sources, as an analyst would save them. */
export const BUYS_TEMPLATE: MappingTemplateInput = {
  fields: [
    { name: 'io_number', column: 'IO Number', type: 'text', role: 'reference', required: true },
    { name: 'line_id', column: 'Line ID', type: 'text', role: 'record_id', required: true },
    { name: 'advertiser', column: 'Advertiser', type: 'text', role: 'counterparty' },
    { name: 'campaign', column: 'Campaign', type: 'text', role: 'description' },
    { name: 'vendor', column: 'Vendor', type: 'text', role: 'counterparty' },
    { name: 'placement', column: 'Placement', type: 'text', role: 'description' },
    { name: 'flight_start', column: 'Flight Start', type: 'date', role: 'date' },
    { name: 'flight_end', column: 'Flight End', type: 'date', role: 'date' },
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
};

export const INVOICES_TEMPLATE: MappingTemplateInput = {
  fields: [
    { name: 'invoice_no', column: 'Invoice No', type: 'text', role: 'record_id', required: true },
    { name: 'invoice_line', column: 'Invoice Line', type: 'integer', role: 'record_id', required: true },
    { name: 'invoice_date', column: 'Invoice Date', type: 'date', role: 'date' },
    { name: 'vendor_name', column: 'Vendor Name', type: 'text', role: 'counterparty' },
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
};

export const DEMO_SOURCE_NAMES = { buys: 'Buys (IO export)', invoices: 'Vendor invoices' } as const;
