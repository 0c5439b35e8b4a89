/**
 * Verifies a packet offline: every file against the manifest, the manifest against its
 * signature, and the audit chain inside from its anchor. Problems name the entry at fault.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { TieoutError } from '../../../shared/error.js';
import { verifyChain, type ChainedEvent } from '../audit/chain.js';
import { ENTRY, Manifest, UNLISTED, type ManifestRun, type PacketScope } from './format.js';
import { keyFingerprint, publicKeyFromPem, SignatureFile, SignerFile, verifySignature } from './keys.js';
import { readZipFile, type ZipReader } from './zip.js';

export interface PacketProblem {
  /** The entry at fault, or the packet file's name when the zip itself cannot be read. */
  entry: string;
  problem: string;
}

export interface PacketSummary {
  formatVersion: number;
  scope: PacketScope;
  scopeText: string;
  exportedAt: string;
  exporter: { userId: string; name: string };
  asOf: string | null;
  engineVersion: string;
  runs: ManifestRun[];
  audit: { count: number; firstSeq: number | null; lastSeq: number | null; headHash: string };
  sourcesIncluded: boolean;
  notes: string[];
}

export type VerifyResult =
  | { ok: true; fingerprint: string; summary: PacketSummary; files: number }
  | { ok: false; problems: PacketProblem[]; fingerprint?: string; summary?: PacketSummary };

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function summarize(m: Manifest): PacketSummary {
  return {
    formatVersion: m.formatVersion,
    scope: m.scope,
    scopeText: m.scopeText,
    exportedAt: m.exportedAt,
    exporter: m.exporter,
    asOf: m.asOf,
    engineVersion: m.engineVersion,
    runs: m.runs,
    audit: { count: m.audit.count, firstSeq: m.audit.firstSeq, lastSeq: m.audit.lastSeq, headHash: m.audit.headHash },
    sourcesIncluded: m.sources.included,
    notes: m.notes,
  };
}

function parseJson(bytes: Buffer): unknown {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
}

/** The audit entry's lines as chained events; a line that is not one stops the read with its line number. */
export async function readAuditEvents(zip: ZipReader, name: string): Promise<{ events: ChainedEvent[]; badLine?: number }> {
  const events: ChainedEvent[] = [];
  let n = 0;
  for await (const line of zip.lines(name)) {
    n++;
    try {
      const e = JSON.parse(line) as ChainedEvent;
      if (typeof e !== 'object' || e === null || typeof e.seq !== 'number' || typeof e.hash !== 'string' || typeof e.prevHash !== 'string') throw new Error('not an event');
      events.push(e);
    } catch {
      return { events, badLine: n };
    }
  }
  return { events };
}

/** SHA-256 and size of an entry, read in chunks: entries of a large run are too big to hold. */
async function entryDigest(zip: ZipReader, name: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of zip.chunks(name)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Checks an opened packet. Never throws for a bad packet: every fault becomes a problem. */
export async function verifyZip(zip: ZipReader): Promise<{ result: VerifyResult; manifest: Manifest | null }> {
  const problems: PacketProblem[] = [];
  /** Entries whose bytes could not be read (corrupt): already reported, not read again. */
  const unreadableEntries = new Set<string>();
  const cache = new Map<string, Buffer | null>();
  /** A small entry (manifest, signer, signature) whole. */
  const read = (name: string): Buffer | null => {
    if (cache.has(name)) return cache.get(name)!;
    let data: Buffer | null = null;
    if (!zip.has(name)) problems.push({ entry: name, problem: 'missing from the packet' });
    else {
      try {
        data = zip.read(name);
      } catch (err) {
        problems.push({ entry: name, problem: TieoutError.from(err).message });
      }
    }
    cache.set(name, data);
    return data;
  };

  // ---- manifest
  const manifestBytes = read(ENTRY.manifest);
  let manifest: Manifest | null = null;
  if (manifestBytes) {
    try {
      const parsed = Manifest.safeParse(parseJson(manifestBytes));
      if (parsed.success) manifest = parsed.data;
      else problems.push({ entry: ENTRY.manifest, problem: TieoutError.fromZod(parsed.error, 'file_unreadable', 'manifest').message });
    } catch (err) {
      problems.push({ entry: ENTRY.manifest, problem: `not valid JSON: ${(err as Error).message}` });
    }
  }

  // ---- signer and signature
  let fingerprint: string | undefined;
  let publicKey: ReturnType<typeof publicKeyFromPem> | undefined;
  const signerBytes = read(ENTRY.signer);
  if (signerBytes) {
    try {
      const signer = SignerFile.parse(parseJson(signerBytes));
      publicKey = publicKeyFromPem(signer.publicKeyPem);
      fingerprint = keyFingerprint(publicKey);
      if (signer.fingerprint !== fingerprint) problems.push({ entry: ENTRY.signer, problem: `the stated fingerprint ${signer.fingerprint} is not the key's (${fingerprint})` });
    } catch (err) {
      problems.push({ entry: ENTRY.signer, problem: `not a readable signer file: ${TieoutError.from(err).message}` });
    }
  }
  const sigBytes = read(ENTRY.signature);
  if (sigBytes && manifestBytes) {
    let sig: SignatureFile | undefined;
    try {
      sig = SignatureFile.parse(parseJson(sigBytes));
    } catch (err) {
      problems.push({ entry: ENTRY.signature, problem: `not a readable signature file: ${TieoutError.from(err).message}` });
    }
    if (sig && publicKey) {
      // The hash beside the signature tells which of the two files changed.
      const good = verifySignature(manifestBytes, sig.signature, publicKey);
      const sameHash = sig.manifestSha256 === sha256(manifestBytes);
      if (!good && !sameHash) problems.push({ entry: ENTRY.manifest, problem: 'changed after it was signed: its SHA-256 is not the one manifest.sig signs' });
      else if (!good) problems.push({ entry: ENTRY.signature, problem: 'bad signature: it does not verify over manifest.json with the public key in signer.json' });
      else if (!sameHash) problems.push({ entry: ENTRY.signature, problem: 'its manifestSha256 was altered (the signature itself verifies)' });
    }
    if (sig && fingerprint && sig.fingerprint !== fingerprint) problems.push({ entry: ENTRY.signature, problem: `names signer ${sig.fingerprint}, but signer.json holds ${fingerprint}` });
  }
  if (manifest && fingerprint && manifest.signer.fingerprint !== fingerprint) {
    problems.push({ entry: ENTRY.manifest, problem: `names signer ${manifest.signer.fingerprint}, but signer.json holds ${fingerprint}` });
  }

  // ---- every file against the manifest, and nothing unlisted
  if (manifest) {
    const listed = new Set<string>();
    for (const f of manifest.files) {
      if (listed.has(f.path)) problems.push({ entry: ENTRY.manifest, problem: `lists "${f.path}" twice` });
      listed.add(f.path);
      if (UNLISTED.has(f.path)) continue;
      if (!zip.has(f.path)) {
        problems.push({ entry: f.path, problem: 'missing from the packet' });
        continue;
      }
      let digest: { sha256: string; size: number };
      try {
        digest = await entryDigest(zip, f.path);
      } catch (err) {
        problems.push({ entry: f.path, problem: TieoutError.from(err).message });
        unreadableEntries.add(f.path);
        continue;
      }
      if (digest.size !== f.size) problems.push({ entry: f.path, problem: `size differs from the manifest: ${digest.size} bytes, expected ${f.size}` });
      else if (digest.sha256 !== f.sha256) problems.push({ entry: f.path, problem: `SHA-256 differs from the manifest: ${digest.sha256}, expected ${f.sha256}` });
    }
    for (const e of zip.entries) {
      if (!listed.has(e.name) && !UNLISTED.has(e.name)) problems.push({ entry: e.name, problem: 'present in the packet but not listed in the manifest' });
    }
    if (!listed.has(ENTRY.signer)) problems.push({ entry: ENTRY.manifest, problem: 'does not list signer.json' });

    // ---- the audit chain, recomputed from its anchor
    const auditFile = manifest.audit.file;
    if (!listed.has(auditFile)) problems.push({ entry: ENTRY.manifest, problem: `does not list the audit file ${auditFile}` });
    if (listed.has(auditFile) && zip.has(auditFile) && !unreadableEntries.has(auditFile)) {
      const { events, badLine } = await readAuditEvents(zip, auditFile);
      if (badLine !== undefined) {
        const after = events.at(-1)?.seq;
        problems.push({ entry: manifest.audit.file, problem: `line ${badLine} is not an audit event${after !== undefined ? ` (after sequence ${after})` : ''}` });
      } else {
        const check = verifyChain(events, manifest.audit.anchorHash);
        if (!check.ok) problems.push({ entry: manifest.audit.file, problem: `audit chain broken at sequence ${check.brokenAt}: ${check.reason}` });
        else {
          if (check.headHash !== manifest.audit.headHash) problems.push({ entry: manifest.audit.file, problem: `ends at head ${check.headHash}, but the manifest says ${manifest.audit.headHash}` });
          if (check.count !== manifest.audit.count) problems.push({ entry: manifest.audit.file, problem: `holds ${check.count} events, but the manifest says ${manifest.audit.count}` });
          if ((events[0]?.seq ?? null) !== manifest.audit.firstSeq || (events.at(-1)?.seq ?? null) !== manifest.audit.lastSeq) {
            problems.push({ entry: manifest.audit.file, problem: `covers sequence ${events[0]?.seq ?? '-'} to ${events.at(-1)?.seq ?? '-'}, but the manifest says ${manifest.audit.firstSeq ?? '-'} to ${manifest.audit.lastSeq ?? '-'}` });
          }
        }
      }
    }
  }

  const summary = manifest ? summarize(manifest) : undefined;
  if (problems.length === 0 && manifest && fingerprint) return { result: { ok: true, fingerprint, summary: summary!, files: zip.entries.length }, manifest };
  return {
    result: { ok: false, problems, ...(fingerprint !== undefined && { fingerprint }), ...(summary !== undefined && { summary }) },
    manifest,
  };
}

/** Verifies the packet at `path`. A file that is not a readable zip is one problem naming it. */
export async function verifyPacket(path: string): Promise<VerifyResult> {
  let zip: ZipReader;
  try {
    zip = readZipFile(path);
  } catch (err) {
    const e = TieoutError.from(err);
    const entry = typeof e.details?.path === 'string' ? e.details.path : basename(path);
    return { ok: false, problems: [{ entry, problem: e.message }] };
  }
  return (await verifyZip(zip)).result;
}
