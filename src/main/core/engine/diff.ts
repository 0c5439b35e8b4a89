import { compareIds } from './group-id.js';
import type { EngineResult, ExceptionClass, Group, GroupStatus, Side } from './types.js';

/** What a record ended as: in a group (by status) or in an exception (by class). */
export type Outcome = GroupStatus | ExceptionClass;

export interface ClassChange {
  side: Side;
  recordId: string;
  from: Outcome | 'absent';
  to: Outcome | 'absent';
}

export interface ResultDiff {
  /** Groups of the draft whose exact membership the current result does not have. */
  newMatches: Group[];
  /** Groups of the current result whose exact membership the draft does not have. */
  lostMatches: Group[];
  /** Same membership, different status (matched ↔ suggested). */
  changedStatus: { current: Group; draft: Group }[];
  /** Records whose outcome differs, ordered by side then id. */
  changedClasses: ClassChange[];
  summary: { newMatches: number; lostMatches: number; changedStatus: number; changedClasses: number; unchangedGroups: number };
}

function membership(g: Group): string {
  return `${g.left.join('\u001f')}\u001e${g.right.join('\u001f')}`;
}

function outcomes(r: EngineResult): Map<string, Outcome> {
  const m = new Map<string, Outcome>();
  for (const g of r.groups) {
    for (const id of g.left) m.set(`left\u0000${id}`, g.status);
    for (const id of g.right) m.set(`right\u0000${id}`, g.status);
  }
  for (const x of r.exceptions) {
    for (const id of x.left) m.set(`left\u0000${id}`, x.class);
    for (const id of x.right) m.set(`right\u0000${id}`, x.class);
  }
  return m;
}

/**
 * Compares a current result with a draft (e.g. a dry run of an edited rule set over the same
 * records). Groups are compared by membership, not id, since ids include the pass id.
 */
export function diffResults(current: EngineResult, draft: EngineResult): ResultDiff {
  const cur = new Map(current.groups.map((g) => [membership(g), g]));
  const dra = new Map(draft.groups.map((g) => [membership(g), g]));
  const newMatches = draft.groups.filter((g) => !cur.has(membership(g)));
  const lostMatches = current.groups.filter((g) => !dra.has(membership(g)));
  const changedStatus: { current: Group; draft: Group }[] = [];
  let unchangedGroups = 0;
  for (const g of draft.groups) {
    const c = cur.get(membership(g));
    if (!c) continue;
    if (c.status !== g.status) changedStatus.push({ current: c, draft: g });
    else unchangedGroups++;
  }
  const a = outcomes(current);
  const b = outcomes(draft);
  const keys = new Set([...a.keys(), ...b.keys()]);
  const changedClasses: ClassChange[] = [];
  for (const k of keys) {
    const from = a.get(k) ?? 'absent';
    const to = b.get(k) ?? 'absent';
    if (from === to) continue;
    const [side, recordId] = k.split('\u0000') as [Side, string];
    changedClasses.push({ side, recordId, from, to });
  }
  changedClasses.sort((x, y) => (x.side === y.side ? compareIds(x.recordId, y.recordId) : x.side === 'left' ? -1 : 1));
  return {
    newMatches,
    lostMatches,
    changedStatus,
    changedClasses,
    summary: {
      newMatches: newMatches.length,
      lostMatches: lostMatches.length,
      changedStatus: changedStatus.length,
      changedClasses: changedClasses.length,
      unchangedGroups,
    },
  };
}
