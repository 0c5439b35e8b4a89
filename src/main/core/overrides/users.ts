import { TieoutError } from '../../../shared/error.js';
import { listUsers, requireEditor, requireUser, currentUser as metaCurrentUser, type User } from '../triage/users.js';
import type { Db } from '../workspace/index.js';

/** People come from triage; these are the role checks overrides need. */

/** The acting user when none is named: meta.current_user, else the first user added. */
export function defaultActor(db: Db): User | undefined {
  return metaCurrentUser(db) ?? listUsers(db)[0];
}

/** Someone who may change things: any user but an auditor. */
export function requireActor(db: Db, id: string): User {
  return requireEditor(db, id);
}

export function requireApprover(db: Db, id: string, what: string): User {
  const u = requireUser(db, id);
  if (u.role !== 'approver') throw new TieoutError('forbidden', `${u.id} is an ${u.role}; only an approver can ${what}`, { user: u.id });
  return u;
}
