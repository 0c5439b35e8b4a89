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
  /** The header of the file column this field is read from (with creditColumn, the debit column). */
  column: z.string().min(1),
  /**
   * A money field split over two columns, as bank statements and ledgers write it (Debit and
   * Credit, Paid out and Paid in): the header of the credit column. Each column gives a size
   * and its side gives the sign: a credit takes the sign a CR marker has (the template's
   * `credit`), a debit the other, and a row with both is netted.
   */
  creditColumn: z.string().min(1).optional(),
  /**
   * A money field whose sign is in another column, as some bank statements write it: the header
   * of that debit/credit indicator column (D/C, DR/CR, Debit/Credit). The amount column gives
   * the size; a credit takes the sign a CR marker has, a debit the other.
   */
  indicatorColumn: z.string().min(1).optional(),
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
    // A credit or indicator column belongs to its field alone; two fields may still read one ordinary column.
    const readColumns = new Set(t.fields.map((f) => f.column));
    const sideOf = new Map<string, string>();
    t.fields.forEach((f, i) => {
      if (f.creditColumn !== undefined && f.indicatorColumn !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'indicatorColumn'], message: `"${f.name}" has a credit column, so its sign cannot also come from an indicator column` });
      }
      for (const key of ['creditColumn', 'indicatorColumn'] as const) {
        const c = f[key];
        if (c === undefined) continue;
        const path = ['fields', i, key];
        const what = key === 'creditColumn' ? 'credit' : 'indicator';
        const other = sideOf.get(c);
        if (f.type !== 'money') ctx.addIssue({ code: 'custom', path, message: `only a money field can have a ${what} column ("${f.name}" is ${f.type})` });
        else if (readColumns.has(c)) ctx.addIssue({ code: 'custom', path, message: `column "${c}" is mapped as a field's own column, so it cannot be the ${what} column of "${f.name}"` });
        else if (other !== undefined) ctx.addIssue({ code: 'custom', path, message: `column "${c}" is already the credit or indicator column of "${other}"` });
        sideOf.set(c, f.name);
      }
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

/** The file columns a field reads: its own, then its credit or indicator column if it has one. */
export function fieldColumns(f: Pick<MappedField, 'column' | 'creditColumn' | 'indicatorColumn'>): string[] {
  const second = f.creditColumn ?? f.indicatorColumn;
  return second === undefined ? [f.column] : [f.column, second];
}

/** Every file column a mapping reads, credit and indicator columns included, each once: the rest are extra attributes. */
export function mappedColumns(t: Pick<MappingTemplate, 'fields'>): string[] {
  return [...new Set(t.fields.flatMap(fieldColumns))];
}
