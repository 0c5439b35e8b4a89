import { describe, expect, it } from 'vitest';
import { mappedColumns, MappingTemplate, type MappingTemplateInput } from './mapping.js';

const SPLIT: MappingTemplateInput = {
  fields: [
    { name: 'entry', column: 'Entry', type: 'text' },
    { name: 'amount', column: 'Debit', creditColumn: 'Credit', type: 'money' },
    { name: 'memo', column: 'Memo', type: 'text' },
  ],
  amount: 'amount',
};

function problems(t: MappingTemplateInput): string[] {
  const r = MappingTemplate.safeParse(t);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('mapping template', () => {
  it('accepts a money field split over a debit and a credit column, and counts both columns as mapped', () => {
    expect(problems(SPLIT)).toEqual([]);
    expect(mappedColumns(MappingTemplate.parse(SPLIT))).toEqual(['Entry', 'Debit', 'Credit', 'Memo']);
  });

  it('refuses a credit column on a field that is not money', () => {
    const t = { ...SPLIT, fields: [{ name: 'memo', column: 'Memo', creditColumn: 'Other', type: 'text' as const }, SPLIT.fields[1]!] };
    expect(problems(t)).toEqual(['fields.0.creditColumn: only a money field can have a credit column ("memo" is text)']);
  });

  it('refuses a credit column that a field reads, its own debit column included, or that two fields share', () => {
    const readByMemo = { ...SPLIT, fields: [SPLIT.fields[0]!, { ...SPLIT.fields[1]!, creditColumn: 'Memo' }, SPLIT.fields[2]!] };
    expect(problems(readByMemo)).toEqual(['fields.1.creditColumn: column "Memo" is mapped as a field\'s own column, so it cannot be the credit column of "amount"']);
    const own = { ...SPLIT, fields: [{ ...SPLIT.fields[1]!, creditColumn: 'Debit' }] };
    expect(problems(own)).toHaveLength(1);
    const shared = { ...SPLIT, fields: [...SPLIT.fields, { name: 'fee', column: 'Fee', creditColumn: 'Credit', type: 'money' as const }] };
    expect(problems(shared)).toEqual(['fields.3.creditColumn: column "Credit" is already the credit or indicator column of "amount"']);
  });

  it('accepts an indicator column on a money field, counts it as mapped, and refuses it beside a credit column or on two fields', () => {
    const indicated: MappingTemplateInput = { fields: [{ name: 'amount', column: 'Amount', indicatorColumn: 'D/C', type: 'money' }], amount: 'amount' };
    expect(problems(indicated)).toEqual([]);
    expect(mappedColumns(MappingTemplate.parse(indicated))).toEqual(['Amount', 'D/C']);
    expect(problems({ ...SPLIT, fields: [{ ...SPLIT.fields[1]!, indicatorColumn: 'D/C' }] })).toEqual([
      'fields.0.indicatorColumn: "amount" has a credit column, so its sign cannot also come from an indicator column',
    ]);
    const twice = { fields: [indicated.fields[0]!, { name: 'fee', column: 'Fee', indicatorColumn: 'D/C', type: 'money' as const }] };
    expect(problems(twice)).toEqual(['fields.1.indicatorColumn: column "D/C" is already the credit or indicator column of "amount"']);
  });
});
