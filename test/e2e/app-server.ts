import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

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
