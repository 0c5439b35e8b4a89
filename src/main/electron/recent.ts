import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const MAX_RECENT = 8;

/** Recently opened workspaces, newest first, kept in the user profile (not in any workspace). */
export function readRecent(file: string): string[] {
  if (!existsSync(file)) return [];
  try {
    const list = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export function pushRecent(file: string, path: string): string[] {
  const next = [path, ...readRecent(file).filter((p) => p !== path)].slice(0, MAX_RECENT);
  writeFileSync(file, JSON.stringify(next, null, 2));
  return next;
}
