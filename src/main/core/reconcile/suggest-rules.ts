import { TieoutError } from '../../../shared/error.js';
import { previewPasses, suggestRuleSet, type EngineRecord, type PassPreview } from '../engine/index.js';
import { findSourceById, iterateRunInputs, latestTemplate, type Db } from '../workspace/index.js';
import { CURRENCY_FIELD } from './load-inputs.js';

const SAMPLE = 5000;

function sample(db: Db, sourceIds: number[], side: 'left' | 'right'): EngineRecord[] {
  const out: EngineRecord[] = [];
  for (const sourceId of sourceIds) {
    const name = findSourceById(db, sourceId)?.name ?? String(sourceId);
    for (const r of iterateRunInputs(db, [sourceId])) {
      const fields = JSON.parse(r.fieldsJson) as Record<string, string | number | null>;
      fields[CURRENCY_FIELD] = r.currency;
      out.push({ id: String(r.id), side, source: name, fields });
      if (out.length >= SAMPLE) return out;
    }
  }
  return out;
}

/**
 * A starting rule set from the sides' mapped field roles and a sample of their records,
 * with how many records each pass would match on that sample.
 */
export function suggestRulesFor(db: Db, left: number[], right: number[]): { rules: unknown; preview: PassPreview[]; reasons: string[] } {
  const roleInfo = (ids: number[], side: string) => {
    const first = ids[0]!;
    const source = findSourceById(db, first);
    const template = latestTemplate(db, first);
    if (!source || !template) throw new TieoutError('not_found', `The ${side} source ${first} has no mapping template yet`);
    return { label: source.name, ...template.mapping };
  };
  const l = roleInfo(left, 'left');
  const r = roleInfo(right, 'right');
  const leftRecords = sample(db, left, 'left');
  const rightRecords = sample(db, right, 'right');
  const suggestion = suggestRuleSet({ left: l, right: r, leftRecords, rightRecords });
  return { rules: suggestion.ruleSet, preview: previewPasses(suggestion.ruleSet, [...leftRecords, ...rightRecords]), reasons: suggestion.reasons };
}
