import { z } from 'zod';
import { TieoutError } from '../../../shared/error.js';
import { isCurrencyCode } from '../../../shared/money.js';

/**
 * Rule set: the JSON an analyst edits to say how two sides tie out.
 *
 * Terms used throughout:
 * - a *side* is `left` (e.g. buys / authorisations) or `right` (e.g. invoices);
 * - a *role* is what a field means to the engine (amount, currency, date, a named text field);
 * - a *pass* is one step of the waterfall; each pass sees only records that no earlier pass claimed;
 * - *tolerances* are the conditions a candidate match must meet beyond its key.
 */

/** Non-negative decimal text such as "0.50" or "2". Exact: never parsed as a float. */
const DecimalText = z.string().regex(/^\d+(\.\d+)?$/, 'expected decimal text such as "0.50"');
const Id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only (max 64)');
const FieldName = z.string().min(1);

/**
 * One normalizer step. Parameterless steps may be written as a bare string: `"upper"`.
 * - trim: strip surrounding white space; collapse_spaces: runs of white space become one space
 * - upper / lower: case folding
 * - alnum: keep only letters and digits (drops spaces, dashes, punctuation)
 * - strip_leading_zeros: "000123" → "123"
 * - strip_prefix / strip_suffix: remove the first listed affix that matches (compared literally
 *   with the value at that point of the chain, so put `upper` before `strip_prefix: ["PO"]`)
 * - regex_extract: keep the first capture group of the first match (no match → no value)
 * - month: a LocalDate "2025-03-14" becomes "2025-03" (for blocking by month)
 * - alias: look the value up in a named alias table (variant → canonical). Must be the last step:
 *   the table's variants and canonicals go through the preceding steps too, so they can be
 *   written as people spell them ("Meta Platforms, Inc.").
 */
export const NormalizerStep = z.union([
  z.enum(['trim', 'upper', 'lower', 'alnum', 'collapse_spaces', 'strip_leading_zeros', 'month']),
  z.discriminatedUnion('op', [
    z.strictObject({ op: z.literal('trim') }),
    z.strictObject({ op: z.literal('upper') }),
    z.strictObject({ op: z.literal('lower') }),
    z.strictObject({ op: z.literal('alnum') }),
    z.strictObject({ op: z.literal('collapse_spaces') }),
    z.strictObject({ op: z.literal('strip_leading_zeros') }),
    z.strictObject({ op: z.literal('month') }),
    z.strictObject({ op: z.literal('strip_prefix'), values: z.array(z.string().min(1)).min(1) }),
    z.strictObject({ op: z.literal('strip_suffix'), values: z.array(z.string().min(1)).min(1) }),
    z.strictObject({
      op: z.literal('regex_extract'),
      pattern: z.string().min(1),
      flags: z.string().regex(/^[imsu]*$/, 'only i, m, s, u flags').optional(),
    }),
    z.strictObject({ op: z.literal('alias'), table: z.string().min(1) }),
  ]),
]);
export type NormalizerStep = z.infer<typeof NormalizerStep>;

/** A chain of steps, or the name of a chain declared in `normalizers`. */
export const NormalizeRef = z.union([z.string().min(1), z.array(NormalizerStep)]);
export type NormalizeRef = z.infer<typeof NormalizeRef>;

/** One field of a key; its value goes through `normalize` (or the key's default chain). */
export const KeyPart = z.strictObject({ field: FieldName, normalize: NormalizeRef.optional() });
export type KeyPart = z.infer<typeof KeyPart>;

/**
 * A key: the normalized parts of each side joined together. Left and right may use different
 * fields and different numbers of parts; records whose key part is missing or normalizes to ""
 * have no key in that pass (empty keys never match each other).
 */
export const KeySpec = z.strictObject({
  left: z.array(KeyPart).min(1),
  right: z.array(KeyPart).min(1),
  /** Default chain for parts that give none. */
  normalize: NormalizeRef.optional(),
});
export type KeySpec = z.infer<typeof KeySpec>;

/**
 * Amount tolerance, in the left record's currency. `abs` is minor units (integer) or decimal
 * text in major units ("0.50"); `pct` is a percent of |left amount| (1 = 1%). With both,
 * `combine: "either"` (default) passes when either bound holds, `"both"` when both hold.
 * Neither given means exact. `fx: true` converts the right amount into the left currency through
 * the run's `fx` table (exact rational arithmetic, round half-even) when currencies differ.
 */
export const AmountTolerance = z.strictObject({
  abs: z.union([z.number().int().nonnegative(), DecimalText]).optional(),
  pct: z.union([z.number().nonnegative(), DecimalText]).optional(),
  combine: z.enum(['either', 'both']).default('either'),
  fx: z.boolean().default(false),
});
export type AmountTolerance = z.infer<typeof AmountTolerance>;

/**
 * Date window on (right date − left date) in days. Omit a bound for a one-sided window:
 * `{ min: 0, max: 60 }` = the invoice comes on or up to 60 days after the buy's date.
 * `left` / `right` override the sides' date role fields for this pass.
 */
export const DateWindow = z
  .object({
    min: z.number().int().optional(),
    max: z.number().int().optional(),
    left: FieldName.optional(),
    right: FieldName.optional(),
  })
  .refine((w) => w.min === undefined || w.max === undefined || w.min <= w.max, 'min must be ≤ max');
export type DateWindow = z.infer<typeof DateWindow>;

export const TextMeasure = z.enum(['jaro_winkler', 'token_set']);
export type TextMeasure = z.infer<typeof TextMeasure>;

/** Text similarity of a named text role (declared on both sides) must reach `threshold` (0..1). */
export const TextCondition = z.strictObject({
  role: z.string().min(1),
  measure: TextMeasure.default('jaro_winkler'),
  threshold: z.number().min(0).max(1),
  /** Default: ["trim", "upper", "collapse_spaces"]. */
  normalize: NormalizeRef.optional(),
});
export type TextCondition = z.infer<typeof TextCondition>;

/**
 * Conditions a candidate must meet beyond its key. In key passes a failed amount or date
 * condition makes a variance exception (see `onToleranceFail`); a failed text condition always
 * means "not this pair". In probabilistic passes they are hard filters on candidate pairs.
 */
export const Tolerance = z.strictObject({
  amount: AmountTolerance.optional(),
  date: DateWindow.optional(),
  text: z.array(TextCondition).default([]),
});
export type Tolerance = z.infer<typeof Tolerance>;

export const Cardinality = z.enum(['1:1', '1:N', 'N:1', 'N:M']);
export type Cardinality = z.infer<typeof Cardinality>;

const passBase = {
  id: Id,
  label: z.string().optional(),
  /** `auto`: results are matches; `suggest`: results wait for an analyst's confirmation. */
  confirm: z.enum(['auto', 'suggest']).default('auto'),
  tolerance: Tolerance.optional(),
};

/**
 * Key pass: records whose normalized keys are equal form a key block.
 * - 1:1 — a block of one left and one right is a pair; bigger blocks pair only records that are
 *   each other's single candidate within tolerance (exact copies on one side count once; the
 *   copies become `duplicate` exceptions).
 * - 1:N / N:1 / N:M — within a block, a bounded subset-sum search looks for groupings whose side
 *   sums agree within the amount tolerance (exact if none is given). A unique best fit is taken;
 *   equally good fits make an `ambiguous` exception. Blocks with more than `maxPerSide` records on
 *   a side, or searches over `maxSteps`, are left for later passes (counted in stats as capped;
 *   if nothing claims them they end unmatched, the detail naming the capped pass).
 *   N:M takes the whole block when its sums agree, else the smallest fitting sub-grouping.
 *   Sums are taken per left currency; rights in another currency join only through FX.
 *
 * `onToleranceFail` (key passes): `exception` claims a 1×1 block (grouping passes: a block with a
 * single record on the "one" side, or the whole block for N:M) whose amount/date fails as an
 * `amount_variance` / `date_variance` / `currency_mismatch` exception; `skip` leaves it unclaimed.
 */
export const KeyPass = z.strictObject({
  ...passBase,
  kind: z.literal('key'),
  key: KeySpec,
  cardinality: Cardinality.default('1:1'),
  onToleranceFail: z.enum(['exception', 'skip']).default('exception'),
  limits: z
    .object({
      maxPerSide: z.number().int().min(1).max(16).default(12),
      maxSteps: z.number().int().min(1).max(1_000_000).default(20_000),
    })
    .prefault({}),
});
export type KeyPass = z.infer<typeof KeyPass>;

/** Closeness bounds for the `close` level of amount comparisons. */
const AmountClose = z.strictObject({
  abs: z.union([z.number().int().nonnegative(), DecimalText]).optional(),
  pct: z.union([z.number().nonnegative(), DecimalText]).optional(),
  combine: z.enum(['either', 'both']).default('either'),
});

/**
 * A Fellegi–Sunter comparison. Each yields a level — exact, close, far or null (a value missing)
 * — whose weight log2(m/u) is estimated by EM; null weighs 0.
 * - amount: exact = equal (after FX when `fx`), close = within `close`, else far;
 * - date: exact = same day, close = (right − left) days within [min, max];
 * - text: exact = equal after normalizing, close = similarity ≥ `threshold`;
 * - exact: normalized key parts equal (no close level).
 */
export const Comparison = z.discriminatedUnion('type', [
  z.strictObject({ id: Id, type: z.literal('amount'), close: AmountClose.prefault({}), fx: z.boolean().default(false) }),
  z.strictObject({
    id: Id,
    type: z.literal('date'),
    close: z.strictObject({ min: z.number().int().optional(), max: z.number().int().optional() }),
    left: FieldName.optional(),
    right: FieldName.optional(),
  }),
  z.strictObject({
    id: Id,
    type: z.literal('text'),
    role: z.string().min(1),
    measure: TextMeasure.default('jaro_winkler'),
    threshold: z.number().min(0).max(1),
    normalize: NormalizeRef.optional(),
  }),
  z.strictObject({ id: Id, type: z.literal('exact'), left: z.array(KeyPart).min(1), right: z.array(KeyPart).min(1) }),
]);
export type Comparison = z.infer<typeof Comparison>;
export type ComparisonInput = z.input<typeof Comparison>;

/**
 * Probabilistic pass (Fellegi–Sunter) for records without usable keys.
 * Candidate pairs come only from `blocking` keys (each a KeySpec; a pair is a candidate if any
 * blocking key agrees); blocks with more than `maxBlockPairs` left×right pairs are skipped, so
 * no pass ever compares everything with everything. m/u are estimated by EM over the candidate
 * pairs, seeded from this run's key matches. Scores are log2 posterior odds (prior + weights):
 * ≥ `thresholds.match` matches (when `confirm` is auto and the pair beats every rival of either
 * record by `minMargin`), ≥ `thresholds.suggest` is suggested. Assignment is one-to-one, greedy
 * by score, ties broken by record ids.
 */
export const ProbabilisticPass = z.strictObject({
  ...passBase,
  kind: z.literal('probabilistic'),
  blocking: z.array(KeySpec).min(1),
  maxBlockPairs: z.number().int().min(1).max(1_000_000).default(2_500),
  comparisons: z.array(Comparison).min(1),
  thresholds: z.strictObject({ match: z.number(), suggest: z.number() }).refine((t) => t.suggest <= t.match, 'suggest must be ≤ match'),
  minMargin: z.number().nonnegative().default(1),
  em: z
    .object({
      iterations: z.number().int().min(0).max(500).default(30),
      /** Weight (in pairs) of the seeded m/u estimates as a prior on EM. */
      priorWeight: z.number().nonnegative().default(50),
      /** Labelled sample size taken from key matches for seeding. */
      sample: z.number().int().min(0).max(1_000_000).default(5_000),
    })
    .prefault({}),
});
export type ProbabilisticPass = z.infer<typeof ProbabilisticPass>;

export const Pass = z.discriminatedUnion('kind', [KeyPass, ProbabilisticPass]);
export type Pass = z.infer<typeof Pass>;
export type PassInput = z.input<typeof Pass>;

/** Field roles of one side. `text` maps role names (vendor, description, …) to field names. */
export const SideSpec = z.strictObject({
  /** e.g. "Buys". */
  label: z.string().min(1),
  /** Label of this side's unmatched exceptions, e.g. "Unbilled" / "Not authorized". */
  unmatchedLabel: z.string().min(1),
  fields: z.strictObject({
    /** Integer minor units. */
    amount: FieldName,
    currency: FieldName.optional(),
    /** Used when the currency field is absent or empty. */
    defaultCurrency: z.string().refine(isCurrencyCode, 'unknown ISO 4217 code').optional(),
    /** LocalDate 'YYYY-MM-DD'. */
    date: FieldName.optional(),
    text: z.record(z.string(), FieldName).default({}),
  }),
});
export type SideSpec = z.infer<typeof SideSpec>;

export const RuleSet = z
  .object({
    format: z.literal(1).default(1),
    name: z.string().min(1),
    description: z.string().optional(),
    sides: z.strictObject({ left: SideSpec, right: SideSpec }),
    /** Named normalizer chains, referenced by name from keys and text conditions. */
    normalizers: z.record(z.string(), z.array(NormalizerStep)).default({}),
    /** Named alias tables: variant → canonical. */
    aliases: z.record(z.string(), z.record(z.string(), z.string())).default({}),
    passes: z.array(Pass).min(1),
    /**
     * A record equal to an already claimed record of the same side (same normalized key of a key
     * pass, same amount, currency and date) is reported as a `duplicate` of it.
     */
    duplicates: z.strictObject({ left: z.boolean().default(true), right: z.boolean().default(true) }).prefault({}),
  })
  .superRefine((rs, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const seen = new Set<string>();
    rs.passes.forEach((p, i) => {
      if (seen.has(p.id)) issue(['passes', i, 'id'], `duplicate pass id "${p.id}"`);
      if (p.id === 'locked') issue(['passes', i, 'id'], '"locked" is reserved for confirmed manual groups');
      seen.add(p.id);
    });
    const checkChain = (ref: NormalizeRef | undefined, path: (string | number)[]) => {
      if (ref === undefined) return;
      if (typeof ref === 'string') {
        if (!(ref in rs.normalizers)) issue(path, `unknown normalizer chain "${ref}"`);
        return;
      }
      ref.forEach((step, i) => {
        if (typeof step === 'string') return;
        if (step.op === 'alias') {
          if (!(step.table in rs.aliases)) issue([...path, i, 'table'], `unknown alias table "${step.table}"`);
          if (i !== ref.length - 1) issue([...path, i], 'alias must be the last step of a chain');
        }
        if (step.op === 'regex_extract') {
          try {
            new RegExp(step.pattern, step.flags);
          } catch (e) {
            issue([...path, i, 'pattern'], `invalid regular expression: ${(e as Error).message}`);
          }
        }
      });
    };
    for (const [name, chain] of Object.entries(rs.normalizers)) checkChain(chain, ['normalizers', name]);
    const checkKey = (k: KeySpec, path: (string | number)[]) => {
      checkChain(k.normalize, [...path, 'normalize']);
      k.left.forEach((p, i) => checkChain(p.normalize, [...path, 'left', i, 'normalize']));
      k.right.forEach((p, i) => checkChain(p.normalize, [...path, 'right', i, 'normalize']));
    };
    const checkRole = (role: string, path: (string | number)[]) => {
      for (const side of ['left', 'right'] as const) {
        if (!(role in rs.sides[side].fields.text)) issue(path, `text role "${role}" is not declared on the ${side} side`);
      }
    };
    const needDate = (w: { left?: string | undefined; right?: string | undefined }, path: (string | number)[]) => {
      if (!w.left && !rs.sides.left.fields.date) issue(path, 'no left date field (set sides.left.fields.date)');
      if (!w.right && !rs.sides.right.fields.date) issue(path, 'no right date field (set sides.right.fields.date)');
    };
    rs.passes.forEach((p, i) => {
      const t = p.tolerance;
      if (t?.date) needDate(t.date, ['passes', i, 'tolerance', 'date']);
      t?.text.forEach((c, j) => {
        checkRole(c.role, ['passes', i, 'tolerance', 'text', j, 'role']);
        checkChain(c.normalize, ['passes', i, 'tolerance', 'text', j, 'normalize']);
      });
      if (p.kind === 'key') checkKey(p.key, ['passes', i, 'key']);
      else {
        p.blocking.forEach((b, j) => checkKey(b, ['passes', i, 'blocking', j]));
        const ids = new Set<string>();
        p.comparisons.forEach((c, j) => {
          const path = ['passes', i, 'comparisons', j];
          if (ids.has(c.id)) issue([...path, 'id'], `duplicate comparison id "${c.id}"`);
          ids.add(c.id);
          if (c.type === 'text') {
            checkRole(c.role, [...path, 'role']);
            checkChain(c.normalize, [...path, 'normalize']);
          }
          if (c.type === 'date') needDate(c, path);
          if (c.type === 'exact') checkKey({ left: c.left, right: c.right }, path);
        });
      }
    });
  });
export type RuleSet = z.infer<typeof RuleSet>;
/** What a user may write (defaults not yet applied). */
export type RuleSetInput = z.input<typeof RuleSet>;

/** Ad-ops example: buys (left) against vendor invoices (right). */
export const EXAMPLE_AD_OPS: RuleSetInput = {
  name: 'Ad-ops: buys vs vendor invoices',
  sides: {
    left: {
      label: 'Buys',
      unmatchedLabel: 'Unbilled',
      fields: { amount: 'net_cost', currency: 'currency', date: 'flight_end', text: { vendor: 'vendor', description: 'placement' } },
    },
    right: {
      label: 'Invoices',
      unmatchedLabel: 'Not authorized',
      fields: { amount: 'amount', currency: 'currency', date: 'invoice_date', text: { vendor: 'vendor_name', description: 'description' } },
    },
  },
  normalizers: {
    ref: ['upper', 'alnum'],
    po: ['upper', 'alnum', { op: 'strip_prefix', values: ['PO'] }],
    vendor: ['upper', 'alnum', { op: 'alias', table: 'vendors' }],
  },
  aliases: { vendors: { 'Meta Platforms, Inc.': 'Meta', 'META PLATFORMS INC': 'Meta', 'Facebook Ads': 'Meta' } },
  passes: [
    {
      id: 'line-1to1',
      kind: 'key',
      cardinality: '1:1',
      confirm: 'auto',
      key: { left: [{ field: 'line_id', normalize: 'ref' }], right: [{ field: 'po_reference', normalize: 'po' }] },
      // Exact amount; the invoice comes 0–60 days after the flight ends (one-sided window).
      tolerance: { amount: { abs: 0 }, date: { min: 0, max: 60 } },
      onToleranceFail: 'exception',
    },
    {
      id: 'line-split',
      kind: 'key',
      cardinality: '1:N',
      key: { left: [{ field: 'line_id', normalize: 'ref' }], right: [{ field: 'po_reference', normalize: 'po' }] },
      tolerance: { amount: { abs: 0 } },
      onToleranceFail: 'skip',
    },
    {
      id: 'io-consolidated',
      kind: 'key',
      cardinality: 'N:1',
      key: { left: [{ field: 'io_number', normalize: 'ref' }], right: [{ field: 'po_reference', normalize: 'po' }] },
      tolerance: { amount: { abs: 0 }, text: [{ role: 'vendor', measure: 'jaro_winkler', threshold: 1, normalize: 'vendor' }] },
      onToleranceFail: 'skip',
    },
    {
      id: 'no-reference',
      kind: 'probabilistic',
      confirm: 'suggest',
      blocking: [
        { left: [{ field: 'net_cost' }, { field: 'currency' }], right: [{ field: 'amount' }, { field: 'currency' }] },
        {
          left: [{ field: 'vendor', normalize: 'vendor' }, { field: 'flight_end', normalize: ['month'] }],
          right: [{ field: 'vendor_name', normalize: 'vendor' }, { field: 'invoice_date', normalize: ['month'] }],
        },
      ],
      comparisons: [
        { id: 'amount', type: 'amount', close: { pct: 2 } },
        { id: 'date', type: 'date', close: { min: 0, max: 45 } },
        { id: 'vendor', type: 'text', role: 'vendor', measure: 'jaro_winkler', threshold: 0.9, normalize: 'vendor' },
        { id: 'description', type: 'text', role: 'description', measure: 'token_set', threshold: 0.8 },
      ],
      thresholds: { match: 8, suggest: 3 },
    },
  ],
};

/** Bank-style example: ledger (left) against bank statement (right), one-sided date window, FX. */
export const EXAMPLE_BANK: RuleSetInput = {
  name: 'Cash: ledger vs bank statement',
  sides: {
    left: { label: 'Ledger', unmatchedLabel: 'Not on statement', fields: { amount: 'amount', currency: 'currency', date: 'posted', text: { memo: 'memo' } } },
    right: { label: 'Bank', unmatchedLabel: 'Not in ledger', fields: { amount: 'amount', currency: 'currency', date: 'value_date', text: { memo: 'narrative' } } },
  },
  passes: [
    {
      id: 'reference',
      kind: 'key',
      key: {
        left: [{ field: 'reference' }],
        right: [{ field: 'narrative', normalize: [{ op: 'regex_extract', pattern: '(?:REF|INV)[ :#-]*([A-Z0-9]+)', flags: 'i' }, 'upper'] }],
        normalize: ['upper', 'alnum'],
      },
      tolerance: { amount: { abs: '0.05', fx: true }, date: { min: 0, max: 5 } },
    },
    {
      id: 'amount-date',
      kind: 'probabilistic',
      blocking: [{ left: [{ field: 'amount' }, { field: 'currency' }], right: [{ field: 'amount' }, { field: 'currency' }] }],
      comparisons: [
        { id: 'date', type: 'date', close: { min: 0, max: 5 } },
        { id: 'memo', type: 'text', role: 'memo', measure: 'token_set', threshold: 0.7 },
      ],
      thresholds: { match: 10, suggest: 2 },
      tolerance: { date: { min: 0, max: 10 } },
    },
  ],
};

/** Parse and validate; errors become one `bad_input` TieoutError naming the paths. */
export function parseRuleSet(input: unknown): RuleSet {
  const r = RuleSet.safeParse(input);
  if (r.success) return r.data;
  throw TieoutError.fromZod(r.error, 'bad_input', 'rule set');
}
