import { homedir } from 'node:os';
/**
 * The exporter's Ed25519 signing key. It lives in the user's profile folder (never in a
 * workspace, which gets copied around), is created on first use, and its private half is
 * readable by the owner only.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { TieoutError } from '../../../shared/error.js';

export const PRIVATE_KEY_FILE = 'packet-signing-ed25519.pem';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** First 32 hex digits of SHA-256 of the raw 32-byte public key, in groups of 4. */
  fingerprint: string;
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TieoutError('bad_input', 'The signer key is not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function keyFingerprint(publicKey: KeyObject): string {
  const hex = createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 32);
  return hex.match(/.{4}/g)!.join(' ');
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: keyFingerprint(publicKey) };
}

/** The key pair in `keyDir`, created (0600, in a 0700 folder) when there is none yet. */
export function loadOrCreateSigningKey(keyDir: string): SigningKey {
  const path = join(keyDir, PRIVATE_KEY_FILE);
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new TieoutError('file_unreadable', `Cannot read the signing key ${path}: ${(err as Error).message}`, { file: path });
    const { privateKey } = generateKeyPairSync('ed25519');
    const text = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      // 'wx': two first exports racing must not overwrite each other's key.
      writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
      chmodSync(path, 0o600);
      return fromPrivate(privateKey);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      pem = readFileSync(path, 'utf8');
    }
  }
  // Like ssh: a private key others can read is no longer private.
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    throw new TieoutError('forbidden', `The signing key ${path} is readable by other users; run chmod 600 on it`, { file: path });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new TieoutError('file_unreadable', `The signing key ${path} is not a readable private key: ${(err as Error).message}`, { file: path });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new TieoutError('file_unreadable', `The signing key ${path} is not an Ed25519 key`, { file: path });
  return fromPrivate(key);
}

// ---------------------------------------------------------------- signer.json and manifest.sig

export const SignerFile = z.object({
  algorithm: z.literal('Ed25519'),
  publicKeyPem: z.string().min(1),
  fingerprint: z.string(),
});
export type SignerFile = z.infer<typeof SignerFile>;

/**
 * manifest.sig: the signature over the exact bytes of manifest.json, with the manifest's hash
 * next to it so a failure can say whether the manifest or the signature was altered.
 */
export const SignatureFile = z.object({
  algorithm: z.literal('Ed25519'),
  signs: z.literal('manifest.json'),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
  signature: z.string().min(1),
  fingerprint: z.string(),
});
export type SignatureFile = z.infer<typeof SignatureFile>;

export function signerJson(key: SigningKey): string {
  const s: SignerFile = { algorithm: 'Ed25519', publicKeyPem: key.publicKeyPem, fingerprint: key.fingerprint };
  return JSON.stringify(s, null, 2) + '\n';
}

export function signManifest(manifestBytes: Uint8Array, key: SigningKey): string {
  const s: SignatureFile = {
    algorithm: 'Ed25519',
    signs: 'manifest.json',
    manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    signature: sign(null, manifestBytes, key.privateKey).toString('base64'),
    fingerprint: key.fingerprint,
  };
  return JSON.stringify(s, null, 2) + '\n';
}

export function publicKeyFromPem(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new TieoutError('bad_input', 'The public key is not an Ed25519 key');
  return key;
}

export function verifySignature(manifestBytes: Uint8Array, signatureB64: string, publicKey: KeyObject): boolean {
  const sig = Buffer.from(signatureB64, 'base64');
  if (sig.length !== 64) return false;
  try {
    return verify(null, manifestBytes, publicKey, sig);
  } catch {
    return false;
  }
}

/** Where the user's signing key lives: $TIEOUT_HOME/keys, else ~/.tieout/keys (the profile, never a workspace). */
export function packetKeyDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['TIEOUT_HOME'];
  return home ? join(resolve(home), 'keys') : join(homedir(), '.tieout', 'keys');
}
