import { createHash } from 'node:crypto';
import { TieoutError } from '../../../shared/error.js';
import { MappingTemplate } from '../../../shared/mapping.js';
import { formatMinor } from '../../../shared/money.js';
import { parseField } from '../import/parse/index.js';
import { appendAuditEvent, type Db, type ReconciliationRow } from '../workspace/index.js';
import { adjustmentByOverride, insertAdjustedRecord, recordSuccessor, restoreAdjustedRecord, selectAdjustableRecord, type AdjustedValues } from '../workspace/adjustments.js';

/**
 * Corrections to source records. A correction never edits the row an import wrote: it adds the
 * record's next version, carrying the same provenance (batch, row, raw row) and the corrected
 * values, and the original stops being current. The next run matches the corrected version.
 */

export interface FieldChange {
  field: string;
  /** Canonical values: money in minor units, dates as YYYY-MM-DD. */
  from: string | number | null;
  to: string | number | null;
}

/** Stored in the override's payload: what to write when it applies, and what it wrote. */
export interface Adjustment {
  recordId: number;
  side: 'left' | 'right';
  changes: FieldChange[];
  values: AdjustedValues;
}

function show(v: string | number | null, type: string, currency: string | null): string {
  if (v === null) return '(blank)';
  return type === 'money' && typeof v === 'number' ? `${formatMinor(v, currency ?? '')}${currency ? ` ${currency}` : ''}` : String(v);
}

/**
 * Reads each typed value with its field's parser (the same one imports use) and works out the
 * corrected record. Refuses identity fields (natural key, currency) and records that are not
 * current in this reconciliation.
 */
export function planAdjustment(db: Db, rec: ReconciliationRow, recordId: number, requested: readonly { field: string; value: string }[]): { adjustment: Adjustment; amountMinor: number | null; currency: string | null; summary: string } {
  const r = selectAdjustableRecord(db, recordId);
  if (!r) throw new TieoutError('not_found', `No record ${recordId}`, { value: String(recordId) });
  const side = rec.leftSourceIds.includes(r.sourceId) ? 'left' : rec.rightSourceIds.includes(r.sourceId) ? 'right' : null;
  if (!side) throw new TieoutError('bad_input', `Record ${recordId} is in "${r.source}", which is not a side of "${rec.name}"`, { value: String(recordId) });
  if (!r.isCurrent) throw new TieoutError('conflict', `Record ${recordId} has been replaced by a newer version; correct that one instead`, { value: String(recordId) });
  if (!r.mappingJson) throw new TieoutError('not_found', `"${r.source}" has no template, so its fields' types are unknown`);
  const mapping = MappingTemplate.parse(JSON.parse(r.mappingJson));
  const fields = JSON.parse(r.fieldsJson) as Record<string, string | number | null>;
  const currencyField = mapping.currency && 'field' in mapping.currency ? mapping.currency.field : null;
  const changes: FieldChange[] = [];
  for (const { field, value } of requested) {
    const f = mapping.fields.find((x) => x.name === field);
    if (!f) throw new TieoutError('bad_input', `"${r.source}" has no field "${field}"; its fields are ${mapping.fields.map((x) => x.name).join(', ')}`, { column: field, value });
    if (mapping.naturalKey?.includes(field)) throw new TieoutError('bad_input', `"${field}" is part of the natural key that identifies the record; a correction changes values, not which record it is`, { column: field, value });
    if (field === currencyField) throw new TieoutError('bad_input', `"${field}" is the record's currency; a wrong currency is a different record, not a correction`, { column: field, value });
    if (changes.some((c) => c.field === field)) throw new TieoutError('bad_input', `"${field}" is named twice`, { column: field, value });
    let to: string | number | null = null;
    if (value.trim() !== '') {
      try {
        const parsed = parseField(f.type, value, { ...(mapping.decimal && { decimal: mapping.decimal }), ...(mapping.dateOrder && { dateOrder: mapping.dateOrder }), ...(mapping.credit && { credit: mapping.credit }), currency: r.currency });
        to = f.type === 'money' ? (parsed as { minor: number }).minor : (parsed as string | number);
      } catch (e) {
        const err = TieoutError.from(e);
        throw new TieoutError('bad_input', `${field}: ${err.message}`, { column: field, value });
      }
    } else if (f.required) {
      throw new TieoutError('bad_input', `"${field}" is required and cannot be blank`, { column: field, value });
    }
    const from = fields[field] ?? null;
    if (from === to) throw new TieoutError('bad_input', `"${field}" is already ${show(from, f.type, r.currency)}`, { column: field, value });
    changes.push({ field, from, to });
  }
  const next = { ...fields };
  for (const c of changes) next[c.field] = c.to;
  const fieldsJson = JSON.stringify(next);
  const amountMinor = mapping.amount ? ((next[mapping.amount] as number | null) ?? null) : r.amountMinor;
  const refField = mapping.fields.find((f) => f.role === 'record_id')?.name;
  const values: AdjustedValues = {
    ref: refField ? ((next[refField] as string | null) ?? null) : r.ref,
    amountMinor,
    currency: r.currency,
    date: mapping.date ? ((next[mapping.date] as string | null) ?? null) : r.date,
    fieldsJson,
    contentHash: createHash('sha256').update(fieldsJson).digest('hex'),
  };
  const type = (name: string) => mapping.fields.find((f) => f.name === name)!.type;
  const summary = changes.map((c) => `${c.field} ${show(c.from, type(c.field), r.currency)} → ${show(c.to, type(c.field), r.currency)}`).join(', ');
  // What approval rules weigh: how far the amount moves (nothing when only other fields change).
  const moved = r.amountMinor !== null && amountMinor !== null ? Math.abs(amountMinor - r.amountMinor) : 0;
  return { adjustment: { recordId, side, changes, values }, amountMinor: moved, currency: r.currency, summary: `${r.source} record ${recordId}: ${summary}` };
}

/** Who is correcting, under which override: carried into the record's audit event. */
export interface AdjustActing {
  actor: string;
  at: string;
  overrideId: number;
  reasonCode: string | null;
  note: string | null;
}

/** Writes the corrected version and its event. Called when the override applies (at once, or on approval). */
export function applyAdjustment(db: Db, a: Adjustment, act: AdjustActing): number {
  const now = recordSuccessor(db, a.recordId);
  if (!now?.isCurrent) throw new TieoutError('conflict', `Record ${a.recordId} was replaced by a newer version (record ${now?.newer ?? '?'}) after the correction was asked for; make it again on the new version`, { value: String(a.recordId) });
  const id = insertAdjustedRecord(db, a.recordId, a.values, act.overrideId, JSON.stringify(a.changes));
  appendAuditEvent(
    db,
    {
      actor: act.actor,
      action: 'record.adjust',
      target: `record:${a.recordId}`,
      before: { record: a.recordId, fields: Object.fromEntries(a.changes.map((c) => [c.field, c.from])) },
      after: { record: id, supersedes: a.recordId, override: act.overrideId, fields: Object.fromEntries(a.changes.map((c) => [c.field, c.to])) },
      reasonCode: act.reasonCode,
      note: act.note,
    },
    act.at,
  );
  return id;
}

/** Undoes an override's correction, if it made one: the original is current again. Refused when a later version replaced the correction. */
export function revertAdjustment(db: Db, overrideId: number, act: Omit<AdjustActing, 'overrideId'> & { reversal: number }): void {
  const made = adjustmentByOverride(db, overrideId);
  if (!made) return;
  const now = recordSuccessor(db, made.recordId);
  if (!now?.isCurrent) {
    throw new TieoutError('conflict', `The correction made by override #${overrideId} (record ${made.recordId}) has since been replaced by record ${now?.newer ?? '?'}; it can no longer be undone`, { value: String(overrideId) });
  }
  restoreAdjustedRecord(db, made.recordId, made.originalId);
  appendAuditEvent(
    db,
    {
      actor: act.actor,
      action: 'record.restore',
      target: `record:${made.originalId}`,
      before: { current: made.recordId },
      after: { current: made.originalId, reversal: act.reversal, reverses: overrideId },
      reasonCode: act.reasonCode,
      note: act.note,
    },
    act.at,
  );
}
