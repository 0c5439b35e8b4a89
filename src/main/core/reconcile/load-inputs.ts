import { TieoutError } from '../../../shared/error.js';
import type { EngineRecord } from '../engine/index.js';
import { findSourceById, runInputRows, type Db, type ReconciliationRow } from '../workspace/index.js';

/** The record's currency is offered to rules as `_currency` whatever the template calls it. */
export const CURRENCY_FIELD = '_currency';

export interface LoadedInputs {
  /**
   * The engine's input. A big run empties it once the engine is done (see `releaseRecords`):
   * two million field objects are most of a run's memory, and saving needs only `byId`.
   */
  records: EngineRecord[];
  /** Engine id -> the record's stored columns and the kept fields. */
  byId: InputIndex;
  /** Batch id -> how many of the inputs it holds. */
  recordsByBatch: Map<number, number>;
}

export interface InputInfo {
  recordId: number;
  amount: number | null;
  currency: string | null;
  side: 'left' | 'right';
  ref: string | null;
  date: string | null;
}

type FieldValue = string | number | null;

/**
 * A kept field's values from its first non-null position on; positions outside are null. Left
 * records come first, so a field of one side holds values for that side's positions only.
 */
interface KeptColumn {
  from: number;
  values: FieldValue[];
}

/**
 * The stored columns of a run's input records, by input position (the index in `records`).
 * Columns instead of one object per record: a million-record run reads them for every group and
 * review row, and a few flat arrays are smaller and faster to walk than two million objects.
 * Workspace record ids are integers, so id -> position is an array over the id range.
 */
export class InputIndex {
  readonly recordId: Float64Array;
  /** Integer minor units; NaN when the record has no amount. */
  readonly amount: Float64Array;
  readonly currency: (string | null)[];
  readonly ref: (string | null)[];
  readonly date: (string | null)[];
  private readonly ids: string[];
  /** 1 = left, 2 = right. */
  private readonly sides: Uint8Array;
  private readonly minId: number;
  /** Position + 1 by record id - minId; 0 = not an input. */
  private readonly slots: Int32Array;

  constructor(
    records: EngineRecord[],
    cols: { recordId: number[]; amount: (number | null)[]; currency: (string | null)[]; ref: (string | null)[]; date: (string | null)[] },
    /** Field name -> its values: the fields read after the engine is done. */
    private readonly kept: Map<string, KeptColumn>,
  ) {
    const n = records.length;
    this.ids = records.map((r) => r.id);
    this.sides = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.sides[i] = records[i]!.side === 'left' ? 1 : 2;
    this.recordId = Float64Array.from(cols.recordId);
    this.amount = new Float64Array(n);
    for (let i = 0; i < n; i++) this.amount[i] = cols.amount[i] ?? NaN;
    this.currency = cols.currency;
    this.ref = cols.ref;
    this.date = cols.date;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const id = this.recordId[i]!;
      if (id < min) min = id;
      if (id > max) max = id;
    }
    this.minId = n === 0 ? 0 : min;
    this.slots = new Int32Array(n === 0 ? 0 : max - min + 1);
    for (let i = 0; i < n; i++) this.slots[this.recordId[i]! - this.minId] = i + 1;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Position of an engine id in `records`, or -1. */
  indexOf(id: string): number {
    const k = Number(id) - this.minId;
    if (!(k >= 0 && k < this.slots.length) || !Number.isInteger(k)) return -1;
    const i = this.slots[k]! - 1;
    return i >= 0 && this.ids[i] === id ? i : -1;
  }

  has(id: string): boolean {
    return this.indexOf(id) >= 0;
  }

  /** Input positions in ascending record id order. */
  positionsByRecordId(): Int32Array {
    const out = new Int32Array(this.ids.length);
    let k = 0;
    for (let j = 0; j < this.slots.length; j++) if (this.slots[j]! !== 0) out[k++] = this.slots[j]! - 1;
    return out.subarray(0, k);
  }

  sideOf(i: number): 'left' | 'right' {
    return this.sides[i] === 1 ? 'left' : 'right';
  }

  /** A kept field's value (see `loadInputs`): null when the record has none, undefined when the field was not kept. */
  fieldOf(i: number, field: string): FieldValue | undefined {
    const col = this.kept.get(field);
    return col === undefined ? undefined : (col.values[i - col.from] ?? null);
  }

  get(id: string): InputInfo | undefined {
    const i = this.indexOf(id);
    if (i < 0) return undefined;
    const a = this.amount[i]!;
    return { recordId: this.recordId[i]!, amount: Number.isNaN(a) ? null : a, currency: this.currency[i]!, side: this.sideOf(i), ref: this.ref[i]!, date: this.date[i]! };
  }
}

/**
 * Every string in the given rule sets. Rules name the fields they read only as string values
 * (key parts, roles, windows), so a record reduced to these fields gives the engine the same
 * input: an over-approximation (labels and pass ids come along) that can never drop a field.
 */
export function fieldsNamedIn(...ruleSets: unknown[]): Set<string> {
  const out = new Set<string>([CURRENCY_FIELD]);
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.add(v);
    else if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  for (const r of ruleSets) walk(r);
  return out;
}

const DATE_COLUMN = '\u0000date';
/** Distinct values a field may have and still be shared; past it (ids, references) sharing saves nothing. */
const MAX_SHARED_PER_FIELD = 50_000;

/**
 * One copy of each repeated text value per field. Parsing gives every record its own copy of
 * "Meta", "USD" or "2026-03-31", though a million-record side has a few thousand distinct ones:
 * sharing them took 29% off the loaded inputs (2M demo records: 1,053 -> 749 MB of live heap).
 */
function sharedTexts() {
  const byField = new Map<string, Map<string, string> | null>();
  return {
    text<T extends FieldValue>(field: string, value: T): T {
      if (typeof value !== 'string') return value;
      let seen = byField.get(field);
      if (seen === null) return value;
      if (seen === undefined) byField.set(field, (seen = new Map()));
      const known = seen.get(value);
      if (known !== undefined) return known as T;
      if (seen.size >= MAX_SHARED_PER_FIELD) {
        byField.set(field, null);
        return value;
      }
      seen.set(value, value);
      return value;
    },
  };
}

/**
 * Current records of both sides as engine records; ids are the workspace record ids as text.
 * `keep` names the fields still read once the engine is done (the review rows' party and
 * description); they are copied into `byId` so the records can be released. With `only`, a
 * record's fields are reduced to those names (see `fieldsNamedIn`): a million-record run holds
 * every record in memory while the engine runs, and most stored fields are never read.
 */
export function loadInputs(db: Db, rec: ReconciliationRow, keep: readonly string[] = [], only?: ReadonlySet<string>): LoadedInputs {
  const records: EngineRecord[] = [];
  const cols = { recordId: [] as number[], amount: [] as (number | null)[], currency: [] as (string | null)[], ref: [] as (string | null)[], date: [] as (string | null)[] };
  const kept = new Map<string, KeptColumn>(keep.map((f) => [f, { from: -1, values: [] }]));
  const keptCols = [...kept];
  // A field named __proto__ cannot be copied by assignment: keep such records whole.
  const reduce = only !== undefined && !only.has('__proto__');
  const shared = sharedTexts();
  const recordsByBatch = new Map<number, number>();
  for (const [side, ids] of [
    ['left', rec.leftSourceIds],
    ['right', rec.rightSourceIds],
  ] as const) {
    for (const sourceId of ids) {
      const source = findSourceById(db, sourceId);
      if (!source) throw new TieoutError('not_found', `Source ${sourceId} of "${rec.name}" no longer exists`);
      // Reduced records of a source have the same fields: each starts as a copy of one shape
      // object. Made by JSON.parse, V8 lays the shape and its copies out inline: 24 bytes less per
      // record than adding the fields one by one, as those spill into a separate property array.
      let shape: Record<string, FieldValue> | null = null;
      // The mapped field the reference was read from, when it is kept: its text serves both.
      let refField: string | null | undefined;
      for (const [id, batchId, fieldsJson, currency, amountMinor, ref, date] of runInputRows(db, sourceId)) {
        recordsByBatch.set(batchId, (recordsByBatch.get(batchId) ?? 0) + 1);
        const parsed = JSON.parse(fieldsJson) as Record<string, FieldValue>;
        const sharedCurrency = shared.text(CURRENCY_FIELD, currency);
        const position = records.length;
        // Kept fields share too: an unshared copy here would keep each parsed text alive.
        for (const [name, col] of keptCols) {
          const v = name === CURRENCY_FIELD ? sharedCurrency : shared.text(name, parsed[name] ?? null);
          if (v === null) continue;
          if (col.from < 0) col.from = position;
          while (col.values.length < position - col.from) col.values.push(null);
          col.values.push(v);
        }
        let fields = parsed;
        if (reduce) {
          if (shape === null) {
            const names = [...Object.keys(parsed).filter((k) => only!.has(k)), CURRENCY_FIELD];
            shape = JSON.parse(JSON.stringify(Object.fromEntries(names.map((k) => [k, null])))) as Record<string, FieldValue>;
          }
          // A field the record lacks reads null, which the engine takes as absent.
          fields = { ...shape };
          for (const k in parsed) if (only!.has(k)) fields[k] = shared.text(k, parsed[k]!);
        }
        fields[CURRENCY_FIELD] = sharedCurrency;
        if (refField === undefined && ref !== null) refField = Object.keys(fields).find((k) => fields[k] === ref) ?? null;
        records.push({ id: String(id), side, source: source.name, fields });
        cols.recordId.push(id);
        cols.amount.push(amountMinor);
        cols.currency.push(sharedCurrency);
        cols.ref.push(refField && fields[refField] === ref ? (fields[refField] as string) : ref);
        cols.date.push(shared.text(DATE_COLUMN, date));
      }
    }
  }
  return { records, byId: new InputIndex(records, cols, kept), recordsByBatch };
}

/** Lets go of the engine records once the engine is done with them; `byId` keeps working. */
export function releaseRecords(inputs: LoadedInputs): void {
  inputs.records = [];
}
