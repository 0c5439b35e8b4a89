/**
 * The matching engine: pure TypeScript over arrays. Same input → byte-identical output (no
 * clock, no randomness, record order irrelevant). The one entry of this folder.
 */
export { runEngine } from './run.js';
export * from './types.js';
export {
  RuleSet,
  parseRuleSet,
  EXAMPLE_AD_OPS,
  EXAMPLE_BANK,
  type RuleSetInput,
  type Pass,
  type PassInput,
  type KeyPass,
  type ProbabilisticPass,
  type Comparison,
  type Tolerance,
  type NormalizerStep,
  type Cardinality,
} from './rule-set.js';
export { diffResults, type ResultDiff, type ClassChange, type Outcome } from './diff.js';
export { suggestRuleSet, previewPasses, type FieldRoleInfo, type SuggestSample, type Suggestion, type PassPreview } from './suggest.js';
export { jaroWinkler, tokenSet } from './similarity.js';
export { compareIds, sortById } from './group-id.js';
export { ExplanationPacker, packExplanation, unpackExplanation, explanationKeys, type ExplanationTemplates, type PackedExplanation } from './packed-explanation.js';
// The demo's default rule set is in ./demo-rules.ts (it reads the demo's vendor list) and the
// quality harness in ./quality.ts: neither is needed to run the engine, so neither is pulled in here.
