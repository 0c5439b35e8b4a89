/** results.json as the engine's result shape, so the run's own fingerprint function applies to it. */
import { resultFingerprint } from '../reconcile/run-match.js';
import { EXCEPTION_CLASSES, packExplanation, type EngineResult, type ExceptionClass, type Group, type PackedExplanation } from '../engine/index.js';
import type { ResultsFile } from './format.js';

type PacketRunResult = ResultsFile['runs'][number];

/** Code-unit order, as the engine sorts ids (not locale order). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Puts groups and exceptions in the engine's order: groups by pass (locked first, then the rule
 * set's passes), exceptions by class, then id; members sorted. The fingerprint depends on it.
 */
export function engineOrder(run: PacketRunResult, passIds: readonly string[]): PacketRunResult {
  const passRank = (p: string) => (p === 'locked' ? -1 : passIds.includes(p) ? passIds.indexOf(p) : passIds.length);
  const classRank = (c: string) => {
    const i = (EXCEPTION_CLASSES as readonly string[]).indexOf(c);
    return i < 0 ? EXCEPTION_CLASSES.length : i;
  };
  const sortIds = (ids: string[]) => [...ids].sort(compareCodeUnits);
  return {
    ...run,
    groups: run.groups
      .map((g) => ({ ...g, left: sortIds(g.left), right: sortIds(g.right) }))
      .sort((a, b) => passRank(a.pass) - passRank(b.pass) || compareCodeUnits(a.id, b.id)),
    exceptions: run.exceptions
      .map((e) => ({ ...e, left: sortIds(e.left), right: sortIds(e.right) }))
      .sort((a, b) => classRank(a.class) - classRank(b.class) || compareCodeUnits(a.id, b.id)),
  };
}

/** Enough of an EngineResult for `resultFingerprint` and `diffResults` (explanations are not stored). */
export function asEngineResult(run: PacketRunResult): EngineResult {
  // Nothing reads these explanations: one per pass, not a JSON text per group of a million-group run.
  const placeholders = new Map<string, PackedExplanation>();
  const placeholder = (pass: string, passKind: Group['passKind']) => {
    let p = placeholders.get(pass);
    if (p === undefined) placeholders.set(pass, (p = packExplanation({ pass, passKind, ruleSetVersion: run.ruleSetVersion, keys: { left: [], right: [] }, checks: [] })));
    return p;
  };
  return {
    ruleSetVersion: run.ruleSetVersion,
    explanationTemplates: [],
    groups: run.groups.map(
      (g): Group => ({
        id: g.id,
        pass: g.pass,
        passKind: g.passKind as Group['passKind'],
        status: g.status,
        left: g.left,
        right: g.right,
        score: g.score,
        explanation: placeholder(g.pass, g.passKind as Group['passKind']),
      }),
    ),
    exceptions: run.exceptions.map((e) => ({
      id: e.id,
      class: e.class as ExceptionClass,
      left: e.left,
      right: e.right,
      amountAtRisk: { minor: e.amountMinor, currency: e.currency },
      detail: e.detail,
      ...(e.pass !== null && { pass: e.pass }),
      ...(e.groupId !== null && { groupId: e.groupId }),
    })),
    stats: undefined as unknown as EngineResult['stats'],
  };
}

export function packetResultFingerprint(run: PacketRunResult): string {
  return resultFingerprint(asEngineResult(run));
}
