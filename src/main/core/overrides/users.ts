import { z } from 'zod';
import { TieoutError } from '../../../shared/error.js';
import { appendAuditEvent, type Db } from '../workspace/index.js';
import { insertUser, metaValue, selectUser, selectUsers, type UserRole, type UserRow } from '../workspace/overrides.js';

export type { UserRole, UserRow };

export const USER_ROLES = ['analyst', 'approver', 'auditor'] as const;

const NewUser = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'letters, digits, dot, dash, underscore or @; up to 64'),
  name: z.string().trim().min(1, 'a name is required'),
  email: z.string().trim().min(3).nullish(),
  role: z.enum(USER_ROLES),
});
export type NewUser = z.input<typeof NewUser>;

export function listUsers(db: Db): UserRow[] {
  return selectUsers(db);
}

export function findUser(db: Db, id: string): UserRow | undefined {
  return selectUser(db, id);
}

export function requireUser(db: Db, id: string): UserRow {
  const u = selectUser(db, id);
  if (!u) throw new TieoutError('not_found', `No user "${id}" in this workspace`, { value: id });
  return u;
}

/** The workspace's current user: meta.current_user, else the first user added. */
export function currentUser(db: Db): UserRow | undefined {
  const id = metaValue(db, 'current_user');
  return (id !== undefined ? selectUser(db, id) : undefined) ?? selectUsers(db)[0];
}

/** Auditors read; they never change anything. */
export function requireActor(db: Db, id: string): UserRow {
  const u = requireUser(db, id);
  if (u.role === 'auditor') throw new TieoutError('forbidden', `${u.id} is an auditor; auditors can read but not change anything`, { value: u.id });
  return u;
}

export function requireApprover(db: Db, id: string, what: string): UserRow {
  const u = requireUser(db, id);
  if (u.role !== 'approver') throw new TieoutError('forbidden', `${u.id} is an ${u.role}; only an approver can ${what}`, { value: u.id });
  return u;
}

/** Adds a person. `actor` defaults to the new user (the first user of a workspace adds themselves). */
export function addUser(db: Db, input: NewUser, actor?: string): UserRow {
  const parsed = NewUser.safeParse(input);
  if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'bad_input', 'user');
  const u = parsed.data;
  return db.transaction(() => {
    if (selectUser(db, u.id)) throw new TieoutError('conflict', `A user "${u.id}" already exists`, { value: u.id });
    const row: UserRow = { id: u.id, name: u.name, email: u.email ?? null, role: u.role, createdAt: new Date().toISOString() };
    insertUser(db, row);
    appendAuditEvent(db, { actor: actor ?? u.id, action: 'user.add', target: `user:${u.id}`, after: { id: row.id, name: row.name, email: row.email, role: row.role } }, row.createdAt);
    return row;
  }).immediate();
}
