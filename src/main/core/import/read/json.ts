/**
 * JSON and NDJSON readers. Records become flat rows: nested objects give dotted column names
 * (`vendor.name`), arrays of plain values are joined with '; ', arrays holding objects or arrays
 * stay as JSON text. A record that is not an object becomes a one-column `value` row.
 *
 * JSON is parsed whole (capped at 200 MB); its rows are numbered by position in the array
 * (1 = first record). NDJSON is streamed twice: a first pass collects the union of keys so
 * `headers` is complete before any row is handed out, the second hands out rows numbered by
 * physical line. A bad NDJSON line becomes a row with blank cells and an issue.
 */
import { TieoutError } from '../../../../shared/error.js';
import { decoderFor, createDecoder, detectEncoding, type Encoding, type StreamDecoder } from './encoding.js';
import { dedupeHeaders } from './headers.js';
import { BatchIterator, puller } from './iter.js';
import { plainDecimal } from './number-text.js';
import { byteChunks, DEFAULT_CHUNK, location, readPrefix, resolveSource, type ResolvedSource, type Source } from './source.js';

export const MAX_JSON_BYTES = 200 * 1024 * 1024;

export interface JsonOptions {
  /** Dotted path to the array of records (`data.items`); found automatically when absent. */
  jsonPath?: string;
  encoding?: Encoding;
  signal?: AbortSignal;
  /** Size cap for whole-document JSON (default 200 MB); NDJSON is streamed and not capped. */
  maxBytes?: number;
  chunkSize?: number;
}

export interface JsonRow {
  /** JSON: 1-based position of the record in its array. NDJSON: 1-based line number. */
  row: number;
  cells: string[];
  issues?: string[];
}

export interface JsonTable {
  format: 'json' | 'ndjson';
  fileName: string;
  encoding: Encoding;
  /** The path of the record array actually used (JSON only; '' for a root array). */
  jsonPath?: string;
  /** Column names: flattened keys in first-seen order, made unique (a blank key becomes 'Column N'). */
  headers: string[];
  /** The flattened key behind each header. */
  keys: string[];
  /** No header row in the file: always 0. */
  headerRow: 0;
  rows: AsyncIterable<JsonRow>;
  totalBytes: number;
  bytesRead(): number;
  close(): Promise<void>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Flatten one record to dotted keys and cell texts (also used for API pulls). */
export function flattenObject(value: unknown): Record<string, string> {
  const out = new Map<string, string>();
  if (isObject(value)) walk(value, '', out);
  else out.set('value', Array.isArray(value) ? arrayText(value) : scalarText(value));
  return Object.fromEntries(out);
}

function walk(obj: Record<string, unknown>, prefix: string, out: Map<string, string>): void {
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (isObject(v)) walk(v, key, out);
    else out.set(key, Array.isArray(v) ? arrayText(v) : scalarText(v));
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function scalarText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return plainDecimal(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    default:
      return v === null || v === undefined ? '' : JSON.stringify(v);
  }
}

function arrayText(a: unknown[]): string {
  for (const x of a) if (x !== null && typeof x === 'object') return JSON.stringify(a);
  return a.map(scalarText).join('; ');
}

/** The union of flattened keys, in first-seen order. */
class KeyUnion {
  private readonly seen = new Set<string>();
  readonly keys: string[] = [];
  add(flat: Record<string, string>): void {
    for (const k of Object.keys(flat)) {
      if (!this.seen.has(k)) {
        this.seen.add(k);
        this.keys.push(k);
      }
    }
  }
}

function cellsFor(flat: Record<string, string>, keys: string[]): string[] {
  const cells = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) cells[i] = Object.hasOwn(flat, keys[i]!) ? flat[keys[i]!]! : '';
  return cells;
}

/** Open a JSON document whose records are an array at the root or at `jsonPath`. */
export async function openJson(source: Source, opts: JsonOptions = {}): Promise<JsonTable> {
  const src = await resolveSource(source);
  const cap = opts.maxBytes ?? MAX_JSON_BYTES;
  if (src.size > cap) {
    throw new TieoutError(
      'file_unreadable',
      `${src.name} is ${Math.round(src.size / 1048576)} MB; JSON files over ${Math.round(cap / 1048576)} MB cannot be opened. Export it as NDJSON (one record per line) instead.`,
      location(src),
    );
  }
  const bytes = src.bytes ?? (await readPrefix(src, src.size));
  const dec = opts.encoding ? createDecoder(opts.encoding) : decoderFor(detectEncoding(bytes.subarray(0, 65536)));
  const text = dec.write(bytes) + dec.end();
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const line = errorLine(msg, text);
    throw new TieoutError('parse', `${src.name} is not valid JSON${line ? ` (line ${line})` : ''}: ${msg}`, { ...location(src), row: line });
  }
  const { records, path } = findRecords(doc, opts.jsonPath, src);
  const union = new KeyUnion();
  for (const r of records) union.add(flattenObject(r));
  const keys = union.keys;

  let i = 0;
  const pull = async (): Promise<JsonRow[] | undefined> => {
    if (opts.signal?.aborted) throw new TieoutError('cancelled', `Reading ${src.name} was cancelled`, location(src));
    if (i >= records.length) return undefined;
    const out: JsonRow[] = [];
    for (const stop = Math.min(records.length, i + 1000); i < stop; i++) {
      out.push({ row: i + 1, cells: cellsFor(flattenObject(records[i]), keys) });
    }
    return out;
  };
  const rows = new BatchIterator<JsonRow, JsonRow>([], pull, (x) => x, async () => {
    i = records.length;
  });
  return {
    format: 'json',
    fileName: src.name,
    encoding: dec.encoding,
    jsonPath: path,
    headers: dedupeHeaders(keys),
    keys,
    headerRow: 0,
    rows,
    totalBytes: src.size,
    bytesRead: () => (records.length === 0 ? src.size : Math.round((src.size * i) / records.length)),
    close: async () => {
      await rows.return();
    },
  };
}

/** The line of a JSON syntax error (V8 does not always give the position). */
function errorLine(msg: string, text: string): number | undefined {
  const m = /position (\d+)/.exec(msg);
  const pos = m ? Number(m[1]) : syntaxErrorOffset(text);
  if (pos === undefined) return undefined;
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < pos; k = text.indexOf('\n', k + 1)) line++;
  return line;
}

/** Offset of the first JSON syntax error, found by a minimal recursive-descent check. */
export function syntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= text.length) fail();
      const ch = text[i]!;
      if (ch === '"') return void i++;
      if (ch === '\\') i += 2;
      else if (ch < ' ') fail();
      else i++;
    }
  };
  const value = (depth: number): void => {
    ws();
    const ch = text[i];
    if (depth > 1000) fail();
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (;;) {
        if (close === '}') {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) return void i++;
        else fail();
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    const num = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!num) fail();
    i += num![0].length;
  };
  try {
    value(0);
    ws();
    return i < text.length ? i : undefined;
  } catch (at) {
    return typeof at === 'number' ? Math.min(at, text.length) : undefined;
  }
}

function findRecords(doc: Json, jsonPath: string | undefined, src: ResolvedSource): { records: Json[]; path: string } {
  if (jsonPath !== undefined && jsonPath !== '') {
    let cur: Json | undefined = doc;
    for (const seg of jsonPath.split('.')) {
      if (Array.isArray(cur) && /^\d+$/.test(seg)) cur = cur[Number(seg)];
      else if (isObject(cur) && Object.hasOwn(cur, seg)) cur = cur[seg];
      else cur = undefined;
      if (cur === undefined) break;
    }
    if (!Array.isArray(cur)) {
      throw new TieoutError('parse', `${src.name} has no array of records at "${jsonPath}"`, { ...location(src), path: jsonPath });
    }
    return { records: cur, path: jsonPath };
  }
  if (Array.isArray(doc)) return { records: doc, path: '' };
  // Breadth-first, so `data` wins over `meta.links.items`; only arrays that hold objects count.
  const queue: Array<[string, Json]> = [['', doc]];
  while (queue.length > 0) {
    const [path, node] = queue.shift()!;
    if (!isObject(node) || path.split('.').length > 4) continue;
    for (const k of Object.keys(node)) {
      const v = node[k]!;
      const p = path === '' ? k : `${path}.${k}`;
      if (Array.isArray(v) && v.length > 0 && v.some(isObject)) return { records: v, path: p };
      if (isObject(v)) queue.push([p, v]);
    }
  }
  throw new TieoutError(
    'parse',
    `${src.name} holds no array of records: expected an array of objects at the top level or inside an object (give its path, such as "data.items")`,
    location(src),
  );
}

interface Line {
  line: number;
  text: string;
}

/** Non-blank lines of a streamed text, batched per chunk, with 1-based line numbers. */
async function* lineBatches(
  src: ResolvedSource,
  decoder: StreamDecoder,
  opts: JsonOptions,
  onRead: (n: number) => void,
): AsyncGenerator<Line[]> {
  let carry = '';
  let line = 1;
  const split = (text: string, final: boolean): Line[] => {
    const out: Line[] = [];
    // A long line arriving in many chunks: just accumulate until its newline shows up.
    if (!final && text.indexOf('\n') < 0) {
      carry += text;
      return out;
    }
    let s = carry === '' ? text : carry + text;
    let start = 0;
    for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', start)) {
      push(out, s.substring(start, nl), line++);
      start = nl + 1;
    }
    s = s.substring(start);
    if (final) {
      push(out, s, line);
      carry = '';
    } else {
      carry = s;
    }
    return out;
  };
  for await (const bytes of byteChunks(src, opts.chunkSize ?? DEFAULT_CHUNK, opts.signal, onRead)) {
    const out = split(decoder.write(bytes), false);
    if (out.length > 0) yield out;
  }
  const out = split(decoder.end(), true);
  if (out.length > 0) yield out;
}

function push(out: Line[], raw: string, line: number): void {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() !== '') out.push({ line, text });
}

type Parsed = { ok: true; flat: Record<string, string> } | { ok: false; error: string };

function parseLine(l: Line): Parsed {
  try {
    return { ok: true, flat: flattenObject(JSON.parse(l.text)) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Open an NDJSON / JSON Lines file: one JSON value per line, blank lines skipped. */
export async function openNdjson(source: Source, opts: JsonOptions = {}): Promise<JsonTable> {
  const src = await resolveSource(source);
  const detected = opts.encoding ? undefined : detectEncoding(await readPrefix(src, 65536));
  const makeDecoder = (): StreamDecoder => (detected ? decoderFor(detected) : createDecoder(opts.encoding!));

  // Pass 1: the union of keys, so every row can be aligned to one header list.
  const union = new KeyUnion();
  const firstDecoder = makeDecoder();
  for await (const batch of lineBatches(src, firstDecoder, opts, () => {})) {
    for (const l of batch) {
      const p = parseLine(l);
      if (p.ok) union.add(p.flat);
    }
  }
  const keys = union.keys;

  let read = 0;
  const decoder = makeDecoder();
  const { pull, close } = puller(lineBatches(src, decoder, opts, (n) => (read += n)));
  const toRow = (l: Line): JsonRow => {
    const p = parseLine(l);
    if (p.ok) return { row: l.line, cells: cellsFor(p.flat, keys) };
    return { row: l.line, cells: new Array<string>(keys.length).fill(''), issues: [`line ${l.line} is not valid JSON (${p.error}); the row is left blank`] };
  };
  const rows = new BatchIterator<Line, JsonRow>([], pull, toRow, close);
  return {
    format: 'ndjson',
    fileName: src.name,
    // Pass 1 has seen the whole file, so a UTF-8 guess has settled by now.
    encoding: firstDecoder.encoding,
    headers: dedupeHeaders(keys),
    keys,
    headerRow: 0,
    rows,
    totalBytes: src.size,
    bytesRead: () => read,
    close: async () => {
      await rows.return();
    },
  };
}
