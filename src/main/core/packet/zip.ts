/**
 * A small ZIP writer and a defensive reader for audit packets (no zip library is installed).
 *
 * Writer: deterministic. Entries sorted by name, fixed 1980-01-01 timestamps, fixed deflate level,
 * no extra fields, UTF-8 names. Same entries in → same bytes out (for one zlib build).
 *
 * Reader: a packet comes from outside, so nothing in it is trusted. Names that could escape a
 * folder are refused (zip slip); entry count and total size are capped from the central
 * directory AND enforced while inflating (a bomb's declared sizes lie); overlapping entries,
 * encrypted entries, ZIP64 and unknown methods are refused; every failure is a `file_unreadable`
 * error naming the entry.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { TieoutError } from '../../../shared/error.js';

export interface ZipLimits {
  /** Most entries a zip may hold. */
  maxEntries: number;
  /** Most bytes all entries may inflate to, together. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 10_000, maxTotalBytes: 512 * 1024 * 1024 };

/** Fixed so the same content always compresses to the same bytes. */
const DEFLATE_LEVEL = 6;
/** MS-DOS date of 1980-01-01 (the earliest a zip can say) and time 00:00:00. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
/** General-purpose flag bit 11: names are UTF-8. */
const FLAG_UTF8 = 0x0800;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const LOCAL_LEN = 30;
const CENTRAL_LEN = 46;
const EOCD_LEN = 22;

// ---------------------------------------------------------------- CRC-32 (IEEE 802.3)

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------- names

/**
 * Why a name is unsafe to hold in a packet, or null when it is fine. Only plain relative paths
 * with forward slashes: no absolute paths, drive letters, backslashes, `.`/`..` or empty segments.
 */
export function unsafeEntryName(name: string): string | null {
  if (name.length === 0) return 'empty name';
  if (name.length > 1024) return 'name longer than 1024 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control character in name';
  if (name.includes('\\')) return 'backslash in name';
  if (name.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'drive letter in name';
  const segments = name.endsWith('/') ? name.slice(0, -1).split('/') : name.split('/');
  for (const s of segments) {
    if (s === '..') return '".." segment (path traversal)';
    if (s === '.' || s === '') return 'empty or "." segment';
  }
  return null;
}

function unreadable(message: string, file: string | undefined, entry?: string): TieoutError {
  return new TieoutError('file_unreadable', message, { ...(file !== undefined && { file }), ...(entry !== undefined && { path: entry }) });
}

// ---------------------------------------------------------------- writer

export interface ZipInput {
  name: string;
  data: Uint8Array | string;
}

/** One zip in memory. Throws on an unsafe or repeated name. */
export function writeZip(inputs: readonly ZipInput[]): Buffer {
  const entries = inputs.map((e) => {
    const problem = unsafeEntryName(e.name);
    if (problem) throw new TieoutError('bad_input', `Cannot write zip entry "${e.name}": ${problem}`, { path: e.name });
    const name = Buffer.from(e.name, 'utf8');
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    return { label: e.name, name, data };
  });
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.name.equals(entries[i - 1]!.name)) throw new TieoutError('bad_input', `Zip entry "${entries[i]!.label}" given twice`, { path: entries[i]!.label });
  }
  if (entries.length > 0xffff) throw new TieoutError('bad_input', 'More than 65,535 zip entries (ZIP64 is not written)');

  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const crc = crc32(e.data);
    const deflated = deflateRawSync(e.data, { level: DEFLATE_LEVEL });
    // Store when deflate does not help; the choice depends only on the content.
    const stored = deflated.length >= e.data.length;
    const body = stored ? e.data : deflated;
    if (e.data.length > 0xfffffffe || offset > 0xfffffffe) throw new TieoutError('bad_input', `Zip entry "${e.label}" is too large (ZIP64 is not written)`);
    const local = Buffer.alloc(LOCAL_LEN);
    local.writeUInt32LE(SIG_LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(e.name.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(CENTRAL_LEN);
    cd.writeUInt32LE(SIG_CENTRAL, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(FLAG_UTF8, 8);
    cd.writeUInt16LE(stored ? 0 : 8, 10);
    cd.writeUInt16LE(DOS_TIME, 12);
    cd.writeUInt16LE(DOS_DATE, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(e.data.length, 24);
    cd.writeUInt16LE(e.name.length, 28);
    // extra, comment, disk, internal and external attributes: all 0.
    cd.writeUInt32LE(offset, 42);
    parts.push(local, e.name, body);
    central.push(cd, e.name);
    offset += LOCAL_LEN + e.name.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  const eocd = Buffer.alloc(EOCD_LEN);
  eocd.writeUInt32LE(SIG_EOCD, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, eocd]);
}

// ---------------------------------------------------------------- reader

export interface ZipEntry {
  name: string;
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Offset of the local header. */
  offset: number;
  /** Where the entry's (compressed) bytes start and end in the file. */
  dataStart: number;
  dataEnd: number;
}

export interface ZipReader {
  /** The file name used in error messages. */
  readonly file: string | undefined;
  /** In central-directory order; directory entries ("x/") are left out. */
  readonly entries: readonly ZipEntry[];
  has(name: string): boolean;
  /** The entry's bytes, checked against its declared size and CRC. Throws `file_unreadable` naming it. */
  read(name: string): Buffer;
  /** Bytes inflated so far by this reader (capped at the total limit). */
  inflatedBytes(): number;
}

export interface OpenZipOptions {
  limits?: Partial<ZipLimits>;
  /** Named in errors. */
  file?: string;
}

function findEocd(buf: Buffer, file: string | undefined): number {
  const lowest = Math.max(0, buf.length - EOCD_LEN - 0xffff);
  for (let p = buf.length - EOCD_LEN; p >= lowest; p--) {
    // The comment must run exactly to the end, so a signature inside a comment is not taken.
    if (buf.readUInt32LE(p) === SIG_EOCD && p + EOCD_LEN + buf.readUInt16LE(p + 20) === buf.length) return p;
  }
  throw unreadable(`${file ?? 'The file'} is not a readable packet: no zip end record (truncated or not a zip)`, file);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Parses and checks the whole directory up front; entry bytes are inflated on `read`. */
export function openZip(buf: Buffer, opts: OpenZipOptions = {}): ZipReader {
  const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };
  const file = opts.file;
  if (buf.length < EOCD_LEN) throw unreadable(`${file ?? 'The file'} is not a readable packet: too short to be a zip (${buf.length} bytes)`, file);
  const eocd = findEocd(buf, file);
  const disk = buf.readUInt16LE(eocd + 4);
  const cdDisk = buf.readUInt16LE(eocd + 6);
  const onDisk = buf.readUInt16LE(eocd + 8);
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) throw unreadable('Multi-part zips are not supported', file);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw unreadable('ZIP64 packets are not supported', file);
  if (count > limits.maxEntries) throw unreadable(`The packet holds ${count} entries; at most ${limits.maxEntries} are allowed`, file);
  if (cdOffset + cdSize > eocd) throw unreadable('Bad zip end record: the central directory lies outside the file (truncated?)', file);

  const entries: ZipEntry[] = [];
  const byName = new Map<string, ZipEntry>();
  let declaredTotal = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_LEN > cdOffset + cdSize || buf.readUInt32LE(p) !== SIG_CENTRAL) throw unreadable(`Bad central directory at entry ${i + 1} (truncated or corrupt)`, file);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    const next = p + CENTRAL_LEN + nameLen + extraLen + commentLen;
    if (next > cdOffset + cdSize) throw unreadable(`Bad central directory at entry ${i + 1} (truncated or corrupt)`, file);
    let name: string;
    try {
      name = UTF8.decode(buf.subarray(p + CENTRAL_LEN, p + CENTRAL_LEN + nameLen));
    } catch {
      throw unreadable(`Entry ${i + 1} has a name that is not UTF-8`, file);
    }
    p = next;
    const problem = unsafeEntryName(name);
    if (problem) throw unreadable(`Refused entry "${name}": ${problem}`, file, name);
    if (byName.has(name)) throw unreadable(`Entry "${name}" appears twice`, file, name);
    if (flags & FLAG_ENCRYPTED) throw unreadable(`Entry "${name}" is encrypted`, file, name);
    if (method !== 0 && method !== 8) throw unreadable(`Entry "${name}" uses compression method ${method}; only stored and deflate are read`, file, name);
    if (compressedSize === 0xffffffff || size === 0xffffffff || offset === 0xffffffff) throw unreadable(`Entry "${name}" needs ZIP64, which is not supported`, file, name);
    if (method === 0 && compressedSize !== size) throw unreadable(`Entry "${name}": stored entry with differing sizes`, file, name);
    declaredTotal += size;
    if (declaredTotal > limits.maxTotalBytes) {
      throw unreadable(`The packet declares more than ${limits.maxTotalBytes} bytes of content (at "${name}"); refused`, file, name);
    }
    // The local header must agree with the central directory.
    if (offset + LOCAL_LEN > cdOffset || buf.readUInt32LE(offset) !== SIG_LOCAL) throw unreadable(`Entry "${name}": bad local header (corrupt or truncated)`, file, name);
    const localNameLen = buf.readUInt16LE(offset + 26);
    const localExtraLen = buf.readUInt16LE(offset + 28);
    const localFlags = buf.readUInt16LE(offset + 6);
    if (localNameLen !== nameLen || !buf.subarray(offset + LOCAL_LEN, offset + LOCAL_LEN + nameLen).equals(Buffer.from(name, 'utf8'))) {
      throw unreadable(`Entry "${name}": local header names another file`, file, name);
    }
    if (buf.readUInt16LE(offset + 8) !== method) throw unreadable(`Entry "${name}": local header disagrees on the method`, file, name);
    if (!(localFlags & FLAG_DESCRIPTOR) && (buf.readUInt32LE(offset + 14) !== crc || buf.readUInt32LE(offset + 18) !== compressedSize || buf.readUInt32LE(offset + 22) !== size)) {
      throw unreadable(`Entry "${name}": local header disagrees on CRC or sizes`, file, name);
    }
    const dataStart = offset + LOCAL_LEN + localNameLen + localExtraLen;
    const dataEnd = dataStart + compressedSize;
    if (dataEnd > cdOffset) throw unreadable(`Entry "${name}": data runs past the end (truncated?)`, file, name);
    if (name.endsWith('/')) {
      if (size !== 0) throw unreadable(`Directory entry "${name}" has content`, file, name);
      byName.set(name, { name, method: method as 0 | 8, crc32: crc, compressedSize, size, offset, dataStart, dataEnd });
      continue;
    }
    const entry: ZipEntry = { name, method: method as 0 | 8, crc32: crc, compressedSize, size, offset, dataStart, dataEnd };
    entries.push(entry);
    byName.set(name, entry);
  }
  // Entries sharing bytes are how small files expand into huge ones; a packet never needs that.
  const spans = [...byName.values()].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]!.offset < spans[i - 1]!.dataEnd) throw unreadable(`Entries "${spans[i - 1]!.name}" and "${spans[i]!.name}" overlap`, file, spans[i]!.name);
  }

  let inflated = 0;
  return {
    file,
    entries,
    has: (name) => byName.has(name) && !name.endsWith('/'),
    inflatedBytes: () => inflated,
    read(name) {
      const e = byName.get(name);
      if (!e || name.endsWith('/')) throw new TieoutError('not_found', `The packet has no entry "${name}"`, { ...(file !== undefined && { file }), path: name });
      const raw = buf.subarray(e.dataStart, e.dataEnd);
      let data: Buffer;
      if (e.method === 0) data = Buffer.from(raw);
      else {
        // Never inflate past the declared size, nor past what the whole packet may hold.
        const budget = Math.min(e.size, limits.maxTotalBytes - inflated);
        try {
          data = inflateRawSync(raw, { maxOutputLength: Math.max(1, budget + 1) });
        } catch (err) {
          const tooBig = err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
          throw unreadable(
            tooBig ? `Entry "${name}" inflates to more than its declared ${e.size} bytes (a zip bomb?)` : `Entry "${name}" is corrupt: ${(err as Error).message}`,
            file,
            name,
          );
        }
      }
      if (data.length !== e.size) throw unreadable(`Entry "${name}" has ${data.length} bytes where ${e.size} were declared`, file, name);
      inflated += data.length;
      if (inflated > limits.maxTotalBytes) throw unreadable(`The packet inflates to more than ${limits.maxTotalBytes} bytes; refused`, file, name);
      if (crc32(data) !== e.crc32) throw unreadable(`Entry "${name}" is corrupt: CRC-32 does not match`, file, name);
      return data;
    },
  };
}

/** Opens a zip file, refusing files larger than the content limit before reading them. */
export function readZipFile(path: string, opts: OpenZipOptions = {}): ZipReader {
  const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };
  const file = opts.file ?? path;
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw unreadable(`${path} is not a file`, file);
    size = st.size;
  } catch (err) {
    if (err instanceof TieoutError) throw err;
    throw new TieoutError('not_found', `No file at ${path}`, { file });
  }
  if (size > limits.maxTotalBytes) throw unreadable(`${path} is ${size} bytes; packets over ${limits.maxTotalBytes} bytes are refused`, file);
  return openZip(readFileSync(path), { ...opts, limits, file });
}

/**
 * Writes every entry into a fresh temporary folder (never anywhere else) and returns its path.
 * Names were checked when the zip was opened; each target is checked again to stay inside.
 */
export function extractToTemp(zip: ZipReader, prefix = 'tieout-packet-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const e of zip.entries) {
    const target = resolve(root, e.name);
    if (!target.startsWith(root + sep)) throw unreadable(`Refused entry "${e.name}": it would land outside the folder`, zip.file, e.name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, zip.read(e.name), { flag: 'wx', mode: 0o644 });
  }
  return root;
}
