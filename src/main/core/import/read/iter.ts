/**
 * Row iteration over batches. An async generator costs a few promise hops per `yield`,
 * which at a million rows is a large share of the read; this hands out buffered rows
 * with one already-resolved promise each and only goes async between batches.
 * Meant for one `for await` loop (no concurrent `next()` calls).
 */
export class BatchIterator<R, T> implements AsyncIterableIterator<T> {
  private batch: R[];
  private k = 0;
  private finished = false;

  constructor(
    first: R[],
    private readonly pull: () => Promise<R[] | undefined>,
    private readonly map: (r: R) => T,
    private readonly close: () => Promise<void>,
  ) {
    this.batch = first;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.k < this.batch.length) return Promise.resolve({ value: this.map(this.batch[this.k++]!), done: false });
    return this.slow();
  }

  /**
   * The rest of the current batch, or the next non-empty one; undefined at the end. For a loop
   * that handles rows itself: one await per batch instead of one per row. Do not mix with next().
   */
  async nextBatch(): Promise<T[] | undefined> {
    if (this.k < this.batch.length) {
      const rest = this.batch.slice(this.k).map(this.map);
      this.k = this.batch.length;
      return rest;
    }
    const b = await this.pullNonEmpty();
    if (b === undefined) return undefined;
    this.k = b.length;
    return b.map(this.map);
  }

  private async slow(): Promise<IteratorResult<T>> {
    const b = await this.pullNonEmpty();
    if (b === undefined) return { value: undefined, done: true };
    this.k = 1;
    return { value: this.map(b[0]!), done: false };
  }

  /** The next non-empty batch, made current (none of it handed out yet); undefined, and closed, at the end or on an error. */
  private async pullNonEmpty(): Promise<R[] | undefined> {
    while (!this.finished) {
      let b: R[] | undefined;
      try {
        b = await this.pull();
      } catch (err) {
        await this.finish();
        throw err;
      }
      if (b === undefined) break;
      if (b.length > 0) {
        this.batch = b;
        this.k = 0;
        return b;
      }
    }
    await this.finish();
    return undefined;
  }

  async return(): Promise<IteratorResult<T>> {
    await this.finish();
    return { value: undefined, done: true };
  }

  private async finish(): Promise<void> {
    this.batch = [];
    this.k = 0;
    if (this.finished) return;
    this.finished = true;
    await this.close();
  }
}

/** Adapt an async generator of batches to the `pull`/`close` pair above. */
export function puller<R>(gen: AsyncGenerator<R[]>): { pull: () => Promise<R[] | undefined>; close: () => Promise<void> } {
  return {
    pull: async () => {
      const r = await gen.next();
      return r.done ? undefined : r.value;
    },
    close: async () => {
      await gen.return(undefined);
    },
  };
}
