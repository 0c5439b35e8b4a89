import { TieoutError } from '../../../shared/error.js';
import type { EngineRecord } from '../engine/index.js';
import { findSourceById, iterateRunInputs, type Db, type ReconciliationRow } from '../workspace/index.js';

/** The record's currency is offered to rules as `_currency` whatever the template calls it. */
export const CURRENCY_FIELD = '_currency';

export interface LoadedInputs {
  records: EngineRecord[];
  /** Engine id -> [workspace record id, amount minor, currency, side]. */
  byId: Map<string, InputInfo>;
}

export interface InputInfo {
  recordId: number;
  amount: number | null;
  currency: string | null;
  side: 'left' | 'right';
  ref: string | null;
  date: string | null;
  fields: Record<string, string | number | null>;
}

/** Current records of both sides as engine records; ids are the workspace record ids as text. */
export function loadInputs(db: Db, rec: ReconciliationRow): LoadedInputs {
  const records: EngineRecord[] = [];
  const byId: LoadedInputs['byId'] = new Map();
  for (const [side, ids] of [
    ['left', rec.leftSourceIds],
    ['right', rec.rightSourceIds],
  ] as const) {
    for (const sourceId of ids) {
      const source = findSourceById(db, sourceId);
      if (!source) throw new TieoutError('not_found', `Source ${sourceId} of "${rec.name}" no longer exists`);
      for (const r of iterateRunInputs(db, [sourceId])) {
        const fields = JSON.parse(r.fieldsJson) as Record<string, string | number | null>;
        fields[CURRENCY_FIELD] = r.currency;
        const id = String(r.id);
        records.push({ id, side, source: source.name, fields });
        byId.set(id, { recordId: r.id, amount: r.amountMinor, currency: r.currency, side, ref: r.ref, date: r.date, fields });
      }
    }
  }
  return { records, byId };
}
