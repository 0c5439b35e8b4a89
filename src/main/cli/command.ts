import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createService, type Service, type ServiceOptions } from '../core/service.js';
import { TieoutError } from '../../shared/error.js';

/** A usage error: exit code 2, with the command's usage line. */
export class UsageError extends Error {}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: Io): Promise<void>;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** parseArgs that turns its complaints into usage errors and checks the positional count. */
export function parse<const O extends Options>(args: string[], options: O, positionals: number): Parsed<O> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.replace(/\. To specify a positional.*$/s, '') : String(err));
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(`expected ${positionals} argument${positionals === 1 ? '' : 's'}, got ${parsed.positionals.length}`);
  }
  return parsed;
}

export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return n;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A JSON file given on the command line; an unreadable one is `code` naming the file. */
export function readJsonFile(file: string, what: string, code: 'bad_input' | 'mapping_invalid' = 'bad_input'): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TieoutError(code, `${what} ${file} is not readable JSON: ${(err as Error).message}`, { file });
  }
}

/** Writes to --out when given, else to stdout. */
export function writeOutput(text: string, out: string | undefined, io: Io): void {
  if (out) {
    writeFileSync(resolve(out), text);
    io.out(`Wrote ${resolve(out)}`);
  } else io.out(text.replace(/\n$/, ''));
}

/** Long work's progress as one line on stderr, rewritten in place; only when stderr is a terminal. */
export function terminalProgress(): { show(p: { phase: string; done: number; total: number | null; message?: string | undefined }): void; clear(): void } {
  const on = process.stderr.isTTY === true;
  let last = '';
  return {
    show(p) {
      if (!on) return;
      const pct = p.total ? ` ${Math.round((p.done / p.total) * 100)}%` : '';
      const line = `${p.phase}${pct}${p.message ? ` (${p.message})` : ''}`.slice(0, 78);
      if (line !== last) process.stderr.write(`\r${line.padEnd(78)}`);
      last = line;
    },
    clear() {
      if (on && last) process.stderr.write(`\r${''.padEnd(78)}\r`);
      last = '';
    },
  };
}

/** Runs `fn` with the core service on an open workspace, closing both afterwards. Jobs show their progress on a terminal. */
export async function withService<T>(workspace: string, fn: (s: Service) => Promise<T>, opts: { create?: boolean; service?: ServiceOptions } = {}): Promise<T> {
  const progress = terminalProgress();
  const service = createService({ emit: (e) => e.type === 'job.progress' && progress.show(e.progress), ...opts.service });
  try {
    await service.call(opts.create ? 'workspace.create' : 'workspace.open', { path: resolve(workspace) });
    return await fn(service);
  } finally {
    progress.clear();
    service.close();
  }
}

export { TieoutError };
