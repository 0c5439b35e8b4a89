import { formatMinor } from '../../../shared/money.js';
import type { ApartSet, LockedGroup } from '../engine/index.js';
import { apartSetsFor, lockedGroupsFor } from '../overrides/index.js';
import { newestVersions, recordVersions, type Db, type RecordVersion } from '../workspace/index.js';
import type { LoadedInputs } from './load-inputs.js';

/** What analysts decided that the next run must honour: the engine's `locked` and `apart` inputs. */
export interface ManualDecisions {
  locked: LockedGroup[];
  apart: ApartSet[];
}

/**
 * Confirmed manual matches whose records are all current are kept as they are. When a record
 * was replaced by a newer version (an overlapping export changed it), the decision is not
 * trusted blindly: its current records are held together as a `record_changed` exception whose
 * explanation names what changed. A newer decision over the same records supersedes it.
 * Unmatches keep their records apart, following them to their newest versions.
 */
export function manualDecisions(db: Db, reconciliationId: number, inputs: LoadedInputs): ManualDecisions {
  const decisions = lockedGroupsFor(db, reconciliationId);
  const apartSets = apartSetsFor(db, reconciliationId);
  const isCurrent = (id: string) => inputs.byId.has(id);
  const stale = decisions.filter((g) => ![...g.left, ...g.right].every(isCurrent));
  const staleApart = apartSets.some((s) => ![...s.left, ...s.right].every(isCurrent));
  if (stale.length === 0 && !staleApart) return { locked: decisions, apart: apartSets };

  const oldIds = [...new Set([...stale, ...apartSets].flatMap((g) => [...g.left, ...g.right]).map(Number))];
  const newest = newestVersions(db, oldIds);
  const now = (id: string): string | null => {
    const n = String(newest.get(Number(id)) ?? id);
    return isCurrent(n) ? n : null;
  };

  const locked: LockedGroup[] = decisions.filter((g) => !stale.includes(g));
  const taken = new Set(locked.flatMap((g) => [...g.left.map((id) => `l${id}`), ...g.right.map((id) => `r${id}`)]));
  const versions = recordVersions(db, [...oldIds, ...[...newest.values()]]);
  for (const g of stale) {
    const left = g.left.map(now).filter((id): id is string => id !== null);
    const right = g.right.map(now).filter((id): id is string => id !== null);
    const keys = [...left.map((id) => `l${id}`), ...right.map((id) => `r${id}`)];
    if (keys.some((k) => taken.has(k))) continue; // a newer decision holds these records now
    for (const k of keys) taken.add(k);
    const changes = [...g.left, ...g.right].filter((id) => !isCurrent(id)).map((id) => describeChange(versions.get(Number(id)), versions.get(newest.get(Number(id)) ?? -1)));
    locked.push({ groupId: g.groupId, left, right, changed: `the manual match of override #${g.overrideId} touched ${changes.join('; ')}` });
  }
  const apart = apartSets.map((s) => ({
    by: s.by,
    left: [...new Set([...s.left, ...s.left.map(now).filter((id): id is string => id !== null)])],
    right: [...new Set([...s.right, ...s.right.map(now).filter((id): id is string => id !== null)])],
  }));
  return { locked, apart };
}

function money(v: RecordVersion): string {
  return v.amountMinor === null ? '(no amount)' : `${formatMinor(v.amountMinor, v.currency ?? '')}${v.currency ? ` ${v.currency}` : ''}`;
}

/** "invoices record 12 (ref INV-1): amount 100.00 USD → 120.00 USD; date … (now record 40, batch 3)". */
export function describeChange(old: RecordVersion | undefined, cur: RecordVersion | undefined): string {
  if (!old) return 'a record that no longer exists';
  const name = `${old.source} record ${old.id}${old.ref ? ` (ref ${old.ref})` : ''}`;
  if (!cur || cur.id === old.id || !cur.isCurrent) return `${name}, which is no longer current`;
  const diffs: string[] = [];
  if (old.amountMinor !== cur.amountMinor || old.currency !== cur.currency) diffs.push(`amount ${money(old)} → ${money(cur)}`);
  if (old.date !== cur.date) diffs.push(`date ${old.date ?? '(none)'} → ${cur.date ?? '(none)'}`);
  if (old.ref !== cur.ref) diffs.push(`ref ${old.ref ?? '(none)'} → ${cur.ref ?? '(none)'}`);
  const a = JSON.parse(old.fieldsJson) as Record<string, unknown>;
  const b = JSON.parse(cur.fieldsJson) as Record<string, unknown>;
  const covered = diffs.length > 0;
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null)) continue;
    // Amount, date and ref changes are already named above in their canonical form.
    if (covered && (String(a[k]) === String(old.amountMinor) || a[k] === old.date || a[k] === old.ref)) continue;
    diffs.push(`${k} ${JSON.stringify(a[k] ?? null)} → ${JSON.stringify(b[k] ?? null)}`);
  }
  return `${name}: ${diffs.length > 0 ? diffs.join(', ') : 'its provenance'} changed (now record ${cur.id}, batch ${cur.batchId})`;
}
