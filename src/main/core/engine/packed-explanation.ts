import { TieoutError } from '../../../shared/error.js';
import type { Explanation, FieldCheck } from './types.js';

/**
 * The form in which a group or exception holds its explanation, in the engine's result and in
 * the workspace alike. A million-group run has a million explanations: held as objects, the
 * engine's result for 200k buys took 161 MB (81 MB packed), and stored as keyed JSON each took
 * ~460 bytes. Packed, an explanation is one flat string of JSON arrays; unpacking it gives the
 * same Explanation. Rows stored before these forms hold the object itself, which
 * `unpackExplanation` still reads.
 *
 * Standalone form (2):
 * [2, pass, passKind, ruleSetVersion, leftKeys, rightKeys | SAME_KEYS, checks, cardinality | null, rest | null]
 * where each check is [field, left, right, unit | null, measure, value, tolerance, pass, weight, level?, note?]
 * and rest holds any other members (prior, score, thresholds, notes) as they are.
 *
 * Templated form (3), what a run's engine writes (see ExplanationPacker): what the explanations of
 * one pass share is a template, kept once per run; each explanation holds only its own values:
 * [3, template, leftKeys, rightKeys | SAME_KEYS, values, rest | null]
 * where a template is [pass, passKind, ruleSetVersion, cardinality | null, [field, unit | null, measure, tolerance, tail][]]
 * and values holds, check after check, left, right, value, pass and weight, then the level when
 * tail >= 1 and the note when tail = 2.
 */
const FORM = 2;
const TEMPLATED = 3;
/** rightKeys when they equal leftKeys (a key pass's usual case). */
const SAME_KEYS = 0;

type PackedCheck = [string, FieldCheck['left'], FieldCheck['right'], string | null, FieldCheck['measure'], number | null, string, boolean | null, number | null, ...(string | null)[]];
type Packed = [typeof FORM, string, Explanation['passKind'], number, string[], string[] | typeof SAME_KEYS, PackedCheck[], string | null, Record<string, unknown> | null];

const CHECK_MEMBERS = new Set(['field', 'left', 'right', 'unit', 'measure', 'value', 'tolerance', 'pass', 'weight', 'level', 'note']);
const POSITIONAL = new Set(['pass', 'passKind', 'ruleSetVersion', 'keys', 'checks', 'cardinality']);

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function packCheck(c: FieldCheck): PackedCheck | null {
  for (const k in c) if (!CHECK_MEMBERS.has(k)) return null;
  const p: PackedCheck = [c.field, c.left, c.right, c.unit ?? null, c.measure, c.value, c.tolerance, c.pass, c.weight];
  // Optional tail: omitted when absent, so the common check ends at its weight.
  if (c.level !== undefined || c.note !== undefined) p.push(c.level ?? null);
  if (c.note !== undefined) p.push(c.note);
  return p;
}

/** JSON text of an explanation, packed: what `Group.explanation` holds and `explanation_json` stores. */
export type PackedExplanation = string & { readonly packed: unique symbol };

/** Packs an explanation. Anything the packed form has no place for is kept by packing the object itself. */
export function packExplanation(e: Explanation): PackedExplanation {
  const checks: PackedCheck[] = [];
  for (const c of e.checks) {
    const p = packCheck(c);
    if (p === null) return JSON.stringify(e) as PackedExplanation;
    checks.push(p);
  }
  const rest = restOf(e);
  const packed: Packed = [
    FORM,
    e.pass,
    e.passKind,
    e.ruleSetVersion,
    e.keys.left,
    sameKeys(e.keys.left, e.keys.right) ? SAME_KEYS : e.keys.right,
    checks,
    e.cardinality ?? null,
    rest,
  ];
  return flat(JSON.stringify(packed)) as PackedExplanation;
}

/**
 * V8 returns JSON.stringify's text as a tree of the pieces it was built from, which held a packed
 * explanation in ~320 bytes instead of ~225. Reading the text as a number makes V8 flatten it in
 * place; a million held explanations are ~90 MB smaller.
 */
function flat(text: string): string {
  void Number(text);
  return text;
}

function unpackCheck(p: PackedCheck): FieldCheck {
  const c: FieldCheck = { field: p[0], left: p[1], right: p[2], measure: p[4], value: p[5], tolerance: p[6], pass: p[7], weight: p[8] };
  if (p[3] !== null) c.unit = p[3];
  const level = p[9];
  if (level !== undefined && level !== null) c.level = level as NonNullable<FieldCheck['level']>;
  const note = p[10];
  if (note !== undefined && note !== null) c.note = note;
  return c;
}

type CheckSkeleton = [field: string, unit: string | null, measure: FieldCheck['measure'], tolerance: string, tail: 0 | 1 | 2];
type Template = [pass: string, passKind: Explanation['passKind'], ruleSetVersion: number, cardinality: string | null, checks: CheckSkeleton[]];
type Templated = [typeof TEMPLATED, number, string[], string[] | typeof SAME_KEYS, unknown[], Record<string, unknown> | null];

/** The templates a run's templated explanations refer to, in the order the packer made them. */
export type ExplanationTemplates = readonly unknown[];

/**
 * Packs a run's explanations in the templated form. Of a key match's ~200 characters in the
 * standalone form, more than half (pass, units, measures, tolerances) are the same for every
 * match of the pass; a million-group run held and wrote them a million times.
 */
export class ExplanationPacker {
  private readonly byKey = new Map<string, number>();
  private readonly list: Template[] = [];

  /** The templates made so far: store them with the run, to unpack its explanations. */
  get templates(): ExplanationTemplates {
    return this.list;
  }

  pack(e: Explanation): PackedExplanation {
    const values: unknown[] = [];
    let key = `${e.pass}\u0001${e.passKind}\u0001${e.ruleSetVersion}\u0001${e.cardinality ?? ''}`;
    for (const c of e.checks) {
      for (const k in c) if (!CHECK_MEMBERS.has(k)) return packExplanation(e);
      const tail = tailOf(c);
      key += `\u0001${c.field}\u0002${c.unit ?? '\u0003'}\u0002${c.measure}\u0002${c.tolerance}\u0002${tail}`;
      values.push(c.left, c.right, c.value, c.pass, c.weight);
      if (tail >= 1) values.push(c.level ?? null);
      if (tail === 2) values.push(c.note);
    }
    let t = this.byKey.get(key);
    // A role holding a separator could make two skeletons one key: such an explanation stands alone.
    if (t !== undefined && !fits(this.list[t]!, e)) return packExplanation(e);
    if (t === undefined) {
      t = this.list.length;
      this.byKey.set(key, t);
      const checks = e.checks.map((c): CheckSkeleton => [c.field, c.unit ?? null, c.measure, c.tolerance, tailOf(c)]);
      this.list.push([e.pass, e.passKind, e.ruleSetVersion, e.cardinality ?? null, checks]);
    }
    const packed: Templated = [TEMPLATED, t, e.keys.left, sameKeys(e.keys.left, e.keys.right) ? SAME_KEYS : e.keys.right, values, restOf(e)];
    return flat(JSON.stringify(packed)) as PackedExplanation;
  }
}

/** What a check carries after its weight: 0 nothing, 1 a level, 2 a level and a note. */
function tailOf(c: FieldCheck): CheckSkeleton[4] {
  return c.note !== undefined ? 2 : c.level !== undefined ? 1 : 0;
}

function fits(template: Template, e: Explanation): boolean {
  const [pass, passKind, ruleSetVersion, cardinality, checks] = template;
  if (pass !== e.pass || passKind !== e.passKind || ruleSetVersion !== e.ruleSetVersion || cardinality !== (e.cardinality ?? null) || checks.length !== e.checks.length) return false;
  return checks.every(([field, unit, measure, tolerance, tail], i) => {
    const c = e.checks[i]!;
    return field === c.field && unit === (c.unit ?? null) && measure === c.measure && tolerance === c.tolerance && tail === tailOf(c);
  });
}

function restOf(e: Explanation): Record<string, unknown> | null {
  let rest: Record<string, unknown> | null = null;
  for (const k in e) {
    if (POSITIONAL.has(k)) continue;
    (rest ??= {})[k] = e[k as keyof Explanation];
  }
  return rest;
}

function unpackTemplated(v: Templated, templates: ExplanationTemplates | null | undefined): Explanation {
  const [, t, left, right, values, rest] = v;
  const template = templates?.[t] as Template | undefined;
  if (template === undefined) throw new TieoutError('internal', `Explanation template ${t} is missing`);
  const [pass, passKind, ruleSetVersion, cardinality, skeletons] = template;
  let k = 0;
  const checks = skeletons.map(([field, unit, measure, tolerance, tail]) => {
    const c = { field, left: values[k++], right: values[k++], measure, value: values[k++], tolerance, pass: values[k++], weight: values[k++] } as FieldCheck;
    if (unit !== null) c.unit = unit;
    if (tail >= 1) {
      const level = values[k++];
      if (level !== null) c.level = level as NonNullable<FieldCheck['level']>;
    }
    if (tail === 2) c.note = values[k++] as string;
    return c;
  });
  const e: Explanation = { pass, passKind, ruleSetVersion, keys: { left, right: right === SAME_KEYS ? [...left] : right }, checks };
  if (cardinality !== null) e.cardinality = cardinality as NonNullable<Explanation['cardinality']>;
  if (rest !== null) Object.assign(e, rest);
  return e;
}

/**
 * An explanation as packed or stored, in any form; null when none was stored. A templated one
 * needs its run's templates.
 */
export function unpackExplanation(json: PackedExplanation, templates?: ExplanationTemplates | null): Explanation;
export function unpackExplanation(json: string | null, templates?: ExplanationTemplates | null): Explanation | null;
export function unpackExplanation(json: string | null, templates?: ExplanationTemplates | null): Explanation | null {
  if (json === null) return null;
  const v = JSON.parse(json) as Packed | Templated | Explanation;
  if (!Array.isArray(v)) return v;
  if (v[0] === TEMPLATED) return unpackTemplated(v, templates);
  const [, pass, passKind, ruleSetVersion, left, right, checks, cardinality, rest] = v as Packed;
  const e: Explanation = { pass, passKind, ruleSetVersion, keys: { left, right: right === SAME_KEYS ? [...left] : right }, checks: checks.map(unpackCheck) };
  if (cardinality !== null) e.cardinality = cardinality as NonNullable<Explanation['cardinality']>;
  if (rest !== null) Object.assign(e, rest);
  return e;
}

/**
 * Just the keys of a packed explanation. A run's review rows read them for every group, and
 * parsing the whole text (checks and all) took ~0.9 s per 200k groups: only the two key arrays
 * are cut out and parsed, and a single key the same on both sides is not parsed at all.
 */
export function explanationKeys(json: PackedExplanation): Explanation['keys'] {
  if (json.charCodeAt(0) !== 91 /* [ */) return (JSON.parse(json) as Explanation).keys;
  // [2, pass, passKind, ruleSetVersion, leftKeys, rightKeys, ...] or [3, template, leftKeys, rightKeys, ...]
  const before = json.charCodeAt(1) === 51 /* 3 */ ? 2 : 4;
  let p = 1;
  for (let k = 0; k < before; k++) p = valueEnd(json, p) + 1;
  // A key pass's usual case, one key on both sides: ["key"],0 with nothing escaped in the key.
  if (json.charCodeAt(p + 1) === 34) {
    const close = json.indexOf('"', p + 2);
    const key = json.slice(p + 2, close);
    if (json.startsWith('],0,', close + 1) && key.indexOf('\\') < 0) return { left: [key], right: [key] };
  }
  const [left, right] = JSON.parse(`[${json.slice(p, valueEnd(json, valueEnd(json, p) + 1))}]`) as [string[], string[] | typeof SAME_KEYS];
  return { left, right: right === SAME_KEYS ? left : right };
}

/** Where the JSON value starting at `i` of compact JSON text ends (exclusive). */
function valueEnd(text: string, i: number): number {
  let depth = 0;
  for (let p = i; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === 34 /* " */) {
      p++;
      while (text.charCodeAt(p) !== 34) p += text.charCodeAt(p) === 92 /* \ */ ? 2 : 1;
      if (depth === 0) return p + 1;
    } else if (c === 91 /* [ */ || c === 123 /* { */) depth++;
    else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (--depth <= 0) return depth === 0 ? p + 1 : p;
    } else if (c === 44 /* , */ && depth === 0) return p;
  }
  return text.length;
}
