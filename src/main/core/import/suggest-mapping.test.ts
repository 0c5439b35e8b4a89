import { describe, expect, it } from 'vitest';
import { suggestMapping } from './suggest-mapping.js';

describe('suggested mapping', () => {
  it('reads a Debit and a Credit column as one amount field, keeping the ledger sign, and leaves a balance out of the amount role', () => {
    const m = suggestMapping(['Posted', 'Memo', 'Debit', 'Credit', 'Balance'], [
      ['2026-03-01', 'rent', '1,000.00', '', '4,000.10'],
      ['2026-03-02', 'refund', '', '250.00', '4,250.10'],
    ]);
    expect(m.fields.map((f) => [f.name, f.column, f.creditColumn, f.type, f.role])).toEqual([
      ['posted', 'Posted', undefined, 'date', 'date'],
      ['memo', 'Memo', undefined, 'text', 'description'],
      ['amount', 'Debit', 'Credit', 'money', 'amount'],
      ['balance', 'Balance', undefined, 'money', 'other'],
    ]);
    expect(m.amount).toBe('amount');
    expect(m.credit).toBeUndefined();
  });

  it('leaves two debit-like columns as fields of their own', () => {
    const m = suggestMapping(['Debit', 'Withdrawals', 'Credit'], [['1.00', '2.00', '3.00']]);
    expect(m.fields.map((f) => f.column)).toEqual(['Debit', 'Withdrawals', 'Credit']);
    expect(m.fields.some((f) => f.creditColumn !== undefined)).toBe(false);
  });

  it('pairs a credit column that is blank all through the sample (no deposits yet)', () => {
    const m = suggestMapping(['Date', 'Withdrawals', 'Deposits'], [
      ['2026-03-01', '10.00', ''],
      ['2026-03-02', '7.50', ''],
    ]);
    expect(m.fields.map((f) => [f.column, f.creditColumn, f.type])).toEqual([
      ['Date', undefined, 'date'],
      ['Withdrawals', 'Deposits', 'money'],
    ]);
    expect(m.credit).toBe('positive');
  });

  it('takes a D/C column of nothing but debit and credit marks as the amount\'s indicator, and leaves a column of other values alone', () => {
    const m = suggestMapping(['Ref', 'Amount', 'D/C'], [
      ['A', '10.00', 'D'],
      ['B', '4.00', 'c'],
      ['C', '1.00', ''],
    ]);
    expect(m.fields.map((f) => [f.column, f.indicatorColumn])).toEqual([
      ['Ref', undefined],
      ['Amount', 'D/C'],
    ]);
    const other = suggestMapping(['Ref', 'Amount', 'D/C'], [
      ['A', '10.00', 'D'],
      ['B', '4.00', 'X'],
    ]);
    expect(other.fields.map((f) => f.column)).toEqual(['Ref', 'Amount', 'D/C']);
    expect(other.fields.some((f) => f.indicatorColumn !== undefined)).toBe(false);
  });
});
