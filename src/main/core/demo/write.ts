import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';

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

/** Rows are buffered and written as one string of about this many characters. */
const CHUNK_CHARS = 1 << 20;

/**
 * A CSV file written in large chunks. `push` only buffers (callers build complete rows
 * with their terminator); `drain` writes the buffer and waits while the stream is
 * above its high-water mark, so memory stays bounded however many rows are generated.
 */
export class CsvSink {
  readonly path: string;
  private readonly stream: WriteStream;
  private parts: string[] = [];
  private chars = 0;
  private failure: Error | undefined;
  rows = 0;

  constructor(path: string, header: readonly string[]) {
    this.path = path;
    this.stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: 4 * CHUNK_CHARS });
    this.stream.on('error', (err) => {
      this.failure ??= err;
    });
    this.parts.push(csvRow(header));
    this.chars = this.parts[0]?.length ?? 0;
  }

  /** Buffers one complete row (terminator included). */
  push(row: string): void {
    this.parts.push(row);
    this.chars += row.length;
    this.rows++;
  }

  /** Hands buffered rows to the stream once enough have gathered; waits on backpressure. */
  async drain(force = false): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.chars === 0 || (!force && this.chars < CHUNK_CHARS)) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.chars = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
    if (this.failure) throw this.failure;
  }

  /** Writes what is left and closes the file. */
  async close(): Promise<void> {
    await this.drain(true);
    await new Promise<void>((resolve, reject) => {
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
    if (this.failure) throw this.failure;
  }

  /** Drops the buffer, closes the stream and deletes the partial file. */
  async discard(): Promise<void> {
    this.parts = [];
    this.chars = 0;
    if (!this.stream.closed) {
      const closed = once(this.stream, 'close').catch(() => undefined);
      this.stream.destroy();
      await closed;
    }
    await rm(this.path, { force: true });
  }
}
