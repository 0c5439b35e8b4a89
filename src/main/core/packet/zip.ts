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
import { once } from 'node:events';
import { closeSync, createReadStream, createWriteStream, ftruncateSync, mkdirSync, mkdtempSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { crc32 as zlibCrc32, createDeflateRaw, createInflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { TieoutError } from '../../../shared/error.js';
import { NO_JOB, throwIfCancelled, type JobContext } from '../jobs/job-context.js';

export interface ZipLimits {
  /** Most entries a zip may hold. */
  maxEntries: number;
  /** Most bytes all entries may inflate to, together. */
  maxTotalBytes: number;
}

/**
 * A packet of a month with a million lines a side holds about 1.5 GB of text. Entries are read in
 * chunks, so the total cap guards the disk an extraction fills, not memory.
 */
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 10_000, maxTotalBytes: 16 * 1024 * 1024 * 1024 };

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
/** Bytes read from an entry file at a time. */
const CHUNK = 1024 * 1024;

// ---------------------------------------------------------------- CRC-32 (IEEE 802.3)

/** zlib's (Node >= 20.15), in C, and able to continue over chunks. */
export function crc32(data: Uint8Array): number {
  return zlibCrc32(data);
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

interface HeaderFields {
  name: Buffer;
  stored: boolean;
  crc: number;
  compressedSize: number;
  size: number;
}

/**
 * The fields both headers share, in the same order: version needed, flags, method, time, date,
 * CRC, sizes, name length. A local header has them from byte 4, a central one from byte 6.
 */
function writeSharedFields(buf: Buffer, at: number, e: HeaderFields): void {
  buf.writeUInt16LE(20, at);
  buf.writeUInt16LE(FLAG_UTF8, at + 2);
  buf.writeUInt16LE(e.stored ? 0 : 8, at + 4);
  buf.writeUInt16LE(DOS_TIME, at + 6);
  buf.writeUInt16LE(DOS_DATE, at + 8);
  buf.writeUInt32LE(e.crc, at + 10);
  buf.writeUInt32LE(e.compressedSize, at + 14);
  buf.writeUInt32LE(e.size, at + 18);
  buf.writeUInt16LE(e.name.length, at + 22);
}

function localHeader(e: HeaderFields): Buffer {
  const local = Buffer.alloc(LOCAL_LEN);
  local.writeUInt32LE(SIG_LOCAL, 0);
  writeSharedFields(local, 4, e);
  return local;
}

function centralHeader(e: HeaderFields, offset: number): Buffer {
  const cd = Buffer.alloc(CENTRAL_LEN);
  cd.writeUInt32LE(SIG_CENTRAL, 0);
  cd.writeUInt16LE(20, 4); // version made by
  writeSharedFields(cd, 6, e);
  // extra, comment, disk, internal and external attributes: all 0.
  cd.writeUInt32LE(offset, 42);
  return cd;
}

function endRecord(count: number, cdSize: number, cdOffset: number): Buffer {
  const eocd = Buffer.alloc(EOCD_LEN);
  eocd.writeUInt32LE(SIG_EOCD, 0);
  eocd.writeUInt16LE(count, 8);
  eocd.writeUInt16LE(count, 10);
  eocd.writeUInt32LE(cdSize, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return eocd;
}

/** Checked, UTF-8 names in the order entries are written (by name, so input order does not matter). */
function sortedNames<T extends { name: string }>(inputs: readonly T[]): (T & { label: string; nameBytes: Buffer })[] {
  const entries = inputs.map((e) => {
    const problem = unsafeEntryName(e.name);
    if (problem) throw new TieoutError('bad_input', `Cannot write zip entry "${e.name}": ${problem}`, { path: e.name });
    return { ...e, label: e.name, nameBytes: Buffer.from(e.name, 'utf8') };
  });
  entries.sort((a, b) => Buffer.compare(a.nameBytes, b.nameBytes));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.nameBytes.equals(entries[i - 1]!.nameBytes)) throw new TieoutError('bad_input', `Zip entry "${entries[i]!.label}" given twice`, { path: entries[i]!.label });
  }
  if (entries.length > 0xffff) throw new TieoutError('bad_input', 'More than 65,535 zip entries (ZIP64 is not written)');
  return entries;
}

function tooLarge(label: string): TieoutError {
  return new TieoutError('bad_input', `Zip entry "${label}" is too large, or the zip passes 4 GB (ZIP64 is not written)`, { path: label });
}

/** One zip in memory. Throws on an unsafe or repeated name. */
export function writeZip(inputs: readonly ZipInput[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of sortedNames(inputs)) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    const crc = crc32(data);
    const deflated = deflateRawSync(data, { level: DEFLATE_LEVEL });
    // Store when deflate does not help; the choice depends only on the content.
    const stored = deflated.length >= data.length;
    const body = stored ? data : deflated;
    if (data.length > 0xfffffffe || offset > 0xfffffffe) throw tooLarge(e.label);
    const fields = { name: e.nameBytes, stored, crc, compressedSize: body.length, size: data.length };
    parts.push(localHeader(fields), e.nameBytes, body);
    central.push(centralHeader(fields, offset), e.nameBytes);
    offset += LOCAL_LEN + e.nameBytes.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  return Buffer.concat([...parts, cdBuf, endRecord(central.length / 2, cdBuf.length, offset)]);
}

export interface ZipFileInput {
  name: string;
  /** A file holding the entry's bytes; it is read in chunks, never whole. */
  path: string;
}

/** writeSync at a position, until every byte is written. */
function writeAt(fd: number, bytes: Buffer, position: number): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/**
 * Writes a zip to `out` from files, streaming each through deflate: the same bytes writeZip gives
 * for the same contents, without holding any entry in memory. Each local header is written
 * first as a placeholder and filled in once the entry's CRC and sizes are known.
 */
export async function writeZipFile(out: string, inputs: readonly ZipFileInput[], ctx: JobContext = NO_JOB): Promise<void> {
  const entries = sortedNames(inputs);
  const fd = openSync(out, 'w', 0o644);
  try {
    const central: Buffer[] = [];
    let offset = 0;
    for (const e of entries) {
      ctx.progress({ phase: `compressing ${e.name}`, done: central.length / 2, total: entries.length, unit: 'steps' });
      const headerAt = offset;
      const dataAt = headerAt + LOCAL_LEN + e.nameBytes.length;
      writeAt(fd, Buffer.alloc(LOCAL_LEN), headerAt);
      writeAt(fd, e.nameBytes, headerAt + LOCAL_LEN);
      let crc = 0;
      let size = 0;
      let compressedSize = 0;
      const deflate = createDeflateRaw({ level: DEFLATE_LEVEL });
      deflate.on('data', (chunk: Buffer) => {
        try {
          writeAt(fd, chunk, dataAt + compressedSize);
          compressedSize += chunk.length;
        } catch (err) {
          // A full disk: fail the stream, so the await below throws instead of the process.
          deflate.destroy(err as Error);
        }
      });
      const done = finished(deflate);
      // Awaited below; this only keeps an early exit (cancel) from leaving it unhandled.
      done.catch(() => undefined);
      for await (const chunk of createReadStream(e.path, { highWaterMark: CHUNK })) {
        const b = chunk as Buffer;
        crc = zlibCrc32(b, crc);
        size += b.length;
        if (!deflate.write(b)) await once(deflate, 'drain');
        if (ctx.cancelled()) {
          deflate.destroy();
          throwIfCancelled(ctx);
        }
      }
      deflate.end();
      await done;
      // As writeZip: stored when deflate does not help.
      const stored = compressedSize >= size;
      if (stored) {
        let at = dataAt;
        for await (const chunk of createReadStream(e.path, { highWaterMark: CHUNK })) {
          const b = chunk as Buffer;
          writeAt(fd, b, at);
          at += b.length;
        }
      }
      const bodyLength = stored ? size : compressedSize;
      if (size > 0xfffffffe || dataAt + bodyLength > 0xfffffffe) throw tooLarge(e.label);
      const fields = { name: e.nameBytes, stored, crc, compressedSize: bodyLength, size };
      writeAt(fd, localHeader(fields), headerAt);
      central.push(centralHeader(fields, headerAt), e.nameBytes);
      offset = dataAt + bodyLength;
    }
    const cdBuf = Buffer.concat([...central, endRecord(central.length / 2, central.reduce((n, b) => n + b.length, 0), offset)]);
    writeAt(fd, cdBuf, offset);
    // A stored entry written over a longer deflated one leaves stale bytes past the end.
    ftruncateSync(fd, offset + cdBuf.length);
  } finally {
    closeSync(fd);
  }
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
  /** The entry's bytes in chunks, inflated as they are read, with the same checks as `read` (CRC at the end). */
  chunks(name: string): AsyncIterable<Buffer>;
  /** The entry's lines, without their line ends: how a large NDJSON or CSV entry is read. */
  lines(name: string): AsyncIterable<string>;
  /** Bytes inflated so far by this reader (capped at the total limit). */
  inflatedBytes(): number;
}

export interface OpenZipOptions {
  limits?: Partial<ZipLimits>;
  /** Named in errors. */
  file?: string;
}

/** Where a zip's bytes are: in memory, or in a file read a slice at a time (a packet can be larger than memory should hold). */
interface ZipBytes {
  readonly size: number;
  slice(start: number, end: number): Buffer;
  stream(start: number, end: number): Readable;
}

function bytesInMemory(buf: Buffer): ZipBytes {
  return { size: buf.length, slice: (start, end) => buf.subarray(start, end), stream: (start, end) => Readable.from([buf.subarray(start, end)]) };
}

function bytesInFile(path: string, size: number): ZipBytes {
  return {
    size,
    slice(start, end) {
      const out = Buffer.allocUnsafe(Math.max(0, end - start));
      const fd = openSync(path, 'r');
      try {
        let got = 0;
        while (got < out.length) {
          const n = readSync(fd, out, got, out.length - got, start + got);
          if (n === 0) break;
          got += n;
        }
        return out.subarray(0, got);
      } finally {
        closeSync(fd);
      }
    },
    stream: (start, end) => (end > start ? createReadStream(path, { start, end: end - 1, highWaterMark: CHUNK }) : Readable.from([])),
  };
}

function findEocd(tail: Buffer, file: string | undefined): number {
  for (let p = tail.length - EOCD_LEN; p >= 0; p--) {
    // The comment must run exactly to the end, so a signature inside a comment is not taken.
    if (tail.readUInt32LE(p) === SIG_EOCD && p + EOCD_LEN + tail.readUInt16LE(p + 20) === tail.length) return p;
  }
  throw unreadable(`${file ?? 'The file'} is not a readable packet: no zip end record (truncated or not a zip)`, file);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NEWLINE = 0x0a;

/** Parses and checks the whole directory up front; entry bytes are inflated on `read`. */
export function openZip(buf: Buffer, opts: OpenZipOptions = {}): ZipReader {
  return openZipBytes(bytesInMemory(buf), opts);
}

function openZipBytes(bytes: ZipBytes, opts: OpenZipOptions): ZipReader {
  const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };
  const file = opts.file;
  if (bytes.size < EOCD_LEN) throw unreadable(`${file ?? 'The file'} is not a readable packet: too short to be a zip (${bytes.size} bytes)`, file);
  const tailStart = Math.max(0, bytes.size - EOCD_LEN - 0xffff);
  const tail = bytes.slice(tailStart, bytes.size);
  const at = findEocd(tail, file);
  const eocd = tailStart + at;
  const disk = tail.readUInt16LE(at + 4);
  const cdDisk = tail.readUInt16LE(at + 6);
  const onDisk = tail.readUInt16LE(at + 8);
  const count = tail.readUInt16LE(at + 10);
  const cdSize = tail.readUInt32LE(at + 12);
  const cdOffset = tail.readUInt32LE(at + 16);
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) throw unreadable('Multi-part zips are not supported', file);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw unreadable('ZIP64 packets are not supported', file);
  if (count > limits.maxEntries) throw unreadable(`The packet holds ${count} entries; at most ${limits.maxEntries} are allowed`, file);
  if (cdOffset + cdSize > eocd) throw unreadable('Bad zip end record: the central directory lies outside the file (truncated?)', file);

  const cd = bytes.slice(cdOffset, cdOffset + cdSize);
  const entries: ZipEntry[] = [];
  const byName = new Map<string, ZipEntry>();
  let declaredTotal = 0;
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_LEN > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw unreadable(`Bad central directory at entry ${i + 1} (truncated or corrupt)`, file);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    const compressedSize = cd.readUInt32LE(p + 20);
    const size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const offset = cd.readUInt32LE(p + 42);
    const next = p + CENTRAL_LEN + nameLen + extraLen + commentLen;
    if (next > cd.length) throw unreadable(`Bad central directory at entry ${i + 1} (truncated or corrupt)`, file);
    let name: string;
    try {
      name = UTF8.decode(cd.subarray(p + CENTRAL_LEN, p + CENTRAL_LEN + nameLen));
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
    if (offset + LOCAL_LEN > cdOffset) throw unreadable(`Entry "${name}": bad local header (corrupt or truncated)`, file, name);
    const local = bytes.slice(offset, Math.min(cdOffset, offset + LOCAL_LEN + nameLen));
    if (local.readUInt32LE(0) !== SIG_LOCAL) throw unreadable(`Entry "${name}": bad local header (corrupt or truncated)`, file, name);
    const localNameLen = local.readUInt16LE(26);
    const localExtraLen = local.readUInt16LE(28);
    const localFlags = local.readUInt16LE(6);
    if (localNameLen !== nameLen || !local.subarray(LOCAL_LEN, LOCAL_LEN + nameLen).equals(Buffer.from(name, 'utf8'))) {
      throw unreadable(`Entry "${name}": local header names another file`, file, name);
    }
    if (local.readUInt16LE(8) !== method) throw unreadable(`Entry "${name}": local header disagrees on the method`, file, name);
    if (!(localFlags & FLAG_DESCRIPTOR) && (local.readUInt32LE(14) !== crc || local.readUInt32LE(18) !== compressedSize || local.readUInt32LE(22) !== size)) {
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
  const entryNamed = (name: string): ZipEntry => {
    const e = byName.get(name);
    if (!e || name.endsWith('/')) throw new TieoutError('not_found', `The packet has no entry "${name}"`, { ...(file !== undefined && { file }), path: name });
    return e;
  };
  const bomb = (e: ZipEntry) => unreadable(`Entry "${e.name}" inflates to more than its declared ${e.size} bytes (a zip bomb?)`, file, e.name);
  const countInflated = (e: ZipEntry, n: number) => {
    inflated += n;
    if (inflated > limits.maxTotalBytes) throw unreadable(`The packet inflates to more than ${limits.maxTotalBytes} bytes; refused`, file, e.name);
  };
  const badCrc = (e: ZipEntry) => unreadable(`Entry "${e.name}" is corrupt: CRC-32 does not match`, file, e.name);

  async function* chunks(name: string): AsyncGenerator<Buffer> {
    const e = entryNamed(name);
    const input = bytes.stream(e.dataStart, e.dataEnd);
    const inflater = e.method === 8 ? createInflateRaw() : null;
    const source: Readable = inflater ? input.pipe(inflater) : input;
    if (inflater) input.on('error', (err) => inflater.destroy(err));
    let n = 0;
    let crc = 0;
    try {
      for await (const chunk of source) {
        const b = chunk as Buffer;
        n += b.length;
        // Never inflate past the declared size, nor past what the whole packet may hold.
        if (n > e.size) throw bomb(e);
        countInflated(e, b.length);
        crc = zlibCrc32(b, crc);
        yield b;
      }
    } catch (err) {
      if (err instanceof TieoutError) throw err;
      throw unreadable(`Entry "${name}" is corrupt: ${(err as Error).message}`, file, name);
    } finally {
      input.destroy();
      inflater?.destroy();
    }
    if (n !== e.size) throw unreadable(`Entry "${name}" has ${n} bytes where ${e.size} were declared`, file, name);
    if (crc !== e.crc32) throw badCrc(e);
  }

  return {
    file,
    entries,
    has: (name) => byName.has(name) && !name.endsWith('/'),
    inflatedBytes: () => inflated,
    read(name) {
      const e = entryNamed(name);
      const raw = bytes.slice(e.dataStart, e.dataEnd);
      let data: Buffer;
      if (e.method === 0) data = Buffer.from(raw);
      else {
        const budget = Math.min(e.size, limits.maxTotalBytes - inflated);
        try {
          data = inflateRawSync(raw, { maxOutputLength: Math.max(1, budget + 1) });
        } catch (err) {
          const tooBig = err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
          throw tooBig ? bomb(e) : unreadable(`Entry "${name}" is corrupt: ${(err as Error).message}`, file, name);
        }
      }
      if (data.length !== e.size) throw unreadable(`Entry "${name}" has ${data.length} bytes where ${e.size} were declared`, file, name);
      countInflated(e, data.length);
      if (crc32(data) !== e.crc32) throw badCrc(e);
      return data;
    },
    chunks,
    async *lines(name) {
      let rest: Buffer | null = null;
      for await (const chunk of chunks(name)) {
        const b: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
        let start = 0;
        for (let nl = b.indexOf(NEWLINE, start); nl >= 0; nl = b.indexOf(NEWLINE, start)) {
          yield b.toString('utf8', start, nl);
          start = nl + 1;
        }
        rest = start < b.length ? b.subarray(start) : null;
      }
      if (rest) yield rest.toString('utf8');
    },
  };
}

/** Opens a zip file, reading only its directory; entries are read from the file when asked for. */
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
  return openZipBytes(bytesInFile(path, size), { ...opts, limits, file });
}

/**
 * Writes every entry into a fresh temporary folder (never anywhere else) and returns its path.
 * Names were checked when the zip was opened; each target is checked again to stay inside.
 */
export async function extractToTemp(zip: ZipReader, prefix = 'tieout-packet-'): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const e of zip.entries) {
    const target = resolve(root, e.name);
    if (!target.startsWith(root + sep)) throw unreadable(`Refused entry "${e.name}": it would land outside the folder`, zip.file, e.name);
    mkdirSync(dirname(target), { recursive: true });
    await pipeline(Readable.from(zip.chunks(e.name)), createWriteStream(target, { flags: 'wx', mode: 0o644 }));
  }
  return root;
}
