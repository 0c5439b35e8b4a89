import { createHash } from 'node:crypto';

/** The hash-chain rule: hash = SHA-256(prev_hash || canonical JSON of the event). */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEventBody {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  reasonCode: string | null;
  note: string | null;
}

/** JSON with object keys sorted at every depth, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number in canonical JSON');
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function eventHash(prevHash: string, event: AuditEventBody): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(event)).digest('hex');
}

export interface ChainedEvent extends AuditEventBody {
  prevHash: string;
  hash: string;
}

export type ChainCheck =
  | { ok: true; count: number; headHash: string }
  | { ok: false; count: number; brokenAt: number; reason: string };

/** Recomputes a chain slice starting from `anchor` (the hash before the first event). */
export function verifyChain(events: Iterable<ChainedEvent>, anchor = GENESIS_HASH): ChainCheck {
  let prev = anchor;
  let count = 0;
  let expectedSeq: number | null = null;
  for (const e of events) {
    if (expectedSeq !== null && e.seq !== expectedSeq) {
      return { ok: false, count, brokenAt: expectedSeq, reason: `sequence ${expectedSeq} is missing` };
    }
    if (e.prevHash !== prev) return { ok: false, count, brokenAt: e.seq, reason: 'prev_hash does not match the previous event' };
    const { prevHash: _p, hash, ...body } = e;
    if (eventHash(prev, body) !== hash) return { ok: false, count, brokenAt: e.seq, reason: 'hash does not match the event content' };
    prev = hash;
    count++;
    expectedSeq = e.seq + 1;
  }
  return { ok: true, count, headHash: prev };
}
