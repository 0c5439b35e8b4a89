import { userInfo } from 'node:os';
import { z } from 'zod';
import { TieoutError } from '../../../shared/error.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import { findUserRow, getMeta, insertUser, listUserRows, setMeta, userIdExists, type UserRow } from '../workspace/triage.js';
import { toIso } from './items.js';

export type { UserRow as User, UserRole } from '../workspace/triage.js';

export const USER_ROLES = ['analyst', 'approver', 'auditor'] as const;
const CURRENT_USER = 'current_user';

export const NewUser = z.object({
  /** Defaults to a slug of the name. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits and . _ @ - only (max 64)')
    .optional(),
  name: z.string().trim().min(1).max(100),
  email: z.email().max(200).nullable().optional(),
  role: z.enum(USER_ROLES).default('analyst'),
});
export type NewUser = z.input<typeof NewUser>;

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9._@-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56);
  return s || 'user';
}

function freeId(db: Db, base: string): string {
  if (!userIdExists(db, base)) return base;
  for (let n = 2; ; n++) if (!userIdExists(db, `${base}-${n}`)) return `${base}-${n}`;
}

export function listUsers(db: Db): UserRow[] {
  return listUserRows(db);
}

export function findUser(db: Db, id: string): UserRow | undefined {
  return findUserRow(db, id);
}

export function requireUser(db: Db, id: string): UserRow {
  const u = findUserRow(db, id);
  if (!u) throw new TieoutError('not_found', `No user "${id}" in this workspace`, { user: id });
  return u;
}

/** Auditors read and comment; only analysts and approvers change items and rules. */
export function requireEditor(db: Db, id: string): UserRow {
  const u = requireUser(db, id);
  if (u.role === 'auditor') throw new TieoutError('forbidden', `${u.name} is an auditor and cannot change review items or rules`, { user: id });
  return u;
}

/** A local profile. Not an account: there is no password; the audit log records who acted. */
export function createUser(db: Db, input: NewUser, actor: string, now: Date | string = new Date()): UserRow {
  const parsed = NewUser.safeParse(input);
  if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'bad_input', 'user');
  const u = parsed.data;
  const at = toIso(now);
  return db.transaction(() => {
    if (u.id !== undefined && userIdExists(db, u.id)) throw new TieoutError('conflict', `A user with id "${u.id}" already exists`, { user: u.id });
    const row: UserRow = { id: u.id ?? freeId(db, slug(u.name)), name: u.name, email: u.email ?? null, role: u.role, createdAt: at };
    insertUser(db, row);
    appendAuditEvent(db, { actor, action: 'user.create', target: `user:${row.id}`, after: { name: row.name, email: row.email, role: row.role } }, at);
    return row;
  }).immediate();
}

export function currentUser(db: Db): UserRow | undefined {
  const id = getMeta(db, CURRENT_USER);
  return id === undefined ? undefined : findUserRow(db, id);
}

export function switchUser(db: Db, userId: string, actor: string, now: Date | string = new Date()): UserRow {
  const at = toIso(now);
  return db.transaction(() => {
    const user = requireUser(db, userId);
    const before = getMeta(db, CURRENT_USER) ?? null;
    if (before === user.id) return user;
    setMeta(db, CURRENT_USER, user.id);
    appendAuditEvent(db, { actor, action: 'user.switch', target: `user:${user.id}`, before: { user: before }, after: { user: user.id } }, at);
    return user;
  }).immediate();
}

function osUserName(): string {
  try {
    return userInfo().username || 'analyst';
  } catch {
    return 'analyst';
  }
}

/**
 * The workspace's current user, creating one first if there is nobody: an analyst named after
 * the OS user, whose id is that name so it agrees with the actor of earlier audit events.
 */
export function ensureDefaultUser(db: Db, osName: string = osUserName(), now: Date | string = new Date()): UserRow {
  const current = currentUser(db);
  if (current) return current;
  return db.transaction(() => {
    const existing = listUserRows(db)[0];
    if (existing) return switchUser(db, existing.id, existing.id, now);
    const base = /^[A-Za-z0-9._@-]{1,64}$/.test(osName) ? osName : slug(osName);
    const user = createUser(db, { id: base, name: osName.trim() || base, role: 'analyst' }, base, now);
    return switchUser(db, user.id, user.id, now);
  }).immediate();
}
