import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { ByteWriter, utf8 } from './bytes.js';

/** Row terminator: RFC 4180 uses CRLF. */
export const EOL = '\r\n';

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field, quoted per RFC 4180 only when it contains a comma, quote or line break. */
export function csvField(value: string): string {
  if (!NEEDS_QUOTES.test(value)) return value;
  return `"${value.replace(/"/g, '""')}"`;
}

export function csvRow(values: readonly string[]): string {
  return values.map(csvField).join(',') + EOL;
}

/** Room reserved before each row; no demo row comes near it. */
export const MAX_ROW_BYTES = 4096;

const EMPTY = new Uint8Array(0);

/**
 * A file written through a byte buffer: rows are encoded straight into the buffer and
 * each full buffer is handed to the file stream whole. Writes happen synchronously;
 * callers await `drain()` at batch boundaries, which waits while the stream is above its
 * high-water mark, so memory stays bounded however many rows are generated.
 */
export class ChunkedFile extends ByteWriter {
  private stream: WriteStream | undefined;
  private blocked = false;
  private failure: Error | undefined;

  constructor(
    readonly path: string,
    private readonly chunkBytes: number,
  ) {
    super(0);
  }

  /** True once anything was written. */
  get started(): boolean {
    return this.stream !== undefined || this.pos > 0;
  }

  protected makeRoom(n: number): void {
    this.flush();
    this.buf = new Uint8Array(Math.max(this.chunkBytes, n));
  }

  /** Hands the current buffer to the stream. */
  flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = EMPTY;
    this.pos = 0;
    this.write(chunk);
  }

  /** Writes a chunk as is (after flushing, to keep order). */
  write(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (!this.open().write(chunk)) this.blocked = true;
  }

  /** Waits until the stream has room again, if it signalled backpressure. */
  async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.blocked && this.stream) {
      this.blocked = false;
      if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    this.flush();
    const stream = this.open();
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.failure) throw this.failure;
  }

  /** Closes the stream and deletes the file. */
  async discard(): Promise<void> {
    this.buf = EMPTY;
    this.pos = 0;
    const stream = this.stream;
    if (!stream) return;
    if (!stream.closed) {
      const closed = once(stream, 'close').catch(() => undefined);
      stream.destroy();
      await closed;
    }
    await rm(this.path, { force: true });
  }

  private open(): WriteStream {
    if (this.stream) return this.stream;
    const stream = createWriteStream(this.path, { highWaterMark: 2 * this.chunkBytes });
    stream.on('error', (err) => {
      this.failure ??= err;
    });
    return (this.stream = stream);
  }
}

const CHUNK_BYTES = 1 << 20;

/** A CSV file: the header on construction, then rows written by the caller (count them in `rows`). */
export class CsvSink extends ChunkedFile {
  /** Data rows written (header excluded). */
  rows = 0;

  constructor(path: string, header: readonly string[]) {
    super(path, CHUNK_BYTES);
    const head = utf8(csvRow(header));
    this.reserve(head.length);
    this.bytes(head);
  }

  /** Appends a whole file's bytes after what was written so far. */
  async appendFile(path: string): Promise<void> {
    this.flush();
    await this.drain();
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
      this.write(chunk as Buffer);
      await this.drain();
    }
  }
}

const SPILL_CHUNK_BYTES = 1 << 16;

/**
 * Rows sorted into numbered parts on the fly (e.g. one per billing entity), each part
 * spilled to its own temporary file, so a file can be written grouped by part without
 * holding it in memory. Files are created only for parts that get rows.
 */
export class SpillFiles {
  readonly files: ChunkedFile[];

  constructor(dir: string, prefix: string, count: number) {
    this.files = Array.from({ length: count }, (_, i) => new ChunkedFile(join(dir, `${prefix}${i}.part`), SPILL_CHUNK_BYTES));
  }

  /** Waits on backpressure of every part; call between batches. */
  async drain(): Promise<void> {
    for (const f of this.files) await f.drain();
  }

  /** Writes all buffers and closes every spill file. */
  async finish(): Promise<void> {
    for (const f of this.files) if (f.started) await f.close();
  }

  /** Closes and deletes every spill file. */
  async discard(): Promise<void> {
    for (const f of this.files) await f.discard();
  }
}
