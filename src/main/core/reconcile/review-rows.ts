import { toDayNumber } from '../../../shared/date.js';
import type { EngineResult, RuleSet } from '../engine/index.js';
import type { ReviewRowData } from '../workspace/index.js';
import type { InputInfo, LoadedInputs } from './load-inputs.js';

const PARTY_ROLES = ['vendor', 'counterparty', 'payee', 'customer', 'supplier', 'advertiser'];
const DESC_ROLES = ['description', 'memo', 'campaign', 'narrative'];

type SideFields = RuleSet['sides']['left']['fields'];

function textField(fields: SideFields, preferred: string[], skip?: string): string | null {
  const text = fields.text ?? {};
  for (const role of preferred) if (text[role] && text[role] !== skip) return text[role]!;
  const any = Object.values(text).find((f) => f !== skip);
  return any ?? null;
}

interface SideSummary {
  ref: string | null;
  amount: number | null;
  date: string | null;
  party: string | null;
  desc: string | null;
  currency: string | null;
}

function summarize(ids: string[], inputs: LoadedInputs, party: string | null, desc: string | null): SideSummary {
  const members = ids.map((id) => inputs.byId.get(id)).filter((m): m is InputInfo => m !== undefined);
  const first = members[0];
  if (!first) return { ref: null, amount: null, date: null, party: null, desc: null, currency: null };
  let amount: number | null = 0;
  for (const m of members) amount = amount === null || m.amount === null || m.currency !== first.currency ? null : amount + m.amount;
  const text = (field: string | null) => (field && first.fields[field] !== null && first.fields[field] !== undefined ? String(first.fields[field]) : null);
  return {
    ref: members.length > 1 ? `${first.ref ?? ''} (+${members.length - 1})` : first.ref,
    amount,
    date: first.date,
    party: text(party),
    desc: text(desc),
    currency: first.currency,
  };
}

/** One grid row per group and per exception, with left and right fields aligned by meaning. */
export function* reviewRows(result: EngineResult, inputs: LoadedInputs, rules: RuleSet): Generator<ReviewRowData> {
  const lp = textField(rules.sides.left.fields, PARTY_ROLES);
  const ld = textField(rules.sides.left.fields, DESC_ROLES, lp ?? undefined);
  const rp = textField(rules.sides.right.fields, PARTY_ROLES);
  const rd = textField(rules.sides.right.fields, DESC_ROLES, rp ?? undefined);
  const row = (
    base: Pick<ReviewRowData, 'rowId' | 'kind' | 'status' | 'class' | 'pass' | 'score' | 'keyText'>,
    left: string[],
    right: string[],
    atRisk: number | null,
  ): ReviewRowData => {
    const l = summarize(left, inputs, lp, ld);
    const r = summarize(right, inputs, rp, rd);
    const comparable = l.amount !== null && r.amount !== null && l.currency === r.currency;
    const delta = comparable ? r.amount! - l.amount! : null;
    return {
      ...base,
      leftCount: left.length,
      rightCount: right.length,
      leftRef: l.ref,
      leftAmount: l.amount,
      leftDate: l.date,
      leftParty: l.party,
      leftDesc: l.desc,
      rightRef: r.ref,
      rightAmount: r.amount,
      rightDate: r.date,
      rightParty: r.party,
      rightDesc: r.desc,
      currency: l.currency ?? r.currency,
      deltaAmount: delta,
      deltaDays: l.date && r.date ? toDayNumber(r.date) - toDayNumber(l.date) : null,
      amountAtRisk: atRisk ?? (delta === null ? null : Math.abs(delta)),
    };
  };
  const keyText = (k: { left: string[]; right: string[] } | undefined) => (k ? [...new Set([...k.left, ...k.right])].join(' | ') || null : null);
  for (const g of result.groups) {
    yield row({ rowId: g.id, kind: 'group', status: g.status, class: null, pass: g.pass, score: g.score, keyText: keyText(g.explanation.keys) }, g.left, g.right, null);
  }
  for (const e of result.exceptions) {
    yield row(
      { rowId: e.id, kind: 'exception', status: 'exception', class: e.class, pass: e.pass ?? null, score: null, keyText: keyText(e.explanation?.keys) },
      e.left,
      e.right,
      e.amountAtRisk.minor,
    );
  }
}
