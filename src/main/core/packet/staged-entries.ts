/**
 * A packet's entries staged as files in a temporary folder while the workspace is read, each
 * hashed as it is written. A million-line run's inputs and tables are gigabytes of text: held
 * as strings they passed V8's ~512 MB string limit, and held at all they cost that much memory.
 * Staging also keeps the workspace reads synchronous; only zipping the files awaits.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TieoutError } from '../../../shared/error.js';
import type { ZipFileInput } from './zip.js';

/** Text is gathered up to this many characters before it goes to the file. */
const FLUSH_CHARS = 1 << 20;

export interface StagedFile {
  path: string;
  sha256: string;
  size: number;
}

/** One entry being written: append text or bytes, then `end` it. */
export interface EntryWriter {
  write(data: string | Uint8Array): void;
  end(): void;
}

export class StagedEntries {
  private readonly dir = mkdtempSync(join(tmpdir(), 'tieout-packet-stage-'));
  private readonly files = new Map<string, StagedFile & { file: string }>();
  private started = 0;
  /** Entries not yet ended: closed by `remove` when staging fails part-way. */
  private readonly open = new Set<number>();

  /** A new entry written piece by piece. */
  entry(name: string): EntryWriter {
    if (this.files.has(name)) throw new TieoutError('internal', `Packet entry ${name} staged twice`);
    const file = join(this.dir, String(this.started++));
    const fd = openSync(file, 'wx', 0o600);
    this.open.add(fd);
    const hash: Hash = createHash('sha256');
    let pending = '';
    let size = 0;
    const out = (bytes: Uint8Array) => {
      hash.update(bytes);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      size += bytes.length;
    };
    const flush = () => {
      if (pending === '') return;
      const bytes = Buffer.from(pending, 'utf8');
      pending = '';
      out(bytes);
    };
    return {
      write: (data) => {
        if (typeof data !== 'string') {
          flush();
          out(data);
          return;
        }
        pending += data;
        if (pending.length >= FLUSH_CHARS) flush();
      },
      end: () => {
        flush();
        closeSync(fd);
        this.open.delete(fd);
        this.files.set(name, { path: name, file, sha256: hash.digest('hex'), size });
      },
    };
  }

  /** A whole entry at once. */
  put(name: string, data: string | Uint8Array): void {
    const w = this.entry(name);
    w.write(data);
    w.end();
  }

  /** Every staged entry's name, SHA-256 and size, in name order (as the manifest lists them). */
  list(): StagedFile[] {
    return [...this.files.values()]
      .map(({ path, sha256, size }) => ({ path, sha256, size }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  }

  names(): string[] {
    return this.list().map((f) => f.path);
  }

  zipInputs(): ZipFileInput[] {
    return [...this.files.values()].map((f) => ({ name: f.path, path: f.file }));
  }

  /** Removes the folder and everything staged in it. */
  remove(): void {
    for (const fd of this.open) closeSync(fd);
    this.open.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
