/** Small hand-made inputs shared by the engine's tests. */
import type { PassInput, RuleSetInput } from './rule-set.js';
import type { EngineRecord, EngineResult, FieldValue } from './types.js';

export function buy(id: string, ref: string | null, amount: number | null, fields: Record<string, FieldValue> = {}): EngineRecord {
  return { id, side: 'left', source: 'buys', fields: { ref, amount, currency: 'USD', date: '2026-03-01', vendor: 'Meta', text: 'Spring Sale', io: 'IO-1', ...fields } };
}

export function inv(id: string, ref: string | null, amount: number | null, fields: Record<string, FieldValue> = {}): EngineRecord {
  return { id, side: 'right', source: 'invoices', fields: { ref, amount, currency: 'USD', date: '2026-03-20', vendor: 'META PLATFORMS INC', text: 'Spring Sale - Feed', ...fields } };
}

/** A rule set over the fixture fields: `ref` keys, `amount`/`currency`/`date`, vendor and text roles. */
export function rules(passes: PassInput[], extra: Partial<RuleSetInput> = {}): RuleSetInput {
  return {
    name: 'test',
    sides: {
      left: { label: 'Buys', unmatchedLabel: 'Unbilled', fields: { amount: 'amount', currency: 'currency', date: 'date', text: { vendor: 'vendor', text: 'text' } } },
      right: { label: 'Invoices', unmatchedLabel: 'Not authorized', fields: { amount: 'amount', currency: 'currency', date: 'date', text: { vendor: 'vendor', text: 'text' } } },
    },
    normalizers: { ref: ['upper', 'alnum', { op: 'strip_prefix', values: ['PO'] }] },
    aliases: { vendors: { 'Meta Platforms Inc': 'Meta', 'Facebook Ads': 'Meta' } },
    passes,
    ...extra,
  };
}

export const REF_KEY = { left: [{ field: 'ref' }], right: [{ field: 'ref' }], normalize: 'ref' };

export function keyPass(over: Partial<Extract<PassInput, { kind: 'key' }>> = {}): PassInput {
  return { id: 'key', kind: 'key', key: REF_KEY, cardinality: '1:1', tolerance: { amount: { abs: 0 } }, ...over } as PassInput;
}

/** Where each record ended: "group:<pass>", or the exception class. */
export function outcomeOf(result: EngineResult): Map<string, string> {
  const m = new Map<string, string>();
  for (const g of result.groups) for (const id of [...g.left, ...g.right]) m.set(id, `${g.status}:${g.pass}`);
  for (const x of result.exceptions) for (const id of [...x.left, ...x.right]) m.set(id, x.class);
  return m;
}

/** Every input record exactly once across groups and exceptions. */
export function assertEachOnce(records: readonly EngineRecord[], result: EngineResult): void {
  const seen = new Map<string, number>();
  const add = (side: string, id: string) => seen.set(`${side}:${id}`, (seen.get(`${side}:${id}`) ?? 0) + 1);
  for (const g of result.groups) {
    for (const id of g.left) add('left', id);
    for (const id of g.right) add('right', id);
  }
  for (const x of result.exceptions) {
    for (const id of x.left) add('left', id);
    for (const id of x.right) add('right', id);
  }
  for (const r of records) {
    const n = seen.get(`${r.side}:${r.id}`) ?? 0;
    if (n !== 1) throw new Error(`record ${r.side}:${r.id} appears ${n} times`);
  }
  if (seen.size !== records.length) throw new Error(`result has ${seen.size} records, input ${records.length}`);
}
