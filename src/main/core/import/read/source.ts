/** Byte sources for the readers: a file on disk (read in chunks) or bytes already in memory. */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { TieoutError } from '../../../../shared/error.js';

export type Source = { path: string } | { bytes: Uint8Array; name: string };

export interface ResolvedSource {
  name: string;
  path: string | undefined;
  bytes: Uint8Array | undefined;
  size: number;
}

export const DEFAULT_CHUNK = 1 << 20;

export function sourceName(src: Source): string {
  return 'path' in src ? basename(src.path) : src.name;
}

export function location(src: ResolvedSource): { file: string; path?: string } {
  return src.path === undefined ? { file: src.name } : { file: src.name, path: src.path };
}

export function unreadable(src: { name: string; path?: string | undefined }, err: unknown): TieoutError {
  if (err instanceof TieoutError) return err;
  const code = (err as { code?: string } | null)?.code;
  const reason =
    code === 'ENOENT'
      ? 'the file does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a folder, not a file'
          : code === 'EBUSY'
            ? 'the file is locked by another program'
            : err instanceof Error
              ? err.message
              : String(err);
  const details = src.path === undefined ? { file: src.name } : { file: src.name, path: src.path };
  return new TieoutError('file_unreadable', `Cannot read ${src.name}: ${reason}`, details);
}

export async function resolveSource(src: Source): Promise<ResolvedSource> {
  if ('bytes' in src) return { name: src.name, path: undefined, bytes: src.bytes, size: src.bytes.length };
  const name = basename(src.path);
  try {
    const st = await stat(src.path);
    if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    return { name, path: src.path, bytes: undefined, size: st.size };
  } catch (err) {
    throw unreadable({ name, path: src.path }, err);
  }
}

/** The first `n` bytes. */
export async function readPrefix(src: ResolvedSource, n: number): Promise<Uint8Array> {
  if (src.bytes) return src.bytes.subarray(0, n);
  try {
    const fh = await open(src.path!, 'r');
    try {
      const buf = new Uint8Array(Math.min(n, src.size));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw unreadable(src, err);
  }
}

export function cancelled(src: ResolvedSource): TieoutError {
  return new TieoutError('cancelled', `Reading ${src.name} was cancelled`, location(src));
}

/**
 * The file's bytes in chunks. The yielded buffer is reused for the next chunk, so callers
 * must finish with it (decode it) before asking for more. `onRead` reports bytes consumed.
 */
export async function* byteChunks(
  src: ResolvedSource,
  chunkSize: number,
  signal: AbortSignal | undefined,
  onRead: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  if (src.bytes) {
    for (let off = 0; off < src.bytes.length; off += chunkSize) {
      if (signal?.aborted) throw cancelled(src);
      const chunk = src.bytes.subarray(off, Math.min(off + chunkSize, src.bytes.length));
      onRead(chunk.length);
      yield chunk;
    }
    return;
  }
  let fh;
  try {
    fh = await open(src.path!, 'r');
  } catch (err) {
    throw unreadable(src, err);
  }
  try {
    const buf = new Uint8Array(chunkSize);
    for (;;) {
      if (signal?.aborted) throw cancelled(src);
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, 0, chunkSize, null));
      } catch (err) {
        throw unreadable(src, err);
      }
      if (n === 0) return;
      onRead(n);
      yield buf.subarray(0, n);
    }
  } finally {
    await fh.close();
  }
}
