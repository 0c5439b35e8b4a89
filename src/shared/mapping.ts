import { z } from 'zod';

/** The value types a mapped column can have; one parser per type in core/import/parse. */
export const FieldType = z.enum(['text', 'money', 'integer', 'decimal', 'date', 'currency']);
export type FieldType = z.infer<typeof FieldType>;

/**
 * What a field means, so the engine can propose rules and the review grid can align
 * left and right fields by meaning (amount beside amount, date beside date).
 */
export const FieldRole = z.enum([
  'record_id', // the record's own id in its system (line id, invoice line)
  'reference', // a pointer to the other side (PO reference, IO number)
  'amount',
  'currency',
  'date',
  'counterparty', // vendor, advertiser, customer
  'description',
  'quantity',
  'other',
]);
export type FieldRole = z.infer<typeof FieldRole>;

const fieldName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'field names are lower_snake_case, starting with a letter');

export const MappedField = z.object({
  name: fieldName,
  /** The header of the file column this field is read from. */
  column: z.string().min(1),
  type: FieldType,
  role: FieldRole.default('other'),
  /** A required field rejects rows where it is blank. */
  required: z.boolean().default(false),
}).strict();
export type MappedField = z.infer<typeof MappedField>;

export const MappingTemplate = z
  .object({
    fields: z.array(MappedField).min(1),
    /** Field names whose values together identify a record across re-imports (month-to-date files). */
    naturalKey: z.array(fieldName).default([]),
    /** The money field that is the record's amount, and the field or fixed code giving its currency. */
    amount: fieldName.optional(),
    currency: z.union([z.object({ field: fieldName }), z.object({ code: z.string().regex(/^[A-Z]{3}$/) })]).optional(),
    /** The record's main date. */
    date: fieldName.optional(),
    /** Column parsing options; sniffed from the column's values when absent. */
    decimal: z.enum(['.', ',']).optional(),
    dateOrder: z.enum(['mdy', 'dmy']).optional(),
    /** What a CR marker on an amount means (DR is the opposite); 'negative' when absent. */
    credit: z.enum(['negative', 'positive']).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const names = new Set<string>();
    t.fields.forEach((f, i) => {
      if (names.has(f.name)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'name'], message: `duplicate field "${f.name}"` });
      names.add(f.name);
    });
    const byName = new Map(t.fields.map((f) => [f.name, f]));
    t.naturalKey.forEach((k, i) => {
      if (!byName.has(k)) ctx.addIssue({ code: 'custom', path: ['naturalKey', i], message: `unknown field "${k}"` });
    });
    if (t.amount !== undefined && byName.get(t.amount)?.type !== 'money') {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `"${t.amount}" must be a money field` });
    }
    if (t.currency && 'field' in t.currency && byName.get(t.currency.field)?.type !== 'currency') {
      ctx.addIssue({ code: 'custom', path: ['currency', 'field'], message: `"${t.currency.field}" must be a currency field` });
    }
    if (t.date !== undefined && byName.get(t.date)?.type !== 'date') {
      ctx.addIssue({ code: 'custom', path: ['date'], message: `"${t.date}" must be a date field` });
    }
  });
export type MappingTemplate = z.infer<typeof MappingTemplate>;
export type MappingTemplateInput = z.input<typeof MappingTemplate>;
