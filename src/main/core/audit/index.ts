import { iterateAuditEvents, type Db } from '../workspace/index.js';
import { verifyChain, type ChainCheck } from './chain.js';

export { canonicalJson, eventHash, GENESIS_HASH, verifyChain, type AuditEventBody, type ChainCheck, type ChainedEvent } from './chain.js';

/** Recomputes the whole audit chain of a workspace from the first event. */
export function verifyWorkspaceAudit(db: Db): ChainCheck {
  return verifyChain(iterateAuditEvents(db));
}
