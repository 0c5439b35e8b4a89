// Schema version 9: what the explanations of one pass share is stored once per run. A run's
// groups and exceptions hold their explanations in the templated form (engine/packed-explanation.ts),
// which refers to these templates; runs saved before hold standalone explanations and no templates.
export default /* sql */ `
ALTER TABLE run ADD COLUMN explanation_templates_json TEXT;
`;
