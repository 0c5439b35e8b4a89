import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';

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

/**
 * Rows are UTF-8 encoded straight into a fixed buffer as they are produced (so no row
 * strings pile up waiting to be joined), and each full buffer is handed to the file
 * stream whole. Writes happen synchronously; callers await `drain()` at batch
 * boundaries, which waits while the stream is above its high-water mark, so memory stays
 * bounded however many rows are generated.
 */
class ChunkedFile {
  private buf: Buffer | undefined;
  private pos = 0;
  private stream: WriteStream | undefined;
  private blocked = false;
  private failure: Error | undefined;

  constructor(
    readonly path: string,
    private readonly chunkBytes: number,
  ) {}

  get started(): boolean {
    return this.stream !== undefined || this.pos > 0;
  }

  push(row: string): void {
    let buf = this.buf;
    if (buf === undefined) buf = this.buf = Buffer.allocUnsafe(this.chunkBytes);
    if (this.pos + row.length * 3 > buf.length) {
      this.flush();
      if (row.length * 3 > this.chunkBytes) {
        this.write(Buffer.from(row, 'utf8'));
        return;
      }
      buf = this.buf = Buffer.allocUnsafe(this.chunkBytes);
    }
    this.pos += buf.write(row, this.pos);
  }

  /** Hands the current buffer to the stream. */
  flush(): void {
    if (this.pos === 0 || this.buf === undefined) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = undefined;
    this.pos = 0;
    this.write(chunk);
  }

  write(chunk: Buffer): void {
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

  async discard(): Promise<void> {
    this.buf = undefined;
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

/** A CSV file: header on construction, then complete rows (terminator included). */
export class CsvSink {
  readonly path: string;
  private readonly file: ChunkedFile;
  /** Data rows pushed (header excluded). */
  rows = 0;

  constructor(path: string, header: readonly string[]) {
    this.path = path;
    this.file = new ChunkedFile(path, CHUNK_BYTES);
    this.file.push(csvRow(header));
  }

  push(row: string): void {
    this.file.push(row);
    this.rows++;
  }

  /** Waits on backpressure; call between batches. */
  drain(): Promise<void> {
    return this.file.drain();
  }

  /** Appends a whole file's bytes after what was pushed so far. */
  async appendFile(path: string): Promise<void> {
    this.file.flush();
    await this.file.drain();
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
      this.file.write(chunk as Buffer);
      await this.file.drain();
    }
  }

  close(): Promise<void> {
    return this.file.close();
  }

  /** Closes the stream and deletes the partial file. */
  discard(): Promise<void> {
    return this.file.discard();
  }
}

const SPILL_CHUNK_BYTES = 1 << 16;

/**
 * Rows sorted into numbered parts on the fly (e.g. one per billing entity), each part
 * spilled to its own temporary file, so a file can be written grouped by part without
 * holding it in memory. Files are created only for parts that get rows.
 */
export class SpillFiles {
  private readonly files: ChunkedFile[];

  constructor(dir: string, prefix: string, count: number) {
    this.files = Array.from({ length: count }, (_, i) => new ChunkedFile(join(dir, `${prefix}${i}.part`), SPILL_CHUNK_BYTES));
  }

  path(part: number): string {
    return this.files[part]!.path;
  }

  /** True when the part received at least one row. */
  has(part: number): boolean {
    return this.files[part]!.started;
  }

  push(part: number, row: string): void {
    this.files[part]!.push(row);
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
