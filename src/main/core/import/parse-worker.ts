/**
 * The parse worker: reads a file, parses and hashes its rows, and posts them in flat batches
 * to the thread that writes them, so reading and parsing overlap SQLite's inserts on a second
 * core. It never touches the workspace. Started by parse-in-worker.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ErrorShape, TieoutError } from '../../../shared/error.js';
import type { MappingTemplate } from '../../../shared/mapping.js';
import { BATCH_ROWS, prepareRow, type PreparedBatch } from './prepared-rows.js';
// The CSV reader alone: the worker only ever reads CSV, and loading SheetJS would slow its start.
import { openCsv, type CsvOptions } from './read/csv.js';
import { compileRowParser } from './row-parser.js';

export interface ParseWorkerData {
  path: string;
  open: Pick<CsvOptions, 'encoding' | 'delimiter'>;
  mapping: MappingTemplate;
  headers: string[];
  /** The sample the writing thread compiled its parser from, so both settle the same column options. */
  sample: string[][];
  /** Rows already handled by the writing thread (the sample). */
  skip: number;
  /** [batches posted, batches consumed]: the worker waits when too far ahead, keeping memory flat. */
  flow: Int32Array;
}

export type ParseWorkerMessage =
  | { type: 'rows'; rows: PreparedBatch; bytesRead: number }
  | { type: 'done'; bytesRead: number }
  | { type: 'error'; error: ErrorShape };

/** Batches allowed in flight before the worker waits for the writer. */
const MAX_AHEAD = 6;

const data = workerData as ParseWorkerData;
const post = (m: ParseWorkerMessage) => parentPort!.postMessage(m);

async function main(): Promise<void> {
  const table = await openCsv({ path: data.path }, data.open);
  try {
    if (table.headers.length !== data.headers.length || table.headers.some((h, i) => h !== data.headers[i])) {
      throw new TieoutError('internal', `${table.fileName} changed while it was being imported`, { file: table.fileName });
    }
    const parser = compileRowParser(data.mapping, data.headers, data.sample);
    let skip = data.skip;
    let batch: PreparedBatch = [];
    let rows = 0;
    let posted = 0;
    const flush = () => {
      post({ type: 'rows', rows: batch, bytesRead: table.bytesRead() });
      batch = [];
      rows = 0;
      posted++;
      Atomics.store(data.flow, 0, posted);
      // Blocking is fine here: this thread has nothing else to do until the writer catches up.
      for (;;) {
        const consumed = Atomics.load(data.flow, 1);
        if (posted - consumed < MAX_AHEAD) break;
        Atomics.wait(data.flow, 1, consumed, 1000);
      }
    };
    // A batch of read rows at a time: iterating `table.rows` costs a promise per row.
    for (let read = await table.nextRows(); read !== undefined; read = await table.nextRows()) {
      for (let k = 0; k < read.length; k++) {
        if (skip > 0) {
          skip--;
          continue;
        }
        prepareRow(parser, read[k]!, batch, false);
        if (++rows === BATCH_ROWS) flush();
      }
    }
    if (rows > 0) flush();
    post({ type: 'done', bytesRead: table.bytesRead() });
  } finally {
    await table.close();
  }
}

main().catch((err: unknown) => post({ type: 'error', error: TieoutError.from(err).toShape() }));
