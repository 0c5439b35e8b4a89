import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';

/** A real browser-mode server (the same one `npm start` runs), on its own temp workspace. */
export interface AppServer {
  pageUrl: string;
  baseUrl: string;
  token: string;
  workspacePath: string;
  dir: string;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '..', '..');

/** Runs the real CLI, for setting up a workspace the way a user would. */
export function tieout(...args: string[]): string {
  const r = spawnSync(process.execPath, [join(root, 'bin/tieout.mjs'), ...args], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tieout ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

export async function startAppServer(opts: { demo?: boolean; workspace?: string } = {}): Promise<AppServer> {
  const dir = opts.workspace ? dirname(opts.workspace) : mkdtempSync(join(tmpdir(), 'tieout-e2e-'));
  const workspacePath = opts.workspace ?? join(dir, 'demo.tieout');
  const args = ['--import', 'tsx', join(root, 'src/main/serve/main.ts'), '--renderer', join(root, 'out/renderer')];
  if (opts.demo !== false) args.push('--workspace', workspacePath, '--demo');
  else if (opts.workspace) args.push('--workspace', workspacePath);
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const pageUrl = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (b: Buffer) => {
      output += b.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => fail(new Error(`server exited with ${code}:\n${output}`)));
  });
  const url = new URL(pageUrl);
  return {
    pageUrl,
    baseUrl: url.origin,
    token: url.searchParams.get('token')!,
    workspacePath,
    dir,
    stop: () =>
      new Promise((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}

/** People the specs act as: id, display name, role. */
export const PEOPLE = {
  ana: ['Ana Analyst', 'analyst'],
  bob: ['Bob Analyst', 'analyst'],
  fin: ['Fin Approver', 'approver'],
  max: ['Max Approver', 'approver'],
} as const;

/**
 * A demo workspace made with the CLI as a user would: `buys` demo buys, the named people (acting
 * as the first), and one run of "Buys vs invoices" with the suggested rules. Returns its path.
 */
export function demoWorkspaceWithRun(prefix: string, opts: { buys?: number; people?: (keyof typeof PEOPLE)[] } = {}): string {
  const ws = join(mkdtempSync(join(tmpdir(), `tieout-${prefix}-`)), `${prefix}.tieout`);
  tieout('demo', ws, '--buys', String(opts.buys ?? 1500));
  const people = opts.people ?? [];
  for (const id of people) tieout('users', ws, 'add', id, '--name', PEOPLE[id][0], '--role', PEOPLE[id][1]);
  if (people.length > 0) tieout('users', ws, 'switch', people[0]!);
  tieout('match', ws, '--left', 'Buys (IO export)', '--right', 'Vendor invoices', '--name', 'Buys vs invoices');
  return ws;
}

/**
 * The table that holds a run's members or review rows: each run has its own, named in the
 * run_table registry (src/main/core/workspace/run-tables.ts). 'latest' is the newest run.
 */
export function runTableName(workspacePath: string, kind: 'member' | 'review', run: number | 'latest' = 'latest'): string {
  const db = new Database(workspacePath, { readonly: true });
  try {
    const id = run === 'latest' ? db.prepare('SELECT MAX(id) FROM run').pluck().get() : run;
    const name = db.prepare('SELECT name FROM run_table WHERE run_id = ? AND kind = ?').pluck().get(id, kind) as string | undefined;
    if (!name) throw new Error(`Run ${id} has no ${kind} table`);
    return name;
  } finally {
    db.close();
  }
}

/** Rows from the workspace file, read on a connection of its own while the server runs. */
export function queryRows<T>(workspacePath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(workspacePath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
