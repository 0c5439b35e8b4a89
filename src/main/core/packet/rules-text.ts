/**
 * A rule set as lines an auditor can read without knowing the JSON format. rules.json stays the
 * exact record; this is the explanation next to it.
 */
import { canonicalJson } from '../audit/chain.js';
import { parseRuleSet, type Comparison, type NormalizerStep, type Pass, type RuleSet, type Tolerance } from '../engine/index.js';

type KeyPart = { field: string; normalize?: string | NormalizerStep[] | undefined };
export type RuleLine = [section: string, item: string, detail: string];

function step(s: NormalizerStep): string {
  if (typeof s === 'string') return s;
  switch (s.op) {
    case 'strip_prefix':
    case 'strip_suffix':
      return `${s.op}(${s.values.map((v) => JSON.stringify(v)).join(', ')})`;
    case 'regex_extract':
      return `regex_extract(/${s.pattern}/${s.flags ?? ''})`;
    case 'alias':
      return `alias(${s.table})`;
    default:
      return s.op;
  }
}

function chain(ref: string | NormalizerStep[] | undefined): string {
  if (ref === undefined) return '';
  return typeof ref === 'string' ? ref : ref.map(step).join(' → ');
}

function parts(ps: KeyPart[], fallback?: string | NormalizerStep[]): string {
  return ps.map((p) => (p.normalize ?? fallback ? `${p.field} [${chain(p.normalize ?? fallback)}]` : p.field)).join(' + ');
}

function tolerance(t: Tolerance | undefined): string[] {
  if (!t) return [];
  const out: string[] = [];
  if (t.amount) {
    const bounds = [t.amount.abs !== undefined ? `±${t.amount.abs}${typeof t.amount.abs === 'number' ? ' minor units' : ''}` : null, t.amount.pct !== undefined ? `±${t.amount.pct}%` : null].filter(Boolean);
    out.push(`amount: ${bounds.length ? bounds.join(t.amount.combine === 'both' ? ' and ' : ' or ') : 'exact'}${t.amount.fx ? ', converting currencies through the FX table' : ''}`);
  }
  if (t.date) {
    const w = t.date;
    const fields = w.left || w.right ? ` (dates ${w.left ?? 'left date'} → ${w.right ?? 'right date'})` : '';
    out.push(`date: right − left within [${w.min ?? '−∞'}, ${w.max ?? '+∞'}] days${fields}`);
  }
  for (const c of t.text) out.push(`text ${c.role}: ${c.measure} ≥ ${c.threshold}${c.normalize ? ` [${chain(c.normalize)}]` : ''}`);
  return out;
}

function comparison(c: Comparison): string {
  switch (c.type) {
    case 'amount': {
      const b = [c.close.abs !== undefined ? `±${c.close.abs}` : null, c.close.pct !== undefined ? `±${c.close.pct}%` : null].filter(Boolean);
      return `amount: exact, or close within ${b.length ? b.join(c.close.combine === 'both' ? ' and ' : ' or ') : 'exact'}${c.fx ? ' (FX)' : ''}`;
    }
    case 'date':
      return `date: same day, or close within [${c.close.min ?? '−∞'}, ${c.close.max ?? '+∞'}] days`;
    case 'text':
      return `text ${c.role}: equal, or close when ${c.measure} ≥ ${c.threshold}${c.normalize ? ` [${chain(c.normalize)}]` : ''}`;
    case 'exact':
      return `exact: ${parts(c.left)} = ${parts(c.right)}`;
  }
}

function passLines(p: Pass, n: number): RuleLine[] {
  const section = `Pass ${n}: ${p.id}`;
  const lines: RuleLine[] = [];
  if (p.kind === 'key') {
    lines.push([section, 'what', `${p.label ?? p.id} — key pass, ${p.cardinality}, results ${p.confirm === 'auto' ? 'are matches' : 'are suggestions'}`]);
    lines.push([section, 'key', `${parts(p.key.left, p.key.normalize)} = ${parts(p.key.right, p.key.normalize)}`]);
    for (const t of tolerance(p.tolerance)) lines.push([section, 'tolerance', t]);
    lines.push([section, 'when a tolerance fails', p.onToleranceFail === 'exception' ? 'report a variance exception' : 'leave the records for later passes']);
    lines.push([section, 'limits', `at most ${p.limits.maxPerSide} records a side per key, ${p.limits.maxSteps} search steps`]);
  } else {
    lines.push([section, 'what', `${p.label ?? p.id} — probabilistic (Fellegi–Sunter) pass, results ${p.confirm === 'auto' ? 'are matches above the match threshold' : 'are suggestions'}`]);
    p.blocking.forEach((b, i) => lines.push([section, `candidates ${i + 1}`, `${parts(b.left, b.normalize)} = ${parts(b.right, b.normalize)}`]));
    lines.push([section, 'block size', `blocks over ${p.maxBlockPairs} pairs are skipped`]);
    for (const c of p.comparisons) lines.push([section, `compare ${c.id}`, comparison(c)]);
    lines.push([section, 'thresholds', `match at score ≥ ${p.thresholds.match} (and ${p.minMargin} ahead of any rival), suggest at ≥ ${p.thresholds.suggest}`]);
    for (const t of tolerance(p.tolerance)) lines.push([section, 'filter', t]);
  }
  return lines;
}

function sideLine(rs: RuleSet, side: 'left' | 'right'): string {
  const s = rs.sides[side];
  const f = s.fields;
  const text = Object.entries(f.text)
    .map(([role, field]) => `${role} = ${field}`)
    .join(', ');
  return [
    `${s.label} (unmatched: "${s.unmatchedLabel}")`,
    `amount = ${f.amount}`,
    f.currency ? `currency = ${f.currency}` : null,
    f.defaultCurrency ? `default currency ${f.defaultCurrency}` : null,
    f.date ? `date = ${f.date}` : null,
    text ? `text: ${text}` : null,
  ]
    .filter(Boolean)
    .join('; ');
}

/** Readable lines of one rule set. A rule set this engine cannot read is shown as its JSON. */
export function ruleLines(rules: unknown): RuleLine[] {
  let rs: RuleSet;
  try {
    rs = parseRuleSet(rules);
  } catch (err) {
    return [
      ['Rule set', 'not readable by this Tieout', (err as Error).message],
      ['Rule set', 'JSON', canonicalJson(rules)],
    ];
  }
  const lines: RuleLine[] = [['Rule set', 'name', rs.name]];
  if (rs.description) lines.push(['Rule set', 'description', rs.description]);
  lines.push(['Sides', 'left', sideLine(rs, 'left')], ['Sides', 'right', sideLine(rs, 'right')]);
  for (const [name, steps] of Object.entries(rs.normalizers)) lines.push(['Normalizers', name, chain(steps)]);
  for (const [name, table] of Object.entries(rs.aliases)) {
    for (const [variant, canonical] of Object.entries(table)) lines.push([`Alias table ${name}`, variant, `→ ${canonical}`]);
  }
  rs.passes.forEach((p, i) => lines.push(...passLines(p, i + 1)));
  lines.push(['Duplicates', 'reported', `left: ${rs.duplicates.left ? 'yes' : 'no'}; right: ${rs.duplicates.right ? 'yes' : 'no'}`]);
  return lines;
}
