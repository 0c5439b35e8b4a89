/** The planted reconciliation case kinds; see cases.ts for what each one means. */
export const CASE_KINDS = [
  'clean',
  'over_billing',
  'split',
  'consolidated',
  'missing_po',
  'unbilled',
  'unauthorized',
  'duplicate',
  'credit_note',
  'currency_mismatch',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export function isCaseKind(s: string): s is CaseKind {
  return (CASE_KINDS as readonly string[]).includes(s);
}
